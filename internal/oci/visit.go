package oci

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// VisitResult says how far a VisitFiles walk got.
type VisitResult struct {
	Truncated bool   // the walk stopped before the bottom layer
	Reason    string // why it stopped
}

// VisitFiles walks an image's merged filesystem once, top layer first, and
// hands fn the content of each entry that is visible in the merged view
// (whiteouts applied, an upper layer's version winning) and that want
// selects. Only selected entries are read; the rest of every layer is
// skipped in the stream. fn must read what it needs before returning. The
// walk keeps the byte and time bounds of opts; past the byte budget the
// result says truncated and the lower layers are not read.
func (c *Client) VisitFiles(ctx context.Context, repo name.Repository, img *v1.Manifest,
	want func(FileEntry) bool, fn func(FileEntry, io.Reader) error, opts ScanOptions) (VisitResult, error) {
	ctx, cancel := opts.withDeadline(ctx)
	defer cancel()
	plan, err := walkPlan(img.Layers) // each distinct layer once, top down
	if err != nil {
		return VisitResult{}, err
	}
	m := newMerger()
	b := newBudget(opts)
	var out VisitResult
	all := func(string) bool { return true }
	for _, step := range plan {
		label := step.label
		m.currentLayer = step.desc.Digest.String()
		err := c.walkLayer(ctx, repo, step.desc, label, b, func(hdr *tar.Header, r io.Reader) (bool, error) {
			p := cleanPath(hdr.Name)
			fresh := m.seen[p] == nil
			m.add(hdr, all)
			e := m.seen[p]
			if !fresh || e == nil || e.Layer != m.currentLayer || !want(*e) {
				return false, nil
			}
			return false, fn(*e, r)
		})
		if errors.Is(err, errScanBudget) {
			out.Truncated, out.Reason = true, fmt.Sprintf("read the %d MiB cap of layer data in %s; lower layers were not read", b.opts.MaxBytes>>20, label)
			return out, nil
		}
		if err != nil {
			return out, err
		}
		m.endLayer()
	}
	return out, nil
}
