package oci

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

const (
	// MaxFileEntries caps the entries a listing keeps in memory (about 150
	// bytes each); the biggest distribution images hold around 100 000 files.
	MaxFileEntries = 250_000
	// maxLinkHops bounds symlink following, as the kernel's ELOOP does.
	maxLinkHops = 8
	// Whiteout names (OCI image spec, layer changesets).
	whiteoutPrefix = ".wh."
	whiteoutOpaque = ".wh..wh..opq"
)

// FileEntry is one path of an image's merged filesystem.
type FileEntry struct {
	Path  string `json:"path"`
	Size  int64  `json:"size"`
	Mode  string `json:"mode"`
	Layer string `json:"layer"`
	Type  string `json:"type"`
	Link  string `json:"link,omitempty"`
}

func entryOf(hdr *tar.Header, p, layer string) FileEntry {
	e := FileEntry{Path: p, Size: hdr.Size, Mode: fmt.Sprintf("%04o", hdr.Mode&0o7777), Layer: layer, Type: "other"}
	switch hdr.Typeflag {
	case tar.TypeReg: // the reader reports old-style '\x00' entries as TypeReg too
		e.Type = "file"
	case tar.TypeDir:
		e.Type, e.Size = "dir", 0
	case tar.TypeSymlink:
		e.Type, e.Link = "symlink", hdr.Linkname
	case tar.TypeLink:
		e.Type, e.Link = "hardlink", "/"+strings.TrimPrefix(path.Clean("/"+hdr.Linkname), "/")
	case tar.TypeChar:
		e.Type = "char"
	case tar.TypeBlock:
		e.Type = "block"
	case tar.TypeFifo:
		e.Type = "fifo"
	}
	return e
}

// cleanPath turns a tar name (./etc/passwd, etc/, /bin) into /etc/passwd form.
func cleanPath(p string) string { return path.Clean("/" + p) }

// isBelow reports whether p lies inside directory dir.
func isBelow(p, dir string) bool {
	return dir == "/" && p != "/" || strings.HasPrefix(p, dir+"/")
}

// FileListing is the merged filesystem, or the part of it under a prefix.
type FileListing struct {
	Files     []FileEntry // sorted by path
	Truncated bool        // the walk stopped before the bottom layer
	Reason    string      // why it stopped
}

// merger applies layers from the top down: a path seen in an upper layer
// hides the same path below; whiteouts and opaque directories of an upper
// layer hide what lies beneath them, but not their own layer's entries.
type merger struct {
	seen          map[string]*FileEntry
	gone, opaque  map[string]bool // from the layers above the current one
	nextGone      map[string]bool
	nextOpaque    map[string]bool
	currentLayer  string
	entriesInView int
}

func newMerger() *merger {
	return &merger{seen: map[string]*FileEntry{}, gone: map[string]bool{}, opaque: map[string]bool{}, nextGone: map[string]bool{}, nextOpaque: map[string]bool{}}
}

// hidden reports whether an upper layer deleted p, made an ancestor opaque,
// or replaced an ancestor with something that is not a directory.
func (m *merger) hidden(p string) bool {
	if m.gone[p] {
		return true
	}
	for q := path.Dir(p); ; q = path.Dir(q) {
		if m.gone[q] || m.opaque[q] {
			return true
		}
		if e := m.seen[q]; e != nil && e.Type != "dir" {
			return true
		}
		if q == "/" {
			return false
		}
	}
}

// add records one tar entry; whiteouts are remembered for the layers below.
func (m *merger) add(hdr *tar.Header, keep func(string) bool) {
	p := cleanPath(hdr.Name)
	dir, base := path.Dir(p), path.Base(p)
	switch {
	case base == whiteoutOpaque:
		m.nextOpaque[dir] = true
		return
	case strings.HasPrefix(base, whiteoutPrefix):
		m.nextGone[path.Join(dir, strings.TrimPrefix(base, whiteoutPrefix))] = true
		return
	case p == "/" || !keep(p) || m.hidden(p):
		return
	}
	if e := m.seen[p]; e != nil && e.Layer != m.currentLayer {
		return // an upper layer has its own version
	}
	e := entryOf(hdr, p, m.currentLayer)
	if m.seen[p] == nil {
		m.entriesInView++
	}
	m.seen[p] = &e
}

// endLayer makes the layer's whiteouts apply to the layers below it.
func (m *merger) endLayer() {
	for p := range m.nextGone {
		m.gone[p] = true
	}
	for p := range m.nextOpaque {
		m.opaque[p] = true
	}
	clear(m.nextGone)
	clear(m.nextOpaque)
}

// ListFiles presents the merged filesystem of an image, or the part whose
// paths start with prefix. Every layer must be read, top down, since any
// of them may add or delete a path; the walk stops at the byte budget.
// Layers are immutable, so a listing is kept by their digests.
func (c *Client) ListFiles(ctx context.Context, repo name.Repository, img *v1.Manifest, prefix string, opts ScanOptions) (*FileListing, error) {
	if prefix != "" {
		prefix = "/" + strings.TrimLeft(strings.TrimPrefix(prefix, "."), "/")
	}
	key := fmt.Sprintf("files:%s@%s|%s|%d", repo.Name(), layersKey(img), prefix, opts.MaxBytes)
	if v, ok := c.content.get(key); ok {
		l := *v.(*FileListing)
		l.Files = slices.Clone(l.Files)
		return &l, nil
	}
	out, err := c.listFiles(ctx, repo, img, prefix, opts)
	if err == nil {
		stored := *out
		stored.Files = slices.Clone(out.Files)
		c.content.add(key, &stored, int64(len(out.Files))*160+256)
	}
	return out, err
}

func (c *Client) listFiles(ctx context.Context, repo name.Repository, img *v1.Manifest, prefix string, opts ScanOptions) (*FileListing, error) {
	// Ancestors of the prefix are kept too: they decide whether it is hidden.
	keep := func(p string) bool { return strings.HasPrefix(p, prefix) || strings.HasPrefix(prefix, p+"/") }
	ctx, cancel := opts.withDeadline(ctx)
	defer cancel()
	plan, err := walkPlan(img.Layers)
	if err != nil {
		return nil, err
	}
	m := newMerger()
	b := newBudget(opts)
	out := &FileListing{}
	for _, step := range plan {
		if out.Truncated {
			break
		}
		label := step.label
		m.currentLayer = step.desc.Digest.String()
		err := c.walkLayer(ctx, repo, step.desc, label, b, func(hdr *tar.Header, _ io.Reader) (bool, error) {
			m.add(hdr, keep)
			if m.entriesInView >= MaxFileEntries {
				out.Truncated, out.Reason = true, fmt.Sprintf("stopped at %d entries in %s", MaxFileEntries, label)
				return true, nil
			}
			return false, nil
		})
		if errors.Is(err, errScanBudget) {
			out.Truncated, out.Reason = true, fmt.Sprintf("read the %d MiB cap of layer data in %s; lower layers were not read", b.opts.MaxBytes>>20, label)
			break
		}
		if err != nil {
			return nil, err
		}
		m.endLayer()
	}
	out.Files = make([]FileEntry, 0, len(m.seen))
	for p, e := range m.seen {
		if strings.HasPrefix(p, prefix) {
			out.Files = append(out.Files, *e)
		}
	}
	slices.SortFunc(out.Files, func(a, b FileEntry) int { return strings.Compare(a.Path, b.Path) })
	return out, nil
}
