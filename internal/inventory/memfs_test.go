package inventory

import (
	"io/fs"
	"testing"
	"testing/fstest"
)

func TestMemFSIsAFileSystem(t *testing.T) {
	t.Parallel()
	m := memFS{
		"etc":                 &memFile{mode: fs.ModeDir | 0o755},
		"etc/os-release":      &memFile{data: []byte("ID=debian\n"), mode: 0o644},
		"var/lib/dpkg/status": &memFile{data: []byte("Package: a\n"), mode: 0o644},
	}
	if err := fstest.TestFS(m, "etc/os-release", "var/lib/dpkg/status"); err != nil {
		t.Fatal(err)
	}
}
