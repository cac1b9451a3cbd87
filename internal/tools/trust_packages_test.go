package tools_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/registry-mcp/registry-mcp/internal/inventory"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
	"github.com/registry-mcp/registry-mcp/internal/tools"
)

func TestListImagePackagesReadsTheMergedFilesystem(t *testing.T) {
	t.Parallel()
	e := newTrustEnv(t, registrytest.Options{}, withTTL)
	out := registrytest.Decode[tools.PackagesOutput](t, e.call(t, "list_image_packages", map[string]any{"image_ref": e.imgs.Debian}))
	const dpkg, bin = "/var/lib/dpkg/status", "/usr/local/bin/server"
	want := []inventory.Package{
		{Name: "base-files", Version: "12.4+deb12u5", Type: "deb", PURL: "pkg:deb/debian/base-files@12.4%2Bdeb12u5?distro=debian-12", Location: dpkg},
		{Name: "libssl3", Version: "3.0.11-1~deb12u2", Type: "deb", PURL: "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?distro=debian-12", Location: dpkg},
		{Name: "openssl", Version: "3.0.11-1~deb12u2", Type: "deb", PURL: "pkg:deb/debian/openssl@3.0.11-1~deb12u2?distro=debian-12", Location: dpkg},
		{Name: "zlib1g", Version: "1:1.2.13.dfsg-1", Type: "deb", PURL: "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?distro=debian-12", Location: dpkg},
		{Name: "go", Version: "1.21.0", Type: "go", PURL: "pkg:golang/go@1.21.0", Location: bin},
		{Name: "golang.org/x/net", Version: "0.17.0", Type: "go", PURL: "pkg:golang/golang.org/x/net@0.17.0", Location: bin},
		{Name: "golang.org/x/text", Version: "0.14.0", Type: "go", PURL: "pkg:golang/golang.org/x/text@0.14.0", Location: bin},
		{Name: "lodash", Version: "4.17.20", Type: "npm", PURL: "pkg:npm/lodash@4.17.20", Location: "/srv/app/node_modules/lodash/package.json"},
		{Name: "requests", Version: "2.31.0", Type: "python", PURL: "pkg:pypi/requests@2.31.0", Location: "/usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA"},
	}
	if diff := cmp.Diff(want, out.Packages); diff != "" {
		t.Errorf("packages (-want +got); the lower layer's ghost and deleted left-pad must not appear:\n%s", diff)
	}
	if out.Total != len(want) || out.NextCursor != "" {
		t.Errorf("total %d, next_cursor %q", out.Total, out.NextCursor)
	}
	if out.OS != (inventory.OS{ID: "debian", VersionID: "12"}) {
		t.Errorf("os = %+v (os-release is a symlink into /usr/lib)", out.OS)
	}
	if diff := cmp.Diff([]string{"dpkg", "python", "npm", "go-binary"}, out.Sources); diff != "" {
		t.Errorf("sources (-want +got):\n%s", diff)
	}
}

func TestListImagePackagesAlpine(t *testing.T) {
	t.Parallel()
	e := newTrustEnv(t, registrytest.Options{}, withTTL)
	out := registrytest.Decode[tools.PackagesOutput](t, e.call(t, "list_image_packages", map[string]any{"image_ref": e.imgs.Alpine}))
	var got []string
	for _, p := range out.Packages {
		got = append(got, p.PURL)
	}
	want := []string{"pkg:apk/alpine/busybox@1.36.1-r28?distro=alpine-3.20.0", "pkg:apk/alpine/musl@1.2.5-r0?distro=alpine-3.20.0"}
	if diff := cmp.Diff(want, got); diff != "" || out.OS.ID != "alpine" {
		t.Errorf("purls (-want +got):\n%s\nos %+v", diff, out.OS)
	}
}

func TestListImagePackagesPagesAndFilters(t *testing.T) {
	t.Parallel()
	e := newTrustEnv(t, registrytest.Options{}, withTTL)
	ref := e.imgs.Debian
	var names []string
	args := map[string]any{"image_ref": ref, "limit": 4}
	for page := 0; ; page++ {
		out := registrytest.Decode[tools.PackagesOutput](t, e.call(t, "list_image_packages", args))
		if out.Total != 9 || len(out.Packages) > 4 {
			t.Fatalf("page %d: total %d, %d packages", page, out.Total, len(out.Packages))
		}
		for _, p := range out.Packages {
			names = append(names, p.Name)
		}
		if out.NextCursor == "" {
			break
		}
		args = map[string]any{"image_ref": ref, "limit": 4, "cursor": out.NextCursor}
	}
	if len(names) != 9 {
		t.Errorf("paging gave %d packages (%v), want 9", len(names), names)
	}

	out := registrytest.Decode[tools.PackagesOutput](t, e.call(t, "list_image_packages", map[string]any{"image_ref": ref, "type": "go", "name": "X/"}))
	if out.Total != 2 || out.Packages[0].Name != "golang.org/x/net" {
		t.Errorf("type go, name X/: %+v", out.Packages)
	}

	first := registrytest.Decode[tools.PackagesOutput](t, e.call(t, "list_image_packages", map[string]any{"image_ref": ref, "limit": 1}))
	for name, bad := range map[string]map[string]any{
		"limit 0":               {"image_ref": ref, "limit": 0},
		"limit 1001":            {"image_ref": ref, "limit": 1001},
		"unknown type":          {"image_ref": ref, "type": "cargo-ish"},
		"cursor of a filter":    {"image_ref": ref, "type": "deb", "cursor": first.NextCursor},
		"cursor that is edited": {"image_ref": ref, "cursor": first.NextCursor + "x"},
		"bad reference":         {"image_ref": "UPPER CASE"},
	} {
		res := e.call(t, "list_image_packages", bad)
		if !res.IsError {
			t.Errorf("%s: accepted: %s", name, registrytest.Text(res))
		}
	}
}

func TestListImagePackagesOfAnImageWithoutPackages(t *testing.T) {
	t.Parallel()
	e := newTrustEnv(t, registrytest.Options{}, withTTL)
	out := registrytest.Decode[tools.PackagesOutput](t, e.call(t, "list_image_packages", map[string]any{"image_ref": e.fx.Ref(e.fx.App)}))
	if out.Total != 0 || len(out.Packages) != 0 || out.Sources == nil || !strings.Contains(out.Note, "no package database") {
		t.Errorf("got %+v", out)
	}
	if out.OS.ID != "demo" {
		t.Errorf("os = %+v", out.OS)
	}
}

func TestListImagePackagesPrefersTheSBOM(t *testing.T) {
	t.Parallel()
	e := newTrustEnv(t, registrytest.Options{}, withTTL)
	args := map[string]any{"image_ref": e.fx.Ref(e.fx.Supply.Signed), "limit": 5}
	out := registrytest.Decode[tools.PackagesOutput](t, e.call(t, "list_image_packages", args))
	if out.Total != 30 || len(out.Packages) != 5 || !cmp.Equal(out.Sources, []string{"sbom"}) || out.NextCursor == "" {
		t.Fatalf("total %d, %d shown, sources %v, next %q", out.Total, len(out.Packages), out.Sources, out.NextCursor)
	}
	p := out.Packages[0]
	if p.Name != "pkg00" || p.Version != "1.0.0" || p.Location != "sbom "+e.fx.Supply.Referrers["sbom"] {
		t.Errorf("first package %+v, want pkg00 1.0.0 read from the sbom referrer %s", p, e.fx.Supply.Referrers["sbom"])
	}
	e.reg.Reset()
	registrytest.Decode[tools.PackagesOutput](t, e.call(t, "list_image_packages", args))
	if n := e.reg.Total(); n != 0 {
		t.Errorf("a repeated SBOM listing cost %d registry requests (%v), want 0", n, e.reg.Counts())
	}
}
