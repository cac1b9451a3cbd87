package inventory

import (
	"bytes"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"
)

// memFS holds the kept files for extractors that read more than the file
// they are given (dpkg and apk read os-release; rpm copies its database to
// a temporary file). testing/fstest's MapFS would do, but the serving
// binary links no test packages.
type memFS map[string]*memFile

type memFile struct {
	data []byte
	mode fs.FileMode
}

// Open opens a kept file or a directory implied by the kept paths.
func (m memFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if f, ok := m[name]; ok && !f.mode.IsDir() {
		return &openFile{Reader: bytes.NewReader(f.data), info: fileInfo{name: path.Base(name), size: int64(len(f.data)), mode: f.mode}}, nil
	}
	entries, ok := m.dir(name)
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return &openDir{info: dirInfo(name), entries: entries}, nil
}

// Stat describes a kept file or an implied directory.
func (m memFS) Stat(name string) (fs.FileInfo, error) {
	f, err := m.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Stat()
}

// ReadDir lists an implied directory.
func (m memFS) ReadDir(name string) ([]fs.DirEntry, error) {
	entries, ok := m.dir(name)
	if !ok {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	return entries, nil
}

// dir lists the direct children of name; ok is false if nothing lies below it.
func (m memFS) dir(name string) ([]fs.DirEntry, bool) {
	prefix := name + "/"
	if name == "." {
		prefix = ""
	}
	seen := map[string]fs.DirEntry{}
	found := false
	for p, f := range m {
		if p == name && f.mode.IsDir() {
			found = true
		}
		rest, ok := strings.CutPrefix(p, prefix)
		if !ok || rest == "" {
			continue
		}
		found = true
		child, _, deeper := strings.Cut(rest, "/")
		if deeper || f.mode.IsDir() {
			seen[child] = fs.FileInfoToDirEntry(dirInfo(child))
		} else {
			seen[child] = fs.FileInfoToDirEntry(fileInfo{name: child, size: int64(len(f.data)), mode: f.mode})
		}
	}
	out := make([]fs.DirEntry, 0, len(seen))
	for _, e := range seen {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return out, found
}

func dirInfo(name string) fs.FileInfo {
	return dirFileInfo{name: path.Base(name)}
}

type dirFileInfo struct{ name string }

func (d dirFileInfo) Name() string       { return d.name }
func (d dirFileInfo) Size() int64        { return 0 }
func (d dirFileInfo) Mode() fs.FileMode  { return fs.ModeDir | 0o755 }
func (d dirFileInfo) ModTime() time.Time { return time.Time{} }
func (d dirFileInfo) IsDir() bool        { return true }
func (d dirFileInfo) Sys() any           { return nil }

type openFile struct {
	*bytes.Reader
	info fs.FileInfo
}

func (f *openFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *openFile) Close() error               { return nil }

type openDir struct {
	info    fs.FileInfo
	entries []fs.DirEntry
	read    int
}

func (d *openDir) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *openDir) Close() error               { return nil }
func (d *openDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.info.Name(), Err: fs.ErrInvalid}
}

// ReadDir lets fs.ReadDir and fs.WalkDir list the directory.
func (d *openDir) ReadDir(n int) ([]fs.DirEntry, error) {
	rest := d.entries[d.read:]
	if n <= 0 {
		d.read = len(d.entries)
		return rest, nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	rest = rest[:min(n, len(rest))]
	d.read += len(rest)
	return rest, nil
}
