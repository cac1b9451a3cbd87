package tools_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/registry-mcp/registry-mcp/internal/oci"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
	"github.com/registry-mcp/registry-mcp/internal/tools"
)

func TestListTagsPagesInRegistryOrder(t *testing.T) {
	t.Parallel()
	e := newEnv(t, registrytest.Options{TokenAuth: true}, oci.Options{})
	repo := e.fx.Host + "/" + e.fx.TagsRepo
	registrytest.Decode[tools.ListTagsOutput](t, e.call(t, "list_tags", map[string]any{"repository": repo, "limit": 1}))
	e.reg.Reset()
	var all []string
	cursor, pages := "", 0
	for {
		args := map[string]any{"repository": repo, "limit": 100}
		if cursor != "" {
			args["cursor"] = cursor
		}
		page := registrytest.Decode[tools.ListTagsOutput](t, e.call(t, "list_tags", args))
		pages++
		if len(page.Tags) > 100 {
			t.Fatalf("page of %d tags, want at most 100", len(page.Tags))
		}
		all = append(all, page.Tags...)
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	want := slices.Clone(e.fx.TagNames)
	slices.Sort(want)
	got := slices.Clone(all)
	slices.Sort(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("tags over all pages (-want +got):\n%s", diff)
	}
	if c := e.reg.Counts(); c["GET tags"] != pages || e.reg.Total() != pages {
		t.Errorf("%d pages cost %v; want exactly one tags request per page and nothing else", pages, c)
	}
}

func TestListTagsSortedAndFiltered(t *testing.T) {
	t.Parallel()
	e := newEnv(t, registrytest.Options{}, oci.Options{})
	repo := e.fx.Host + "/" + e.fx.TagsRepo
	tests := []struct {
		args map[string]any
		want []string
	}{
		{map[string]any{"sort": "semver-desc", "limit": 6}, []string{"v4.0.0", "4.0.0-rc.1", "4.0.0-beta.2", "3.9.8", "3.9.8-alpine", "3.9.7"}},
		{map[string]any{"sort": "semver", "limit": 4}, []string{"1.0-alpine", "1.0.0", "1.0.1", "1.0.2"}},
		{map[string]any{"pattern": "1.2*", "sort": "semver"}, []string{"1.2.0", "1.2.1", "1.2.2", "1.2.3", "1.2.4", "1.2.5", "1.2.6", "1.2.7", "1.2.8"}},
		{map[string]any{"pattern": "*-alpine", "sort": "alphabetical"}, []string{"1.0-alpine", "3.9.8-alpine"}},
		{map[string]any{"pattern": "*-alpine", "sort": "alphabetical-desc"}, []string{"3.9.8-alpine", "1.0-alpine"}},
	}
	for _, tt := range tests {
		tt.args["repository"] = repo
		got := registrytest.Decode[tools.ListTagsOutput](t, e.call(t, "list_tags", tt.args))
		if diff := cmp.Diff(tt.want, got.Tags); diff != "" {
			t.Errorf("%v (-want +got):\n%s", tt.args, diff)
		}
	}
	last := registrytest.Decode[tools.ListTagsOutput](t, e.call(t, "list_tags", map[string]any{"repository": repo, "sort": "semver-desc", "limit": 1000}))
	if n := len(last.Tags); n < 3 || !slices.Equal(last.Tags[n-3:], []string{"edge", "latest", "nightly"}) {
		t.Errorf("non-version tags must come last, got tail %v", last.Tags[max(0, n-3):])
	}
}

func TestListTagsSortedPagesWithCursorAndProgress(t *testing.T) {
	t.Parallel()
	reg, fx := registrytest.StartSeeded(t, registrytest.Options{})
	var mu sync.Mutex
	var progress []float64
	cs := connect(t, oci.New(oci.Options{}), &mcp.ClientOptions{
		ProgressNotificationHandler: func(_ context.Context, req *mcp.ProgressNotificationClientRequest) {
			mu.Lock()
			progress = append(progress, req.Params.Progress)
			mu.Unlock()
		},
	})
	_ = reg
	repo := fx.Host + "/" + fx.TagsRepo
	var all []string
	cursor := ""
	for {
		params := &mcp.CallToolParams{Name: "list_tags", Arguments: map[string]any{"repository": repo, "sort": "semver", "limit": 50}}
		if cursor != "" {
			params.Arguments.(map[string]any)["cursor"] = cursor
		}
		params.SetProgressToken("tags")
		res, err := cs.CallTool(t.Context(), params)
		if err != nil {
			t.Fatal(err)
		}
		page := registrytest.Decode[tools.ListTagsOutput](t, res)
		all = append(all, page.Tags...)
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	if len(all) != len(fx.TagNames) {
		t.Errorf("sorted pages gave %d tags, want %d", len(all), len(fx.TagNames))
	}
	mu.Lock()
	defer mu.Unlock()
	if len(progress) == 0 || progress[len(progress)-1] != float64(len(fx.TagNames)) {
		t.Errorf("progress notifications %v, want the running count ending at %d", progress, len(fx.TagNames))
	}
}

func TestListTagsRefusesBadArguments(t *testing.T) {
	t.Parallel()
	e := newEnv(t, registrytest.Options{}, oci.Options{})
	repo := e.fx.Host + "/" + e.fx.TagsRepo
	page := registrytest.Decode[tools.ListTagsOutput](t, e.call(t, "list_tags", map[string]any{"repository": repo, "limit": 10}))
	otherRepo := registrytest.Decode[tools.ListTagsOutput](t, e.call(t, "list_tags", map[string]any{"repository": e.fx.Host + "/demo/app", "limit": 1}))
	_ = otherRepo
	tampered := page.NextCursor[:len(page.NextCursor)-2] + "xx"
	tests := []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"limit": 0}, "use 1 to 1000"},
		{map[string]any{"limit": 5000}, "use 1 to 1000"},
		{map[string]any{"cursor": "garbage"}, "cursor is not one this server issued"},
		{map[string]any{"cursor": tampered}, "cursor is not one this server issued"},
		{map[string]any{"cursor": page.NextCursor, "sort": "semver"}, "different listing"},
		{map[string]any{"pattern": "[unclosed"}, "not a valid glob"},
		{map[string]any{"sort": "random"}, "sort"},
	}
	for _, tt := range tests {
		tt.args["repository"] = repo
		res := e.call(t, "list_tags", tt.args)
		if msg := registrytest.Text(res); !res.IsError || !strings.Contains(msg, tt.want) {
			t.Errorf("%v: got error=%v %q, want an error containing %q", tt.args, res.IsError, msg, tt.want)
		}
	}
	res := e.call(t, "list_tags", map[string]any{"repository": e.fx.Host + "/demo/app", "cursor": page.NextCursor})
	if msg := registrytest.Text(res); !res.IsError || !strings.Contains(msg, "different listing") {
		t.Errorf("cursor of another repository: got %q", msg)
	}
	res = e.call(t, "list_tags", map[string]any{"repository": e.fx.Host + "/demo/app:1.0"})
	if msg := registrytest.Text(res); !res.IsError || !strings.Contains(msg, "without a tag") {
		t.Errorf("repository with a tag: got %q", msg)
	}
}

func TestLongWorkIsLoggedToClientsThatAsk(t *testing.T) {
	t.Parallel()
	_, fx := registrytest.StartSeeded(t, registrytest.Options{})
	var mu sync.Mutex
	var logged []string
	cs := connect(t, oci.New(oci.Options{}), &mcp.ClientOptions{
		LoggingMessageHandler: func(_ context.Context, req *mcp.LoggingMessageRequest) { //nolint:staticcheck // deprecated, still served
			mu.Lock()
			logged = append(logged, fmt.Sprint(req.Params.Data))
			mu.Unlock()
		},
	})
	// Since protocol 2026-07-28 the level travels in each request's _meta.
	params := &mcp.CallToolParams{Name: "list_tags", Arguments: map[string]any{"repository": fx.Host + "/" + fx.TagsRepo, "sort": "semver"}}
	params.Meta = mcp.Meta{mcp.MetaKeyLogLevel: "info"} //nolint:staticcheck // deprecated, still served
	res, err := cs.CallTool(t.Context(), params)
	if err != nil {
		t.Fatal(err)
	}
	registrytest.Decode[tools.ListTagsOutput](t, res)
	// Notifications travel apart from the response; give them a moment.
	for i := 0; i < 100; i++ {
		mu.Lock()
		n := len(logged)
		mu.Unlock()
		if n > 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(logged) == 0 || !strings.Contains(logged[len(logged)-1], fmt.Sprintf("read %d tags", len(fx.TagNames))) {
		t.Errorf("log messages %q, want the tag count", logged)
	}
}
