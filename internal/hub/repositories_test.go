package hub_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
	"github.com/registry-mcp/registry-mcp/internal/hub"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
)

func TestGetRepository(t *testing.T) {
	t.Parallel()
	h := registrytest.NewHub(t)
	got, err := newClient(h, false).GetRepository(t.Context(), "library", "alpine")
	wantErr(t, err, nil)
	want := &hub.Repository{
		Namespace:      "library",
		Name:           "alpine",
		Description:    "A minimal Docker image based on Alpine Linux with a complete package index and only 5 MB in size!",
		StarCount:      11200,
		PullCount:      10_812_345_678,
		LastUpdated:    "2025-02-10T08:00:00.000000Z",
		DateRegistered: "2015-06-01T12:00:00.000000Z",
		Status:         "active",
		StatusCode:     1,
		Type:           "image",
		Categories:     []string{"Operating systems"},
		MediaTypes:     []string{"application/vnd.oci.image.index.v1+json"},
		ContentTypes:   []string{"image"},
		Permissions:    &hub.Permissions{Read: true},
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(hub.Repository{}, "StorageSize")); diff != "" {
		t.Errorf("GetRepository(library/alpine) mismatch (-want +got):\n%s", diff)
	}
	if got.StorageSize <= 0 {
		t.Errorf("StorageSize = %d, want the bytes of all images", got.StorageSize)
	}
}

func TestListRepositories(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		authenticated bool
		namespace     string
		params        hub.ListReposParams
		wantNames     []string
		wantCount     int
		wantNext      int
	}{
		{"first page", false, "library", hub.ListReposParams{PageSize: 2, Ordering: "name"}, []string{"alpine", "nginx"}, 3, 2},
		{"last page has no next", false, "library", hub.ListReposParams{Page: 2, PageSize: 2, Ordering: "name"}, []string{"postgres"}, 3, 0},
		{"reverse name order", false, "library", hub.ListReposParams{Ordering: "-name"}, []string{"postgres", "nginx", "alpine"}, 3, 0},
		{"most pulled first", false, "library", hub.ListReposParams{Ordering: "-pull_count"}, []string{"nginx", "alpine", "postgres"}, 3, 0},
		{"private ones hidden from anonymous callers", false, registrytest.HubOrg, hub.ListReposParams{Ordering: "name"}, []string{"api"}, 1, 0},
		{"private ones shown to members", true, registrytest.HubOrg, hub.ListReposParams{Ordering: "name"}, []string{"api", "dhi-node", "dhi-python", "internal"}, 4, 0},
		{"content type filter", false, "library", hub.ListReposParams{ContentTypes: "helm"}, []string{}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := registrytest.NewHub(t)
			page, err := newClient(h, tt.authenticated).ListRepositories(t.Context(), tt.namespace, tt.params)
			wantErr(t, err, nil)
			names := []string{}
			for _, r := range page.Results {
				names = append(names, r.Name)
			}
			if diff := cmp.Diff(tt.wantNames, names); diff != "" {
				t.Errorf("names (-want +got):\n%s", diff)
			}
			if page.Count != tt.wantCount || page.NextPage != tt.wantNext {
				t.Errorf("count %d, next page %d; want %d and %d", page.Count, page.NextPage, tt.wantCount, tt.wantNext)
			}
		})
	}
}

func TestListTags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		namespace string
		repo      string
		params    hub.ListTagsParams
		wantNames []string
		wantCount int
		wantNext  int
	}{
		{"first page", "library", "alpine", hub.ListTagsParams{PageSize: 2}, []string{"latest", "3.21"}, 4, 2},
		{"last page", "library", "alpine", hub.ListTagsParams{Page: 2, PageSize: 2}, []string{"3.20", "edge"}, 4, 0},
		{"architecture filter", "library", "alpine", hub.ListTagsParams{Architecture: "ppc64le", OS: "linux"}, []string{"edge"}, 1, 0},
		{"name filter", "library", "alpine", hub.ListTagsParams{Name: "3.2"}, []string{"3.21", "3.20"}, 2, 0},
		{"middle page of many", registrytest.HubOrg, "api", hub.ListTagsParams{Page: 2, PageSize: 10},
			[]string{"1.0.14", "1.0.13", "1.0.12", "1.0.11", "1.0.10", "1.0.9", "1.0.8", "1.0.7", "1.0.6", "1.0.5"}, 25, 3},
		{"end of many", registrytest.HubOrg, "api", hub.ListTagsParams{Page: 3, PageSize: 10},
			[]string{"1.0.4", "1.0.3", "1.0.2", "1.0.1", "1.0.0"}, 25, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := registrytest.NewHub(t)
			page, err := newClient(h, false).ListTags(t.Context(), tt.namespace, tt.repo, tt.params)
			wantErr(t, err, nil)
			var names []string
			for _, tag := range page.Results {
				names = append(names, tag.Name)
			}
			if diff := cmp.Diff(tt.wantNames, names); diff != "" {
				t.Errorf("tags (-want +got):\n%s", diff)
			}
			if page.Count != tt.wantCount || page.NextPage != tt.wantNext {
				t.Errorf("count %d, next page %d; want %d and %d", page.Count, page.NextPage, tt.wantCount, tt.wantNext)
			}
		})
	}
}

func TestGetTag(t *testing.T) {
	t.Parallel()
	h := registrytest.NewHub(t)
	c := newClient(h, false)
	tag, err := c.GetTag(t.Context(), "library", "nginx", "1.27-alpine")
	wantErr(t, err, nil)
	var platforms []string
	for _, im := range tag.Images {
		platforms = append(platforms, im.OS+"/"+im.Architecture+"/"+im.Variant)
		if !strings.HasPrefix(im.Digest, "sha256:") || im.Size <= 0 || im.LastPushed == "" {
			t.Errorf("image %+v lacks digest, size or push time", im)
		}
	}
	if diff := cmp.Diff([]string{"linux/amd64/", "linux/arm64/v8", "linux/arm/v7"}, platforms); diff != "" {
		t.Errorf("platforms (-want +got):\n%s", diff)
	}
	want := hub.Tag{
		Name: "1.27-alpine", MediaType: "application/vnd.oci.image.index.v1+json", ContentType: "image",
		LastUpdated: "2025-02-09T08:00:00.000000Z", LastUpdater: "library", LastPushed: "2025-02-09T08:00:00.000000Z",
		LastPulled: "2025-02-11T08:00:00.000000Z", TagStatus: "active",
	}
	if diff := cmp.Diff(want, *tag, cmpopts.IgnoreFields(hub.Tag{}, "Digest", "FullSize", "Images")); diff != "" {
		t.Errorf("tag (-want +got):\n%s", diff)
	}

	_, err = c.GetTag(t.Context(), "library", "nginx", "0.0.1")
	wantErr(t, err, errdef.ErrNotFound)
}

// TestToleratesDocumentedAndLiveShapes feeds answers the emulator would not
// give: nulls where Docker Hub sends them, "images" as the single object the
// API document describes, the repository type as the number an older API
// used, and enum values no document lists.
func TestToleratesDocumentedAndLiveShapes(t *testing.T) {
	t.Parallel()
	h := registrytest.NewHub(t)
	c := newClient(h, false)
	h.FailNext(1, registrytest.HubFault{Status: 200, Body: `{"name":"x","tag_status":"retired","v2":true,"digest":null,` +
		`"images":{"architecture":"riscv64","os":"linux","variant":null,"size":7,"status":"quarantined"},"new_field":{"a":1}}`})
	tag, err := c.GetTag(t.Context(), "library", "alpine", "x")
	wantErr(t, err, nil)
	want := hub.Tag{Name: "x", TagStatus: "retired", Images: []hub.Image{{OS: "linux", Architecture: "riscv64", Size: 7, Status: "quarantined"}}}
	if diff := cmp.Diff(want, *tag); diff != "" {
		t.Errorf("tag (-want +got):\n%s", diff)
	}

	h.FailNext(1, registrytest.HubFault{Status: 200, Body: `{"name":"x","namespace":"n","repository_type":0,"status":5,` +
		`"status_description":"plan_exceeded","description":null,"last_updated":null,"categories":null,"storage_size":null}`})
	repo, err := c.GetRepository(t.Context(), "n", "x")
	wantErr(t, err, nil)
	wantRepo := hub.Repository{Namespace: "n", Name: "x", Type: "0", Status: "plan_exceeded", StatusCode: 5, Categories: []string{}}
	if diff := cmp.Diff(wantRepo, *repo); diff != "" {
		t.Errorf("repository (-want +got):\n%s", diff)
	}
}

func TestPathEscaping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		call    func(*hub.Client) error
		wantURI string
	}{
		{"repository climbing out", func(c *hub.Client) error {
			_, err := c.GetRepository(t.Context(), "library", "../../v2/user/orgs")
			return err
		}, "/v2/namespaces/library/repositories/..%2F..%2Fv2%2Fuser%2Forgs"},
		{"namespace with a slash", func(c *hub.Client) error {
			_, err := c.ListRepositories(t.Context(), "acme/../library", hub.ListReposParams{})
			return err
		}, "/v2/namespaces/acme%2F..%2Flibrary/repositories"},
		{"tag with a query and a fragment", func(c *hub.Client) error {
			_, err := c.GetTag(t.Context(), "library", "alpine", "latest?page=2#top")
			return err
		}, "/v2/namespaces/library/repositories/alpine/tags/latest%3Fpage=2%23top"},
		{"profile with a space and a percent", func(c *hub.Client) error {
			_, err := c.GetNamespace(t.Context(), "a b%2F")
			return err
		}, "/v2/orgs/a%20b%252F/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := registrytest.NewHub(t)
			err := tt.call(newClient(h, true))
			wantErr(t, err, errdef.ErrNotFound)
			uris := h.RequestURIs()
			if !slices.Contains(uris, tt.wantURI) {
				t.Errorf("request URIs %q do not include %q", uris, tt.wantURI)
			}
			if n := h.Requests("GET /v2/user/orgs"); n != 0 {
				t.Errorf("the escaped name reached another endpoint")
			}
		})
	}
}

func TestCreateRepository(t *testing.T) {
	t.Parallel()
	h := registrytest.NewHub(t)
	c := newClient(h, true)
	created, err := c.CreateRepository(t.Context(), registrytest.HubUser, hub.CreateRepoParams{
		Name: "new-app", Description: "A new app", FullDescription: "# New app", IsPrivate: true,
	})
	wantErr(t, err, nil)
	got, err := c.GetRepository(t.Context(), registrytest.HubUser, "new-app")
	wantErr(t, err, nil)
	if diff := cmp.Diff(created, got); diff != "" {
		t.Errorf("read back differs from created (-created +read):\n%s", diff)
	}
	if got.Description != "A new app" || got.FullDescription != "# New app" || !got.IsPrivate || got.Status != "active" {
		t.Errorf("created repository = %+v", got)
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(h.RequestBodies(postEndpoint)[0]), &body); err != nil {
		t.Fatal(err)
	}
	wantBody := map[string]any{"namespace": registrytest.HubUser, "name": "new-app", "description": "A new app",
		"full_description": "# New app", "is_private": true, "registry": "docker.io"}
	if diff := cmp.Diff(wantBody, body); diff != "" {
		t.Errorf("request body (-want +got):\n%s", diff)
	}

	_, err = c.CreateRepository(t.Context(), registrytest.HubUser, hub.CreateRepoParams{Name: "new-app"})
	wantErr(t, err, errdef.ErrInvalidInput)
	if !strings.Contains(err.Error(), "already exists") {
		t.Errorf("duplicate refused without Docker Hub's reason: %v", err)
	}
	_, err = c.CreateRepository(t.Context(), "bob", hub.CreateRepoParams{Name: "intrusion"})
	wantErr(t, err, errdef.ErrDenied)

	before := h.TotalRequests()
	_, err = newClient(h, false).CreateRepository(t.Context(), registrytest.HubUser, hub.CreateRepoParams{Name: "anon"})
	wantErr(t, err, errdef.ErrUnauthorized)
	if needsAccountVars(err) != "DOCKERHUB_USERNAME and DOCKERHUB_TOKEN" || h.TotalRequests() != before {
		t.Errorf("anonymous create: %v after %d requests", err, h.TotalRequests()-before)
	}
}

func TestUpdateRepository(t *testing.T) {
	t.Parallel()
	str := func(s string) *string { return &s }
	h := registrytest.NewHub(t)
	c := newClient(h, true)
	steps := []struct {
		name       string
		params     hub.UpdateRepoParams
		wantBody   string
		wantStatus string
		wantDesc   string
	}{
		{"deactivate", hub.UpdateRepoParams{Active: ptrTo(false)}, `{"status":0}`, "inactive", "Alice's web application"},
		{"description only keeps the status", hub.UpdateRepoParams{Description: str("Now with more web")}, `{"description":"Now with more web"}`, "inactive", "Now with more web"},
		{"reactivate", hub.UpdateRepoParams{Active: ptrTo(true)}, `{"status":1}`, "active", "Now with more web"},
		{"overview only", hub.UpdateRepoParams{FullDescription: str("# Web app")}, `{"full_description":"# Web app"}`, "active", "Now with more web"},
		{"clear the description", hub.UpdateRepoParams{Description: str("")}, `{"description":""}`, "active", ""},
	}
	for i, s := range steps {
		updated, err := c.UpdateRepository(t.Context(), registrytest.HubUser, "webapp", s.params)
		wantErr(t, err, nil)
		bodies := h.RequestBodies(patchEndpoint)
		if len(bodies) != i+1 || bodies[i] != s.wantBody {
			t.Fatalf("%s: request body %q, want %q", s.name, bodies[len(bodies)-1], s.wantBody)
		}
		got, err := c.GetRepository(t.Context(), registrytest.HubUser, "webapp")
		wantErr(t, err, nil)
		if got.Status != s.wantStatus || got.Description != s.wantDesc || updated.Status != s.wantStatus {
			t.Errorf("%s: status %q (answer %q), description %q; want %q and %q", s.name, got.Status, updated.Status, got.Description, s.wantStatus, s.wantDesc)
		}
	}

	_, err := c.UpdateRepository(t.Context(), "bob", "tools", hub.UpdateRepoParams{Description: str("mine now")})
	wantErr(t, err, errdef.ErrDenied)
	_, err = c.UpdateRepository(t.Context(), registrytest.HubUser, "missing", hub.UpdateRepoParams{Description: str("x")})
	wantErr(t, err, errdef.ErrNotFound)
}

func ptrTo[T any](v T) *T { return &v }
