package oci_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/registry-mcp/registry-mcp/internal/oci"
)

// TestLayerScansHaveADeadline: a registry that trickles a layer is cut off
// by the scan's time bound, not left to hold the call.
func TestLayerScansHaveADeadline(t *testing.T) {
	t.Parallel()
	layer := "sha256:" + strings.Repeat("c", 64)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, layer) {
			return
		}
		w.Header().Set("Content-Length", "1000000")
		for i := 0; i < 100; i++ {
			if _, err := w.Write([]byte{0x1f}); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}))
	t.Cleanup(srv.Close)
	c := oci.New(oci.Options{})
	defer c.Close()
	repo, err := c.ParseRepository(strings.TrimPrefix(srv.URL, "http://") + "/team/app")
	if err != nil {
		t.Fatal(err)
	}
	h, _ := v1.NewHash(layer)
	img := &v1.Manifest{Layers: []v1.Descriptor{{Digest: h, Size: 1000000, MediaType: "application/vnd.oci.image.layer.v1.tar+gzip"}}}
	// Without the bound the trickle would end after 10 s in a broken stream,
	// an ErrBadResponse: only the scan's own deadline gives DeadlineExceeded.
	_, err = c.ListFiles(t.Context(), repo, img, "", oci.ScanOptions{Timeout: 300 * time.Millisecond})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v, want the scan's deadline", err)
	}
	_, err = c.ReadFile(t.Context(), repo, img, "/etc/os-release", 100, oci.ScanOptions{Timeout: 300 * time.Millisecond})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("ReadFile: got %v, want the scan's deadline", err)
	}
}
