package inventory_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/registry-mcp/registry-mcp/internal/inventory"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
)

const (
	fedoraOSRelease = "NAME=Fedora\nVERSION=\"32 (Container Image)\"\nID=fedora\nVERSION_ID=32\nPRETTY_NAME=\"Fedora 32 (Container Image)\"\n"
	rockyOSRelease  = "NAME=\"Rocky Linux\"\nVERSION=\"9.2 (Blue Onyx)\"\nID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"9.2\"\nPLATFORM_ID=\"platform:el9\"\nCPE_NAME=\"cpe:/o:rocky:rocky:9::baseos\"\n"
)

// The Berkeley DB keeps an epoch: the purl says it. OSV has no Fedora
// database, so the package has no ecosystem and is not asked about.
func TestRPMBerkeleyDB(t *testing.T) {
	t.Parallel()
	inv := collect(t, []file{
		{path: "/var/lib/rpm/Packages", content: registrytest.RPMDatabase(t, registrytest.RPMBerkeleyDB)},
		{path: "/etc/os-release", content: []byte(fedoraOSRelease)},
	})
	want := []inventory.Package{{Name: "hello", Version: "0.0.1-rls", Type: "rpm", PURL: "pkg:rpm/fedora/hello@0.0.1-rls?arch=x86_64&distro=fedora-32&epoch=1",
		Location: "/var/lib/rpm/Packages", OSVName: "hello"}}
	if diff := cmp.Diff(want, inv.Packages); diff != "" || strings.Join(inv.Sources, ",") != "rpm" || len(inv.Skipped) != 0 {
		t.Errorf("packages (-want +got):\n%s\nsources %v, skipped %v", diff, inv.Sources, inv.Skipped)
	}
}

// A Rocky Linux 9 image's sqlite database: OSV's ecosystem is
// "Rocky Linux:9" (its records are per major release), and versions with an
// epoch are asked about with it, as Rocky's records write them.
func TestRPMSQLiteRocky(t *testing.T) {
	t.Parallel()
	inv := collect(t, []file{
		{path: "/etc/os-release", content: []byte(rockyOSRelease)},
		{path: "/var/lib/rpm/rpmdb.sqlite", content: registrytest.RPMDatabase(t, registrytest.RPMSQLite)},
	})
	if len(inv.Packages) != 141 || strings.Join(inv.Sources, ",") != "rpm" || len(inv.Skipped) != 0 {
		t.Fatalf("%d packages, sources %v, skipped %v", len(inv.Packages), inv.Sources, inv.Skipped)
	}
	byName := map[string]inventory.Package{}
	for _, p := range inv.Packages {
		byName[p.Name] = p
	}
	const loc = "/var/lib/rpm/rpmdb.sqlite"
	for _, want := range []inventory.Package{
		{Name: "alternatives", Version: "1.20-2.el9", Type: "rpm", PURL: "pkg:rpm/rocky/alternatives@1.20-2.el9?arch=x86_64&distro=rocky-9.2",
			Location: loc, Ecosystem: "Rocky Linux:9", OSVName: "alternatives"},
		{Name: "basesystem", Version: "11-13.el9", Type: "rpm", PURL: "pkg:rpm/rocky/basesystem@11-13.el9?arch=noarch&distro=rocky-9.2",
			Location: loc, Ecosystem: "Rocky Linux:9", OSVName: "basesystem"},
	} {
		if diff := cmp.Diff(want, byName[want.Name]); diff != "" {
			t.Errorf("%s (-want +got):\n%s", want.Name, diff)
		}
	}
	want := inventory.Package{Name: "openssl-libs", Version: "3.0.7-6.el9_2", Type: "rpm", PURL: "pkg:rpm/rocky/openssl-libs@3.0.7-6.el9_2?arch=x86_64&distro=rocky-9.2&epoch=1",
		Location: loc, Ecosystem: "Rocky Linux:9", OSVName: "openssl-libs", OSVVersion: "1:3.0.7-6.el9_2"}
	if diff := cmp.Diff(want, byName[want.Name]); diff != "" {
		t.Errorf("a package with an epoch (-want +got):\n%s", diff)
	}
}
