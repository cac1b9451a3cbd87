package demo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// maxManifestBytes caps a manifest pushed to the demo registry: the front
// reads each one whole to note its artifact type, and any local program can
// reach a loopback port. 4 MiB is the cap common registries apply.
const maxManifestBytes = 4 << 20

// Registry is a running demo registry: go-containerregistry's in-memory
// registry behind a front that gives it what registry-mcp's tools read and
// it lacks:
//   - the referrers API names each referrer's artifactType (the backend
//     reports the config's media type, wrong for OCI 1.1 artifacts, whose
//     config is the empty blob) and applies the artifactType filter;
//   - tag lists page with Link headers, as the distribution spec says;
//   - /v2/_catalog is sorted and pages with n, last and Link.
type Registry struct {
	// Host is host:port, as used in image references.
	Host string
	// URL is the base URL, http://host:port.
	URL string

	srv     *http.Server
	backend http.Handler

	mu            sync.Mutex
	repos         map[string]bool   // repositories with at least one manifest
	artifactTypes map[string]string // manifest digest → its artifactType
}

// Start serves an empty registry on addr (127.0.0.1:0 when empty); Close
// stops it.
func Start(addr string) (*Registry, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	r := &Registry{
		Host: ln.Addr().String(), URL: "http://" + ln.Addr().String(),
		// The backend logs every request to stderr by default; in stdio
		// mode stderr is the user's terminal.
		backend:       registry.New(registry.Logger(log.New(io.Discard, "", 0)), registry.WithReferrersSupport(true)),
		repos:         map[string]bool{},
		artifactTypes: map[string]string{},
	}
	r.srv = &http.Server{Handler: r, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = r.srv.Serve(ln) }()
	return r, nil
}

// Close stops the registry.
func (r *Registry) Close() error { return r.srv.Close() }

// Target is where Seed pushes to this registry.
func (r *Registry) Target() Target { return Target{Host: r.Host} }

// ServeHTTP answers what the front adds and hands the rest to the backend.
func (r *Registry) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	repo, route := SplitPath(req.URL.Path)
	switch {
	case req.URL.Path == "/v2/_catalog" && req.Method == http.MethodGet:
		r.serveCatalog(w, req)
	case route == "manifests" && req.Method == http.MethodPut:
		r.putManifest(w, req, repo)
	case route == "tags" && req.Method == http.MethodGet:
		r.serveTags(w, req, repo)
	case route == "referrers" && req.Method == http.MethodGet:
		r.serveReferrers(w, req)
	default:
		r.backend.ServeHTTP(w, req)
	}
}

// SplitPath splits /v2/<repo>/<route>/... into the repository and the route
// (manifests, blobs, tags or referrers); both are empty for other paths.
func SplitPath(p string) (repo, route string) {
	p = strings.TrimPrefix(p, "/v2/")
	for _, r := range []string{"manifests", "blobs", "tags", "referrers"} {
		if i := strings.LastIndex(p, "/"+r+"/"); i > 0 {
			return p[:i], r
		}
	}
	return "", ""
}

// putManifest notes the repository and the manifest's artifactType once the
// backend has stored it.
func (r *Registry) putManifest(w http.ResponseWriter, req *http.Request, repo string) {
	body, err := io.ReadAll(io.LimitReader(req.Body, maxManifestBytes+1))
	if err != nil {
		writeError(w, http.StatusBadRequest, "MANIFEST_INVALID", "reading the manifest: "+err.Error())
		return
	}
	if len(body) > maxManifestBytes {
		writeError(w, http.StatusRequestEntityTooLarge, "MANIFEST_INVALID", fmt.Sprintf("the manifest is over %d bytes", maxManifestBytes))
		return
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	rec := &StatusWriter{ResponseWriter: w}
	r.backend.ServeHTTP(rec, req)
	if rec.Status >= 300 {
		return
	}
	var m struct {
		ArtifactType string `json:"artifactType"`
	}
	_ = json.Unmarshal(body, &m)
	d, _, _ := v1.SHA256(bytes.NewReader(body))
	r.mu.Lock()
	defer r.mu.Unlock()
	r.repos[repo] = true
	if m.ArtifactType != "" {
		r.artifactTypes[d.String()] = m.ArtifactType
	}
}

// serveTags asks the backend for one tag more than the page holds: if it
// comes, there is a next page, and the Link header says where.
func (r *Registry) serveTags(w http.ResponseWriter, req *http.Request, repo string) {
	q := req.URL.Query()
	n, err := strconv.Atoi(q.Get("n"))
	if err != nil || n <= 0 {
		r.backend.ServeHTTP(w, req)
		return
	}
	q.Set("n", strconv.Itoa(n+1))
	rec := r.record(req, q)
	var list struct {
		Name string   `json:"name"`
		Tags []string `json:"tags"`
	}
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &list) != nil {
		copyResponse(w, rec)
		return
	}
	if last := q.Get("last"); last != "" {
		// The backend answers the whole list when no tag sorts after last.
		list.Tags = slices.DeleteFunc(list.Tags, func(t string) bool { return t <= last })
	}
	if len(list.Tags) > n {
		list.Tags = list.Tags[:n]
		next := url.Values{"n": {strconv.Itoa(n)}, "last": {list.Tags[n-1]}}
		w.Header().Set("Link", fmt.Sprintf(`</v2/%s/tags/list?%s>; rel="next"`, repo, next.Encode()))
	}
	writeJSON(w, "application/json", list)
}

// serveReferrers fills in each referrer's artifactType, applies the
// artifactType filter, and sorts the list so that it is the same every time.
func (r *Registry) serveReferrers(w http.ResponseWriter, req *http.Request) {
	rec := r.record(req, req.URL.Query())
	var idx v1.IndexManifest
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &idx) != nil {
		copyResponse(w, rec)
		return
	}
	filter := req.URL.Query().Get("artifactType")
	r.mu.Lock()
	kept := idx.Manifests[:0]
	for _, d := range idx.Manifests {
		if at, ok := r.artifactTypes[d.Digest.String()]; ok {
			d.ArtifactType = at
		}
		if filter == "" || d.ArtifactType == filter {
			kept = append(kept, d)
		}
	}
	r.mu.Unlock()
	slices.SortFunc(kept, func(a, b v1.Descriptor) int { return strings.Compare(a.Digest.String(), b.Digest.String()) })
	idx.Manifests = kept
	if filter != "" {
		w.Header().Set("OCI-Filters-Applied", "artifactType")
	}
	writeJSON(w, string(types.OCIImageIndex), idx)
}

// serveCatalog lists the repositories seen so far.
func (r *Registry) serveCatalog(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	repos := make([]string, 0, len(r.repos))
	for name := range r.repos {
		repos = append(repos, name)
	}
	r.mu.Unlock()
	ServeCatalog(w, req, repos)
}

// ServeCatalog answers GET /v2/_catalog from repos (in any order, each once):
// in order, n at a time after last, with a Link header to the next page.
// olareg keeps no catalog, so a front that notes pushes answers it.
func ServeCatalog(w http.ResponseWriter, req *http.Request, repos []string) {
	slices.Sort(repos)
	q := req.URL.Query()
	if last := q.Get("last"); last != "" {
		i, found := slices.BinarySearch(repos, last)
		if found {
			i++
		}
		repos = repos[i:]
	}
	if n, err := strconv.Atoi(q.Get("n")); err == nil && n > 0 && n < len(repos) {
		repos = repos[:n]
		next := url.Values{"n": {strconv.Itoa(n)}, "last": {repos[n-1]}}
		w.Header().Set("Link", fmt.Sprintf(`</v2/_catalog?%s>; rel="next"`, next.Encode()))
	}
	writeJSON(w, "application/json", map[string]any{"repositories": repos})
}

// record runs the backend on req with query q and keeps its answer.
func (r *Registry) record(req *http.Request, q url.Values) *httptest.ResponseRecorder {
	req = req.Clone(req.Context())
	req.URL.RawQuery = q.Encode()
	rec := httptest.NewRecorder()
	r.backend.ServeHTTP(rec, req)
	return rec
}

func copyResponse(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	for k, vs := range rec.Header() {
		w.Header()[k] = vs
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

func writeJSON(w http.ResponseWriter, contentType string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "UNKNOWN", err.Error())
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	_, _ = w.Write(b)
}

// writeError answers in the distribution API's error format.
func writeError(w http.ResponseWriter, status int, code, message string) {
	b, _ := json.Marshal(map[string]any{"errors": []any{map[string]string{"code": code, "message": message}}})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// StatusWriter passes an answer through and remembers its status, so that a
// front can act on what the backend answered (note a pushed manifest only
// once it is stored).
type StatusWriter struct {
	http.ResponseWriter
	// Status is the status answered; zero until the answer starts.
	Status int
}

// WriteHeader remembers code and passes it on.
func (s *StatusWriter) WriteHeader(code int) {
	s.Status = code
	s.ResponseWriter.WriteHeader(code)
}

// Write passes b on; a body without a header first is a 200, as net/http has it.
func (s *StatusWriter) Write(b []byte) (int, error) {
	if s.Status == 0 {
		s.Status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}
