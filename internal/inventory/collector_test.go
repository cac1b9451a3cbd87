package inventory_test

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/registry-mcp/registry-mcp/internal/demo"
	"github.com/registry-mcp/registry-mcp/internal/inventory"
)

type file struct {
	path    string
	mode    uint32
	content []byte
}

func collect(t *testing.T, files []file) *inventory.Inventory {
	t.Helper()
	c := inventory.NewCollector()
	for _, f := range files {
		in := inventory.File{Path: f.path, Size: int64(len(f.content)), Mode: 0o644}
		if f.mode != 0 {
			in.Mode = 0o755
		}
		if !c.Want(in) {
			continue
		}
		if err := c.Add(t.Context(), in, bytes.NewReader(f.content)); err != nil {
			t.Fatal(err)
		}
	}
	return c.Finish(t.Context())
}

func TestDebianImage(t *testing.T) {
	t.Parallel()
	inv := collect(t, []file{
		{path: "/var/lib/dpkg/status", content: []byte(demo.DebianStatus)},
		{path: "/usr/local/bin/server", mode: 0o755, content: demo.SampleGoBinary()},
		{path: "/usr/bin/script", mode: 0o755, content: []byte("#!/bin/sh\necho hi\n")},
		{path: "/usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA", content: []byte(demo.PythonMetadata)},
		{path: "/app/node_modules/lodash/package.json", content: []byte(demo.NPMPackageJSON)},
		{path: "/app/package.json", content: []byte(`{"name":"myapp","version":"1.0.0"}`)},
		{path: "/etc/os-release", content: []byte(demo.DebianOSRelease)}, // in a lower layer: read after the database
	})
	want := []inventory.Package{
		{Name: "base-files", Version: "12.4+deb12u5", Type: "deb", PURL: "pkg:deb/debian/base-files@12.4%2Bdeb12u5?distro=debian-12", Location: "/var/lib/dpkg/status", Ecosystem: "Debian:12", OSVName: "base-files"},
		{Name: "libssl3", Version: "3.0.11-1~deb12u2", Type: "deb", PURL: "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?distro=debian-12", Location: "/var/lib/dpkg/status", Ecosystem: "Debian:12", OSVName: "openssl"},
		{Name: "openssl", Version: "3.0.11-1~deb12u2", Type: "deb", PURL: "pkg:deb/debian/openssl@3.0.11-1~deb12u2?distro=debian-12", Location: "/var/lib/dpkg/status", Ecosystem: "Debian:12", OSVName: "openssl"},
		{Name: "zlib1g", Version: "1:1.2.13.dfsg-1", Type: "deb", PURL: "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?distro=debian-12", Location: "/var/lib/dpkg/status", Ecosystem: "Debian:12", OSVName: "zlib"},
		{Name: "go", Version: "1.21.0", Type: "go", PURL: "pkg:golang/go@1.21.0", Location: "/usr/local/bin/server", Ecosystem: "Go", OSVName: "stdlib"},
		{Name: "golang.org/x/net", Version: "0.17.0", Type: "go", PURL: "pkg:golang/golang.org/x/net@0.17.0", Location: "/usr/local/bin/server", Ecosystem: "Go", OSVName: "golang.org/x/net"},
		{Name: "golang.org/x/text", Version: "0.14.0", Type: "go", PURL: "pkg:golang/golang.org/x/text@0.14.0", Location: "/usr/local/bin/server", Ecosystem: "Go", OSVName: "golang.org/x/text"},
		{Name: "lodash", Version: "4.17.20", Type: "npm", PURL: "pkg:npm/lodash@4.17.20", Location: "/app/node_modules/lodash/package.json", Ecosystem: "npm", OSVName: "lodash"},
		{Name: "requests", Version: "2.31.0", Type: "python", PURL: "pkg:pypi/requests@2.31.0", Location: "/usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA", Ecosystem: "PyPI", OSVName: "requests"},
	}
	if diff := cmp.Diff(want, inv.Packages); diff != "" {
		t.Errorf("packages (-want +got):\n%s", diff)
	}
	if inv.OS != (inventory.OS{ID: "debian", VersionID: "12"}) {
		t.Errorf("os = %+v", inv.OS)
	}
	if got := strings.Join(inv.Sources, ","); got != "dpkg,python,npm,go-binary" {
		t.Errorf("sources = %s", got)
	}
}

func TestAlpineImage(t *testing.T) {
	t.Parallel()
	inv := collect(t, []file{
		{path: "/usr/lib/os-release", content: []byte(demo.AlpineOSRelease)}, // /etc/os-release links here
		{path: "/lib/apk/db/installed", content: []byte(demo.AlpineInstalled)},
	})
	want := []inventory.Package{
		{Name: "busybox", Version: "1.36.1-r28", Type: "apk", PURL: "pkg:apk/alpine/busybox@1.36.1-r28?distro=alpine-3.20.0", Location: "/lib/apk/db/installed", Ecosystem: "Alpine:v3.20", OSVName: "busybox"},
		{Name: "musl", Version: "1.2.5-r0", Type: "apk", PURL: "pkg:apk/alpine/musl@1.2.5-r0?distro=alpine-3.20.0", Location: "/lib/apk/db/installed", Ecosystem: "Alpine:v3.20", OSVName: "musl"},
	}
	if diff := cmp.Diff(want, inv.Packages); diff != "" {
		t.Errorf("packages (-want +got):\n%s", diff)
	}
	if inv.OS != (inventory.OS{ID: "alpine", VersionID: "3.20.0"}) || strings.Join(inv.Sources, ",") != "apk" {
		t.Errorf("os = %+v, sources = %v", inv.OS, inv.Sources)
	}
}

func TestOnlyPackageFilesAreWanted(t *testing.T) {
	t.Parallel()
	c := inventory.NewCollector()
	for _, tc := range []struct {
		f    inventory.File
		want bool
	}{
		{inventory.File{Path: "/var/lib/dpkg/status", Size: 10, Mode: 0o644}, true},
		{inventory.File{Path: "/var/lib/dpkg/status.d/libc6", Size: 10, Mode: 0o644}, true},
		{inventory.File{Path: "/lib/apk/db/installed", Size: 10, Mode: 0o644}, true},
		{inventory.File{Path: "/var/lib/rpm/rpmdb.sqlite", Size: 10, Mode: 0o644}, true},
		{inventory.File{Path: "/etc/os-release", Size: 10, Mode: 0o644}, true},
		{inventory.File{Path: "/usr/local/bin/app", Size: 10, Mode: 0o755}, true},
		{inventory.File{Path: "/opt/app/lib/guava-31.0.jar", Size: 10, Mode: 0o644}, true},
		{inventory.File{Path: "/app/node_modules/a/package.json", Size: 10, Mode: 0o644}, true},
		{inventory.File{Path: "/usr/lib/python3.12/site-packages/x-1.0.dist-info/METADATA", Size: 10, Mode: 0o644}, true},
		{inventory.File{Path: "/app/package.json", Size: 10, Mode: 0o644}, false},
		{inventory.File{Path: "/usr/lib/x86_64-linux-gnu/libc.so.6", Size: 10, Mode: 0o755}, false},
		{inventory.File{Path: "/usr/share/doc/readme.txt", Size: 10, Mode: 0o644}, false},
		{inventory.File{Path: "/usr/local/bin/data", Size: 10, Mode: 0o644}, false},
	} {
		if got := c.Want(tc.f); got != tc.want {
			t.Errorf("Want(%s) = %v, want %v", tc.f.Path, got, tc.want)
		}
	}
}

func TestJavaArchive(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("META-INF/maven/org.apache.logging.log4j/log4j-core/pom.properties")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = w.Write([]byte("groupId=org.apache.logging.log4j\nartifactId=log4j-core\nversion=2.14.1\n"))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	inv := collect(t, []file{{path: "/opt/app/lib/log4j-core-2.14.1.jar", content: buf.Bytes()}})
	var found *inventory.Package
	for i, p := range inv.Packages {
		if p.Type == "java" && strings.Contains(p.Name, "log4j-core") {
			found = &inv.Packages[i]
		}
	}
	if found == nil || found.Version != "2.14.1" || found.Ecosystem != "Maven" || found.OSVName != "org.apache.logging.log4j:log4j-core" ||
		found.PURL != "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1" {
		t.Fatalf("java packages: %+v", inv.Packages)
	}
}

func TestOversizedFilesAreSkippedAndSaid(t *testing.T) {
	t.Parallel()
	c := inventory.NewCollector()
	f := inventory.File{Path: "/var/lib/dpkg/status", Size: inventory.MaxDatabaseBytes + 1, Mode: 0o644}
	if !c.Want(f) {
		t.Fatal("the status file is not wanted")
	}
	if err := c.Add(t.Context(), f, strings.NewReader("never read")); err != nil {
		t.Fatal(err)
	}
	inv := c.Finish(t.Context())
	if len(inv.Skipped) != 1 || !strings.Contains(inv.Skipped[0], "/var/lib/dpkg/status") {
		t.Errorf("skipped = %v", inv.Skipped)
	}
}

func TestUbuntuImage(t *testing.T) {
	t.Parallel()
	inv := collect(t, []file{
		{path: "/etc/os-release", content: []byte("NAME=\"Ubuntu\"\nVERSION_ID=\"22.04\"\nVERSION_CODENAME=jammy\nID=ubuntu\n")},
		{path: "/var/lib/dpkg/status", content: []byte("Package: openssl\nStatus: install ok installed\nVersion: 3.0.2-0ubuntu1.10\n\n")},
	})
	want := []inventory.Package{{Name: "openssl", Version: "3.0.2-0ubuntu1.10", Type: "deb", PURL: "pkg:deb/ubuntu/openssl@3.0.2-0ubuntu1.10?distro=ubuntu-22.04",
		Location: "/var/lib/dpkg/status", Ecosystem: "Ubuntu:22.04", OSVName: "openssl"}}
	if diff := cmp.Diff(want, inv.Packages); diff != "" {
		t.Errorf("packages (-want +got):\n%s", diff)
	}
}
