package oci

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/registry-mcp/registry-mcp/internal/attest"
	"github.com/registry-mcp/registry-mcp/internal/errdef"
)

// FileContent is one file read from an image.
type FileContent struct {
	Entry     FileEntry // Entry.Path is where the content was found, after links
	Content   []byte    // at most the max asked for
	Truncated bool
}

// Text returns the content as text, cut at a character boundary if the
// file was truncated; ok is false for binary content.
func (fc *FileContent) Text() (text []byte, ok bool) {
	return attest.TextPrefix(fc.Content, fc.Truncated)
}

// ReadFile reads a file of the merged filesystem, walking layers from the
// top and stopping at the first layer that has the path or hides it.
// Symbolic links (of the file or of a directory on its way) are followed.
// Layers are immutable, so an answer is kept by their digests.
func (c *Client) ReadFile(ctx context.Context, repo name.Repository, img *v1.Manifest, p string, max int, opts ScanOptions) (*FileContent, error) {
	key := fmt.Sprintf("file:%s@%s|%s|%d|%d", repo.Name(), layersKey(img), p, max, opts.MaxBytes)
	if v, ok := c.content.get(key); ok {
		fc := *v.(*FileContent)
		return &fc, nil
	}
	fc, err := c.readFile(ctx, repo, img, p, max, opts)
	if err == nil && fc != nil {
		stored := *fc
		c.content.add(key, &stored, int64(len(fc.Content))+256)
	}
	return fc, err
}

func (c *Client) readFile(ctx context.Context, repo name.Repository, img *v1.Manifest, p string, max int, opts ScanOptions) (*FileContent, error) {
	ctx, cancel := opts.withDeadline(ctx)
	defer cancel()
	plan, err := walkPlan(img.Layers)
	if err != nil {
		return nil, err
	}
	b := newBudget(opts)
	target := cleanPath(p)
	for range maxLinkHops + 1 {
		fc, next, err := c.findFile(ctx, repo, plan, target, max, b)
		if err != nil || next == "" {
			return fc, err
		}
		target = next
	}
	return nil, fmt.Errorf("%w: %s: more than %d symbolic links on the way", errdef.ErrNotInImage, p, maxLinkHops)
}

// layersKey names an image's filesystem by its layer digests.
func layersKey(img *v1.Manifest) string {
	h := sha256.New()
	for _, l := range img.Layers {
		h.Write([]byte(l.Digest.String()))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// lookup is what one layer says about the path sought.
type lookup struct {
	hit      *FileContent
	link     string // a symlink on the way, resolved: continue there
	deleted  string // why the path does not exist below this layer
	dirsSeen []string
}

// findFile searches the layers once; next is set when a link must be followed.
func (c *Client) findFile(ctx context.Context, repo name.Repository, plan []layerStep, target string, max int, b *budget) (*FileContent, string, error) {
	upperDirs := map[string]bool{} // ancestors an upper layer made directories
	for _, step := range plan {
		label := step.label
		var l lookup
		err := c.walkLayer(ctx, repo, step.desc, label, b, func(hdr *tar.Header, r io.Reader) (bool, error) {
			return l.visit(hdr, r, target, step.desc.Digest.String(), label, max, upperDirs)
		})
		if errors.Is(err, errScanBudget) {
			return nil, "", fmt.Errorf("%w: read the %d MiB cap of layer data without finding %s (stopped in %s)", errdef.ErrTooLarge, b.opts.MaxBytes>>20, target, label)
		}
		if err != nil {
			return nil, "", err
		}
		switch {
		case l.hit != nil && l.hit.Entry.Type == "dir":
			return nil, "", fmt.Errorf("%w: %s is a directory; list_image_files with path %s/ lists it", errdef.ErrInvalidInput, target, target)
		case l.hit != nil:
			return l.hit, "", nil
		case l.link != "":
			return nil, l.link, nil
		case l.deleted != "":
			return nil, "", fmt.Errorf("%w: %s is not in the image: %s in %s", errdef.ErrNotInImage, target, l.deleted, label)
		}
		for _, d := range l.dirsSeen {
			upperDirs[d] = true
		}
	}
	return nil, "", fmt.Errorf("%w: %s is not in the image (list_image_files shows what is there)", errdef.ErrNotInImage, target)
}

// visit inspects one tar entry; it stops the layer once the answer is known.
func (l *lookup) visit(hdr *tar.Header, r io.Reader, target, layer, label string, max int, upperDirs map[string]bool) (bool, error) {
	p := cleanPath(hdr.Name)
	dir, base := path.Dir(p), path.Base(p)
	switch {
	case p == target:
		e := entryOf(hdr, p, layer)
		switch e.Type {
		case "symlink":
			l.link = resolveLink(p, hdr.Linkname)
			return true, nil
		case "hardlink":
			l.link = e.Link
			return true, nil
		}
		fc := &FileContent{Entry: e, Truncated: e.Size > int64(max)}
		if e.Type == "file" {
			buf := make([]byte, min(e.Size, int64(max)))
			if _, err := io.ReadFull(r, buf); err != nil {
				return true, err
			}
			fc.Content = buf
		}
		l.hit = fc
		return true, nil
	case base == whiteoutOpaque:
		if isBelow(target, dir) {
			l.deleted = dir + " was emptied (opaque whiteout)"
		}
	case strings.HasPrefix(base, whiteoutPrefix) && base != whiteoutOpaque:
		if gone := path.Join(dir, strings.TrimPrefix(base, whiteoutPrefix)); gone == target || isBelow(target, gone) {
			l.deleted = gone + " was deleted"
		}
	case isBelow(target, p):
		switch {
		case hdr.Typeflag == tar.TypeDir:
			l.dirsSeen = append(l.dirsSeen, p)
		case upperDirs[p]:
			l.deleted = p + " was replaced" // a directory above, over this layer's file or link
		case hdr.Typeflag == tar.TypeSymlink:
			l.link = resolveLink(p, hdr.Linkname) + strings.TrimPrefix(target, p)
			return true, nil
		default:
			l.deleted = p + " is not a directory"
		}
	}
	return false, nil
}

// resolveLink resolves a symlink's target against the directory holding it,
// within the image: an absolute target starts at the image's root.
func resolveLink(linkPath, target string) string {
	if strings.HasPrefix(target, "/") {
		return cleanPath(target)
	}
	return cleanPath(path.Join(path.Dir(linkPath), target))
}
