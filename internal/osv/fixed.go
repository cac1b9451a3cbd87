package osv

import (
	"strings"

	"github.com/google/osv-scalibr/semantic"
)

// affecting returns the record's entries for the queried package.
func (v *Vulnerability) affecting(q Query) []Affected {
	var out []Affected
	for _, a := range v.Affected {
		if a.Package.Name == q.Name && sameEcosystem(a.Package.Ecosystem, q.Ecosystem) {
			out = append(out, a)
		}
	}
	return out
}

// sameEcosystem compares ecosystems, letting a record for "Debian" (every
// release) cover "Debian:12", and a query for "Red Hat" (asked without a
// stream, which an image does not name for each package) be covered by a
// record for "Red Hat:enterprise_linux:9::appstream".
func sameEcosystem(record, query string) bool {
	if record == query {
		return true
	}
	base, _, _ := strings.Cut(query, ":")
	recordBase, _, _ := strings.Cut(record, ":")
	return record == base || (base == query && recordBase == query)
}

// FixedVersion is the first version that fixes the vulnerability for the
// installed version: the "fixed" event closing the range the installed
// version falls in, compared with the ecosystem's own version rules
// (scalibr's semantic package: Debian, Alpine, PEP 440, SemVer, Maven ...).
// Empty when no fix is published, or the versions cannot be compared.
func (v *Vulnerability) FixedVersion(q Query) string {
	installed, err := semantic.Parse(q.Version, q.Ecosystem)
	for _, a := range v.affecting(q) {
		for _, r := range a.Ranges {
			if r.Type != "ECOSYSTEM" && r.Type != "SEMVER" {
				continue
			}
			if err != nil {
				if f := firstFixed(r); f != "" {
					return f // without a comparison, the only fix named is the best guess
				}
				continue
			}
			if f := fixForRange(installed, r); f != "" {
				return f
			}
		}
	}
	return ""
}

// fixForRange walks a range's events in order, tracking whether the
// installed version is inside an affected span.
func fixForRange(installed semantic.Version, r Range) string {
	inside := false
	for _, e := range r.Events {
		switch {
		case e.Introduced != "":
			inside = e.Introduced == "0" || atLeast(installed, e.Introduced)
		case e.Fixed != "" && inside:
			if c, err := installed.CompareStr(e.Fixed); err == nil && c < 0 {
				return e.Fixed
			}
			inside = false
		case e.LastAffected != "" || e.Limit != "":
			inside = false
		}
	}
	return ""
}

func atLeast(installed semantic.Version, bound string) bool {
	c, err := installed.CompareStr(bound)
	return err == nil && c >= 0
}

func firstFixed(r Range) string {
	for _, e := range r.Events {
		if e.Fixed != "" {
			return e.Fixed
		}
	}
	return ""
}
