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

func newBlobServer(t testing.TB, blobs ...[]byte) (*blobServer, []v1.Descriptor) {
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

// zstdFrame wraps content in one zstd frame of raw blocks that declares a
// window of 1<<windowLog bytes, whatever the content needs: what a hostile
// registry would send to make a decoder reserve memory.
func zstdFrame(windowLog int, content []byte) []byte {
	out := []byte{0x28, 0xb5, 0x2f, 0xfd, 0x00, byte(windowLog-10) << 3}
	for len(content) > 0 {
		n := min(len(content), 1<<10)
		last := 0
		if n == len(content) {
			last = 1
		}
		h := last | n<<3 // raw block: type 0
		out = append(out, byte(h), byte(h>>8), byte(h>>16))
		out = append(out, content[:n]...)
		content = content[n:]
	}
	return out
}

func plainTar(t testing.TB, name, content string) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(content)), Typeflag: tar.TypeReg}); err != nil {
		t.Fatal(err)
	}
	_, _ = tw.Write([]byte(content))
	_ = tw.Close()
	return b.Bytes()
}

// TestZstdWindowIsBounded: a small zstd layer declaring a 128 MiB window is
// refused with a message naming the cause; one declaring 8 MiB is read.
func TestZstdWindowIsBounded(t *testing.T) {
	t.Parallel()
	tarball := plainTar(t, "etc/motd", "hello")
	srv, descs := newBlobServer(t, zstdFrame(27, tarball), zstdFrame(23, tarball))
	c := oci.New(oci.Options{})
	repo, err := c.ParseRepository(srv.url + "/team/app")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListFiles(t.Context(), repo, &v1.Manifest{Layers: descs[:1]}, "", oci.ScanOptions{})
	if !errors.Is(err, errdef.ErrUnsupported) || !strings.Contains(err.Error(), "window") {
		t.Errorf("128 MiB window: got %v, want errdef.ErrUnsupported naming the window", err)
	}
	list, err := c.ListFiles(t.Context(), repo, &v1.Manifest{Layers: descs[1:]}, "", oci.ScanOptions{})
	if err != nil || len(list.Files) != 1 || list.Files[0].Path != "/etc/motd" {
		t.Errorf("8 MiB window: got %+v, %v; want /etc/motd", list, err)
	}
}

// BenchmarkZstdLayerWalk reports what one walk over a 2 KiB zstd layer
// allocates (B/op with -benchmem) when the layer declares an 8 MiB window
// (the largest accepted) or a 128 MiB one (refused since the cap).
func BenchmarkZstdLayerWalk(b *testing.B) {
	for _, windowLog := range []int{23, 27} {
		b.Run(fmt.Sprintf("window=%dMiB", 1<<(windowLog-20)), func(b *testing.B) {
			srv, descs := newBlobServer(b, zstdFrame(windowLog, plainTar(b, "etc/motd", "hello")))
			c := oci.New(oci.Options{CacheBytes: -1})
			repo, _ := c.ParseRepository(srv.url + "/team/app")
			img := &v1.Manifest{Layers: descs}
			b.ReportAllocs()
			for b.Loop() {
				_, _ = c.ListFiles(b.Context(), repo, img, "", oci.ScanOptions{})
			}
		})
	}
}
