package registrytest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// RPM databases from osv-scalibr's own test data, read from the module
// cache rather than copied here (the sqlite one is 6 MB). They are real
// databases taken from distribution images.
const (
	// RPMBerkeleyDB is a Berkeley DB /var/lib/rpm/Packages (Fedora 32)
	// holding one package with an epoch: hello 1:0.0.1-rls (x86_64).
	RPMBerkeleyDB = "Packages_epoch"
	// RPMSQLite is /var/lib/rpm/rpmdb.sqlite of rockylinux:9.2.20230513:
	// 141 packages.
	RPMSQLite = "rpmdb.sqlite"
)

var scalibrDir = sync.OnceValues(func() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/google/osv-scalibr").Output()
	return strings.TrimSpace(string(out)), err
})

// RPMDatabase returns one of osv-scalibr's test rpm databases (RPMSQLite,
// RPMBerkeleyDB). It asks the go command where the module lies, so the go
// command must be on PATH, as it is under go test.
func RPMDatabase(t testing.TB, name string) []byte {
	t.Helper()
	dir, err := scalibrDir()
	if err != nil || dir == "" {
		t.Fatalf("locating osv-scalibr's module directory (go list -m): %v", err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "extractor", "filesystem", "os", "rpm", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
