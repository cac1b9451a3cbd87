package tools_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/compression"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/registry-mcp/registry-mcp/internal/oci"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
	"github.com/registry-mcp/registry-mcp/internal/tools"
)

func TestCompareImages(t *testing.T) {
	t.Parallel()
	e := newEnv(t, registrytest.Options{}, withTTL)
	got := registrytest.Decode[tools.CompareOutput](t, e.call(t, "compare_images", map[string]any{
		"image_ref_a": e.fx.Ref(e.fx.App), "image_ref_b": e.fx.Ref(e.fx.Supply.AppNext),
	}))
	m, err := e.fx.AppImage.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{m.Layers[0].Digest.String(), m.Layers[1].Digest.String()}, got.SharedLayers); diff != "" {
		t.Errorf("shared layers (-want +got):\n%s", diff)
	}
	if len(got.OnlyInA) != 1 || got.OnlyInA[0] != m.Layers[2].Digest.String() || len(got.OnlyInB) != 1 || got.OnlyInB[0] == got.OnlyInA[0] {
		t.Errorf("only_in_a %v (want app's top layer), only_in_b %v (want one other)", got.OnlyInA, got.OnlyInB)
	}
	if got.SizeDelta != got.ImageB.Size-got.ImageA.Size || got.ImageA.Size == 0 || got.ImageA.Digest != e.fx.AppDigest {
		t.Errorf("size_delta %d with sizes a=%d b=%d, digest a %s", got.SizeDelta, got.ImageA.Size, got.ImageB.Size, got.ImageA.Digest)
	}
	want := tools.ConfigChanges{
		Env: &tools.MapChange{
			Added: map[string]string{"FEATURE_X": "1"}, Removed: map[string]string{},
			Changed: map[string]tools.Change[string]{"APP_ENV": {A: "production", B: "staging"}},
		},
		Labels: &tools.MapChange{
			Added: map[string]string{"org.opencontainers.image.revision": "abc123"}, Removed: map[string]string{},
			Changed: map[string]tools.Change[string]{"org.opencontainers.image.version": {A: "1.0", B: "1.1"}},
		},
		Cmd:          &tools.Change[[]string]{A: []string{"--port", "8080"}, B: []string{"--port", "9090"}},
		User:         &tools.Change[string]{A: "1000:1000", B: "app"},
		ExposedPorts: &tools.SetChange{Added: []string{"9090/tcp"}, Removed: []string{"8080/tcp"}},
	}
	if diff := cmp.Diff(want, got.ConfigChanges); diff != "" {
		t.Errorf("config changes; the base OS is the same, so absent (-want +got):\n%s", diff)
	}
	if got.ImageA.BaseOS != "Demo Linux 1.0" || got.ImageB.BaseOS != "Demo Linux 1.0" {
		t.Errorf("base OS %q and %q, want Demo Linux 1.0 for both", got.ImageA.BaseOS, got.ImageB.BaseOS)
	}
}

func TestCompareImagesBaseOSAndIdentity(t *testing.T) {
	t.Parallel()
	e := newEnv(t, registrytest.Options{}, withTTL)
	got := registrytest.Decode[tools.CompareOutput](t, e.call(t, "compare_images", map[string]any{
		"image_ref_a": e.fx.Ref(e.fx.App), "image_ref_b": e.fx.Ref(e.fx.Supply.Layered),
	}))
	if diff := cmp.Diff(&tools.Change[string]{A: "Demo Linux 1.0", B: "Layered Linux 2.0"}, got.ConfigChanges.BaseOS); diff != "" {
		t.Errorf("base OS from /etc/os-release, following its symlink (-want +got):\n%s", diff)
	}
	if len(got.SharedLayers) != 0 || len(got.OnlyInA) != 3 || len(got.OnlyInB) != 3 {
		t.Errorf("unrelated images: shared %v, only_in_a %d, only_in_b %d", got.SharedLayers, len(got.OnlyInA), len(got.OnlyInB))
	}
	e.reg.Reset()
	same := registrytest.Decode[tools.CompareOutput](t, e.call(t, "compare_images", map[string]any{
		"image_ref_a": e.fx.Ref(e.fx.App), "image_ref_b": e.fx.Host + "/demo/app@" + e.fx.AppDigest,
	}))
	if diff := cmp.Diff(tools.ConfigChanges{}, same.ConfigChanges); diff != "" || same.SizeDelta != 0 || len(same.SharedLayers) != 3 || len(same.OnlyInA)+len(same.OnlyInB) != 0 {
		t.Errorf("an image against itself: delta %d, shared %d, changes (-want +got):\n%s", same.SizeDelta, len(same.SharedLayers), diff)
	}
	if n := e.reg.Counts()["GET blobs"]; n != 0 {
		t.Errorf("identical images read %d blobs; configs are cached and no layer needs reading", n)
	}
}

func TestCompareImagesSkipsBaseOSOfBigImages(t *testing.T) {
	t.Parallel()
	e := newEnv(t, registrytest.Options{}, withTTL)
	got := registrytest.Decode[tools.CompareOutput](t, e.call(t, "compare_images", map[string]any{
		"image_ref_a": e.fx.Ref(e.fx.Supply.Layered), "image_ref_b": e.fx.Ref(e.fx.Supply.Big),
	}))
	if got.ImageA.BaseOS != "Layered Linux 2.0" || got.ImageB.BaseOS != "" || got.ConfigChanges.BaseOS != nil ||
		len(got.Notes) != 1 || !strings.Contains(got.Notes[0], "more than 128 MiB of layers") {
		t.Errorf("base OS a %q b %q, change %v, notes %q; want b's skipped with a note", got.ImageA.BaseOS, got.ImageB.BaseOS, got.ConfigChanges.BaseOS, got.Notes)
	}
}

// TestCompareImagesSeesContentThroughCompression: the same layers stored
// gzip-compressed in one image and zstd-compressed in the other are shared.
func TestCompareImagesSeesContentThroughCompression(t *testing.T) {
	t.Parallel()
	e := newEnv(t, registrytest.Options{}, oci.Options{})
	// registrytest.Layer is a static blob whose diff_id is its digest; these
	// layers are compressed for real, so that diff_id names the tar.
	layerOf := func(c compression.Compression, mt types.MediaType, files ...registrytest.File) v1.Layer {
		rc, err := registrytest.Layer(files...).Compressed()
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(rc)
		if err != nil {
			t.Fatal(err)
		}
		tarBytes, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(tarBytes)), nil },
			tarball.WithCompression(c), tarball.WithMediaType(mt))
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	osRelease := registrytest.File{Path: "etc/os-release", Content: "PRETTY_NAME=\"Demo Linux 1.0\"\n"}
	base := layerOf(compression.GZip, types.OCILayer, osRelease)
	zbase := layerOf(compression.ZStd, types.OCILayerZStd, osRelease)
	top := layerOf(compression.GZip, types.OCILayer, registrytest.File{Path: "app", Content: "v1"})
	other := layerOf(compression.GZip, types.OCILayer, registrytest.File{Path: "app", Content: "v2"})
	build := func(layers ...v1.Layer) v1.Image {
		img := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
		img, err := mutate.AppendLayers(img, layers...)
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	for tag, img := range map[string]v1.Image{"gzip": build(base, top), "zstd": build(zbase, other)} {
		if err := e.reg.PushImage("demo/packed", tag, img); err != nil {
			t.Fatal(err)
		}
	}
	got := registrytest.Decode[tools.CompareOutput](t, e.call(t, "compare_images", map[string]any{
		"image_ref_a": e.fx.Ref("demo/packed:gzip"), "image_ref_b": e.fx.Ref("demo/packed:zstd"),
	}))
	baseDigest, _ := base.Digest()
	zDigest, _ := zbase.Digest()
	diffID, _ := base.DiffID()
	topDigest, _ := top.Digest()
	otherDigest, _ := other.Digest()
	if diff := cmp.Diff([]string{baseDigest.String()}, got.SharedLayers); diff != "" {
		t.Errorf("shared layers (-want +got):\n%s", diff)
	}
	if !slices.Equal(got.OnlyInA, []string{topDigest.String()}) || !slices.Equal(got.OnlyInB, []string{otherDigest.String()}) {
		t.Errorf("only_in_a %v, only_in_b %v; want the top layers", got.OnlyInA, got.OnlyInB)
	}
	want := []tools.RecompressedLayer{{
		DiffID: diffID.String(), A: baseDigest.String(), B: zDigest.String(),
		MediaTypeA: string(types.OCILayer), MediaTypeB: string(types.OCILayerZStd),
	}}
	if diff := cmp.Diff(want, got.Recompressed); diff != "" {
		t.Errorf("recompressed (-want +got):\n%s", diff)
	}
}
