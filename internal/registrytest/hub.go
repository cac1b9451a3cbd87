package registrytest

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The account every Hub emulator knows, a member (owner) of HubOrg.
const (
	HubUser  = "alice"
	HubToken = "dckr_pat_emulator-alice-0123456789abcdef" //nolint:gosec // the emulator's own fake credential
	HubOrg   = "acme"
)

// Hub is an in-memory Docker Hub API: search, repositories, tags, accounts,
// organisations, the access-token exchange, and the Docker Scout query that
// lists hardened-image mirrors. Unless WithoutHubContractCheck is given, every
// request it receives and every answer it gives on an endpoint described by
// Docker's API documents (apidocs/hub-api, embedded) is checked against them, and a
// mismatch fails the test.
type Hub struct {
	// URL is the API base URL, as DOCKERHUB_API_URL would hold it.
	URL string
	// ScoutURL is the emulated Docker Scout GraphQL endpoint (hub.Options.ScoutURL).
	ScoutURL string

	t        testing.TB
	mux      *http.ServeMux
	contract *hubContract
	key      []byte // signs the emulator's JWTs
	ttl      time.Duration

	mu         sync.Mutex
	accounts   map[string]*hubAccount // by username
	profiles   map[string]*hubProfile // by namespace
	repos      map[string]*hubRepo    // by "namespace/name"
	search     []hubSearchEntry
	mirrors    []hubMirror
	requests   map[string]int
	uris       []string
	bodies     map[string][]string
	exchanges  int
	generation int // tokens from older generations are revoked
	fault      HubFault
	faultsLeft int
	remaining  int
}

// HubOption configures NewHub.
type HubOption func(*Hub)

// WithHubAccount adds an account that can exchange token for an access token
// and belongs to orgs (which are created if the emulator does not know them).
func WithHubAccount(username, token string, orgs ...string) HubOption {
	return func(h *Hub) {
		h.accounts[username] = &hubAccount{username: username, token: token, orgs: orgs}
		if h.profiles[username] == nil {
			h.addProfile(&hubProfile{name: username, fullName: username, joined: hubSeedTime})
		}
		for _, o := range orgs {
			if h.profiles[o] == nil {
				h.addProfile(&hubProfile{name: o, fullName: o, org: true, joined: hubSeedTime})
			}
		}
	}
}

// WithHubTokenTTL sets the lifetime of issued access tokens (default ten
// minutes, as on Docker Hub).
func WithHubTokenTTL(d time.Duration) HubOption {
	return func(h *Hub) { h.ttl = d }
}

// WithoutHubContractCheck turns off the check against Docker's API documents,
// for tests that send deliberately malformed requests.
func WithoutHubContractCheck() HubOption {
	return func(h *Hub) { h.contract = nil }
}

// NewHub starts a seeded emulator that stops when the test ends. It knows:
//
//   - library/alpine, library/nginx and library/postgres, with multi-platform
//     tags (linux/amd64, arm64/v8, arm/v7, ppc64le);
//   - the user HubUser (account HubToken) with alice/webapp, the private
//     alice/secret-app and the tagless, inactive alice/old-tool;
//   - the user bob (no account) with bob/tools;
//   - the organisation HubOrg (owned by HubUser) with acme/api (25 tags, for
//     paging) and the private acme/internal, acme/dhi-python and
//     acme/dhi-node, the last two mirrored from the hardened-image catalog;
//   - a search index with official images ("1B+" pulls), verified-publisher
//     and open-source ones, a community repository, and dhi/nginx of type
//     "dhi" with badge "hardened".
func NewHub(t testing.TB, opts ...HubOption) *Hub {
	t.Helper()
	contract, err := loadHubContract()
	if err != nil {
		t.Fatalf("hub emulator: %v", err)
	}
	h := &Hub{
		t:         t,
		mux:       http.NewServeMux(),
		contract:  contract,
		key:       make([]byte, 32),
		ttl:       10 * time.Minute,
		accounts:  map[string]*hubAccount{},
		profiles:  map[string]*hubProfile{},
		repos:     map[string]*hubRepo{},
		requests:  map[string]int{},
		bodies:    map[string][]string{},
		remaining: hubRateLimit,
	}
	_, _ = rand.Read(h.key)
	h.seed()
	for _, o := range opts {
		o(h)
	}
	h.routes()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	h.URL = srv.URL
	h.ScoutURL = srv.URL + "/v1/graphql"
	return h
}

func (h *Hub) routes() {
	m := h.mux
	m.HandleFunc("POST /v2/auth/token", h.handleToken)
	m.HandleFunc("GET /api/search/v4", h.handleSearch)
	m.HandleFunc("GET /v2/namespaces/{namespace}/repositories", h.handleListRepos)
	m.HandleFunc("POST /v2/namespaces/{namespace}/repositories", h.handleCreateRepo)
	m.HandleFunc("GET /v2/namespaces/{namespace}/repositories/{repository}", h.handleGetRepo)
	m.HandleFunc("PATCH /v2/namespaces/{namespace}/repositories/{repository}", h.handleUpdateRepo)
	m.HandleFunc("GET /v2/namespaces/{namespace}/repositories/{repository}/tags", h.handleListTags)
	m.HandleFunc("GET /v2/namespaces/{namespace}/repositories/{repository}/tags/{tag}", h.handleGetTag)
	// Docker Hub answers these with and without the trailing slash.
	for _, suffix := range []string{"", "/{$}"} {
		m.HandleFunc("GET /v2/user/orgs"+suffix, h.handleUserOrgs)
		m.HandleFunc("GET /v2/orgs/{name}"+suffix, h.handleOrgProfile)
		m.HandleFunc("GET /v2/users/{name}"+suffix, h.handleUserProfile)
	}
	m.HandleFunc("POST /v1/graphql", h.handleScout)
}

// HubFault replaces the emulator's answer to upcoming requests: an error
// status, or a 200 with an unusual body.
type HubFault struct {
	Status      int    // HTTP status
	RetryAfter  string // Retry-After header, if any
	Body        string // default: a JSON error document
	ContentType string // default: application/json
	// Endpoint limits the fault to one endpoint, written as Requests takes it.
	// Empty means any endpoint except the token exchange.
	Endpoint string
}

// FailNext makes the next n matching requests answer with f. Faulty answers
// are not checked against Docker's documents.
func (h *Hub) FailNext(n int, f HubFault) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.fault, h.faultsLeft = f, n
}

// Requests counts the requests an endpoint received, the endpoint written as
// its method and path pattern: "GET /v2/namespaces/{namespace}/repositories".
// The pattern "" counts requests that matched no endpoint.
func (h *Hub) Requests(endpoint string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.requests[endpoint]
}

// TotalRequests counts all requests received.
func (h *Hub) TotalRequests() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.uris)
}

// RequestURIs lists the request URIs received, as sent (still escaped).
func (h *Hub) RequestURIs() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.uris...)
}

// RequestBodies lists the bodies an endpoint received, in order.
func (h *Hub) RequestBodies(endpoint string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.bodies[endpoint]...)
}

// TokenExchanges counts the requests to POST /v2/auth/token.
func (h *Hub) TokenExchanges() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.exchanges
}

// RevokeTokens invalidates every access token issued so far, so that the next
// authenticated request answers 401.
func (h *Hub) RevokeTokens() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.generation++
}

// hubRateLimit is the per-minute request quota the emulator reports.
const hubRateLimit = 180

// ServeHTTP counts the request, applies a pending fault, and otherwise serves
// it through the mux, checking the exchange against Docker's documents.
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	r.Body.Close()
	_, pattern := h.mux.Handler(r)
	endpoint := strings.TrimSuffix(strings.TrimSuffix(pattern, "{$}"), "/")

	h.mu.Lock()
	h.requests[endpoint]++
	h.uris = append(h.uris, r.RequestURI)
	if len(body) > 0 {
		h.bodies[endpoint] = append(h.bodies[endpoint], string(body))
	}
	if endpoint == "POST /v2/auth/token" {
		h.exchanges++
	}
	fault, faulty := h.takeFault(endpoint)
	if h.remaining > 0 {
		h.remaining--
	}
	remaining := h.remaining
	h.mu.Unlock()

	w.Header().Set("X-RateLimit-Limit", strconv.Itoa(hubRateLimit))
	w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(time.Minute).Unix(), 10))
	r.Body = io.NopCloser(bytes.NewReader(body))
	if faulty {
		// The request is still the client's to get right; the answer is
		// deliberately off-script and is not checked.
		h.checkContract(r, body, nil)
		hubWriteFault(w, fault)
		return
	}
	if h.contract == nil {
		h.mux.ServeHTTP(w, r)
		return
	}
	serveChecked(w, r, h.mux, func(ans *hubAnswer) { h.checkContract(r, body, ans) })
}

// serveChecked runs h on r, shows its answer to check (the emulators hold
// their answers to the service's API document), then passes it on to w.
func serveChecked(w http.ResponseWriter, r *http.Request, h http.Handler, check func(*hubAnswer)) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	check(&hubAnswer{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()})
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// checkContract reports an exchange that departs from Docker's documents.
func (h *Hub) checkContract(r *http.Request, body []byte, ans *hubAnswer) {
	if h.contract == nil {
		return
	}
	if err := h.contract.check(r, body, ans); err != nil {
		h.t.Errorf("hub emulator: %s %s does not match Docker's API documents: %v", r.Method, r.RequestURI, err)
	}
}

// takeFault returns the pending fault for endpoint, if any. Callers hold h.mu.
func (h *Hub) takeFault(endpoint string) (HubFault, bool) {
	f := h.fault
	if h.faultsLeft <= 0 {
		return f, false
	}
	if f.Endpoint != "" && f.Endpoint != endpoint || f.Endpoint == "" && endpoint == "POST /v2/auth/token" {
		return f, false
	}
	h.faultsLeft--
	return f, true
}

func hubWriteFault(w http.ResponseWriter, f HubFault) {
	body, ct := f.Body, f.ContentType
	if body == "" {
		body = `{"message":"` + http.StatusText(f.Status) + `","errinfo":{}}`
	}
	if ct == "" {
		ct = "application/json"
	}
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	if f.Status == http.StatusTooManyRequests {
		w.Header().Set("X-RateLimit-Remaining", "0")
	}
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(f.Status)
	_, _ = io.WriteString(w, body)
}

// hubWriteJSON answers with v as JSON.
func hubWriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// hubWriteError answers with Docker Hub's error document.
func hubWriteError(w http.ResponseWriter, status int, message string) {
	hubWriteJSON(w, status, map[string]any{"message": message, "errinfo": map[string]any{}})
}
