package registrytest

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// hubDo sends one request to the emulator and returns the status and body.
func hubDo(t *testing.T, h *Hub, method, path, token, body string) (int, http.Header, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, h.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

// hubLogin exchanges the default account's access token.
func hubLogin(t *testing.T, h *Hub) string {
	t.Helper()
	status, _, body := hubDo(t, h, "POST", "/v2/auth/token", "", `{"identifier":"`+HubUser+`","secret":"`+HubToken+`"}`)
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if status != http.StatusOK || json.Unmarshal(body, &out) != nil || strings.Count(out.AccessToken, ".") != 2 {
		t.Fatalf("token exchange: HTTP %d %s", status, body)
	}
	return out.AccessToken
}

// TestHubEndpoints drives every endpoint, successes and failures; the
// emulator's own contract check fails the test on any exchange that departs
// from Docker's documents.
func TestHubEndpoints(t *testing.T) {
	t.Parallel()
	h := NewHub(t)
	token := hubLogin(t, h)
	tests := []struct {
		name, method, path string
		auth               bool
		body               string
		want               int
	}{
		{"search", "GET", "/api/search/v4?query=nginx&size=5", false, "", 200},
		{"search official by pulls", "GET", "/api/search/v4?query=nginx&badges=official&sort=pull_count&order=desc", false, "", 200},
		{"list repositories", "GET", "/v2/namespaces/library/repositories?page_size=2", false, "", 200},
		{"list repositories page 2", "GET", "/v2/namespaces/library/repositories?page=2&page_size=2&ordering=name", false, "", 200},
		{"list repositories past the end", "GET", "/v2/namespaces/library/repositories?page=9", false, "", 404},
		{"list private repositories", "GET", "/v2/namespaces/acme/repositories", true, "", 200},
		{"unknown path", "GET", "/v2/namespaces/library/alpine", false, "", 404},
		{"get repository info", "GET", "/v2/namespaces/library/repositories/alpine", false, "", 200},
		{"get private repository anonymously", "GET", "/v2/namespaces/alice/repositories/secret-app", false, "", 404},
		{"get private repository", "GET", "/v2/namespaces/alice/repositories/secret-app", true, "", 200},
		{"list tags", "GET", "/v2/namespaces/library/repositories/alpine/tags?page_size=2", false, "", 200},
		{"list tags by platform", "GET", "/v2/namespaces/library/repositories/alpine/tags?architecture=hubPPC64LE&os=linux", false, "", 200},
		{"get tag", "GET", "/v2/namespaces/library/repositories/nginx/tags/1.27", false, "", 200},
		{"get missing tag", "GET", "/v2/namespaces/library/repositories/nginx/tags/0.1", false, "", 404},
		{"create repository", "POST", "/v2/namespaces/alice/repositories", true, `{"namespace":"alice","name":"fresh","description":"new","is_private":true}`, 201},
		{"create repository anonymously", "POST", "/v2/namespaces/alice/repositories", false, `{"namespace":"alice","name":"fresh2"}`, 401},
		{"create repository elsewhere", "POST", "/v2/namespaces/bob/repositories", true, `{"namespace":"bob","name":"fresh"}`, 403},
		{"update repository", "PATCH", "/v2/namespaces/alice/repositories/webapp", true, `{"description":"changed","status":0}`, 200},
		{"update missing repository", "PATCH", "/v2/namespaces/alice/repositories/nope", true, `{"description":"x"}`, 404},
		{"user orgs", "GET", "/v2/user/orgs?page=1&page_size=10", true, "", 200},
		{"user orgs anonymously", "GET", "/v2/user/orgs", false, "", 401},
		{"org profile", "GET", "/v2/orgs/acme/", false, "", 200},
		{"user profile", "GET", "/v2/users/alice/", false, "", 200},
		{"user profile of an org", "GET", "/v2/users/acme/", false, "", 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := ""
			if tt.auth {
				tok = token
			}
			status, _, body := hubDo(t, h, tt.method, tt.path, tok, tt.body)
			if status != tt.want {
				t.Errorf("HTTP %d, want %d: %s", status, tt.want, body)
			}
		})
	}
}

// TestHubContractCatchesDrift shows that the check rejects what the documents
// do not allow, so that a passing emulator means something.
func TestHubContractCatchesDrift(t *testing.T) {
	t.Parallel()
	c, err := loadHubContract()
	if err != nil {
		t.Fatal(err)
	}
	repoList := `{"count":1,"next":null,"previous":null,"results":[{"name":"a","namespace":"n","repository_type":"image","status":1,` +
		`"status_description":"active","description":"d","is_private":false,"star_count":1,"pull_count":%s,"last_updated":"2025-01-01T00:00:00Z",` +
		`"date_registered":"2025-01-01T00:00:00Z","affiliation":"","media_types":[],"content_types":[],"categories":[],"storage_size":1}]}`
	tagWith := func(images string) string { return `{"name":"latest","full_size":1,"images":` + images + `}` }
	searchWith := func(typ string) string {
		return `{"total":1,"results":[{"name":"x","type":"` + typ + `","pull_count":"1B+","star_count":1}]}`
	}
	tests := []struct {
		name, method, target, reqBody string
		status                        int
		respBody                      string
		wantErr                       string // "" when the exchange conforms
	}{
		{"repository list", "GET", "/v2/namespaces/n/repositories?page_size=10", "", 200, strings.Replace(repoList, "%s", "5", 1), ""},
		{"pull count as text", "GET", "/v2/namespaces/n/repositories", "", 200, strings.Replace(repoList, "%s", `"1B+"`, 1), "pull_count"},
		{"page size over 100", "GET", "/v2/namespaces/n/repositories?page_size=1000", "", 200, strings.Replace(repoList, "%s", "5", 1), "page_size"},
		{"search without query", "GET", "/api/search/v4", "", 200, searchWith("image"), "query"},
		{"search type dhi", "GET", "/api/search/v4?query=x", "", 200, searchWith("dhi"), ""},
		{"search type unknown to the documents", "GET", "/api/search/v4?query=x", "", 200, searchWith("teapot"), "type"},
		{"tag images as a list", "GET", "/v2/namespaces/n/repositories/r/tags/latest", "", 200, tagWith(`[{"architecture":"amd64","os":"linux","size":1}]`), ""},
		{"tag images as one object", "GET", "/v2/namespaces/n/repositories/r/tags/latest", "", 200, tagWith(`{"architecture":"amd64"}`), "images"},
		{"create without namespace", "POST", "/v2/namespaces/n/repositories", `{"name":"ok-name"}`, 400, `{"message":"x"}`, "namespace"},
		{"create with a bad name", "POST", "/v2/namespaces/n/repositories", `{"name":"Bad Name","namespace":"n"}`, 400, `{"message":"x"}`, "name"},
		{"update status as a number", "PATCH", "/v2/namespaces/n/repositories/r", `{"status":0}`, 404, `{"message":"x"}`, ""},
		{"update status as a word", "PATCH", "/v2/namespaces/n/repositories/r", `{"status":"inactive"}`, 404, `{"message":"x"}`, "status"},
		{"token exchange without secret", "POST", "/v2/auth/token", `{"identifier":"a"}`, 401, `{"detail":"x"}`, "secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest(tt.method, "http://127.0.0.1"+tt.target, strings.NewReader(tt.reqBody))
			req.Header.Set("Content-Type", "application/json")
			ans := &hubAnswer{status: tt.status, header: http.Header{"Content-Type": {"application/json"}}, body: []byte(tt.respBody)}
			err := c.check(req, []byte(tt.reqBody), ans)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("conforming exchange rejected: %v", err)
			case tt.wantErr != "" && err == nil:
				t.Errorf("exchange accepted; want an error about %q", tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Errorf("error does not mention %q: %v", tt.wantErr, err)
			}
		})
	}
}

// TestHubContractCoverage pins which endpoints the documents describe, so
// that an endpoint cannot silently fall out of the check.
func TestHubContractCoverage(t *testing.T) {
	t.Parallel()
	c, err := loadHubContract()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		method, target string
		documented     bool
	}{
		{"POST", "/v2/auth/token", true},
		{"GET", "/api/search/v4?query=x", true},
		{"GET", "/v2/namespaces/n/repositories", true},
		{"POST", "/v2/namespaces/n/repositories", true},
		{"GET", "/v2/namespaces/n/repositories/r", true},
		{"PATCH", "/v2/namespaces/n/repositories/r", true},
		{"GET", "/v2/namespaces/n/repositories/r/tags", true},
		{"GET", "/v2/namespaces/n/repositories/r/tags/t", true},
		{"GET", "/v2/user/orgs", true},
		{"GET", "/v2/orgs/acme/", false},
		{"GET", "/v2/users/alice/", false},
		{"POST", "/v1/graphql", false},
	}
	for _, tt := range tests {
		route, _, _ := c.find(httptest.NewRequest(tt.method, "http://127.0.0.1"+tt.target, nil))
		if got := route != nil; got != tt.documented {
			t.Errorf("%s %s: documented = %v, want %v", tt.method, tt.target, got, tt.documented)
		}
	}
}

// TestAPIDocsEmbedded shows the contract documents travel with the
// repository: the checks load from the embedded copies, whatever the
// working directory.
func TestAPIDocsEmbedded(t *testing.T) {
	t.Chdir(t.TempDir())
	if _, err := loadHubContract(); err != nil {
		t.Fatalf("loading the Hub contract outside the checkout: %v", err)
	}
}

func TestHubTokens(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		opts   []HubOption
		token  func(t *testing.T, h *Hub) string
		revoke bool
		want   int
	}{
		{"valid", nil, hubLogin, false, 200},
		{"expired", []HubOption{WithHubTokenTTL(-time.Minute)}, hubLogin, false, 401},
		{"revoked", nil, hubLogin, true, 401},
		{"forged", nil, func(t *testing.T, h *Hub) string {
			parts := strings.Split(hubLogin(t, h), ".")
			return parts[0] + "." + hubB64([]byte(`{"https://hub.docker.com":{"username":"alice"},"exp":9999999999}`)) + "." + parts[2]
		}, false, 401},
		{"not a JWT", nil, func(*testing.T, *Hub) string { return "opaque" }, false, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := NewHub(t, tt.opts...)
			token := tt.token(t, h)
			if tt.revoke {
				h.RevokeTokens()
			}
			status, _, body := hubDo(t, h, "GET", "/v2/namespaces/library/repositories/alpine", token, "")
			if status != tt.want {
				t.Errorf("HTTP %d, want %d: %s", status, tt.want, body)
			}
		})
	}
	t.Run("claims", func(t *testing.T) {
		t.Parallel()
		h := NewHub(t, WithHubTokenTTL(90*time.Second))
		payload, err := base64.RawURLEncoding.DecodeString(strings.Split(hubLogin(t, h), ".")[1])
		if err != nil {
			t.Fatal(err)
		}
		var c hubClaims
		if err := json.Unmarshal(payload, &c); err != nil {
			t.Fatal(err)
		}
		if c.Hub.Username != HubUser || c.Exp-float64(c.Iat) != 90 {
			t.Errorf("claims %+v: want username %s and a 90 s lifetime", c, HubUser)
		}
		status, _, _ := hubDo(t, h, "POST", "/v2/auth/token", "", `{"identifier":"`+HubUser+`","secret":"wrong"}`)
		if status != 401 || h.TokenExchanges() != 2 {
			t.Errorf("wrong secret: HTTP %d after %d exchanges; want 401 after 2", status, h.TokenExchanges())
		}
	})
}

func TestHubFaults(t *testing.T) {
	t.Parallel()
	h := NewHub(t)
	h.FailNext(2, HubFault{Status: 429, RetryAfter: "7", Endpoint: "GET /v2/namespaces/{namespace}/repositories/{repository}/tags"})
	token := hubLogin(t, h) // the exchange is never faulted unless named
	var got []int
	for _, path := range []string{
		"/v2/namespaces/library/repositories/alpine",
		"/v2/namespaces/library/repositories/alpine/tags",
		"/v2/namespaces/library/repositories/alpine/tags",
		"/v2/namespaces/library/repositories/alpine/tags",
	} {
		status, header, _ := hubDo(t, h, "GET", path, token, "")
		got = append(got, status)
		if status == 429 && header.Get("Retry-After") != "7" {
			t.Errorf("429 without its Retry-After: %v", header)
		}
	}
	if diff := cmp.Diff([]int{200, 429, 429, 200}, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if n := h.Requests("GET /v2/namespaces/{namespace}/repositories/{repository}/tags"); n != 3 {
		t.Errorf("tag list requests = %d, want 3", n)
	}
	if n := h.TotalRequests(); n != 5 {
		t.Errorf("total requests = %d, want 5", n)
	}
}

func TestHubPaginationLinks(t *testing.T) {
	t.Parallel()
	h := NewHub(t)
	var pages []string
	next := h.URL + "/v2/namespaces/acme/repositories/api/tags?page_size=10&name=1.0"
	for next != "" {
		status, _, body := hubDo(t, h, "GET", strings.TrimPrefix(next, h.URL), "", "")
		var page struct {
			Count   int     `json:"count"`
			Next    *string `json:"next"`
			Results []any   `json:"results"`
		}
		if status != 200 || json.Unmarshal(body, &page) != nil {
			t.Fatalf("HTTP %d: %s", status, body)
		}
		pages = append(pages, strings.TrimPrefix(next, h.URL))
		next = ""
		if page.Next != nil {
			next = *page.Next
		}
	}
	want := []string{
		"/v2/namespaces/acme/repositories/api/tags?page_size=10&name=1.0",
		"/v2/namespaces/acme/repositories/api/tags?name=1.0&page=2&page_size=10",
		"/v2/namespaces/acme/repositories/api/tags?name=1.0&page=3&page_size=10",
	}
	if diff := cmp.Diff(want, pages); diff != "" {
		t.Errorf("pages followed (-want +got):\n%s", diff)
	}
}

func TestHubScout(t *testing.T) {
	t.Parallel()
	h := NewHub(t)
	token := hubLogin(t, h)
	query := func(org string) string {
		return `{"query":"query ($context: Context!) { dhiListMirroredRepositories(context: $context) { totalCount } }",` +
			`"variables":{"context":{"organization":"` + org + `"}}}`
	}
	tests := []struct {
		name, token, body string
		want              int
		contains          string
	}{
		{"owner", token, query(HubOrg), 200, `"totalCount":2`},
		{"not an owner", token, query("bob"), 200, `"FORBIDDEN"`},
		{"anonymous", "", query(HubOrg), 401, "not provided"},
		{"another query", token, `{"query":"{ user { id } }"}`, 400, "unsupported query"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, body := hubDo(t, h, "POST", strings.TrimPrefix(h.ScoutURL, h.URL), tt.token, tt.body)
			if status != tt.want || !strings.Contains(string(body), tt.contains) {
				t.Errorf("HTTP %d %s; want %d containing %s", status, body, tt.want, tt.contains)
			}
		})
	}
}
