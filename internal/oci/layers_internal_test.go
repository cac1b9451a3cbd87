package oci

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// TestLayerWalksAreCapped: with MaxConcurrentLayerWalks layer streams open,
// another walk waits without touching the registry, says the server is busy
// if its context ends first, and proceeds once a slot is free. Not
// parallel: the cap is process-wide.
func TestLayerWalksAreCapped(t *testing.T) {
	var blobGets atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/blobs/") {
			blobGets.Add(1)
			_, _ = w.Write(tarOf(t, "etc/motd"))
		}
	}))
	t.Cleanup(srv.Close)
	c := New(Options{CacheBytes: -1})
	repo, err := c.ParseRepository(strings.TrimPrefix(srv.URL, "http://") + "/team/app")
	if err != nil {
		t.Fatal(err)
	}
	h, _, _ := v1.SHA256(strings.NewReader("layer"))
	img := &v1.Manifest{Layers: []v1.Descriptor{{Digest: h, Size: 1024, MediaType: types.OCILayer}}}

	for range MaxConcurrentLayerWalks {
		if err := layerWalkSlots.acquire(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() {
		_, err := c.ListFiles(ctx, repo, img, "", ScanOptions{})
		done <- err
	}()
	for layerWalkSlots.waiting.Load() == 0 {
		runtime.Gosched()
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "busy") {
		t.Errorf("a walk over the cap: got %v, want a busy error wrapping the cancellation", err)
	}
	if n := blobGets.Load(); n != 0 {
		t.Errorf("a queued walk fetched %d blobs; want none", n)
	}

	go func() {
		_, err := c.ListFiles(t.Context(), repo, img, "", ScanOptions{})
		done <- err
	}()
	for layerWalkSlots.waiting.Load() == 0 {
		runtime.Gosched()
	}
	layerWalkSlots.release()
	if err := <-done; err != nil {
		t.Errorf("after a slot was freed: %v", err)
	}
	for range MaxConcurrentLayerWalks - 1 {
		layerWalkSlots.release()
	}
	if n := blobGets.Load(); n != 1 {
		t.Errorf("%d blob fetches; want 1", n)
	}
}
