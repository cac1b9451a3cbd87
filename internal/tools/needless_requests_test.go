package tools_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/registry-mcp/registry-mcp/internal/oci"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
	"github.com/registry-mcp/registry-mcp/internal/tools"
)

// TestOversizedConfigIsRefusedBeforeItIsFetched: a config whose manifest
// declares more than a result can hold is refused without downloading it.
func TestOversizedConfigIsRefusedBeforeItIsFetched(t *testing.T) {
	t.Parallel()
	e := newEnv(t, registrytest.Options{}, withTTL)
	img, err := registrytest.Image(registrytest.ImageSpec{
		OS: "linux", Architecture: "amd64",
		Config: v1.Config{Labels: map[string]string{"padding": strings.Repeat("x", 2<<20)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	ref, err := name.ParseReference(e.fx.Host+"/demo/bigconfig:1", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
	e.reg.Reset()
	res := e.call(t, "get_image_config", map[string]any{"image_ref": ref.String()})
	if !res.IsError || !strings.Contains(registrytest.Text(res), "too large") {
		t.Fatalf("a 2 MiB config: %s; want a too-large error", registrytest.Text(res))
	}
	if diff := cmp.Diff(map[string]int{"GET ping": 1, "GET manifests": 1}, e.reg.Counts()); diff != "" {
		t.Errorf("registry requests (-want +got); no byte of the config may be fetched:\n%s", diff)
	}
}

// TestMissingReferrersAPIIsRemembered: on a registry without the referrers
// API, a listing after the tag TTL does not probe the API again.
func TestMissingReferrersAPIIsRemembered(t *testing.T) {
	t.Parallel()
	clock := registrytest.NewClock()
	e := newEnv(t, registrytest.Options{NoReferrersAPI: true}, oci.Options{TagTTL: time.Minute, Now: clock.Now})
	args := map[string]any{"image_ref": e.fx.Ref(e.fx.Supply.Signed)}
	first := registrytest.Decode[tools.ListReferrersOutput](t, e.call(t, "list_referrers", args))
	if len(first.Referrers) == 0 {
		t.Fatal("no referrers found through the tag schema")
	}
	clock.Advance(2 * time.Minute)
	e.reg.Reset()
	again := registrytest.Decode[tools.ListReferrersOutput](t, e.call(t, "list_referrers", args))
	if n := e.reg.Counts()["GET referrers"]; n != 0 {
		t.Errorf("the missing referrers API was probed %d more times (%v); want 0", n, e.reg.Counts())
	}
	want := map[string]int{"HEAD manifests": 5}
	if diff := cmp.Diff(want, e.reg.Counts()); diff != "" {
		t.Errorf("after the TTL: the subject, the referrers tag and three cosign tags are revalidated with HEADs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(first, again); diff != "" {
		t.Errorf("the listing changed (-first +again):\n%s", diff)
	}
}

// TestUnsortedPageComesFromTheFullTagList: after a sorted listing read every
// tag, a page in the registry's order within the TTL costs no request, and
// pages exactly as the registry does.
func TestUnsortedPageComesFromTheFullTagList(t *testing.T) {
	t.Parallel()
	e := newEnv(t, registrytest.Options{}, withTTL)
	repo := e.fx.Host + "/" + e.fx.TagsRepo
	e.call(t, "list_tags", map[string]any{"repository": repo, "sort": "alphabetical"})
	e.reg.Reset()
	var got []string
	cursor := ""
	for {
		args := map[string]any{"repository": repo, "limit": 70}
		if cursor != "" {
			args["cursor"] = cursor
		}
		page := registrytest.Decode[tools.ListTagsOutput](t, e.call(t, "list_tags", args))
		got = append(got, page.Tags...)
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if n := e.reg.Total(); n != 0 {
		t.Errorf("registry-order pages after a full read cost %d requests (%v); want 0", n, e.reg.Counts())
	}
	fresh := newEnv(t, registrytest.Options{}, withTTL)
	first := registrytest.Decode[tools.ListTagsOutput](t, fresh.call(t, "list_tags", map[string]any{"repository": fresh.fx.Host + "/" + fresh.fx.TagsRepo, "limit": 70}))
	if diff := cmp.Diff(first.Tags, got[:len(first.Tags)]); diff != "" {
		t.Errorf("the first page differs from the registry's own (-registry +cached):\n%s", diff)
	}
	if len(got) != len(e.fx.TagNames) {
		t.Errorf("paging through gave %d tags; want %d", len(got), len(e.fx.TagNames))
	}
}
