package tools_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/registry-mcp/registry-mcp/internal/hub"
	"github.com/registry-mcp/registry-mcp/internal/oci"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
	"github.com/registry-mcp/registry-mcp/internal/server"
	"github.com/registry-mcp/registry-mcp/internal/tools"
)

// hubEnv is a Docker Hub emulator and an MCP client connected to a server
// whose hub client talks to it.
type hubEnv struct {
	hub *registrytest.Hub
	cs  *mcp.ClientSession
}

type hubSetup struct {
	auth     bool // use the emulator's account
	writable bool // -read-only=false
	deps     tools.Deps
	toolsets []string
	hubOpts  []registrytest.HubOption
}

func newHubEnv(t *testing.T, s hubSetup) *hubEnv {
	t.Helper()
	h := registrytest.NewHub(t, s.hubOpts...)
	opts := hub.Options{BaseURL: h.URL, ScoutURL: h.ScoutURL}
	if s.auth {
		opts.Username, opts.Token = registrytest.HubUser, registrytest.HubToken
	}
	d := s.deps
	d.Hub = hub.New(opts)
	if d.Registry == nil {
		d.Registry = oci.New(oci.Options{})
	}
	srv := server.New(server.Config{Version: "test", Deps: d, Tools: tools.Options{ReadOnly: !s.writable, Toolsets: s.toolsets}})
	return &hubEnv{hub: h, cs: registrytest.Connect(t, srv, nil)}
}

func (e *hubEnv) call(t *testing.T, name string, args map[string]any) *mcp.CallToolResult {
	t.Helper()
	return registrytest.Call(t, e.cs, name, args)
}

// callErr calls a tool that must fail and returns the message the model sees.
func (e *hubEnv) callErr(t *testing.T, name string, args map[string]any) string {
	t.Helper()
	res := e.call(t, name, args)
	if !res.IsError {
		t.Fatalf("%s %v: want a tool error, got %s", name, args, registrytest.Text(res))
	}
	return registrytest.Text(res)
}

func wantAll(t *testing.T, what, msg string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(msg, p) {
			t.Errorf("%s: %q does not say %q", what, msg, p)
		}
	}
}

func TestSearchImages(t *testing.T) {
	t.Parallel()
	e := newHubEnv(t, hubSetup{})
	got := registrytest.Decode[tools.SearchImagesOutput](t, e.call(t, "search_images", map[string]any{"query": "nginx"}))
	byName := map[string]hub.SearchResult{}
	for _, r := range got.Results {
		byName[r.Name] = r
	}
	if got.Total != 5 || len(got.Results) != 5 {
		t.Errorf("total %d with %d results, want 5 and 5: %+v", got.Total, len(got.Results), got.Results)
	}
	want := map[string]hub.SearchResult{
		"nginx": {Name: "nginx", Description: "Official build of Nginx.", Stars: 20700, Pulls: 1_000_000_000, PullCount: "1B+",
			Official: true, Badge: "official", Publisher: "Docker Official Images", UpdatedAt: "2025-02-11T08:00:00.000000Z", Type: "image"},
		// Types and badges Docker's document does not list pass through.
		"dhi/nginx": {Name: "dhi/nginx", Description: "Docker Hardened Image for nginx", Stars: 5, Pulls: 10_000, PullCount: "10K+",
			Badge: "hardened", Publisher: "Docker", UpdatedAt: "2025-02-12T08:00:00.000000Z", Type: "dhi"},
		"alice/webapp": {Name: "alice/webapp", Description: "Alice's web application using nginx", Stars: 3, Pulls: 1200, PullCount: "1.2K",
			Publisher: "alice", UpdatedAt: "2025-01-06T08:00:00.000000Z", Type: "image"},
	}
	for name, w := range want {
		if diff := cmp.Diff(w, byName[name]); diff != "" {
			t.Errorf("result %s (-want +got):\n%s", name, diff)
		}
	}

	official := registrytest.Decode[tools.SearchImagesOutput](t, e.call(t, "search_images", map[string]any{"query": "nginx", "official_only": true}))
	if len(official.Results) != 1 || official.Results[0].Name != "nginx" {
		t.Errorf("official_only: %+v, want only nginx", official.Results)
	}
	byPulls := registrytest.Decode[tools.SearchImagesOutput](t, e.call(t, "search_images", map[string]any{"query": "nginx", "sort": "pulls", "limit": 2}))
	if got := []string{byPulls.Results[0].Name, byPulls.Results[1].Name}; byPulls.Total != 5 || !slices.Equal(got, []string{"nginx", "bitnami/nginx"}) {
		t.Errorf("sort pulls, limit 2: total %d, %v; want 5 and [nginx bitnami/nginx]", byPulls.Total, got)
	}
	uris := e.hub.RequestURIs()
	if last := uris[len(uris)-1]; !strings.Contains(last, "size=2") || !strings.Contains(last, "sort=pull_count") || !strings.Contains(last, "order=desc") {
		t.Errorf("sort pulls, limit 2 sent %s", last)
	}
	for _, host := range []string{"docker.io", "index.docker.io"} {
		before := e.hub.Requests("GET /api/search/v4")
		named := registrytest.Decode[tools.SearchImagesOutput](t, e.call(t, "search_images", map[string]any{"query": "postgres", "registry": host}))
		if e.hub.Requests("GET /api/search/v4") != before+1 || len(named.Results) != 1 || named.Results[0].Name != "postgres" {
			t.Errorf("registry %s: %+v; want Docker Hub's search", host, named)
		}
	}
	none := registrytest.Decode[tools.SearchImagesOutput](t, e.call(t, "search_images", map[string]any{"query": "no-such-thing"}))
	if none.Total != 0 || none.Results == nil || len(none.Results) != 0 {
		t.Errorf("no match: %+v, want total 0 and an empty list", none)
	}
}

// TestSearchImagesOfficialOnlyMeansOfficial answers as Docker Hub does: a
// Hardened Image first, whatever the badges filter says.
func TestSearchImagesOfficialOnlyMeansOfficial(t *testing.T) {
	t.Parallel()
	e := newHubEnv(t, hubSetup{})
	e.hub.FailNext(1, registrytest.HubFault{Status: 200, Body: `{"total":2,"results":[
		{"name":"dhi/nginx","type":"dhi","badge":"hardened","short_description":"Docker Hardened Image for nginx","pull_count":"10K+","publisher":{"name":"Docker"}},
		{"name":"nginx","type":"image","badge":"official","short_description":"Official build of Nginx.","pull_count":"1B+","publisher":{"name":"Docker Official Images"}}]}`})
	got := registrytest.Decode[tools.SearchImagesOutput](t, e.call(t, "search_images", map[string]any{"query": "nginx", "official_only": true}))
	if len(got.Results) != 1 || got.Results[0].Name != "nginx" || !got.Results[0].Official || got.Total != 1 {
		t.Errorf("official_only: total %d, %+v; want only nginx", got.Total, got.Results)
	}
}

func TestSearchImagesRefusesBadArguments(t *testing.T) {
	t.Parallel()
	e := newHubEnv(t, hubSetup{})
	before := e.hub.TotalRequests()
	for _, limit := range []int{0, 101} {
		wantAll(t, "limit", e.callErr(t, "search_images", map[string]any{"query": "nginx", "limit": limit}), "out of range", "1 to 100")
	}
	wantAll(t, "empty query", e.callErr(t, "search_images", map[string]any{"query": " "}), "query")
	wantAll(t, "unknown sort", e.callErr(t, "search_images", map[string]any{"query": "nginx", "sort": "stars"}), "sort")
	if n := e.hub.TotalRequests() - before; n != 0 {
		t.Errorf("refused arguments still sent %d requests", n)
	}
}

func TestSearchImagesInAnotherRegistrysCatalog(t *testing.T) {
	t.Parallel()
	reg, fx := registrytest.StartSeeded(t, registrytest.Options{})
	e := newHubEnv(t, hubSetup{})
	got := registrytest.Decode[tools.SearchImagesOutput](t, e.call(t, "search_images", map[string]any{"query": "DEMO/", "registry": reg.Host, "limit": 2}))
	if got.Total < 4 || len(got.Results) != 2 || got.Truncated {
		t.Fatalf("catalog search: %+v; want at least the four demo/ repositories counted, two shown, not truncated", got)
	}
	for _, r := range got.Results {
		if !strings.HasPrefix(r.Name, fx.Host+"/demo/") || r.Type != "repository" {
			t.Errorf("result %+v: want a full repository name under %s/demo/ of type repository", r, fx.Host)
		}
	}
	if n := e.hub.TotalRequests(); n != 0 {
		t.Errorf("a catalog search sent %d requests to Docker Hub", n)
	}
	wantAll(t, "official_only", e.callErr(t, "search_images", map[string]any{"query": "demo", "registry": reg.Host, "official_only": true}), "Docker Hub only")
	wantAll(t, "sort", e.callErr(t, "search_images", map[string]any{"query": "demo", "registry": reg.Host, "sort": "pulls"}), "needs Docker Hub")
}

// TestSearchImagesCatalogIsBounded lowers the bound, so it does not run in parallel.
func TestSearchImagesCatalogIsBounded(t *testing.T) {
	reg, _ := registrytest.StartSeeded(t, registrytest.Options{})
	e := newHubEnv(t, hubSetup{})
	defer tools.SetCatalogSearchMax(3)()
	reg.Reset()
	got := registrytest.Decode[tools.SearchImagesOutput](t, e.call(t, "search_images", map[string]any{"query": "/", "registry": reg.Host}))
	if !got.Truncated || !strings.Contains(got.Note, "first 3 repositories") || got.Total != 3 {
		t.Errorf("bounded search: %+v; want truncated after 3 repositories", got)
	}
	if n := reg.Counts()["GET catalog"]; n != 1 {
		t.Errorf("bounded search read %d catalog pages, want 1", n)
	}
}

func TestListHubRepositories(t *testing.T) {
	t.Parallel()
	anon := newHubEnv(t, hubSetup{})
	got := registrytest.Decode[tools.ListHubRepositoriesOutput](t, anon.call(t, "list_hub_repositories", map[string]any{"namespace": "library", "ordering": "name"}))
	var names []string
	for _, r := range got.Results {
		names = append(names, r.Name)
	}
	if got.Count != 3 || got.NextPage != 0 || !slices.Equal(names, []string{"alpine", "nginx", "postgres"}) {
		t.Errorf("library by name: count %d, next %d, %v", got.Count, got.NextPage, names)
	}
	alpine := got.Results[0]
	if alpine.Namespace != "library" || alpine.StarCount != 11200 || alpine.PullCount != 10_812_345_678 || alpine.Status != "active" ||
		!slices.Equal(alpine.Categories, []string{"Operating systems"}) || alpine.LastUpdated == "" {
		t.Errorf("alpine: %+v", alpine)
	}
	public := registrytest.Decode[tools.ListHubRepositoriesOutput](t, anon.call(t, "list_hub_repositories", map[string]any{"namespace": registrytest.HubOrg}))
	if public.Count != 1 {
		t.Errorf("acme anonymously: %d repositories, want the one public", public.Count)
	}
	wantAll(t, "bad ordering", anon.callErr(t, "list_hub_repositories", map[string]any{"namespace": "library", "ordering": "stars"}), "ordering", "pull_count")
	wantAll(t, "page 0", anon.callErr(t, "list_hub_repositories", map[string]any{"namespace": "library", "page": 0}), "page 0", "use 1 or more")
	wantAll(t, "page_size 101", anon.callErr(t, "list_hub_repositories", map[string]any{"namespace": "library", "page_size": 101}), "1 to 100")

	auth := newHubEnv(t, hubSetup{auth: true})
	p1 := registrytest.Decode[tools.ListHubRepositoriesOutput](t, auth.call(t, "list_hub_repositories", map[string]any{"namespace": registrytest.HubOrg, "page_size": 3, "ordering": "name"}))
	if p1.Count != 4 || p1.NextPage != 2 || len(p1.Results) != 3 {
		t.Errorf("acme page 1: count %d, next %d, %d results; want 4, 2, 3", p1.Count, p1.NextPage, len(p1.Results))
	}
	p2 := auth.call(t, "list_hub_repositories", map[string]any{"namespace": registrytest.HubOrg, "page_size": 3, "page": 2, "ordering": "name"})
	if out := registrytest.Decode[tools.ListHubRepositoriesOutput](t, p2); len(out.Results) != 1 || !out.Results[0].IsPrivate {
		t.Errorf("acme page 2: %+v", out)
	}
	if strings.Contains(registrytest.Text(p2), "next_page") {
		t.Errorf("last page carries next_page: %s", registrytest.Text(p2))
	}
}

func TestGetHubRepository(t *testing.T) {
	t.Parallel()
	anon := newHubEnv(t, hubSetup{})
	got := registrytest.Decode[tools.GetHubRepositoryOutput](t, anon.call(t, "get_hub_repository", map[string]any{"repository": "nginx"}))
	if !got.Exists || got.Repository == nil || got.Namespace != "library" || got.Name != "nginx" || got.StarCount != 20700 ||
		!slices.Equal(got.Categories, []string{"Web servers"}) {
		t.Errorf("library/nginx: %+v", got.Repository)
	}
	for _, args := range []map[string]any{
		{"repository": "no-such-repo"},
		{"namespace": registrytest.HubUser, "repository": "secret-app"}, // private: Docker Hub does not reveal it
	} {
		res := anon.call(t, "get_hub_repository", args)
		if res.IsError || registrytest.Text(res) != `{"exists":false}` {
			t.Errorf("%v: %s, want {\"exists\":false}", args, registrytest.Text(res))
		}
	}
	auth := newHubEnv(t, hubSetup{auth: true})
	private := registrytest.Decode[tools.GetHubRepositoryOutput](t, auth.call(t, "get_hub_repository", map[string]any{"namespace": registrytest.HubUser, "repository": "secret-app"}))
	if !private.Exists || !private.IsPrivate {
		t.Errorf("alice/secret-app with credentials: %+v", private)
	}
	inactive := registrytest.Decode[tools.GetHubRepositoryOutput](t, auth.call(t, "get_hub_repository", map[string]any{"namespace": registrytest.HubUser, "repository": "old-tool"}))
	if inactive.Status != "inactive" {
		t.Errorf("alice/old-tool status %q, want inactive", inactive.Status)
	}
}

func TestListHubTags(t *testing.T) {
	t.Parallel()
	e := newHubEnv(t, hubSetup{auth: true})
	args := func(extra map[string]any) map[string]any {
		m := map[string]any{"namespace": registrytest.HubOrg, "repository": "api", "page_size": 10}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	p1 := registrytest.Decode[tools.ListHubTagsOutput](t, e.call(t, "list_hub_tags", args(nil)))
	if p1.Count != 25 || p1.NextPage != 2 || len(p1.Results) != 10 || p1.Results[0].Name != "1.0.24" {
		t.Errorf("page 1: count %d, next %d, %d results, first %q", p1.Count, p1.NextPage, len(p1.Results), p1.Results[0].Name)
	}
	first := p1.Results[0]
	if !strings.HasPrefix(first.Digest, "sha256:") || first.FullSize == 0 || first.LastPushed == "" || first.LastPulled == "" || first.TagStatus != "active" {
		t.Errorf("tag record %+v", first)
	}
	if len(first.Images) != 2 || first.Images[1].Architecture != "arm64" || first.Images[1].Variant != "v8" ||
		!strings.HasPrefix(first.Images[1].Digest, "sha256:") || first.Images[1].Size == 0 {
		t.Errorf("images %+v, want amd64 and arm64/v8 with digests and sizes", first.Images)
	}
	last := e.call(t, "list_hub_tags", args(map[string]any{"page": 3}))
	if out := registrytest.Decode[tools.ListHubTagsOutput](t, last); len(out.Results) != 5 || strings.Contains(registrytest.Text(last), "next_page") {
		t.Errorf("page 3: %s; want five tags and no next_page", registrytest.Text(last))
	}
	named := registrytest.Decode[tools.ListHubTagsOutput](t, e.call(t, "list_hub_tags", args(map[string]any{"name": "1.0.1"})))
	if named.Count != 11 { // 1.0.1 and 1.0.10 to 1.0.19
		t.Errorf("name filter 1.0.1: %d tags, want 11", named.Count)
	}
	ppc := registrytest.Decode[tools.ListHubTagsOutput](t, e.call(t, "list_hub_tags", map[string]any{"repository": "alpine", "architecture": "ppc64le", "os": "linux"}))
	if ppc.Count != 1 || ppc.Results[0].Name != "edge" {
		t.Errorf("alpine tags for ppc64le: %+v, want only edge", ppc.Results)
	}
	wantAll(t, "missing repository", e.callErr(t, "list_hub_tags", map[string]any{"repository": "no-such-repo"}),
		"not found", "library namespace")
}

func TestGetHubTag(t *testing.T) {
	t.Parallel()
	e := newHubEnv(t, hubSetup{})
	got := registrytest.Decode[tools.GetHubTagOutput](t, e.call(t, "get_hub_tag", map[string]any{"repository": "alpine", "tag": "3.20"}))
	if !got.Exists || got.Tag == nil || got.Name != "3.20" || len(got.Images) != 2 || got.Images[0].OS != "linux" {
		t.Errorf("alpine:3.20: %+v", got)
	}
	for _, args := range []map[string]any{{"repository": "alpine", "tag": "9.99"}, {"repository": "no-such-repo", "tag": "latest"}} {
		if res := e.call(t, "get_hub_tag", args); res.IsError || registrytest.Text(res) != `{"exists":false}` {
			t.Errorf("%v: %s, want {\"exists\":false}", args, registrytest.Text(res))
		}
	}
}

func TestHubNamespaces(t *testing.T) {
	t.Parallel()
	anon := newHubEnv(t, hubSetup{})
	wantAll(t, "namespaces without credentials", anon.callErr(t, "list_hub_namespaces", nil), "DOCKERHUB_USERNAME", "DOCKERHUB_TOKEN")
	if n := anon.hub.TotalRequests(); n != 0 {
		t.Errorf("list_hub_namespaces without credentials sent %d requests", n)
	}
	org := registrytest.Decode[tools.GetHubNamespaceOutput](t, anon.call(t, "get_hub_namespace", map[string]any{"namespace": registrytest.HubOrg}))
	want := tools.GetHubNamespaceOutput{Exists: true, Namespace: &hub.Namespace{
		Name: "acme", FullName: "Acme Corporation", Location: "Springfield", Company: "Acme", IsOrganization: true,
		DateJoined: "2018-06-01T12:00:00.000000Z", RepositoryCount: 1, Badge: "verified_publisher",
	}}
	if diff := cmp.Diff(want, org); diff != "" {
		t.Errorf("acme anonymously (-want +got):\n%s", diff)
	}
	res := anon.call(t, "get_hub_namespace", map[string]any{"namespace": "nobody-here"})
	if res.IsError || registrytest.Text(res) != `{"exists":false}` {
		t.Errorf("unknown namespace: %s", registrytest.Text(res))
	}

	auth := newHubEnv(t, hubSetup{auth: true})
	mine := registrytest.Decode[hub.NamespaceList](t, auth.call(t, "list_hub_namespaces", nil))
	if mine.Personal != registrytest.HubUser || len(mine.Organizations) != 1 || mine.Organizations[0].Name != registrytest.HubOrg {
		t.Errorf("namespaces: %+v", mine)
	}
	user := registrytest.Decode[tools.GetHubNamespaceOutput](t, auth.call(t, "get_hub_namespace", map[string]any{"namespace": registrytest.HubUser}))
	if !user.Exists || user.IsOrganization || user.FullName != "Alice Liddell" || user.RepositoryCount != 3 {
		t.Errorf("alice with credentials (private repositories counted): %+v", user)
	}
}

func TestListHardenedImages(t *testing.T) {
	t.Parallel()
	auth := newHubEnv(t, hubSetup{auth: true})
	got := registrytest.Decode[hub.HardenedImages](t, auth.call(t, "list_hardened_images", map[string]any{"organisation": registrytest.HubOrg}))
	want := hub.HardenedImages{Organization: "acme", Total: 2, Images: []hub.HardenedImage{
		{Repository: "acme/dhi-python", Source: "dhi/python", DisplayName: "Python"},
		{Repository: "acme/dhi-node", Source: "dhi/node", DisplayName: "Node.js"},
	}}
	if diff := cmp.Diff(want, got, cmpIgnoreMirrorMore); diff != "" {
		t.Errorf("hardened images (-want +got):\n%s", diff)
	}
	wantAll(t, "another organisation", auth.callErr(t, "list_hardened_images", map[string]any{"organisation": "library"}), "access denied", "owner")
	anon := newHubEnv(t, hubSetup{})
	wantAll(t, "anonymously", anon.callErr(t, "list_hardened_images", map[string]any{"organisation": registrytest.HubOrg}), "DOCKERHUB_TOKEN")
}

var cmpIgnoreMirrorMore = cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".CanMirrorMore" }, cmp.Ignore())

// TestHubErrorsAsTheModelSeesThem checks the advice each failure carries.
func TestHubErrorsAsTheModelSeesThem(t *testing.T) {
	t.Parallel()
	repo := map[string]any{"repository": "alpine"}
	tests := []struct {
		name  string
		auth  bool
		fault registrytest.HubFault
		times int
		want  []string
	}{
		{"401 anonymous", false, registrytest.HubFault{Status: 401}, 1, []string{"unauthorized", "DOCKERHUB_USERNAME", "DOCKERHUB_TOKEN"}},
		// The client refreshes its token once on a 401, so the fault must hold twice.
		{"401 with credentials", true, registrytest.HubFault{Status: 401}, 2, []string{"unauthorized", "rejected the access token", "DOCKERHUB_TOKEN"}},
		{"403", true, registrytest.HubFault{Status: 403}, 1, []string{"access denied", "do not grant access"}},
		{"429 with Retry-After", false, registrytest.HubFault{Status: 429, RetryAfter: "42"}, 1, []string{"rate limited", "retry after 42 s", "DOCKERHUB_TOKEN"}},
		{"500", false, registrytest.HubFault{Status: 500}, 1, []string{"HTTP 500"}},
		{"HTML", false, registrytest.HubFault{Status: 200, ContentType: "text/html", Body: "<html>login</html>"}, 1, []string{"HTML page", "DOCKERHUB_API_URL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newHubEnv(t, hubSetup{auth: tt.auth})
			e.hub.FailNext(tt.times, tt.fault)
			// get_hub_repository turns only a 404 into exists:false; these stay errors.
			msg := e.callErr(t, "get_hub_repository", repo)
			wantAll(t, tt.name, msg, tt.want...)
			if strings.Contains(msg, registrytest.HubToken) {
				t.Errorf("%s: the message carries the access token: %s", tt.name, msg)
			}
		})
	}
}

func TestHubTokenIsExchangedOnceForManyCalls(t *testing.T) {
	t.Parallel()
	e := newHubEnv(t, hubSetup{auth: true})
	calls := []struct {
		tool string
		args map[string]any
	}{
		{"list_hub_namespaces", nil},
		{"get_hub_repository", map[string]any{"namespace": registrytest.HubUser, "repository": "secret-app"}},
		{"list_hub_tags", map[string]any{"namespace": registrytest.HubOrg, "repository": "internal"}},
		{"get_hub_tag", map[string]any{"repository": "nginx", "tag": "latest"}},
		{"search_images", map[string]any{"query": "alpine"}},
		{"list_hub_repositories", map[string]any{"namespace": registrytest.HubOrg}},
		{"get_hub_namespace", map[string]any{"namespace": registrytest.HubOrg}},
		{"list_hardened_images", map[string]any{"organisation": registrytest.HubOrg}},
	}
	for range 3 {
		for _, c := range calls {
			if res := e.call(t, c.tool, c.args); res.IsError {
				t.Fatalf("%s: %s", c.tool, registrytest.Text(res))
			}
		}
	}
	if n := e.hub.TokenExchanges(); n != 1 {
		t.Errorf("%d token exchanges for %d calls, want 1", n, 3*len(calls))
	}
}

func toolNames(t *testing.T, cs *mcp.ClientSession) map[string]*mcp.Tool {
	t.Helper()
	res, err := cs.ListTools(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*mcp.Tool{}
	for _, tool := range res.Tools {
		out[tool.Name] = tool
	}
	return out
}

func TestHubWriteToolsAreListedOnlyWhenWritable(t *testing.T) {
	t.Parallel()
	hubTools := []string{"search_images", "list_hub_repositories", "get_hub_repository", "list_hub_tags", "get_hub_tag",
		"list_hub_namespaces", "get_hub_namespace", "list_hardened_images"}
	writeTools := []string{"create_hub_repository", "update_hub_repository"}

	readOnly := toolNames(t, newHubEnv(t, hubSetup{auth: true}).cs)
	for _, name := range hubTools {
		if readOnly[name] == nil {
			t.Errorf("read-only server lacks %s", name)
		}
	}
	for _, name := range writeTools {
		if readOnly[name] != nil {
			t.Errorf("read-only server lists the write tool %s", name)
		}
	}
	ro := newHubEnv(t, hubSetup{auth: true})
	res, err := ro.cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "create_hub_repository", Arguments: map[string]any{"namespace": "alice", "name": "x1"}})
	if err == nil && !res.IsError {
		t.Errorf("a read-only server ran create_hub_repository")
	}

	writable := toolNames(t, newHubEnv(t, hubSetup{auth: true, writable: true}).cs)
	for name, destructive := range map[string]bool{"create_hub_repository": false, "update_hub_repository": true} {
		tool := writable[name]
		if tool == nil {
			t.Errorf("writable server lacks %s", name)
			continue
		}
		a := tool.Annotations
		if a.ReadOnlyHint || a.DestructiveHint == nil || *a.DestructiveHint != destructive || a.IdempotentHint != destructive {
			t.Errorf("%s annotations %+v: want readOnly false, destructive and idempotent %t", name, a, destructive)
		}
	}

	hubOnly := toolNames(t, newHubEnv(t, hubSetup{toolsets: []string{tools.ToolsetHub}}).cs)
	if hubOnly["get_image_info"] != nil || hubOnly["search_images"] == nil {
		t.Errorf("toolsets hub: got %d tools, want the hub tools only", len(hubOnly))
	}
}

func TestCreateHubRepository(t *testing.T) {
	t.Parallel()
	e := newHubEnv(t, hubSetup{auth: true, writable: true})
	args := map[string]any{"namespace": registrytest.HubOrg, "name": "new-service", "description": "A new service", "full_description": "# New", "is_private": true}
	got := registrytest.Decode[hub.Repository](t, e.call(t, "create_hub_repository", args))
	if got.Namespace != "acme" || got.Name != "new-service" || !got.IsPrivate || got.Description != "A new service" || got.Status != "active" {
		t.Errorf("created %+v", got)
	}
	read := registrytest.Decode[tools.GetHubRepositoryOutput](t, e.call(t, "get_hub_repository", map[string]any{"namespace": "acme", "repository": "new-service"}))
	if !read.Exists || read.FullDescription != "# New" {
		t.Errorf("read back %+v", read)
	}
	wantAll(t, "again", e.callErr(t, "create_hub_repository", args), "already exists")
	wantAll(t, "bad name", e.callErr(t, "create_hub_repository", map[string]any{"namespace": "acme", "name": "Bad Name"}), "lowercase")
	wantAll(t, "someone else's namespace", e.callErr(t, "create_hub_repository", map[string]any{"namespace": "bob", "name": "mine"}), "access denied")

	anon := newHubEnv(t, hubSetup{writable: true})
	wantAll(t, "anonymously", anon.callErr(t, "create_hub_repository", map[string]any{"namespace": "acme", "name": "x1"}), "DOCKERHUB_TOKEN")
	if n := anon.hub.TotalRequests(); n != 0 {
		t.Errorf("anonymous create sent %d requests", n)
	}
}

func TestUpdateHubRepository(t *testing.T) {
	t.Parallel()
	e := newHubEnv(t, hubSetup{auth: true, writable: true})
	const patch = "PATCH /v2/namespaces/{namespace}/repositories/{repository}"
	repo := func(extra map[string]any) map[string]any {
		m := map[string]any{"namespace": registrytest.HubUser, "repository": "webapp"}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}

	msg := e.callErr(t, "update_hub_repository", repo(map[string]any{"status": "inactive", "description": "x"}))
	wantAll(t, "status without confirmation", msg, "confirm_status_change", "nothing was changed")
	msg = e.callErr(t, "update_hub_repository", repo(map[string]any{"status": "inactive", "confirm_status_change": false}))
	wantAll(t, "status with confirmation false", msg, "confirm_status_change")
	if n := e.hub.TotalRequests(); n != 0 {
		t.Fatalf("refused status changes sent %d requests", n)
	}

	got := registrytest.Decode[hub.Repository](t, e.call(t, "update_hub_repository", repo(map[string]any{"description": "New words"})))
	if got.Description != "New words" || got.Status != "active" {
		t.Errorf("description update: %+v", got)
	}
	for _, status := range []string{"inactive", "active"} {
		got := registrytest.Decode[hub.Repository](t, e.call(t, "update_hub_repository", repo(map[string]any{"status": status, "confirm_status_change": true})))
		if got.Status != status {
			t.Errorf("status %s: repository is %q", status, got.Status)
		}
	}
	var bodies []map[string]any
	for _, b := range e.hub.RequestBodies(patch) {
		var m map[string]any
		if err := json.Unmarshal([]byte(b), &m); err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, m)
	}
	want := []map[string]any{{"description": "New words"}, {"status": float64(0)}, {"status": float64(1)}}
	if diff := cmp.Diff(want, bodies); diff != "" {
		t.Errorf("PATCH bodies (-want +got); an omitted field must never be sent:\n%s", diff)
	}
	wantAll(t, "nothing to change", e.callErr(t, "update_hub_repository", repo(nil)), "nothing to update")
	wantAll(t, "unknown status", e.callErr(t, "update_hub_repository", repo(map[string]any{"status": "archived", "confirm_status_change": true})), "status")
}
