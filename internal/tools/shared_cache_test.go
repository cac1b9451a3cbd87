package tools_test

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/registry-mcp/registry-mcp/internal/oci"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
	"github.com/registry-mcp/registry-mcp/internal/tools"
)

// serverWithRedis is one registry-mcp instance sharing its cache through Redis.
func serverWithRedis(t *testing.T, redisURL string, logs *registrytest.LogBuffer) *mcp.ClientSession {
	t.Helper()
	rc, err := oci.NewRedisCache(redisURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rc.Close() })
	return connect(t, oci.New(oci.Options{
		TagTTL: time.Minute, Shared: rc, Logger: slog.New(slog.NewTextHandler(logs, nil)),
	}), nil)
}

// TestTwoServersShareOneRedis is issue 5's scale-out promise: what one
// replica fetched, another answers without asking the registry, and a Redis
// outage costs the tools nothing but the shared hits.
func TestTwoServersShareOneRedis(t *testing.T) {
	t.Parallel()
	rd := registrytest.StartRedis(t)
	reg, fx := registrytest.StartSeeded(t, registrytest.Options{TokenAuth: true})
	var logs1, logs2 registrytest.LogBuffer
	one, two := serverWithRedis(t, rd.URL, &logs1), serverWithRedis(t, rd.URL, &logs2)
	app := map[string]any{"image_ref": fx.Ref(fx.App)}
	multi := map[string]any{"image_ref": fx.Ref(fx.Multi)}
	sorted := map[string]any{"repository": fx.Host + "/" + fx.TagsRepo, "sort": "semver-desc", "limit": 5}

	want := registrytest.Decode[tools.ImageInfo](t, registrytest.Call(t, one, "get_image_info", app))
	registrytest.Decode[tools.ImageInfo](t, registrytest.Call(t, one, "get_image_info", multi))
	wantTags := registrytest.Decode[tools.ListTagsOutput](t, registrytest.Call(t, one, "list_tags", sorted))
	reg.Reset()

	got := registrytest.Decode[tools.ImageInfo](t, registrytest.Call(t, two, "get_image_info", app))
	registrytest.Decode[tools.ImageInfo](t, registrytest.Call(t, two, "get_image_info", multi))
	registrytest.Decode[tools.ImageDetails](t, registrytest.Call(t, two, "get_image_details", app))
	gotTags := registrytest.Decode[tools.ListTagsOutput](t, registrytest.Call(t, two, "list_tags", sorted))
	if n := reg.Total(); n != 0 {
		t.Errorf("the second server made %d registry requests (%v); want 0", n, reg.Counts())
	}
	if got.Digest != want.Digest || strings.Join(gotTags.Tags, ",") != strings.Join(wantTags.Tags, ",") {
		t.Errorf("the servers disagree: digest %s vs %s, tags %v vs %v", got.Digest, want.Digest, gotTags.Tags, wantTags.Tags)
	}

	rd.Stop()
	for _, cs := range []*mcp.ClientSession{one, two} {
		for _, args := range []map[string]any{app, multi, {"image_ref": fx.Ref(fx.ARM64Only)}} {
			registrytest.Decode[tools.ImageInfo](t, registrytest.Call(t, cs, "get_image_info", args))
		}
		registrytest.Decode[tools.ListTagsOutput](t, registrytest.Call(t, cs, "list_tags", map[string]any{"repository": fx.Host + "/demo/app"}))
	}
	for i, logs := range []*registrytest.LogBuffer{&logs1, &logs2} {
		if n := strings.Count(logs.String(), "level=WARN"); n != 1 {
			t.Errorf("server %d logged %d warnings for the outage; want 1:\n%s", i+1, n, logs.String())
		}
	}
}
