package inventory_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/registry-mcp/registry-mcp/internal/inventory"
)

func TestFromSBOM(t *testing.T) {
	t.Parallel()
	spdx := `{"spdxVersion":"SPDX-2.3","packages":[
 {"name":"sha256:0123","versionInfo":"x"},
 {"name":"libssl3","versionInfo":"3.0.11-1~deb12u2","externalRefs":[{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl","referenceLocator":"pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl"}]},
 {"name":"busybox","versionInfo":"1.36.1-r28","externalRefs":[{"referenceType":"purl","referenceLocator":"pkg:apk/alpine/busybox@1.36.1-r28?distro=alpine-3.20.0"}]},
 {"name":"net","versionInfo":"v0.17.0","externalRefs":[{"referenceType":"purl","referenceLocator":"pkg:golang/golang.org/x/net@v0.17.0"}]},
 {"name":"openssl-libs","versionInfo":"1:3.0.7-6.el9_2","externalRefs":[{"referenceType":"purl","referenceLocator":"pkg:rpm/rocky/openssl-libs@3.0.7-6.el9_2?arch=x86_64&epoch=1&upstream=openssl-3.0.7-6.el9_2.src.rpm&distro=rocky-9.2"}]},
 {"name":"hello","versionInfo":"0.0.1-rls","externalRefs":[{"referenceType":"purl","referenceLocator":"pkg:rpm/fedora/hello@0.0.1-rls?epoch=1&distro=fedora-32"}]},
 {"name":"tool","versionInfo":"2.0"}]}`
	inv, err := inventory.FromSBOM([]byte(`{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://spdx.dev/Document","predicate":`+spdx+`}`), "sbom sha256:abc")
	if err != nil {
		t.Fatal(err)
	}
	want := []inventory.Package{
		{Name: "tool", Version: "2.0", Location: "sbom sha256:abc"},
		{Name: "busybox", Version: "1.36.1-r28", Type: "apk", PURL: "pkg:apk/alpine/busybox@1.36.1-r28?distro=alpine-3.20.0", Location: "sbom sha256:abc", Ecosystem: "Alpine:v3.20", OSVName: "busybox"},
		{Name: "libssl3", Version: "3.0.11-1~deb12u2", Type: "deb", PURL: "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl", Location: "sbom sha256:abc", Ecosystem: "Debian:12", OSVName: "openssl"},
		{Name: "golang.org/x/net", Version: "v0.17.0", Type: "go", PURL: "pkg:golang/golang.org/x/net@v0.17.0", Location: "sbom sha256:abc", Ecosystem: "Go", OSVName: "golang.org/x/net"},
		{Name: "hello", Version: "0.0.1-rls", Type: "rpm", PURL: "pkg:rpm/fedora/hello@0.0.1-rls?epoch=1&distro=fedora-32", Location: "sbom sha256:abc", OSVName: "hello"},
		{Name: "openssl-libs", Version: "3.0.7-6.el9_2", Type: "rpm", PURL: "pkg:rpm/rocky/openssl-libs@3.0.7-6.el9_2?arch=x86_64&epoch=1&upstream=openssl-3.0.7-6.el9_2.src.rpm&distro=rocky-9.2",
			Location: "sbom sha256:abc", Ecosystem: "Rocky Linux:9", OSVName: "openssl-libs", OSVVersion: "1:3.0.7-6.el9_2"},
	}
	if diff := cmp.Diff(want, inv.Packages); diff != "" {
		t.Errorf("packages (-want +got):\n%s", diff)
	}
	if !cmp.Equal(inv.Sources, []string{"sbom"}) {
		t.Errorf("sources %v", inv.Sources)
	}

	cdx := `{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"type":"operating-system","name":"debian","version":"12"},
 {"type":"library","group":"@types","name":"node","version":"20.1.0","purl":"pkg:npm/%40types/node@20.1.0"},
 {"type":"library","name":"requests","version":"2.31.0","purl":"pkg:pypi/requests@2.31.0","components":[{"type":"library","name":"inner","version":"1"}]}]}`
	inv, err = inventory.FromSBOM([]byte(cdx), "sbom sha256:def")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range inv.Packages {
		got = append(got, p.Type+" "+p.Name+"@"+p.Version+" "+p.Ecosystem+" "+p.OSVName)
	}
	if diff := cmp.Diff([]string{" inner@1  ", "npm @types/node@20.1.0 npm @types/node", "python requests@2.31.0 PyPI requests"}, got); diff != "" {
		t.Errorf("cyclonedx (-want +got):\n%s", diff)
	}
	if _, err := inventory.FromSBOM([]byte(`{"predicateType":"https://slsa.dev/provenance/v1","predicate":{"builder":{}}}`), ""); err == nil {
		t.Error("a provenance statement was read as an SBOM")
	}
}
