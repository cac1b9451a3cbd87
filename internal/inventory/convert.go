package inventory

import (
	"cmp"
	"regexp"
	"slices"
	"strconv"
	"strings"

	scalibrextractor "github.com/google/osv-scalibr/extractor"
	archivemeta "github.com/google/osv-scalibr/extractor/filesystem/language/java/archive/metadata"
	apkmeta "github.com/google/osv-scalibr/extractor/filesystem/os/apk/metadata"
	dpkgmeta "github.com/google/osv-scalibr/extractor/filesystem/os/dpkg/metadata"
	"github.com/google/osv-scalibr/extractor/filesystem/os/osrelease"
	rpmmeta "github.com/google/osv-scalibr/extractor/filesystem/os/rpm/metadata"
	"github.com/google/osv-scalibr/purl"
)

// Package is one installed package.
type Package struct {
	Name     string `json:"name"`
	Version  string `json:"version"`
	Type     string `json:"type"`
	PURL     string `json:"purl"`
	Location string `json:"location"`
	// Ecosystem and OSVName are how OSV knows the package: Debian:12 and
	// the source package (libssl3 comes from openssl), Go's toolchain as
	// stdlib. Empty Ecosystem: OSV has no database for it.
	Ecosystem string `json:"-"`
	OSVName   string `json:"-"`
	// OSVVersion, when set, is the version as OSV's records write it where
	// that differs from Version: an rpm's epoch, which Red Hat, Rocky Linux
	// and AlmaLinux records carry ("1:3.0.7-16.el9") but rpm's own
	// version-release does not.
	OSVVersion string `json:"-"`
}

// OS identifies the image's distribution, from /etc/os-release.
type OS struct {
	ID        string `json:"id,omitempty"`
	VersionID string `json:"version_id,omitempty"`
}

// Inventory is everything found in one image.
type Inventory struct {
	Packages []Package // sorted by type, name, version, location
	OS       OS
	Sources  []string // what yielded packages: dpkg, apk, go-binary, ..., or sbom
	Skipped  []string // files not read, and why
	// Truncated says the layer walk stopped early (Reason says where), so
	// packages in lower layers may be missing.
	Truncated bool
	Reason    string
}

// typeNames maps purl types to the type names results use.
var typeNames = map[string]string{
	purl.TypeDebian: "deb", purl.TypeApk: "apk", purl.TypeRPM: "rpm", purl.TypeGolang: "go",
	purl.TypePyPi: "python", purl.TypeNPM: "npm", purl.TypeMaven: "java",
}

// TypeName is the type results give a package of purl type t.
func TypeName(t string) string { return cmp.Or(typeNames[t], t) }

// osTypes are the purl types of distribution packages.
var osTypes = map[string]bool{purl.TypeDebian: true, purl.TypeApk: true, purl.TypeRPM: true}

func convert(found []*scalibrextractor.Package, osr OS) []Package {
	out := make([]Package, 0, len(found))
	for _, p := range found {
		if p.Name == "" || p.Version == "" || p.Version == "(devel)" {
			continue // a Go program's own module, built from a checkout, has no version to match
		}
		pkg := Package{
			Name: p.Name, Version: p.Version, Type: TypeName(p.PURLType),
			Location:  "/" + strings.TrimPrefix(p.Location.PathOrEmpty(), "/"),
			Ecosystem: p.Ecosystem().String(),
		}
		if m, ok := p.Metadata.(*rpmmeta.Metadata); ok {
			pkg.Ecosystem, pkg.OSVVersion = rpmForOSV(m, pkg.Ecosystem, p.Version)
		}
		if u := p.PURL(); u != nil {
			switch {
			case osTypes[p.PURLType]:
				distroPURL(u, osr)
			case p.PURLType == purl.TypeNPM:
				u.Qualifiers = nil // scalibr adds source=UNKNOWN for an installed package
			}
			pkg.PURL = u.String()
		}
		pkg.OSVName = osvName(p, pkg.Ecosystem)
		out = append(out, pkg)
	}
	Sort(out)
	return slices.CompactFunc(out, func(a, b Package) bool { return a == b })
}

// Sort orders packages by type, name, version and location.
func Sort(pkgs []Package) {
	slices.SortFunc(pkgs, func(a, b Package) int {
		return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(a.Name, b.Name),
			cmp.Compare(a.Version, b.Version), cmp.Compare(a.Location, b.Location))
	})
}

// distroPURL names the distribution release as "<id>-<version_id>"
// (pkg:deb/debian/openssl@3.0.11-1~deb12u2?distro=debian-12), the form
// scanners and SBOM tools share, and keeps the qualifiers that change
// which package is meant: an rpm's epoch, and its architecture, since an
// rpm system installs one package for two architectures side by side
// (glibc.x86_64 and glibc.i686), as the purl specification's own rpm
// example shows. Source qualifiers, and a deb's or apk's architecture
// (one per system), are left out.
func distroPURL(u *purl.PackageURL, osr OS) {
	q := map[string]string{}
	for _, kv := range u.Qualifiers {
		if kv.Key == purl.Epoch || (kv.Key == purl.Arch && u.Type == purl.TypeRPM) {
			q[kv.Key] = kv.Value
		}
	}
	if osr.ID != "" && osr.VersionID != "" {
		q[purl.Distro] = osr.ID + "-" + osr.VersionID
	}
	u.Qualifiers = purl.QualifiersFromMap(q)
}

// rhelFamily are the OSV ecosystems of Red Hat Enterprise Linux and its
// rebuilds, whose records write rpm versions with their epoch
// ("1:3.0.7-16.el9"). Other rpm distributions in OSV (SUSE, openSUSE,
// Azure Linux, Mageia, openEuler) write none; Fedora, CentOS and Amazon
// Linux have no OSV database, so their packages get no ecosystem at all.
var rhelFamily = map[string]bool{"Red Hat": true, "Rocky Linux": true, "AlmaLinux": true}

// rpmForOSV adjusts scalibr's ecosystem for an rpm and gives the version
// to ask OSV about when it differs from version-release. scalibr names
// Rocky Linux without its release, but Rocky's records are per major
// release ("Rocky Linux:9"), as AlmaLinux's are. Red Hat's records are per
// product stream and repository ("Red Hat:enterprise_linux:9::appstream"),
// which no file in the image names for each package, so a Red Hat package
// is asked about under "Red Hat" alone, which osv.dev matches across them.
func rpmForOSV(m *rpmmeta.Metadata, ecosystem, version string) (string, string) {
	if ecosystem == "Rocky Linux" && m.OSVersionID != "" {
		major, _, _ := strings.Cut(m.OSVersionID, ".")
		ecosystem += ":" + major
	}
	base, _, _ := strings.Cut(ecosystem, ":")
	if m.Epoch > 0 && rhelFamily[base] {
		return ecosystem, strconv.Itoa(m.Epoch) + ":" + version
	}
	return ecosystem, ""
}

var pythonSeparators = regexp.MustCompile(`[-_.]+`)

// osvName is the name OSV's records use for a package: distributions
// publish advisories per source package, Python names are normalized
// (PEP 503), Maven artifacts are group:artifact, and the Go toolchain is
// "stdlib".
func osvName(p *scalibrextractor.Package, ecosystem string) string {
	switch m := p.Metadata.(type) {
	case *dpkgmeta.Metadata:
		return cmp.Or(m.SourceName, p.Name)
	case *apkmeta.Metadata:
		return cmp.Or(m.OriginName, p.Name)
	case *archivemeta.Metadata:
		if m.GroupID != "" && m.ArtifactID != "" {
			return m.GroupID + ":" + m.ArtifactID
		}
	}
	switch {
	case ecosystem == "PyPI":
		return strings.ToLower(pythonSeparators.ReplaceAllLiteralString(p.Name, "-"))
	case ecosystem == "Go" && p.Name == "go":
		return "stdlib"
	}
	return p.Name
}

// osRelease reads ID and VERSION_ID from the kept os-release file.
func (c *Collector) osRelease() OS {
	m, err := osrelease.GetOSRelease(c.files)
	if err != nil {
		return OS{}
	}
	return OS{ID: m["ID"], VersionID: m["VERSION_ID"]}
}
