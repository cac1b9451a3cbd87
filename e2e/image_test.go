//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/registry-mcp/registry-mcp/internal/registrytest"
)

// imageVersion is the version the test stamps on the image it builds.
const imageVersion = "0.0.0-e2e"

// imageFiles is the result of list_image_files.
type imageFiles struct {
	Files []struct {
		Path string `json:"path"`
		Mode string `json:"mode"`
		Type string `json:"type"`
		Size int64  `json:"size"`
	} `json:"files"`
}

// TestContainerImage builds registry-mcp's image without a container engine
// (cmd/registry-mcp-image, what `make image` runs), pushes the layout to the
// docker-registry, and inspects it with registry-mcp's own tools over stdio:
// the image a release would publish, seen the way a user of the product sees
// any image.
//
// It is not parallel on purpose: cross-compiling takes both cores for a
// minute or more, which would starve the timed tests running beside it.
//
// E2E_IMAGE_LAYOUT names a layout that is already built (by `make image`),
// to test that one instead of building.
func TestContainerImage(t *testing.T) {
	dir, version := imageLayout(t)
	ref := reg.ref("e2e/registry-mcp:" + version)
	idx, want := pushLayout(t, dir, ref)

	var published struct {
		Name string `json:"name"`
	}
	b, err := os.ReadFile("../server.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &published); err != nil {
		t.Fatal(err)
	}

	cs := connect(t, newRecordingCommand(t, childEnv(t), "-transport", "stdio"))

	t.Run("get_image_info", func(t *testing.T) {
		got := registrytest.Decode[imageInfo](t, call(t, cs, "get_image_info", map[string]any{"image_ref": ref}))
		if got.IndexDigest != idx {
			t.Errorf("index_digest = %q, want the pushed index %q", got.IndexDigest, idx)
		}
		plats := map[string]string{}
		for _, p := range got.Platforms {
			plats[p.String()] = p.Digest
		}
		if diff := cmp.Diff(want, plats); diff != "" {
			t.Errorf("platforms (-pushed +reported):\n%s", diff)
		}
		arm := registrytest.Decode[imageInfo](t, call(t, cs, "get_image_info", map[string]any{"image_ref": ref, "platform": "linux/arm64"}))
		if arm.Architecture != "arm64" || arm.Digest != want["linux/arm64"] || arm.Layers != 2 {
			t.Errorf("linux/arm64: arch %q digest %q layers %d, want arm64 %s with 2 layers", arm.Architecture, arm.Digest, arm.Layers, want["linux/arm64"])
		}
	})

	t.Run("get_image_details", func(t *testing.T) {
		for _, plat := range []string{"linux/amd64", "linux/arm64"} {
			got := registrytest.Decode[imageDetails](t, call(t, cs, "get_image_details", map[string]any{"image_ref": ref, "platform": plat}))
			if !slices.Equal(got.Entrypoint, []string{"/registry-mcp"}) || !slices.Equal(got.Cmd, []string{"-transport", "stdio"}) {
				t.Errorf("%s: entrypoint %q cmd %q, want [/registry-mcp] [-transport stdio]", plat, got.Entrypoint, got.Cmd)
			}
			if got.User != "65532:65532" {
				t.Errorf("%s: user %q, want 65532:65532 (non-root)", plat, got.User)
			}
			if got.Labels["io.modelcontextprotocol.server.name"] != published.Name || got.Labels["org.opencontainers.image.version"] != version ||
				got.Labels["org.opencontainers.image.source"] == "" {
				t.Errorf("%s: labels %v, want the server name %q, version %q and a source", plat, got.Labels, published.Name, version)
			}
			if !strings.Contains(got.Dockerfile, `ENTRYPOINT ["/registry-mcp"]`) {
				t.Errorf("%s: reconstructed Dockerfile lacks the ENTRYPOINT:\n%s", plat, got.Dockerfile)
			}
		}
	})

	t.Run("list_image_files", func(t *testing.T) {
		files := registrytest.Decode[imageFiles](t, call(t, cs, "list_image_files", map[string]any{"image_ref": ref, "platform": "linux/arm64"}))
		var paths []string
		found := false
		for _, f := range files.Files {
			paths = append(paths, f.Path)
			if f.Path == "/registry-mcp" {
				found = f.Mode == "0755" && f.Type == "file" && f.Size > 1<<20
			}
		}
		if !found {
			t.Errorf("no executable /registry-mcp of a plausible size among %v", paths)
		}
	})

	t.Run("read_image_file", func(t *testing.T) {
		got := registrytest.Decode[struct {
			Content string `json:"content"`
		}](t, call(t, cs, "read_image_file", map[string]any{"image_ref": ref, "path": "/etc/passwd"}))
		if !strings.Contains(got.Content, "nonroot:x:65532:65532:") {
			t.Errorf("/etc/passwd = %q, want the nonroot user the image runs as", got.Content)
		}
	})

	// What the official MCP registry does before it accepts server.json's
	// OCI package: pull the image anonymously and compare this label with the
	// server's name.
	t.Run("ownership label", func(t *testing.T) {
		r, err := name.ParseReference(ref, name.Insecure)
		if err != nil {
			t.Fatal(err)
		}
		img, err := remote.Image(r, remote.WithAuth(authn.Anonymous), remote.WithContext(t.Context()))
		if err != nil {
			t.Fatal(err)
		}
		cf, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		if got := cf.Config.Labels["io.modelcontextprotocol.server.name"]; got != published.Name {
			t.Errorf("io.modelcontextprotocol.server.name = %q, want server.json's %q", got, published.Name)
		}
	})
}

// imageLayout returns the directory of the image layout under test and its
// version, building it unless E2E_IMAGE_LAYOUT names one.
func imageLayout(t *testing.T) (dir, version string) {
	t.Helper()
	if dir := os.Getenv("E2E_IMAGE_LAYOUT"); dir != "" {
		return dir, refName(t, dir)
	}
	dir = filepath.Join(t.TempDir(), "image-layout")
	args := []string{"run", "../cmd/registry-mcp-image", "-out", dir, "-version", imageVersion, "-commit", "e2e"}
	// The binary under test is the linux/amd64 one; only the other platform
	// needs compiling.
	if runtime.GOOS == "linux" && runtime.GOARCH == "amd64" {
		args = append(args, "-binary", "linux/amd64="+binary)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	c := exec.CommandContext(ctx, "go", args...)
	c.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := c.CombinedOutput()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	t.Logf("%s", out)
	return dir, imageVersion
}

// refName is the org.opencontainers.image.ref.name of the layout's entry.
func refName(t *testing.T, dir string) string {
	t.Helper()
	root, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatalf("E2E_IMAGE_LAYOUT=%s: %v", dir, err)
	}
	m, err := root.IndexManifest()
	if err != nil || len(m.Manifests) != 1 {
		t.Fatalf("E2E_IMAGE_LAYOUT=%s: want one entry in index.json (%v)", dir, err)
	}
	return m.Manifests[0].Annotations["org.opencontainers.image.ref.name"]
}

// pushLayout pushes the layout's image index to ref, as `crane push` would,
// and returns its digest and the image digest of each platform.
func pushLayout(t *testing.T, dir, ref string) (string, map[string]string) {
	t.Helper()
	root, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	m, err := root.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Manifests) != 1 {
		t.Fatalf("index.json has %d entries, want the one image index", len(m.Manifests))
	}
	idx, err := root.ImageIndex(m.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(r, idx, remote.WithContext(t.Context())); err != nil {
		t.Fatalf("push %s: %v", ref, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	plats := map[string]string{}
	for _, d := range im.Manifests {
		plats[platformOf(d)] = d.Digest.String()
	}
	if len(plats) != 2 || plats["linux/amd64"] == "" || plats["linux/arm64"] == "" {
		t.Fatalf("the layout's platforms are %v, want linux/amd64 and linux/arm64", plats)
	}
	d, err := idx.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d.String(), plats
}

func platformOf(d v1.Descriptor) string {
	if d.Platform == nil {
		return "none"
	}
	return d.Platform.String()
}
