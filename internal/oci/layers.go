package oci

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
)

const (
	// MaxLayerScanBytes caps the uncompressed layer bytes one call reads.
	// Streaming half a gigabyte of layers takes tens of seconds, about as
	// long as MCP clients wait for a tool; it also bounds what a
	// decompression bomb can cost. Past it, answers say truncated.
	MaxLayerScanBytes = 512 << 20
	// MaxScanTime bounds a walk over layers in wall-clock time, so a registry
	// that trickles a layer cannot hold a call (and its connection) for as
	// long as the byte budget would allow.
	MaxScanTime = 2 * time.Minute
	// MaxZstdWindow bounds the history a zstd decoder keeps, which is most
	// of its memory (the window plus 64 KiB in low-memory mode). BuildKit
	// and containerd write windows of at most 8 MiB, as does the zstd CLI up
	// to level 19; RFC 8878 asks decoders to support 8 MiB. Layers made with
	// --ultra -20..22 or --long declare more and are refused with a message
	// saying so: a 33 KB layer declaring 128 MiB must not cost 128 MiB.
	MaxZstdWindow = 8 << 20
	// MaxConcurrentLayerWalks caps the layer streams decompressed at once in
	// the process, whatever the number of calls: with MaxZstdWindow it bounds
	// decompression memory to about MaxConcurrentLayerWalks × 9 MiB. A walk
	// over the cap waits its turn, within its own deadline.
	MaxConcurrentLayerWalks = 4
	// progressEvery is how often, in bytes read, a long scan reports progress.
	progressEvery = 32 << 20
	// MaxWalkLayers caps the distinct layers a walk accepts, and so the blob
	// fetches one call can cause. A manifest can list tens of thousands of
	// layers within MaxManifestBytes; Docker cannot run an image of more
	// than about 125 (overlay2 stops at 128), so a thousand leaves room for
	// images built by other tools.
	MaxWalkLayers = 1000
)

var (
	gzipMagic = []byte{0x1f, 0x8b}
	zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// errScanBudget ends a walk that has read its byte budget.
var errScanBudget = errors.New("layer scan budget spent")

// ScanOptions bound a walk over an image's layers.
type ScanOptions struct {
	// MaxBytes caps the uncompressed bytes read; zero means MaxLayerScanBytes.
	MaxBytes int64
	// Progress, if set, hears about long scans.
	Progress func(message string, done float64)
	// Timeout bounds the whole walk; zero means MaxScanTime.
	Timeout time.Duration
}

// withDeadline applies the walk's time bound to ctx.
func (o ScanOptions) withDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	if o.Timeout <= 0 {
		o.Timeout = MaxScanTime
	}
	return context.WithTimeout(ctx, o.Timeout)
}

// budget counts what a call has read across layers.
type budget struct {
	opts      ScanOptions
	used      int64
	reported  int64
	layer     string // "layer 2 of 5 (sha256:…)"
	layerRead int64
}

func newBudget(opts ScanOptions) *budget {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = MaxLayerScanBytes
	}
	return &budget{opts: opts}
}

// budgetReader charges every byte read to the budget.
type budgetReader struct {
	r io.Reader
	b *budget
}

func (br *budgetReader) Read(p []byte) (int, error) {
	b := br.b
	if b.used >= b.opts.MaxBytes {
		return 0, errScanBudget
	}
	if room := b.opts.MaxBytes - b.used; int64(len(p)) > room {
		p = p[:room]
	}
	n, err := br.r.Read(p)
	b.used += int64(n)
	b.layerRead += int64(n)
	if b.opts.Progress != nil && b.used-b.reported >= progressEvery {
		b.reported = b.used
		b.opts.Progress(fmt.Sprintf("%s: %d MiB read", b.layer, b.layerRead>>20), float64(b.used))
	}
	return n, err
}

// walkLayer streams one layer's tar entries to fn until fn says stop, the
// layer ends or the budget is spent (errScanBudget). gzip, zstd and plain
// tar are told apart by their first bytes, not by a media type.
func (c *Client) walkLayer(ctx context.Context, repo name.Repository, layer v1.Descriptor, label string, b *budget,
	fn func(hdr *tar.Header, content io.Reader) (stop bool, err error)) error {
	b.layer, b.layerRead = label, 0
	if b.opts.Progress != nil {
		b.opts.Progress(label, float64(b.used))
	}
	if err := layerWalkSlots.acquire(ctx); err != nil {
		return err
	}
	defer layerWalkSlots.release()
	rc, err := c.OpenBlob(ctx, repo, layer.Digest.String())
	if err != nil {
		return err
	}
	defer rc.Close()
	br := bufio.NewReaderSize(rc, 64<<10)
	magic, _ := br.Peek(4)
	var r io.Reader = br
	switch {
	case bytes.HasPrefix(magic, gzipMagic):
		gz, err := gzip.NewReader(br)
		if err != nil {
			return layerError(ctx, label, err)
		}
		defer gz.Close()
		r = gz
	case bytes.HasPrefix(magic, zstdMagic):
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true),
			zstd.WithDecoderMaxWindow(MaxZstdWindow), zstd.WithDecoderMaxMemory(MaxZstdWindow))
		if err != nil {
			return layerError(ctx, label, err)
		}
		defer zr.Close()
		r = zr
	}
	tr := tar.NewReader(&budgetReader{r: r, b: b})
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return layerError(ctx, label, err)
		}
		stop, err := fn(hdr, tr)
		if err != nil {
			return layerError(ctx, label, err)
		}
		if stop {
			return nil
		}
	}
}

// walkSlots is a counting semaphore with a queue: acquire waits for a free
// slot or for the caller's context to end.
type walkSlots struct {
	slots   chan struct{}
	waiting atomic.Int32 // callers queued, for tests and diagnostics
}

// layerWalkSlots is process-wide because memory is: several Clients in one
// process share the cap.
var layerWalkSlots = &walkSlots{slots: make(chan struct{}, MaxConcurrentLayerWalks)}

func (s *walkSlots) acquire(ctx context.Context) error {
	select {
	case s.slots <- struct{}{}:
		return nil
	default:
	}
	s.waiting.Add(1)
	defer s.waiting.Add(-1)
	select {
	case s.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%w: the server is busy: %d layer walks were running and this call waited for a turn until it ended; retry shortly",
			ctx.Err(), cap(s.slots))
	}
}

func (s *walkSlots) release() { <-s.slots }

// layerError keeps the budget, cancellation and classified errors, and
// turns a corrupt stream into ErrBadResponse without echoing Go's wording.
func layerError(ctx context.Context, label string, err error) error {
	switch {
	case errors.Is(err, errScanBudget):
		return err
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(err, errdef.ErrBadResponse), errors.Is(err, errdef.ErrUnreachable), errors.Is(err, errdef.ErrTooLarge):
		return err
	case errors.Is(err, zstd.ErrWindowSizeExceeded), errors.Is(err, zstd.ErrDecoderSizeExceeded):
		return fmt.Errorf("%w: %s is zstd-compressed with a window over %d MiB (made with --long or --ultra), more memory than this server gives one layer",
			errdef.ErrUnsupported, label, MaxZstdWindow>>20)
	case errors.Is(err, tar.ErrHeader):
		return fmt.Errorf("%w: %s is not a tar archive (plain, gzip or zstd); it may be an artifact rather than a filesystem layer", errdef.ErrUnsupported, label)
	}
	return fmt.Errorf("%w: %s could not be read to the end; its compressed stream is corrupt or the download broke off", errdef.ErrBadResponse, label)
}

// layerStep is one distinct layer of a walk, with its label for messages.
type layerStep struct {
	desc  v1.Descriptor
	label string
}

// walkPlan lists an image's distinct layers from the top down. A layer
// listed again lower down adds nothing to the merged filesystem: every path
// it holds is already decided by its upper copy, and its whiteouts already
// apply to everything below. Reading it once keeps a manifest that repeats
// one layer from turning into as many downloads.
func walkPlan(layers []v1.Descriptor) ([]layerStep, error) {
	seen := make(map[v1.Hash]bool, min(len(layers), MaxWalkLayers))
	var plan []layerStep
	for i := len(layers) - 1; i >= 0; i-- {
		if seen[layers[i].Digest] {
			continue
		}
		if len(plan) == MaxWalkLayers {
			return nil, fmt.Errorf("%w: the image lists more than %d distinct layers, more than a file walk reads", errdef.ErrTooLarge, MaxWalkLayers)
		}
		seen[layers[i].Digest] = true
		plan = append(plan, layerStep{desc: layers[i], label: layerLabel(i, len(layers), layers[i])})
	}
	return plan, nil
}

// layerLabel names a layer in messages: "layer 2 of 5 (sha256:0123456789ab)".
func layerLabel(i, n int, d v1.Descriptor) string {
	return fmt.Sprintf("layer %d of %d (%s)", i+1, n, shortDigest(d.Digest.String()))
}
