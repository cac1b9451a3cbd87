package tools_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/registry-mcp/registry-mcp/internal/oci"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
	"github.com/registry-mcp/registry-mcp/internal/tools"
)

// childDigest finds the digest of an index entry for a platform.
func childDigest(t *testing.T, idx v1.ImageIndex, arch string) string {
	t.Helper()
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range im.Manifests {
		if d.Platform != nil && d.Platform.Architecture == arch {
			return d.Digest.String()
		}
	}
	t.Fatalf("no %s entry", arch)
	return ""
}

func pullSize(t *testing.T, img v1.Image) int64 {
	t.Helper()
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	return oci.PullSize(m)
}

func TestGetImageInfoSinglePlatform(t *testing.T) {
	t.Parallel()
	e := newEnv(t, registrytest.Options{}, oci.Options{})
	got := registrytest.Decode[tools.ImageInfo](t, e.call(t, "get_image_info", map[string]any{"image_ref": e.fx.Ref(e.fx.App)}))
	want := tools.ImageInfo{
		Reference: e.fx.Ref(e.fx.App), Digest: e.fx.AppDigest, MediaType: "application/vnd.oci.image.manifest.v1+json",
		Size: pullSize(t, e.fx.AppImage), Architecture: "amd64", OS: "linux", Created: "2026-01-02T03:04:05Z", Layers: 3,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("get_image_info (-want +got):\n%s", diff)
	}
}

func TestGetImageInfoIndexPlatforms(t *testing.T) {
	t.Parallel()
	e := newEnv(t, registrytest.Options{}, oci.Options{})
	ref := e.fx.Ref(e.fx.Multi)
	tests := []struct {
		platform, wantArch, wantVariant string
	}{
		{"", "amd64", ""},
		{"linux/arm64", "arm64", "v8"},
		{"linux/arm64/v8", "arm64", "v8"},
		{"linux/arm/v7", "arm", "v7"},
	}
	for _, tt := range tests {
		args := map[string]any{"image_ref": ref}
		if tt.platform != "" {
			args["platform"] = tt.platform
		}
		got := registrytest.Decode[tools.ImageInfo](t, e.call(t, "get_image_info", args))
		if got.Architecture != tt.wantArch || got.Variant != tt.wantVariant {
			t.Errorf("platform %q: got %s/%s, want %s/%s", tt.platform, got.Architecture, got.Variant, tt.wantArch, tt.wantVariant)
		}
		if want := childDigest(t, e.fx.MultiIndex, tt.wantArch); got.Digest != want {
			t.Errorf("platform %q: digest %s, want the image manifest digest %s", tt.platform, got.Digest, want)
		}
		if got.IndexDigest != e.fx.MultiDigest {
			t.Errorf("index_digest %s, want %s", got.IndexDigest, e.fx.MultiDigest)
		}
		var names []string
		for _, p := range got.Platforms {
			names = append(names, p.String())
			if p.Digest == "" {
				t.Errorf("platform %s lacks its digest: %+v", p, p)
			}
		}
		if diff := cmp.Diff([]string{"linux/amd64", "linux/arm64/v8", "linux/arm/v7"}, names); diff != "" {
			t.Errorf("platforms (attestations must be left out) (-want +got):\n%s", diff)
		}
	}
}

// TestPlatformsCarryNoSize: an index records only each platform manifest's
// byte count, which readers take for the image's size.
func TestPlatformsCarryNoSize(t *testing.T) {
	t.Parallel()
	e := newEnv(t, registrytest.Options{}, oci.Options{})
	got := registrytest.Decode[map[string]any](t, e.call(t, "get_image_info", map[string]any{"image_ref": e.fx.Ref(e.fx.Multi)}))
	platforms, _ := got["platforms"].([]any)
	if len(platforms) == 0 {
		t.Fatalf("no platforms in %v", got)
	}
	for _, p := range platforms {
		if _, ok := p.(map[string]any)["size"]; ok {
			t.Errorf("platform object carries a size: %v", p)
		}
	}
}

func TestGetImageInfoARM64Only(t *testing.T) {
	t.Parallel()
	e := newEnv(t, registrytest.Options{}, oci.Options{})
	got := registrytest.Decode[tools.ImageInfo](t, e.call(t, "get_image_info", map[string]any{"image_ref": e.fx.Ref(e.fx.ARM64Only)}))
	if got.Architecture != "arm64" || len(got.Platforms) != 1 {
		t.Errorf("arm64-only image: got %s with platforms %v, want arm64 and one platform", got.Architecture, got.Platforms)
	}
}

func TestMissingPlatformListsTheOnesThere(t *testing.T) {
	t.Parallel()
	e := newEnv(t, registrytest.Options{}, oci.Options{})
	res := e.call(t, "get_image_info", map[string]any{"image_ref": e.fx.Ref(e.fx.Multi), "platform": "linux/s390x"})
	msg := registrytest.Text(res)
	if !res.IsError || !strings.Contains(msg, "linux/arm64/v8") || !strings.Contains(msg, "linux/s390x") {
		t.Errorf("want an error naming the wanted and available platforms, got %v: %s", res.IsError, msg)
	}
	res = e.call(t, "get_image_info", map[string]any{"image_ref": e.fx.Ref(e.fx.App), "platform": "linux/arm64"})
	if msg := registrytest.Text(res); !res.IsError || !strings.Contains(msg, "single-platform image for linux/amd64") {
		t.Errorf("single-platform image asked for another platform: got %v: %s", res.IsError, msg)
	}
}

func TestGetImageManifest(t *testing.T) {
	t.Parallel()
	e := newEnv(t, registrytest.Options{}, oci.Options{})
	ref := e.fx.Ref(e.fx.Multi)
	idx := registrytest.Decode[tools.ManifestOutput](t, e.call(t, "get_image_manifest", map[string]any{"image_ref": ref}))
	if idx.Digest != e.fx.MultiDigest || idx.Manifest["manifests"] == nil {
		t.Errorf("without platform want the index %s itself, got %s with keys %v", e.fx.MultiDigest, idx.Digest, keys(idx.Manifest))
	}
	img := registrytest.Decode[tools.ManifestOutput](t, e.call(t, "get_image_manifest", map[string]any{"image_ref": ref, "platform": "linux/arm64"}))
	if img.Digest != childDigest(t, e.fx.MultiIndex, "arm64") || img.Manifest["layers"] == nil {
		t.Errorf("with platform want the arm64 image manifest, got %s with keys %v", img.Digest, keys(img.Manifest))
	}
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestGetImageConfig(t *testing.T) {
	t.Parallel()
	e := newEnv(t, registrytest.Options{}, oci.Options{})
	got := registrytest.Decode[tools.ConfigOutput](t, e.call(t, "get_image_config", map[string]any{"image_ref": e.fx.Ref(e.fx.App)}))
	want, err := e.fx.AppImage.ConfigName()
	if err != nil {
		t.Fatal(err)
	}
	if got.Digest != want.String() || got.ImageDigest != e.fx.AppDigest {
		t.Errorf("config digest %s (image %s), want %s (image %s)", got.Digest, got.ImageDigest, want, e.fx.AppDigest)
	}
	if got.Config["architecture"] != "amd64" || got.Config["history"] == nil {
		t.Errorf("config lacks architecture or history: %v", keys(got.Config))
	}
}

func TestGetImageDetails(t *testing.T) {
	t.Parallel()
	e := newEnv(t, registrytest.Options{}, oci.Options{})
	got := registrytest.Decode[tools.ImageDetails](t, e.call(t, "get_image_details", map[string]any{"image_ref": e.fx.Ref(e.fx.App)}))
	if diff := cmp.Diff([]string{"/app/server"}, got.Entrypoint); diff != "" {
		t.Errorf("entrypoint (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"8080/tcp"}, got.ExposedPorts); diff != "" {
		t.Errorf("exposed ports (-want +got):\n%s", diff)
	}
	if got.User != "1000:1000" || got.WorkingDir != "/app" || got.Labels["org.opencontainers.image.version"] != "1.0" {
		t.Errorf("user %q, working dir %q, labels %v", got.User, got.WorkingDir, got.Labels)
	}
	m, _ := e.fx.AppImage.Manifest()
	wantLayers := []oci.LayerHistory{
		{Digest: m.Layers[0].Digest.String(), Size: m.Layers[0].Size, CreatedBy: "/bin/sh -c #(nop) ADD file:4b1e0a9d in / "},
		{Digest: m.Layers[1].Digest.String(), Size: m.Layers[1].Size, CreatedBy: "|1 VERSION=1.0 /bin/sh -c mkdir /app && cp server /app/server"},
		{Digest: m.Layers[2].Digest.String(), Size: m.Layers[2].Size, CreatedBy: "COPY static /app/static # buildkit"},
	}
	if diff := cmp.Diff(wantLayers, got.Layers); diff != "" {
		t.Errorf("layers aligned with history (-want +got):\n%s", diff)
	}
	wantDockerfile := "ADD file:4b1e0a9d /\nRUN mkdir /app && cp server /app/server\nCOPY static /app/static\nENV APP_ENV=production\nEXPOSE 8080/tcp\nENTRYPOINT [\"/app/server\"]\n"
	if diff := cmp.Diff(wantDockerfile, got.Dockerfile); diff != "" {
		t.Errorf("dockerfile (-want +got):\n%s", diff)
	}
}

// TestGetImageDetailsDockerfileFromConfig: crane, ko and jib record no
// created_by, yet the config says how the image runs.
func TestGetImageDetailsDockerfileFromConfig(t *testing.T) {
	t.Parallel()
	e := newEnv(t, registrytest.Options{}, oci.Options{})
	img, err := registrytest.Image(registrytest.ImageSpec{
		OS: "linux", Architecture: "amd64",
		Layers: []v1.Layer{registrytest.Layer(registrytest.File{Path: "ko-app", Content: "binary", Mode: 0o755})},
		Config: v1.Config{
			Entrypoint: []string{"/ko-app/server"}, Cmd: []string{"--port", "8080"},
			Env:        []string{"PATH=/usr/bin:/bin", "GREETING=hello world"},
			WorkingDir: "/home/app", User: "65532",
			ExposedPorts: map[string]struct{}{"8080/tcp": {}},
			Labels:       map[string]string{"org.opencontainers.image.source": "https://example.test/app"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.reg.PushImage("demo/ko", "1", img); err != nil {
		t.Fatal(err)
	}
	got := registrytest.Decode[tools.ImageDetails](t, e.call(t, "get_image_details", map[string]any{"image_ref": e.fx.Ref("demo/ko:1")}))
	want := "# from the image config: its history records no build commands\n" +
		"LABEL org.opencontainers.image.source=https://example.test/app\n" +
		"ENV PATH=/usr/bin:/bin\n" +
		"ENV GREETING=\"hello world\"\n" +
		"WORKDIR /home/app\n" +
		"USER 65532\n" +
		"EXPOSE 8080/tcp\n" +
		"ENTRYPOINT [\"/ko-app/server\"]\n" +
		"CMD [\"--port\",\"8080\"]\n"
	if diff := cmp.Diff(want, got.Dockerfile); diff != "" {
		t.Errorf("dockerfile (-want +got):\n%s", diff)
	}
}
