package inventory

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"regexp"
	"strings"

	"github.com/google/osv-scalibr/purl"
)

// The SBOM reader is written here rather than taken from scalibr's SPDX
// and CycloneDX extractors: those drop every package that has neither a
// purl nor a CPE, and many published SBOMs (and the demo's) name packages
// by name and version only. Only the JSON forms are read, which is what
// registries carry (application/spdx+json, application/vnd.cyclonedx+json,
// and in-toto attestations wrapping either).

// sbomDoc holds the fields read from SPDX 2.x and CycloneDX JSON, and from
// an in-toto statement wrapping one of them.
type sbomDoc struct {
	Predicate   json.RawMessage `json:"predicate"`
	SPDXVersion string          `json:"spdxVersion"`
	Packages    []struct {
		Name         string `json:"name"`
		VersionInfo  string `json:"versionInfo"`
		ExternalRefs []struct {
			ReferenceType    string `json:"referenceType"`
			ReferenceLocator string `json:"referenceLocator"`
		} `json:"externalRefs"`
	} `json:"packages"`
	BOMFormat  string          `json:"bomFormat"`
	Components []sbomComponent `json:"components"`
}

type sbomComponent struct {
	Name       string          `json:"name"`
	Group      string          `json:"group"`
	Version    string          `json:"version"`
	PURL       string          `json:"purl"`
	Type       string          `json:"type"`
	Components []sbomComponent `json:"components"`
}

// ErrNotSBOM says a document is neither SPDX nor CycloneDX JSON.
var ErrNotSBOM = errors.New("not an SPDX or CycloneDX JSON document")

// FromSBOM lists the packages an SPDX or CycloneDX JSON document declares
// (bare or in an in-toto statement). location is what each package's
// location says, e.g. "sbom sha256:…". A package with a purl gets its type
// and OSV ecosystem from it; one without is listed with its name and
// version only and is not matched against OSV.
func FromSBOM(doc []byte, location string) (*Inventory, error) {
	var d sbomDoc
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, ErrNotSBOM
	}
	if len(d.Predicate) > 0 && !bytes.Equal(d.Predicate, []byte("null")) {
		return FromSBOM(d.Predicate, location)
	}
	inv := &Inventory{Sources: []string{SourceSBOM}}
	switch {
	case d.SPDXVersion != "":
		for _, p := range d.Packages {
			if strings.HasPrefix(p.Name, "sha256:") || p.Name == "" {
				continue // the document's subject (the image itself), not a package
			}
			u := ""
			for _, r := range p.ExternalRefs {
				if r.ReferenceType == "purl" {
					u = r.ReferenceLocator
					break
				}
			}
			inv.add(sbomPackage(p.Name, p.VersionInfo, u, location))
		}
	case strings.EqualFold(d.BOMFormat, "CycloneDX"):
		var walk func([]sbomComponent)
		walk = func(cs []sbomComponent) {
			for _, c := range cs {
				if c.Type != "operating-system" && c.Type != "container" && c.Name != "" {
					inv.add(sbomPackage(strings.TrimPrefix(c.Group+"/"+c.Name, "/"), c.Version, c.PURL, location))
				}
				walk(c.Components)
			}
		}
		walk(d.Components)
	default:
		return nil, ErrNotSBOM
	}
	Sort(inv.Packages)
	return inv, nil
}

func (inv *Inventory) add(p Package) {
	if len(inv.Packages) < MaxPackages {
		inv.Packages = append(inv.Packages, p)
	}
}

// sbomPackage describes a declared package, from its purl when it has one.
func sbomPackage(name, version, rawPURL, location string) Package {
	p := Package{Name: name, Version: version, Location: location}
	u, err := purl.FromString(rawPURL)
	if rawPURL == "" || err != nil {
		return p
	}
	p.PURL, p.Type = rawPURL, TypeName(u.Type)
	p.Version = cmp.Or(u.Version, version)
	q := map[string]string{}
	for _, kv := range u.Qualifiers {
		q[kv.Key] = kv.Value
	}
	full := strings.TrimPrefix(u.Namespace+"/"+u.Name, "/")
	switch u.Type {
	case purl.TypeDebian, purl.TypeApk:
		p.Name = u.Name
		p.Ecosystem = distroEcosystem(u.Type, u.Namespace, q[purl.Distro])
		// Syft names the source package "upstream"; OSV's distribution
		// advisories are per source package.
		upstream, _, _ := strings.Cut(cmp.Or(q["upstream"], q[purl.Source]), "@")
		p.OSVName = cmp.Or(strings.TrimSpace(upstream), u.Name)
	case purl.TypeRPM:
		// Syft and scalibr write pkg:rpm/rocky/openssl-libs@3.0.7-6.el9_2?epoch=1&distro=rocky-9.2;
		// OSV's records are per binary package.
		p.Name, p.OSVName = u.Name, u.Name
		p.Ecosystem = distroEcosystem(u.Type, u.Namespace, q[purl.Distro])
		if base, _, _ := strings.Cut(p.Ecosystem, ":"); rhelFamily[base] && q[purl.Epoch] != "" && q[purl.Epoch] != "0" {
			p.OSVVersion = q[purl.Epoch] + ":" + p.Version
		}
	case purl.TypeGolang:
		p.Name, p.Ecosystem, p.OSVName = full, "Go", full
		if full == "stdlib" || full == "go" {
			p.OSVName = "stdlib"
		}
	case purl.TypePyPi:
		p.Name, p.Ecosystem = u.Name, "PyPI"
		p.OSVName = strings.ToLower(pythonSeparators.ReplaceAllLiteralString(u.Name, "-"))
	case purl.TypeNPM:
		p.Name, p.Ecosystem, p.OSVName = full, "npm", full
	case purl.TypeMaven:
		p.Name, p.Ecosystem = u.Namespace+":"+u.Name, "Maven"
		p.OSVName = p.Name
	}
	return p
}

var (
	debianCodenames = map[string]string{"buster": "10", "bullseye": "11", "bookworm": "12", "trixie": "13"}
	majorMinor      = regexp.MustCompile(`^(\d+\.\d+)`)
)

// distroEcosystem turns a purl's distro qualifier (debian-12, bookworm,
// alpine-3.20.0, ubuntu-22.04, rocky-9.2) into OSV's ecosystem name.
func distroEcosystem(typ, namespace, distro string) string {
	id, version, ok := strings.Cut(distro, "-")
	if !ok {
		id, version = namespace, debianCodenames[distro]
	}
	if version == "" {
		return ""
	}
	switch strings.ToLower(cmp.Or(id, namespace)) {
	case "debian":
		return "Debian:" + strings.SplitN(version, ".", 2)[0]
	case "ubuntu":
		return "Ubuntu:" + version
	case "alpine":
		if m := majorMinor.FindString(version); m != "" && typ == purl.TypeApk {
			return "Alpine:v" + m
		}
	}
	if typ == purl.TypeRPM {
		return rpmEcosystem(strings.ToLower(cmp.Or(id, namespace)), version)
	}
	return ""
}

// rpmEcosystem names the OSV ecosystem of an rpm distribution release
// named as os-release's ID and VERSION_ID, as the layer inventory does
// (see rpmForOSV): empty for the rpm distributions OSV has no records for.
func rpmEcosystem(id, version string) string {
	major, _, _ := strings.Cut(version, ".")
	switch id {
	case "rocky", "rocky-linux":
		return "Rocky Linux:" + major
	case "almalinux":
		return "AlmaLinux:" + major
	case "rhel", "redhat":
		return "Red Hat"
	}
	return ""
}
