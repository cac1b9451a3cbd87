package tools

import (
	"context"
	"io"
	"io/fs"
	"strconv"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/registry-mcp/registry-mcp/internal/inventory"
	"github.com/registry-mcp/registry-mcp/internal/oci"
)

// imageInventory resolves an image and lists its packages. An image
// manifest never changes, so its inventory is kept by digest: asking again
// costs no layer reads (and, within the tag TTL, no registry request).
func imageInventory(ctx context.Context, d Deps, req *mcp.CallToolRequest, in ImageInput) (*inventory.Inventory, string, error) {
	r, err := resolveImage(ctx, d, in)
	if err != nil {
		return nil, "", err
	}
	digest := r.res.Image.Digest
	if inv, ok := d.packages.get(digest); ok {
		return inv, digest, nil
	}
	inv, err := readInventory(ctx, d, req, r)
	if err != nil {
		return nil, "", err
	}
	d.packages.put(digest, inv)
	return inv, digest, nil
}

// readInventory reads the image's SBOM when it has one; otherwise it walks
// the layers once, reading only the files that can hold package data.
func readInventory(ctx context.Context, d Deps, req *mcp.CallToolRequest, r *resolvedImage) (*inventory.Inventory, error) {
	if inv, ok, err := sbomInventory(ctx, d, r); err != nil || ok {
		return inv, err
	}
	col := inventory.NewCollector()
	res, err := d.Registry.VisitFiles(ctx, r.ref.Context(), r.res.Image.Image,
		func(e oci.FileEntry) bool { return e.Type == "file" && col.Want(fileOf(e)) },
		func(e oci.FileEntry, rd io.Reader) error { return col.Add(ctx, fileOf(e), rd) },
		scanOptions(ctx, req))
	if err != nil {
		return nil, err
	}
	inv := col.Finish(ctx)
	inv.Truncated, inv.Reason = res.Truncated, res.Reason
	return inv, nil
}

func fileOf(e oci.FileEntry) inventory.File {
	mode, _ := strconv.ParseUint(e.Mode, 8, 32)
	return inventory.File{Path: e.Path, Size: e.Size, Mode: fs.FileMode(mode) & fs.ModePerm}
}

// Bounds of the package cache: inventories are a few hundred bytes per
// package, so this holds tens of MiB at most.
const (
	maxCachedImages   = 128
	maxCachedPackages = 200_000
)

// packageCache keeps inventories by image manifest digest, oldest evicted first.
type packageCache struct {
	mu       sync.Mutex
	byDigest map[string]*inventory.Inventory
	order    []string
	packages int
}

func newPackageCache() *packageCache {
	return &packageCache{byDigest: map[string]*inventory.Inventory{}}
}

func (c *packageCache) get(digest string) (*inventory.Inventory, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	inv, ok := c.byDigest[digest]
	return inv, ok
}

// put stores an inventory; callers must not change it afterwards.
func (c *packageCache) put(digest string, inv *inventory.Inventory) {
	if c == nil || len(inv.Packages) > maxCachedPackages {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.byDigest[digest]; ok {
		return
	}
	for len(c.order) > 0 && (len(c.order) >= maxCachedImages || c.packages+len(inv.Packages) > maxCachedPackages) {
		c.packages -= len(c.byDigest[c.order[0]].Packages)
		delete(c.byDigest, c.order[0])
		c.order = c.order[1:]
	}
	c.byDigest[digest] = inv
	c.order = append(c.order, digest)
	c.packages += len(inv.Packages)
}
