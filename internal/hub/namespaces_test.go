package hub_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
	"github.com/registry-mcp/registry-mcp/internal/hub"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
)

func TestListNamespaces(t *testing.T) {
	t.Parallel()
	t.Run("member of one organisation", func(t *testing.T) {
		t.Parallel()
		h := registrytest.NewHub(t)
		got, err := newClient(h, true).ListNamespaces(t.Context(), 0, 0)
		wantErr(t, err, nil)
		want := &hub.NamespaceList{Personal: registrytest.HubUser, Count: 1, Organizations: []hub.Organization{
			{Name: registrytest.HubOrg, FullName: "Acme Corporation", Role: "Owner", Groups: []string{"owners"}, Plan: "team"},
		}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("namespaces (-want +got):\n%s", diff)
		}
	})
	t.Run("pages of organisations", func(t *testing.T) {
		t.Parallel()
		h := registrytest.NewHub(t, registrytest.WithHubAccount("carol", "dckr_pat_carol", "org-a", "org-b", "org-c"))
		c := hub.New(hub.Options{BaseURL: h.URL, Username: "carol", Token: "dckr_pat_carol"})
		var names []string
		next := []int{}
		for page := 1; page != 0; {
			got, err := c.ListNamespaces(t.Context(), page, 2)
			wantErr(t, err, nil)
			if got.Personal != "carol" || got.Count != 3 {
				t.Fatalf("page %d: personal %q, count %d", page, got.Personal, got.Count)
			}
			for _, o := range got.Organizations {
				names = append(names, o.Name)
			}
			page = got.NextPage
			next = append(next, page)
		}
		if diff := cmp.Diff([]string{"org-a", "org-b", "org-c"}, names); diff != "" {
			t.Errorf("organisations (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]int{2, 0}, next); diff != "" {
			t.Errorf("next pages (-want +got):\n%s", diff)
		}
	})
	t.Run("anonymous", func(t *testing.T) {
		t.Parallel()
		h := registrytest.NewHub(t)
		_, err := newClient(h, false).ListNamespaces(t.Context(), 0, 0)
		wantErr(t, err, errdef.ErrUnauthorized)
		if needsAccountVars(err) != "DOCKERHUB_USERNAME and DOCKERHUB_TOKEN" || h.TotalRequests() != 0 {
			t.Errorf("error %q after %d requests; want advice and no request", err, h.TotalRequests())
		}
	})
}

// The profile endpoints (GET /v2/orgs/{name}/, GET /v2/users/{name}/) are in
// none of Docker's OpenAPI documents. Their shape here follows docker/hub-tool,
// Docker's own Go client (pkg/hub/organizations.go: orgname, full_name,
// location, company, date_joined, type; pkg/hub/user.go: the same with
// username), the "user" schema of latest.yaml (type "User" or "Org"), and the
// example of the older docker.io accounts API (GET /api/v1.1/users/janedoe/).
func TestGetNamespace(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		authenticated bool
		namespace     string
		fault         *registrytest.HubFault
		want          *hub.Namespace
		wantErr       error
		userLookups   int
	}{
		{name: "organisation", namespace: registrytest.HubOrg, want: &hub.Namespace{Name: registrytest.HubOrg, FullName: "Acme Corporation",
			Location: "Springfield", Company: "Acme", IsOrganization: true, DateJoined: "2018-06-01T12:00:00.000000Z",
			Badge: "verified_publisher", RepositoryCount: 1}},
		{name: "organisation seen by a member", authenticated: true, namespace: registrytest.HubOrg, want: &hub.Namespace{Name: registrytest.HubOrg,
			FullName: "Acme Corporation", Location: "Springfield", Company: "Acme", IsOrganization: true,
			DateJoined: "2018-06-01T12:00:00.000000Z", Badge: "verified_publisher", RepositoryCount: 4}},
		{name: "user", namespace: registrytest.HubUser, userLookups: 1, want: &hub.Namespace{Name: registrytest.HubUser, FullName: "Alice Liddell",
			Location: "Oxford", Company: "Wonderland Ltd", DateJoined: "2016-08-04T12:00:00.000000Z", RepositoryCount: 2}},
		{name: "official images", namespace: "library", want: &hub.Namespace{Name: "library", FullName: "Docker Official Images",
			Company: "Docker, Inc.", IsOrganization: true, DateJoined: "2015-06-01T12:00:00.000000Z", RepositoryCount: 3}},
		{name: "nobody", namespace: "nobody-here", userLookups: 1, wantErr: errdef.ErrNotFound},
		{name: "organisation profile refused", namespace: registrytest.HubOrg, userLookups: 1, wantErr: errdef.ErrDenied,
			fault: &registrytest.HubFault{Status: 403, Endpoint: "GET /v2/orgs/{name}"}},
		{name: "rate limited", namespace: registrytest.HubOrg, wantErr: errdef.ErrRateLimited,
			fault: &registrytest.HubFault{Status: 429, RetryAfter: "5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := registrytest.NewHub(t)
			if tt.fault != nil {
				h.FailNext(1, *tt.fault)
			}
			got, err := newClient(h, tt.authenticated).GetNamespace(t.Context(), tt.namespace)
			wantErr(t, err, tt.wantErr)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("namespace (-want +got):\n%s", diff)
			}
			if n := h.Requests("GET /v2/users/{name}"); n != tt.userLookups {
				t.Errorf("user profile requests = %d, want %d", n, tt.userLookups)
			}
		})
	}
}

func TestListHardenedImages(t *testing.T) {
	t.Parallel()
	t.Run("owner of the organisation", func(t *testing.T) {
		t.Parallel()
		h := registrytest.NewHub(t)
		got, err := newClient(h, true).ListHardenedImages(t.Context(), registrytest.HubOrg)
		wantErr(t, err, nil)
		want := &hub.HardenedImages{Organization: registrytest.HubOrg, Total: 2, CanMirrorMore: true, Images: []hub.HardenedImage{
			{Repository: "acme/dhi-python", Source: "dhi/python", DisplayName: "Python"},
			{Repository: "acme/dhi-node", Source: "dhi/node", DisplayName: "Node.js"},
		}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("hardened images (-want +got):\n%s", diff)
		}
	})
	tests := []struct {
		name          string
		authenticated bool
		org           string
		opts          func(*hub.Options)
		fault         *registrytest.HubFault
		want          error
		mention       string
	}{
		{name: "not an owner", authenticated: true, org: "bob", want: errdef.ErrDenied, mention: "owner"},
		{name: "no subscription", authenticated: true, org: registrytest.HubOrg, want: errdef.ErrDenied, mention: "subscription",
			fault: &registrytest.HubFault{Status: 200, Body: `{"data":null,"errors":[{"message":"payment required","extensions":{"status":402}}]}`}},
		{name: "anonymous", org: registrytest.HubOrg, want: errdef.ErrUnauthorized, mention: "needs a Docker Hub account"},
		{name: "Scout not configured for a custom API URL", authenticated: true, org: registrytest.HubOrg,
			opts: func(o *hub.Options) { o.ScoutURL = "" }, want: errdef.ErrUnsupported, mention: "not available"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := registrytest.NewHub(t)
			if tt.fault != nil {
				h.FailNext(1, *tt.fault)
			}
			var opts []func(*hub.Options)
			if tt.opts != nil {
				opts = append(opts, tt.opts)
			}
			_, err := newClient(h, tt.authenticated, opts...).ListHardenedImages(t.Context(), tt.org)
			wantErr(t, err, tt.want)
			if !strings.Contains(err.Error(), tt.mention) {
				t.Errorf("error %q does not mention %q", err, tt.mention)
			}
		})
	}
}
