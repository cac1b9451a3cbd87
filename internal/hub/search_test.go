package hub_test

import (
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/registry-mcp/registry-mcp/internal/hub"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
)

func TestSearch(t *testing.T) {
	t.Parallel()
	nginx := hub.SearchResult{Name: "nginx", Description: "Official build of Nginx.", Stars: 20700, Pulls: 1_000_000_000, PullCount: "1B+",
		Official: true, Badge: "official", Publisher: "Docker Official Images", UpdatedAt: "2025-02-11T08:00:00.000000Z", Type: "image"}
	bitnami := hub.SearchResult{Name: "bitnami/nginx", Description: "Bitnami container image for NGINX", Stars: 200, Pulls: 100_000_000,
		PullCount: "100M+", Badge: "verified_publisher", Publisher: "VMware", UpdatedAt: "2025-02-08T08:00:00.000000Z", Type: "image"}
	tests := []struct {
		name      string
		params    hub.SearchParams
		wantQuery url.Values // what Search v4 receives
		want      []hub.SearchResult
		wantNames []string // when want is nil
		wantTotal int
	}{
		{"relevance", hub.SearchParams{Query: "nginx", Limit: 2},
			url.Values{"query": {"nginx"}, "size": {"2"}}, []hub.SearchResult{nginx, bitnami}, nil, 5},
		{"official only", hub.SearchParams{Query: "nginx", Limit: 10, OfficialOnly: true},
			url.Values{"query": {"nginx"}, "size": {"10"}, "badges": {"official"}}, []hub.SearchResult{nginx}, nil, 1},
		{"most pulled", hub.SearchParams{Query: "nginx", Limit: 10, Sort: "pulls"},
			url.Values{"query": {"nginx"}, "size": {"10"}, "sort": {"pull_count"}, "order": {"desc"}}, nil,
			[]string{"nginx", "bitnami/nginx", "nginxinc/nginx-unprivileged", "dhi/nginx", "alice/webapp"}, 5},
		{"recently updated", hub.SearchParams{Query: "nginx", Limit: 10, Sort: "updated"},
			url.Values{"query": {"nginx"}, "size": {"10"}, "sort": {"updated_at"}, "order": {"desc"}}, nil,
			[]string{"dhi/nginx", "nginx", "bitnami/nginx", "nginxinc/nginx-unprivileged", "alice/webapp"}, 5},
		{"hardened image passes through", hub.SearchParams{Query: "hardened", Limit: 10, Sort: "relevance"},
			url.Values{"query": {"hardened"}, "size": {"10"}}, []hub.SearchResult{{Name: "dhi/nginx", Description: "Docker Hardened Image for nginx",
				Stars: 5, Pulls: 10_000, PullCount: "10K+", Badge: "hardened", Publisher: "Docker", UpdatedAt: "2025-02-12T08:00:00.000000Z", Type: "dhi"}}, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := registrytest.NewHub(t)
			got, err := newClient(h, false).Search(t.Context(), tt.params)
			wantErr(t, err, nil)
			uri, err := url.Parse(h.RequestURIs()[0])
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantQuery, uri.Query()); diff != "" {
				t.Errorf("query sent (-want +got):\n%s", diff)
			}
			if got.Total != tt.wantTotal {
				t.Errorf("total = %d, want %d", got.Total, tt.wantTotal)
			}
			if tt.want != nil {
				if diff := cmp.Diff(tt.want, got.Results); diff != "" {
					t.Errorf("results (-want +got):\n%s", diff)
				}
				return
			}
			var names []string
			for _, r := range got.Results {
				names = append(names, r.Name)
			}
			if diff := cmp.Diff(tt.wantNames, names); diff != "" {
				t.Errorf("order (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSearchToleratesUnknownValues feeds a result type, badge and pull count
// that no document lists; they are passed through, not refused.
func TestSearchToleratesUnknownValues(t *testing.T) {
	t.Parallel()
	h := registrytest.NewHub(t)
	h.FailNext(1, registrytest.HubFault{Status: 200, Body: `{"total":2,"results":[` +
		`{"name":"ai/smollm2","type":"model","badge":"brand_new","pull_count":"N/A","star_count":2,"publisher":{"name":"Docker"},"future":{"x":[1]}},` +
		`{"name":"x/y","type":"image","badge":null,"pull_count":"2.5M","star_count":0,"archived":true}]}`})
	got, err := newClient(h, false).Search(t.Context(), hub.SearchParams{Query: "smol", Limit: 5})
	wantErr(t, err, nil)
	want := &hub.SearchResults{Total: 2, Results: []hub.SearchResult{
		{Name: "ai/smollm2", Stars: 2, PullCount: "N/A", Badge: "brand_new", Publisher: "Docker", Type: "model"},
		{Name: "x/y", Pulls: 2_500_000, PullCount: "2.5M", Type: "image", Archived: true},
	}}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
}
