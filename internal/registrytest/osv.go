package registrytest

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/registry-mcp/registry-mcp/internal/demo"
)

// OSV is an in-process OSV vulnerability service: the demo's sample service
// (internal/demo), with every request it receives and every answer it gives
// checked against OSV's API description (apidocs/osv-api); a mismatch
// fails the test. It counts requests and can be told to fail.
type OSV struct {
	// URL is the service's base URL, as -vuln-source would hold it.
	URL string

	t       testing.TB
	service *demo.OSVService
	handler http.Handler

	mu         sync.Mutex
	requests   map[string]int // "POST querybatch", "GET vulns"
	queries    int            // queries received across batches
	fault      HubFault
	faultsLeft int
}

// OSVOption configures StartOSV.
type OSVOption func(*OSV)

// WithOSVPageSize makes each query's result hold at most n vulnerabilities
// before next_page_token, as osv.dev does for packages with very many.
func WithOSVPageSize(n int) OSVOption {
	return func(o *OSV) { o.service.PageSize = n }
}

// StartOSV starts the emulator; it stops when the test ends.
func StartOSV(t testing.TB, opts ...OSVOption) *OSV {
	t.Helper()
	if _, err := osvContractOnce(); err != nil {
		t.Fatalf("OSV emulator: %v", err)
	}
	o := &OSV{t: t, service: demo.NewOSVService(), requests: map[string]int{}}
	for _, opt := range opts {
		opt(o)
	}
	o.handler = o.service.Handler()
	srv := httptest.NewServer(o)
	t.Cleanup(srv.Close)
	o.URL = srv.URL
	return o
}

// FailNext makes the next n requests answer with f (its Endpoint is
// ignored). Faulty answers are not checked against the document.
func (o *OSV) FailNext(n int, f HubFault) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.fault, o.faultsLeft = f, n
}

// Counts returns the requests received since the last Reset, by
// "METHOD operation": "POST querybatch", "GET vulns".
func (o *OSV) Counts() map[string]int {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make(map[string]int, len(o.requests))
	for k, v := range o.requests {
		out[k] = v
	}
	return out
}

// Total counts the requests received since the last Reset.
func (o *OSV) Total() int {
	n := 0
	for _, v := range o.Counts() {
		n += v
	}
	return n
}

// Queries counts the package queries received in querybatch requests.
func (o *OSV) Queries() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.queries
}

// Reset forgets the counts.
func (o *OSV) Reset() {
	o.mu.Lock()
	defer o.mu.Unlock()
	clear(o.requests)
	o.queries = 0
}

// ServeHTTP counts, applies a pending fault, and serves the request through
// the sample service, checking the exchange against OSV's document.
func (o *OSV) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	r.Body.Close()
	op := r.Method + " " + strings.Split(strings.TrimPrefix(r.URL.Path, "/v1/"), "/")[0]
	o.mu.Lock()
	o.requests[op]++
	o.queries += bytes.Count(body, []byte(`"package"`))
	faulty := o.faultsLeft > 0
	fault := o.fault
	if faulty {
		o.faultsLeft--
	}
	o.mu.Unlock()

	r.Body = io.NopCloser(bytes.NewReader(body))
	if faulty {
		o.check(r, body, nil)
		hubWriteFault(w, fault)
		return
	}
	serveChecked(w, r, o.handler, func(ans *hubAnswer) { o.check(r, body, ans) })
}

func (o *OSV) check(r *http.Request, body []byte, ans *hubAnswer) {
	if err := osvCheck(r, body, ans); err != nil {
		o.t.Errorf("OSV emulator: %s %s does not match OSV's API document: %v", r.Method, r.RequestURI, err)
	}
}
