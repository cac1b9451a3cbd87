package tools_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/registry-mcp/registry-mcp/internal/oci"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
	"github.com/registry-mcp/registry-mcp/internal/tools"
)

// TestRegistryRequestCounts pins what each call costs on a token-auth
// registry, counted by the registry itself. A token is obtained once per
// repository (list_tags warms it up) and reused for every later call.
func TestRegistryRequestCounts(t *testing.T) {
	t.Parallel()
	const ttl = time.Minute
	clock := registrytest.NewClock()
	e := newEnv(t, registrytest.Options{TokenAuth: true}, oci.Options{TagTTL: ttl, Now: clock.Now})
	for _, repo := range []string{"demo/app", "demo/multi"} {
		e.call(t, "list_tags", map[string]any{"repository": e.fx.Host + "/" + repo, "limit": 1})
	}
	if c := e.reg.Counts(); c["GET ping"] != 1 || c["GET token"] != 2 {
		t.Fatalf("warm-up cost %v; want one ping for the registry and one token per repository", c)
	}
	app := map[string]any{"image_ref": e.fx.Ref(e.fx.App)}
	multi := map[string]any{"image_ref": e.fx.Ref(e.fx.Multi)}
	steps := []struct {
		name    string
		tool    string
		args    map[string]any
		advance time.Duration
		want    map[string]int
	}{
		{"single-platform image, first time", "get_image_info", app, 0, map[string]int{"GET manifests": 1, "GET blobs": 1}},
		{"same call within the TTL", "get_image_info", app, 0, map[string]int{}},
		{"details after info", "get_image_details", app, 0, map[string]int{}},
		{"config after info", "get_image_config", app, 0, map[string]int{}},
		{"same call after the TTL: a HEAD revalidates", "get_image_info", app, ttl, map[string]int{"HEAD manifests": 1}},
		{"index, first time", "get_image_info", multi, 0, map[string]int{"GET manifests": 2, "GET blobs": 1}},
		{"index within the TTL", "get_image_info", multi, 0, map[string]int{}},
		{"another platform of a cached index", "get_image_info", map[string]any{"image_ref": e.fx.Ref(e.fx.Multi), "platform": "linux/arm64"}, 0, map[string]int{"GET manifests": 1, "GET blobs": 1}},
		{"index manifest within the TTL", "get_image_manifest", multi, 0, map[string]int{}},
		{"first tags page", "list_tags", map[string]any{"repository": e.fx.Host + "/demo/app"}, 0, map[string]int{"GET tags": 1}},
	}
	for _, s := range steps {
		clock.Advance(s.advance)
		e.reg.Reset()
		res := e.call(t, s.tool, s.args)
		if res.IsError {
			t.Fatalf("%s: %s", s.name, registrytest.Text(res))
		}
		if diff := cmp.Diff(s.want, e.reg.Counts()); diff != "" {
			t.Errorf("%s: registry requests (-want +got):\n%s", s.name, diff)
		}
	}
}

func TestTagCachingCanBeTurnedOff(t *testing.T) {
	t.Parallel()
	e := newEnv(t, registrytest.Options{}, oci.Options{TagTTL: 0})
	args := map[string]any{"image_ref": e.fx.Ref(e.fx.App)}
	registrytest.Decode[tools.ImageInfo](t, e.call(t, "get_image_info", args))
	e.reg.Reset()
	registrytest.Decode[tools.ImageInfo](t, e.call(t, "get_image_info", args))
	if diff := cmp.Diff(map[string]int{"GET manifests": 1}, e.reg.Counts()); diff != "" {
		t.Errorf("with tag caching off, a repeat fetches the manifest again (the config stays cached by digest) (-want +got):\n%s", diff)
	}
}

// TestFileAnswersAreKeptByLayerDigest: layers never change, so listing or
// reading the same image again costs no registry request within the TTL.
func TestFileAnswersAreKeptByLayerDigest(t *testing.T) {
	t.Parallel()
	e := newEnv(t, registrytest.Options{TokenAuth: true}, withTTL)
	calls := []struct {
		tool string
		args map[string]any
	}{
		{"list_image_files", map[string]any{"image_ref": e.fx.Ref(e.fx.App)}},
		{"list_image_files", map[string]any{"image_ref": e.fx.Ref(e.fx.App), "path": "/app"}},
		{"read_image_file", map[string]any{"image_ref": e.fx.Ref(e.fx.App), "path": "/etc/os-release"}},
	}
	for _, c := range calls {
		first := e.call(t, c.tool, c.args)
		if first.IsError {
			t.Fatalf("%s %v: %s", c.tool, c.args, registrytest.Text(first))
		}
		e.reg.Reset()
		again := e.call(t, c.tool, c.args)
		if n := e.reg.Total(); n != 0 {
			t.Errorf("%s %v again: %d registry requests (%v), want 0", c.tool, c.args, n, e.reg.Counts())
		}
		if registrytest.Text(again) != registrytest.Text(first) {
			t.Errorf("%s %v: the cached answer differs:\n%s\n%s", c.tool, c.args, registrytest.Text(first), registrytest.Text(again))
		}
	}
}
