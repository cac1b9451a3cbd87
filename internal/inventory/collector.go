package inventory

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	scalibrextractor "github.com/google/osv-scalibr/extractor"
	"github.com/google/osv-scalibr/extractor/filesystem"
	scalibrlog "github.com/google/osv-scalibr/log"
)

// Bounds on what one image's inventory may read and keep.
const (
	// MaxDatabaseBytes caps one package database or metadata file. A full
	// Debian or Fedora database is a few MiB; a bigger file is skipped.
	MaxDatabaseBytes = 64 << 20
	// MaxBinaryBytes caps one executable or Java archive, which must be held
	// whole to be parsed (build information sits near the end of a binary,
	// a zip's directory at its end).
	MaxBinaryBytes = 128 << 20
	// MaxKeptBytes caps the files kept until Finish (databases, metadata,
	// os-release), so an image with a million package.json files cannot
	// exhaust memory.
	MaxKeptBytes = 128 << 20
	// MaxPackages caps the packages one image reports.
	MaxPackages = 100_000
)

// Paths of the OS identification file, in the order os-release(5) reads them.
var osReleasePaths = []string{"etc/os-release", "usr/lib/os-release"}

// elfMagic starts every Linux executable; other "executables" (scripts)
// are not read.
var elfMagic = []byte{0x7f, 'E', 'L', 'F'}

// Collector gathers an image's package data from the files a layer walk
// hands it. It is not safe for concurrent use: a walk is sequential.
type Collector struct {
	kinds   []kind
	files   memFS // kept files, for extractors that read others (os-release)
	pending []pendingFile
	kept    int64
	pkgs    []*scalibrextractor.Package
	found   map[string]bool // sources that yielded packages
	skipped []string
}

// pendingFile is a kept file and the kind that will parse it at Finish.
type pendingFile struct {
	path string // relative, as scalibr expects
	kind *kind
}

var quietScalibr sync.Once

// NewCollector returns a Collector with every supported extractor.
func NewCollector() *Collector {
	// scalibr logs per-file warnings through the standard logger; over stdio
	// they would reach the user's terminal for every odd file. The results
	// say what was read instead.
	quietScalibr.Do(func() { scalibrlog.SetLogger(quietLogger{}) })
	// scalibr reads os-release only from a filesystem with an etc
	// directory; /etc/os-release is often a symlink to
	// /usr/lib/os-release, and symlinks are not kept.
	files := memFS{"etc": &memFile{mode: fs.ModeDir | 0o755}}
	return &Collector{kinds: kinds(), files: files, found: map[string]bool{}}
}

// File describes a file of the image the walk offers.
type File struct {
	Path string // absolute: /var/lib/dpkg/status
	Size int64
	Mode fs.FileMode // permission bits
}

// Want reports whether f can hold package data and should be read.
func (c *Collector) Want(f File) bool {
	rel := strings.TrimPrefix(path.Clean("/"+f.Path), "/")
	if slices.Contains(osReleasePaths, rel) {
		return true
	}
	return c.kindOf(rel, f) != nil
}

// kindOf asks each extractor whether it parses the file.
func (c *Collector) kindOf(rel string, f File) *kind {
	api := fileAPI{path: rel, info: fileInfo{name: path.Base(rel), size: f.Size, mode: f.Mode}}
	for i := range c.kinds {
		k := &c.kinds[i]
		if (k.accept == nil || k.accept(rel, f)) && k.ex.FileRequired(api) {
			return k
		}
	}
	return nil
}

// Add reads one wanted file. Executables and archives are parsed at once
// and dropped; databases and metadata are kept for Finish, since parsing
// them needs the image's os-release, which may lie in a lower layer.
func (c *Collector) Add(ctx context.Context, f File, r io.Reader) error {
	rel := strings.TrimPrefix(path.Clean("/"+f.Path), "/")
	if slices.Contains(osReleasePaths, rel) {
		return c.keep(rel, f, r, nil)
	}
	k := c.kindOf(rel, f)
	if k == nil {
		return nil
	}
	if !k.whole {
		return c.keep(rel, f, r, k)
	}
	if f.Size > MaxBinaryBytes {
		c.skip(rel, "over the %d MiB cap for a binary", MaxBinaryBytes>>20)
		return nil
	}
	br := bufio.NewReader(r)
	if k.elfOnly {
		if magic, _ := br.Peek(len(elfMagic)); !bytes.Equal(magic, elfMagic) {
			return nil
		}
	}
	content, err := io.ReadAll(io.LimitReader(br, MaxBinaryBytes))
	if err != nil {
		return err
	}
	c.extract(ctx, k, rel, f, content)
	return nil
}

// keep holds a small file until Finish, within MaxKeptBytes.
func (c *Collector) keep(rel string, f File, r io.Reader, k *kind) error {
	if f.Size > MaxDatabaseBytes || c.kept+f.Size > MaxKeptBytes {
		c.skip(rel, "over the %d MiB cap for package data", min(MaxDatabaseBytes, MaxKeptBytes)>>20)
		return nil
	}
	content, err := io.ReadAll(io.LimitReader(r, MaxDatabaseBytes))
	if err != nil {
		return err
	}
	c.kept += int64(len(content))
	c.files[rel] = &memFile{data: content, mode: f.Mode}
	if k != nil {
		c.pending = append(c.pending, pendingFile{path: rel, kind: k})
	}
	return nil
}

func (c *Collector) skip(rel, format string, args ...any) {
	c.skipped = append(c.skipped, "/"+rel+": "+fmt.Sprintf(format, args...))
}

// extract runs one extractor on one file's content.
func (c *Collector) extract(ctx context.Context, k *kind, rel string, f File, content []byte) {
	if len(c.pkgs) >= MaxPackages {
		return
	}
	// No Root: the files are in memory, not on this host's disk. With a
	// Root, the rpm extractor opens Root+Path on the host (it hands the
	// database to sqlite and Berkeley DB readers by path) and would read
	// the server's own /var/lib/rpm, or nothing; without one it copies the
	// kept database to a temporary file and removes it afterwards.
	in := &filesystem.ScanInput{
		FS: c.files, Path: rel,
		Info:   fileInfo{name: path.Base(rel), size: int64(len(content)), mode: f.Mode},
		Reader: bytes.NewReader(content),
	}
	inv, err := k.ex.Extract(ctx, in)
	if err != nil && len(inv.Packages) == 0 {
		c.skip(rel, "could not be parsed as %s data", k.source)
		return
	}
	if len(inv.Packages) > 0 {
		c.found[k.source] = true
	}
	c.pkgs = append(c.pkgs, inv.Packages...)
}

// Finish parses the kept files and returns the inventory.
func (c *Collector) Finish(ctx context.Context) *Inventory {
	for _, p := range c.pending {
		mf := c.files[p.path]
		c.extract(ctx, p.kind, p.path, File{Path: "/" + p.path, Size: int64(len(mf.data)), Mode: mf.mode}, mf.data)
	}
	out := &Inventory{OS: c.osRelease(), Skipped: c.skipped}
	for _, k := range c.kinds {
		if c.found[k.source] {
			out.Sources = append(out.Sources, k.source)
		}
	}
	out.Packages = convert(c.pkgs, out.OS)
	return out
}

// fileAPI and fileInfo describe a tar entry to scalibr's FileRequired.
type fileAPI struct {
	path string
	info fileInfo
}

func (a fileAPI) Path() string               { return a.path }
func (a fileAPI) Stat() (fs.FileInfo, error) { return a.info, nil }

type fileInfo struct {
	name string
	size int64
	mode fs.FileMode
}

func (i fileInfo) Name() string       { return i.name }
func (i fileInfo) Size() int64        { return i.size }
func (i fileInfo) Mode() fs.FileMode  { return i.mode }
func (i fileInfo) ModTime() time.Time { return time.Time{} }
func (i fileInfo) IsDir() bool        { return false }
func (i fileInfo) Sys() any           { return nil }

// quietLogger drops scalibr's log lines.
type quietLogger struct{}

func (quietLogger) Errorf(string, ...any) {}
func (quietLogger) Warnf(string, ...any)  {}
func (quietLogger) Infof(string, ...any)  {}
func (quietLogger) Debugf(string, ...any) {}
func (quietLogger) Error(...any)          {}
func (quietLogger) Warn(...any)           {}
func (quietLogger) Info(...any)           {}
func (quietLogger) Debug(...any)          {}
