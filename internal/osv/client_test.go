package osv_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
	"github.com/registry-mcp/registry-mcp/internal/osv"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
)

var sample = []osv.Query{
	{Ecosystem: "Debian:12", Name: "openssl", Version: "3.0.11-1~deb12u2"},
	{Ecosystem: "Debian:12", Name: "zlib", Version: "1:1.2.13.dfsg-1"},
	{Ecosystem: "Debian:12", Name: "base-files", Version: "12.4+deb12u5"},
	{Ecosystem: "Alpine:v3.20", Name: "busybox", Version: "1.36.1-r28"},
	{Ecosystem: "Go", Name: "golang.org/x/net", Version: "0.17.0"},
	{Ecosystem: "Go", Name: "stdlib", Version: "1.21.0"},
	{Ecosystem: "PyPI", Name: "requests", Version: "2.31.0"},
	{Ecosystem: "npm", Name: "lodash", Version: "4.17.20"},
	{Ecosystem: "npm", Name: "lodash", Version: "4.17.21"}, // fixed
}

// clock is a settable time source.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newClient(t *testing.T, url string, now func() time.Time) *osv.Client {
	t.Helper()
	c, err := osv.New(osv.Options{BaseURL: url, Now: now, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

type finding struct {
	Package, ID, Severity, Fixed string
}

func findings(r *osv.Result) []finding {
	var out []finding
	for _, m := range r.Matches {
		level, _ := m.Vuln.SeverityFor(m.Query)
		out = append(out, finding{m.Query.Name + "@" + m.Query.Version, m.Vuln.ID, level, m.Vuln.FixedVersion(m.Query)})
	}
	return out
}

func TestMatchFindsRatesAndCaches(t *testing.T) {
	t.Parallel()
	svc := registrytest.StartOSV(t)
	clk := &clock{now: time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)}
	c := newClient(t, svc.URL, clk.Now)

	res, err := c.Match(t.Context(), sample)
	if err != nil {
		t.Fatal(err)
	}
	want := []finding{
		{"openssl@3.0.11-1~deb12u2", "DEBIAN-CVE-2024-0727", "medium", "3.0.13-1~deb12u1"},
		{"openssl@3.0.11-1~deb12u2", "DEBIAN-CVE-2023-5678", "medium", "3.0.13-1~deb12u1"},
		{"zlib@1:1.2.13.dfsg-1", "DEBIAN-CVE-2023-45853", "critical", ""},
		{"busybox@1.36.1-r28", "ALPINE-CVE-2023-42363", "medium", "1.36.1-r29"},
		{"golang.org/x/net@0.17.0", "GO-2024-2687", "unknown", "0.23.0"},
		{"stdlib@1.21.0", "GO-2024-2598", "unknown", "1.21.8"},
		{"requests@2.31.0", "GHSA-9wx4-h78v-vm56", "medium", "2.32.0"},
		{"lodash@4.17.20", "GHSA-35jh-r3h4-6jhm", "high", "4.17.21"},
	}
	if diff := cmp.Diff(want, findings(res)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int{"POST querybatch": 1, "GET vulns": 8}, svc.Counts()); diff != "" {
		t.Errorf("cold requests (-want +got):\n%s", diff)
	}
	if !res.QueriedAt.Equal(clk.Now()) {
		t.Errorf("queried_at = %v", res.QueriedAt)
	}

	svc.Reset()
	clk.Add(10 * time.Minute)
	again, err := c.Match(t.Context(), sample)
	if err != nil {
		t.Fatal(err)
	}
	if n := svc.Total(); n != 0 {
		t.Errorf("a repeated match cost %d requests (%v), want 0", n, svc.Counts())
	}
	if !again.QueriedAt.Equal(res.QueriedAt) {
		t.Errorf("a cached answer says queried_at %v, want the original %v", again.QueriedAt, res.QueriedAt)
	}

	svc.Reset()
	clk.Add(osv.DefaultResultTTL)
	if _, err := c.Match(t.Context(), sample); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]int{"POST querybatch": 1}, svc.Counts()); diff != "" {
		t.Errorf("after the result TTL, the versions are asked again but unchanged records are not fetched (-want +got):\n%s", diff)
	}
}

func TestMatchFollowsPageTokens(t *testing.T) {
	t.Parallel()
	svc := registrytest.StartOSV(t, registrytest.WithOSVPageSize(1))
	c := newClient(t, svc.URL, nil)
	res, err := c.Match(t.Context(), sample[:2])
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Matches) != 3 {
		t.Errorf("found %d vulnerabilities, want 3 (two for openssl across two pages)", len(res.Matches))
	}
	if diff := cmp.Diff(map[string]int{"POST querybatch": 2, "GET vulns": 3}, svc.Counts()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

func TestMatchBatchesAThousandAtATime(t *testing.T) {
	t.Parallel()
	svc := registrytest.StartOSV(t)
	c := newClient(t, svc.URL, nil)
	qs := make([]osv.Query, 0, 2500)
	for i := range 2500 {
		qs = append(qs, osv.Query{Ecosystem: "npm", Name: fmt.Sprintf("pkg-%d", i), Version: "1.0.0"})
	}
	if _, err := c.Match(t.Context(), qs); err != nil {
		t.Fatal(err)
	}
	if got := svc.Counts()["POST querybatch"]; got != 3 || svc.Queries() != 2500 {
		t.Errorf("%d querybatch requests with %d queries, want 3 with 2500", got, svc.Queries())
	}
}

func TestMatchRetriesTransientFailures(t *testing.T) {
	t.Parallel()
	svc := registrytest.StartOSV(t)
	c := newClient(t, svc.URL, nil)
	svc.FailNext(1, registrytest.HubFault{Status: http.StatusServiceUnavailable})
	if _, err := c.Match(t.Context(), sample[:1]); err != nil {
		t.Fatalf("a single 503 should be retried: %v", err)
	}
	if got := svc.Counts()["POST querybatch"]; got != 2 {
		t.Errorf("%d querybatch requests, want 2 (one retry)", got)
	}
}

func TestMatchReportsALongRateLimitWithoutWaiting(t *testing.T) {
	t.Parallel()
	svc := registrytest.StartOSV(t)
	c := newClient(t, svc.URL, nil)
	svc.FailNext(1, registrytest.HubFault{Status: http.StatusTooManyRequests, RetryAfter: "120"})
	_, err := c.Match(t.Context(), sample[:1])
	var rl *errdef.RateLimitError
	var se *osv.ServiceError
	if !errors.As(err, &rl) || rl.RetryAfter != 120*time.Second || !errors.As(err, &se) {
		t.Fatalf("err = %v, want a rate limit of 120 s from the vulnerability source", err)
	}
	if got := svc.Total(); got != 1 {
		t.Errorf("%d requests, want 1: a Retry-After beyond %s is reported, not waited for", got, osv.MaxRetryWait)
	}
}

func TestMatchUnreachableSource(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	c := newClient(t, url, nil)
	_, err := c.Match(t.Context(), sample[:1])
	var se *osv.ServiceError
	if !errors.Is(err, errdef.ErrUnreachable) || !errors.As(err, &se) || se.Source != url {
		t.Fatalf("err = %v, want ErrUnreachable from the vulnerability source %s", err, url)
	}
}

func TestMatchRefusesOversizedAndHTMLAnswers(t *testing.T) {
	t.Parallel()
	for name, h := range map[string]http.HandlerFunc{
		"html": func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<html>login</html>"))
		},
		"too large": func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Length", fmt.Sprint(osv.MaxBatchBytes+1))
			w.WriteHeader(http.StatusOK)
		},
		"wrong number of results": func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write([]byte(`{"results":[]}`))
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(h)
			t.Cleanup(srv.Close)
			_, err := newClient(t, srv.URL, nil).Match(t.Context(), sample[:1])
			var se *osv.ServiceError
			classified := errors.Is(err, errdef.ErrBadResponse) || errors.Is(err, errdef.ErrTooLarge)
			if !errors.As(err, &se) || !classified {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func TestRedirectToPlainHTTPIsRefused(t *testing.T) {
	t.Parallel()
	plain := registrytest.StartOSV(t)
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(tlsSrv.Close)
	c, err := osv.New(osv.Options{BaseURL: tlsSrv.URL, Transport: tlsSrv.Client().Transport})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Match(t.Context(), sample[:1]); !errors.Is(err, errdef.ErrBadResponse) {
		t.Fatalf("err = %v, want a refused downgrade", err)
	}
	if plain.Total() != 0 {
		t.Error("the plain-HTTP target was contacted")
	}
}

func TestParseURL(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"", "ftp://x", "api.osv.dev", "https://u:p@api.osv.dev", "https://api.osv.dev/?a=b"} {
		if _, err := osv.ParseURL(bad); err == nil {
			t.Errorf("ParseURL(%q) accepted", bad)
		}
	}
	if u, err := osv.ParseURL("https://osv.example.com/mirror/"); err != nil || u.String() != "https://osv.example.com/mirror" {
		t.Errorf("ParseURL = %v, %v", u, err)
	}
}

// TestARecordIsFetchedAgainOnlyWhenItChanges: records are kept by id and
// modification time; the querybatch answer says which one is current.
func TestARecordIsFetchedAgainOnlyWhenItChanges(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	modified := "2026-01-01T00:00:00Z"
	counts := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		counts[r.Method]++
		if r.Method == http.MethodPost {
			fmt.Fprintf(w, `{"results":[{"vulns":[{"id":"X-1","modified":%q}]}]}`, modified)
			return
		}
		fmt.Fprintf(w, `{"id":"X-1","modified":%q,"summary":"as of %s"}`, modified, modified)
	}))
	t.Cleanup(srv.Close)
	clk := &clock{now: time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)}
	c := newClient(t, srv.URL, clk.Now)
	q := []osv.Query{{Ecosystem: "npm", Name: "x", Version: "1.0.0"}}
	step := func(name string, wantPost, wantGet int, wantSummary string) {
		t.Helper()
		mu.Lock()
		clear(counts)
		mu.Unlock()
		res, err := c.Match(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		if counts[http.MethodPost] != wantPost || counts[http.MethodGet] != wantGet || res.Matches[0].Vuln.Summary != wantSummary {
			t.Errorf("%s: %d querybatch, %d record requests, summary %q; want %d, %d, %q",
				name, counts[http.MethodPost], counts[http.MethodGet], res.Matches[0].Vuln.Summary, wantPost, wantGet, wantSummary)
		}
	}
	step("cold", 1, 1, "as of 2026-01-01T00:00:00Z")
	clk.Add(osv.DefaultResultTTL)
	step("after the TTL, unchanged", 1, 0, "as of 2026-01-01T00:00:00Z")
	mu.Lock()
	modified = "2026-06-01T00:00:00Z"
	mu.Unlock()
	clk.Add(osv.DefaultResultTTL)
	step("after the TTL, modified", 1, 1, "as of 2026-06-01T00:00:00Z")
}
