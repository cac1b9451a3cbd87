package oci_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
	"github.com/registry-mcp/registry-mcp/internal/oci"
)

// gzipTar is a gzip-compressed tar holding the named files.
func gzipTar(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	gz := gzip.NewWriter(&b)
	tw := tar.NewWriter(gz)
	for name, content := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(content)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		_, _ = tw.Write([]byte(content))
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	_ = gz.Close()
	return b.Bytes()
}

// blobServer serves blobs by digest and counts the blob downloads.
type blobServer struct {
	blobs map[string][]byte
	gets  atomic.Int64
	url   string
}

func newBlobServer(t *testing.T, blobs ...[]byte) (*blobServer, []v1.Descriptor) {
	t.Helper()
	s := &blobServer{blobs: map[string][]byte{}}
	var descs []v1.Descriptor
	for _, b := range blobs {
		h, _, _ := v1.SHA256(bytes.NewReader(b))
		s.blobs[h.String()] = b
		descs = append(descs, v1.Descriptor{Digest: h, Size: int64(len(b)), MediaType: types.OCILayer})
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := strings.LastIndex(r.URL.Path, "/blobs/")
		if i < 0 {
			return
		}
		s.gets.Add(1)
		b, ok := s.blobs[r.URL.Path[i+len("/blobs/"):]]
		if !ok {
			http.Error(w, `{"errors":[{"code":"BLOB_UNKNOWN"}]}`, http.StatusNotFound)
			return
		}
		_, _ = w.Write(b)
	}))
	t.Cleanup(srv.Close)
	s.url = strings.TrimPrefix(srv.URL, "http://")
	return s, descs
}

// TestARepeatedLayerIsReadOnce: a manifest listing one small layer 20 000
// times costs one download, for a listing and for a file read.
func TestARepeatedLayerIsReadOnce(t *testing.T) {
	t.Parallel()
	srv, descs := newBlobServer(t, gzipTar(t, map[string]string{"etc/motd": "hi"}))
	img := &v1.Manifest{}
	for range 20_000 {
		img.Layers = append(img.Layers, descs[0])
	}
	c := oci.New(oci.Options{CacheBytes: -1})
	repo, err := c.ParseRepository(srv.url + "/team/app")
	if err != nil {
		t.Fatal(err)
	}
	list, err := c.ListFiles(t.Context(), repo, img, "", oci.ScanOptions{})
	if err != nil || len(list.Files) != 1 {
		t.Fatalf("ListFiles: %v, %+v", err, list)
	}
	if n := srv.gets.Load(); n != 1 {
		t.Errorf("ListFiles downloaded the layer %d times; want once", n)
	}
	srv.gets.Store(0)
	if _, err := c.ReadFile(t.Context(), repo, img, "/etc/missing", 100, oci.ScanOptions{}); !errors.Is(err, errdef.ErrNotFound) {
		t.Errorf("ReadFile of a missing file: got %v, want errdef.ErrNotFound", err)
	}
	if n := srv.gets.Load(); n != 1 {
		t.Errorf("ReadFile downloaded the layer %d times; want once", n)
	}
}

// TestAWalkRefusesTooManyLayers: past MaxWalkLayers distinct layers a walk
// is refused before any download.
func TestAWalkRefusesTooManyLayers(t *testing.T) {
	t.Parallel()
	srv, _ := newBlobServer(t)
	img := &v1.Manifest{}
	for i := range oci.MaxWalkLayers + 1 {
		h, _, _ := v1.SHA256(strings.NewReader(fmt.Sprint(i)))
		img.Layers = append(img.Layers, v1.Descriptor{Digest: h, Size: 10, MediaType: types.OCILayer})
	}
	c := oci.New(oci.Options{})
	repo, err := c.ParseRepository(srv.url + "/team/app")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListFiles(t.Context(), repo, img, "", oci.ScanOptions{}); !errors.Is(err, errdef.ErrTooLarge) {
		t.Errorf("ListFiles: got %v, want errdef.ErrTooLarge", err)
	}
	if _, err := c.ReadFile(t.Context(), repo, img, "/x", 10, oci.ScanOptions{}); !errors.Is(err, errdef.ErrTooLarge) {
		t.Errorf("ReadFile: got %v, want errdef.ErrTooLarge", err)
	}
	if n := srv.gets.Load(); n != 0 {
		t.Errorf("%d blob downloads; want none", n)
	}
}
