package oci_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
	"github.com/registry-mcp/registry-mcp/internal/oci"
)

// faultyRegistry serves one good image (team/app:1) and misbehaves on
// purpose when told to; fault is reset to "" after the test step.
type faultyRegistry struct {
	fault    atomic.Value // string
	requests atomic.Int64
	manifest []byte
	config   []byte
	srv      *httptest.Server
}

func digestOf(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func newFaultyRegistry(t *testing.T) *faultyRegistry {
	t.Helper()
	f := &faultyRegistry{config: []byte(`{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}`)}
	f.manifest = []byte(fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},"layers":[]}`, digestOf(f.config), len(f.config)))
	f.fault.Store("")
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *faultyRegistry) host() string { return strings.TrimPrefix(f.srv.URL, "http://") }

func (f *faultyRegistry) serve(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	if r.URL.Path == "/v2/" {
		return
	}
	switch f.fault.Load().(string) {
	case "500", "502", "503":
		code := map[string]int{"500": 500, "502": 502, "503": 503}[f.fault.Load().(string)]
		w.WriteHeader(code)
		return
	case "429-short":
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
		f.fault.Store("") // the retry succeeds
		return
	case "429-long":
		w.Header().Set("Retry-After", "120")
		w.WriteHeader(http.StatusTooManyRequests)
		return
	case "slow-headers":
		waitForClientToLeave(r)
		return
	case "slow-body":
		w.Header().Set("Content-Length", "100000")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("{"))
		w.(http.Flusher).Flush()
		waitForClientToLeave(r)
		return
	case "truncated":
		w.Header().Set("Content-Length", "1000")
		_, _ = w.Write(f.manifest[:20])
		return
	case "malformed":
		w.Header().Set("Content-Type", "application/vnd.oci.image.manifest.v1+json")
		_, _ = w.Write([]byte(`{"schemaVersion":2,"config":`))
		return
	case "html":
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<!doctype html><title>Login</title>"))
		return
	case "wrong-digest":
		if strings.Contains(r.URL.Path, "/blobs/") {
			_, _ = w.Write([]byte(`{"architecture":"evil"}`))
			return
		}
	case "oversize":
		w.Header().Set("Content-Type", "application/vnd.oci.image.manifest.v1+json")
		_, _ = w.Write([]byte(`{"schemaVersion":2,"layers":[],"x":"`))
		chunk := []byte(strings.Repeat("x", 1<<16))
		for range (oci.MaxManifestBytes / len(chunk)) + 2 {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
		return
	case "redirect-loop":
		http.Redirect(w, r, r.URL.Path, http.StatusFound)
		return
	}
	switch {
	case strings.Contains(r.URL.Path, "/manifests/"):
		w.Header().Set("Content-Type", "application/vnd.oci.image.manifest.v1+json")
		w.Header().Set("Docker-Content-Digest", digestOf(f.manifest))
		_, _ = w.Write(f.manifest)
	case strings.Contains(r.URL.Path, "/blobs/"):
		_, _ = w.Write(f.config)
	default:
		http.NotFound(w, r)
	}
}

// waitForClientToLeave holds a response until the client gives up on it, so a
// "slow" registry is slower than any client timeout however loaded the
// machine is. The bound only keeps a broken client from hanging the test.
func waitForClientToLeave(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-time.After(time.Minute):
	}
}

// TestFaultsGiveClearErrorsAndLeaveTheClientHealthy injects one fault at a
// time; each must end in the expected error (or a recovered success), and
// the next call must answer correctly with nothing poisoned or leaked.
func TestFaultsGiveClearErrorsAndLeaveTheClientHealthy(t *testing.T) {
	f := newFaultyRegistry(t)
	// Only the slow faults are about time: they get a short client timeout,
	// which fires because the registry never answers. Every other fault gets
	// a timeout no loaded machine reaches, so that its outcome depends on
	// what the registry sent (the "oversize" body is over 4 MiB), not on how
	// fast it was read.
	const short, long = 500 * time.Millisecond, 2 * time.Minute
	tests := []struct {
		fault   string
		want    error // nil: the client recovers by itself
		message string
	}{
		{"500", errdef.ErrUnreachable, "HTTP 500"},
		{"502", errdef.ErrUnreachable, "HTTP 502"},
		{"503", errdef.ErrUnreachable, "HTTP 503"},
		{"429-short", nil, ""},
		{"429-long", errdef.ErrRateLimited, "retry after 2m0s"},
		{"slow-headers", errdef.ErrUnreachable, "did not answer in time"},
		{"slow-body", errdef.ErrUnreachable, "did not answer in time"},
		{"truncated", errdef.ErrUnreachable, ""},
		{"malformed", errdef.ErrBadResponse, "not valid JSON"},
		{"html", errdef.ErrBadResponse, "HTML page"},
		{"wrong-digest", errdef.ErrBadResponse, "does not match its digest"},
		{"oversize", errdef.ErrTooLarge, "limit"},
		{"redirect-loop", errdef.ErrBadResponse, "redirects"},
	}
	baseline := runtime.NumGoroutine()
	for _, tt := range tests {
		t.Run(tt.fault, func(t *testing.T) {
			timeout := long
			if strings.HasPrefix(tt.fault, "slow-") {
				timeout = short
			}
			c := oci.New(oci.Options{Timeout: timeout})
			defer c.Close()
			ref, err := c.ParseReference(f.host() + "/team/app:1")
			if err != nil {
				t.Fatal(err)
			}
			f.fault.Store(tt.fault)
			_, err = config(t, c, ref.String())
			f.fault.Store("")
			switch {
			case tt.want == nil && err != nil:
				t.Errorf("want recovery, got %v", err)
			case tt.want != nil && !errors.Is(err, tt.want):
				t.Errorf("got %v, want %v", err, tt.want)
			case tt.want != nil && !strings.Contains(err.Error(), tt.message):
				t.Errorf("error %q does not say %q", err, tt.message)
			}
			cfg, err := config(t, c, ref.String())
			if err != nil || !strings.Contains(string(cfg), `"amd64"`) {
				t.Errorf("after %s the next call gave %s, %v", tt.fault, cfg, err)
			}
		})
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > baseline+2 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > baseline+2 {
		t.Errorf("goroutines grew from %d to %d: something is left running", baseline, n)
	}
}

// config resolves ref and fetches its config, as get_image_config does.
func config(t *testing.T, c *oci.Client, s string) ([]byte, error) {
	t.Helper()
	ref, err := c.ParseReference(s)
	if err != nil {
		return nil, err
	}
	res, err := c.Resolve(t.Context(), ref, nil)
	if err != nil {
		return nil, err
	}
	_, raw, err := c.Config(t.Context(), ref.Context(), res.Image)
	return raw, err
}

func TestTokenServerFaults(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		token http.HandlerFunc
		want  error
	}{
		{"token server down", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) }, errdef.ErrUnreachable},
		{"token server garbage", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("<html>")) }, errdef.ErrBadResponse},
		{"credentials refused", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusUnauthorized) }, errdef.ErrUnauthorized},
	} {
		var srv *httptest.Server
		srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/token" {
				tt.token(w, r)
				return
			}
			w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="%s/token",service="t"`, srv.URL))
			w.WriteHeader(http.StatusUnauthorized)
		}))
		c := oci.New(oci.Options{Timeout: time.Second})
		_, err := config(t, c, strings.TrimPrefix(srv.URL, "http://")+"/team/app:1")
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, err, tt.want)
		}
		c.Close()
		srv.Close()
	}
}
