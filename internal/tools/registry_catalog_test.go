package tools_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/registry-mcp/registry-mcp/internal/oci"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
	"github.com/registry-mcp/registry-mcp/internal/tools"
)

func TestListRepositoriesPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t, registrytest.Options{TokenAuth: true}, oci.Options{})
	var all []string
	cursor, pages := "", 0
	for {
		args := map[string]any{"registry": e.fx.Host, "limit": 3}
		if cursor != "" {
			args["cursor"] = cursor
		}
		page := registrytest.Decode[tools.ListRepositoriesOutput](t, e.call(t, "list_repositories", args))
		pages++
		if len(page.Repositories) > 3 || page.Registry != e.fx.Host {
			t.Fatalf("page of %d from %s, want at most 3 from %s", len(page.Repositories), page.Registry, e.fx.Host)
		}
		all = append(all, page.Repositories...)
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	want := []string{"demo/app", "demo/arm64-only", "demo/big", "demo/layered", "demo/multi", "demo/signed", "demo/tags", "ratelimitpreview/test"}
	if diff := cmp.Diff(want, all); diff != "" || pages != 3 {
		t.Errorf("%d pages; repositories (-want +got):\n%s", pages, diff)
	}
	if diff := cmp.Diff(map[string]int{"GET ping": 1, "GET token": 1, "GET catalog": 3}, e.reg.Counts()); diff != "" {
		t.Errorf("one token for the catalog scope, one request per page (-want +got):\n%s", diff)
	}
}

func TestListRepositoriesRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t, registrytest.Options{}, oci.Options{})
	page := registrytest.Decode[tools.ListRepositoriesOutput](t, e.call(t, "list_repositories", map[string]any{"registry": e.fx.Host, "limit": 1}))
	tests := []struct {
		args map[string]any
		want []string
	}{
		{map[string]any{"registry": "docker.io"}, []string{"Docker Hub does not offer the registry catalog", "list_hub_repositories", "search_images"}},
		{map[string]any{"registry": "index.docker.io"}, []string{"list_hub_repositories"}},
		{map[string]any{"registry": e.fx.Host, "limit": 0}, []string{"use 1 to 1000"}},
		{map[string]any{"registry": e.fx.Host, "cursor": "c1.garbage.x"}, []string{"cursor is not one this server issued"}},
		{map[string]any{"registry": "localhost:1", "cursor": page.NextCursor}, []string{"cursor belongs to a different listing"}},
		{map[string]any{"registry": e.fx.Host + "/demo"}, []string{"is not a registry host"}},
	}
	for _, tt := range tests {
		res := e.call(t, "list_repositories", tt.args)
		msg := registrytest.Text(res)
		for _, w := range tt.want {
			if !res.IsError || !strings.Contains(msg, w) {
				t.Errorf("%v: got %v %q, want an error containing %q", tt.args, res.IsError, msg, w)
			}
		}
	}
	if n := e.reg.Counts()["GET catalog"]; n != 1 {
		t.Errorf("%d catalog requests; refusals must not reach the registry", n)
	}
}

func TestListRepositoriesWithoutCatalog(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v2/" {
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	e := newEnv(t, registrytest.Options{}, oci.Options{})
	res := e.call(t, "list_repositories", map[string]any{"registry": strings.TrimPrefix(srv.URL, "http://")})
	if msg := registrytest.Text(res); !res.IsError || !strings.Contains(msg, "does not offer the registry catalog") {
		t.Errorf("a registry without /v2/_catalog: got %v %q", res.IsError, msg)
	}
}

// quotaRegistry fronts the seeded registry and adds Docker Hub's pull-quota headers.
func quotaRegistry(t *testing.T, reg *registrytest.Registry) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("RateLimit-Limit", "100;w=21600")
		w.Header().Set("RateLimit-Remaining", "76;w=21600")
		w.Header().Set("Docker-RateLimit-Source", "192.0.2.1")
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

func TestGetRateLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t, registrytest.Options{}, oci.Options{})
	host := quotaRegistry(t, e.reg)
	got := registrytest.Decode[tools.RateLimitOutput](t, e.call(t, "get_rate_limit", map[string]any{"registry": host}))
	want := tools.RateLimitOutput{Registry: host, Limit: 100, Remaining: 76, WindowSeconds: 21600, Source: "192.0.2.1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("quota (-want +got):\n%s", diff)
	}
	if c := e.reg.Counts(); c["HEAD manifests"] != 1 || c["GET manifests"] != 0 || c["GET blobs"] != 0 {
		t.Errorf("requests %v: the quota must be read with one HEAD, which spends no pull", c)
	}
	res := e.call(t, "get_rate_limit", map[string]any{"registry": e.fx.Host})
	if msg := registrytest.Text(res); !res.IsError || !strings.Contains(msg, "sent no RateLimit headers") {
		t.Errorf("a registry without quota headers: got %v %q, want a clear refusal, not zeros", res.IsError, msg)
	}
}
