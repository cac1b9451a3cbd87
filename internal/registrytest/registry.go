// Package registrytest is the test kit, never linked into the serving
// binary: a real registry run in-process for tests and benchmarks — olareg
// (a complete OCI distribution registry, in memory) behind a thin front that
// adds what a test needs to observe or provoke: token authentication like
// Docker Hub's, exact request counts, injected latency, and the
// /v2/_catalog API that olareg lacks — seeded with internal/demo's sample
// images; the Docker Hub emulator and its contract check; MCP client
// helpers; and a Redis launcher. The -demo mode's registry is internal/demo.
package registrytest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/olareg/olareg"
	"github.com/olareg/olareg/config"

	"github.com/registry-mcp/registry-mcp/internal/demo"
)

// Options configure a Registry.
type Options struct {
	// TokenAuth makes the registry demand bearer tokens from its own /token
	// endpoint, as Docker Hub, GHCR and Quay do.
	TokenAuth bool
	// Users, when set with TokenAuth, are the only basic credentials /token
	// accepts; otherwise anonymous tokens are issued.
	Users map[string]string
	// Latency is added to every request, to imitate a distant registry.
	Latency time.Duration
	// Addr to listen on; default 127.0.0.1:0.
	Addr string
	// NoReferrersAPI answers 404 to /v2/<repo>/referrers/<digest>, as
	// registries without the OCI 1.1 referrers API do (GHCR, registry:2).
	// Pushes then keep the referrers tag schema (sha256-<hex>) instead.
	NoReferrersAPI bool
}

// Registry is a running in-process registry.
type Registry struct {
	// Host is host:port, as used in image references.
	Host string
	// URL is the base URL, http://host:port.
	URL string

	opts    Options
	backend *olareg.Server
	srv     *http.Server
	ln      net.Listener

	authOn atomic.Bool
	mu     sync.Mutex
	counts map[string]int
	tokens map[string]string // token → repository scope it grants ("*" for all)
	repos  map[string]bool
}

// Start starts a registry; Close stops it.
func Start(opts Options) (*Registry, error) {
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	r := &Registry{
		Host: ln.Addr().String(), URL: "http://" + ln.Addr().String(), opts: opts, ln: ln,
		counts: map[string]int{}, tokens: map[string]string{}, repos: map[string]bool{},
		backend: olareg.New(config.Config{Storage: config.ConfigStorage{StoreType: config.StoreMem}}),
	}
	r.srv = &http.Server{Handler: r, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = r.srv.Serve(ln) }()
	return r, nil
}

// Close stops the registry.
func (r *Registry) Close() {
	_ = r.srv.Close()
	_ = r.backend.Close()
}

// EnableAuth turns token authentication on (fixtures are pushed before it).
func (r *Registry) EnableAuth() { r.authOn.Store(r.opts.TokenAuth) }

// ServeHTTP counts, delays, authenticates and forwards a request.
func (r *Registry) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.count(req)
	if r.opts.Latency > 0 {
		time.Sleep(r.opts.Latency)
	}
	switch {
	case req.URL.Path == "/token":
		r.serveToken(w, req)
		return
	case r.opts.NoReferrersAPI && strings.Contains(req.URL.Path, "/referrers/"):
		http.NotFound(w, req)
		return
	case req.URL.Path == "/v2/_catalog":
		if r.authorized(w, req, "*") {
			r.serveCatalog(w, req)
		}
		return
	}
	repo, _ := demo.SplitPath(req.URL.Path)
	if !r.authorized(w, req, repo) {
		return
	}
	rec := &demo.StatusWriter{ResponseWriter: w}
	r.backend.ServeHTTP(rec, req)
	if req.Method == http.MethodPut && strings.Contains(req.URL.Path, "/manifests/") && rec.Status < 300 {
		r.mu.Lock()
		r.repos[repo] = true
		r.mu.Unlock()
	}
}

// kind names a request for counting: "GET manifests", "HEAD manifests",
// "GET blobs", "GET tags", "GET referrers", "GET ping", "GET token", "GET catalog".
func kind(req *http.Request) string {
	p := req.URL.Path
	switch {
	case p == "/token":
		return req.Method + " token"
	case p == "/v2/" || p == "/v2":
		return req.Method + " ping"
	case p == "/v2/_catalog":
		return req.Method + " catalog"
	case strings.Contains(p, "/manifests/"):
		return req.Method + " manifests"
	case strings.Contains(p, "/blobs/"):
		return req.Method + " blobs"
	case strings.HasSuffix(p, "/tags/list"):
		return req.Method + " tags"
	case strings.Contains(p, "/referrers/"):
		return req.Method + " referrers"
	}
	return req.Method + " other"
}

func (r *Registry) count(req *http.Request) {
	r.mu.Lock()
	r.counts[kind(req)]++
	r.mu.Unlock()
}

// Counts returns the requests seen since the last Reset, by kind.
func (r *Registry) Counts() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]int, len(r.counts))
	for k, v := range r.counts {
		out[k] = v
	}
	return out
}

// Total returns how many requests were seen since the last Reset.
func (r *Registry) Total() int {
	n := 0
	for _, v := range r.Counts() {
		n += v
	}
	return n
}

// Reset zeroes the request counts.
func (r *Registry) Reset() {
	r.mu.Lock()
	clear(r.counts)
	r.mu.Unlock()
}

// authorized enforces token auth: a missing or unknown token gets the
// Bearer challenge, as Docker Hub answers.
func (r *Registry) authorized(w http.ResponseWriter, req *http.Request, repo string) bool {
	if !r.authOn.Load() {
		return true
	}
	tok, ok := strings.CutPrefix(req.Header.Get("Authorization"), "Bearer ")
	r.mu.Lock()
	scope, known := r.tokens[tok]
	r.mu.Unlock()
	if ok && known && (repo == "" || scope == "*" || scope == repo) {
		return true
	}
	challenge := fmt.Sprintf(`Bearer realm="%s/token",service="registrytest"`, r.URL)
	if repo != "" && repo != "*" {
		challenge += fmt.Sprintf(`,scope="repository:%s:pull"`, repo)
	}
	w.Header().Set("WWW-Authenticate", challenge)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusUnauthorized)
	_, _ = w.Write([]byte(`{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`))
	return false
}

// serveToken issues a token for the requested repository scope.
func (r *Registry) serveToken(w http.ResponseWriter, req *http.Request) {
	if len(r.opts.Users) > 0 {
		user, pass, ok := req.BasicAuth()
		if !ok || r.opts.Users[user] != pass || pass == "" {
			http.Error(w, `{"details":"incorrect username or password"}`, http.StatusUnauthorized)
			return
		}
	}
	scope := "*"
	if s := req.URL.Query().Get("scope"); s != "" {
		parts := strings.Split(s, ":")
		if len(parts) >= 2 && parts[0] != "registry" { // registry:catalog:* grants the catalog ("*")
			scope = parts[1]
		}
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	tok := hex.EncodeToString(b)
	r.mu.Lock()
	r.tokens[tok] = scope
	r.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"token": tok, "access_token": tok, "expires_in": 300})
}

// serveCatalog implements GET /v2/_catalog with n/last paging and Link headers.
func (r *Registry) serveCatalog(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	repos := make([]string, 0, len(r.repos))
	for name := range r.repos {
		repos = append(repos, name)
	}
	r.mu.Unlock()
	demo.ServeCatalog(w, req, repos)
}
