package hub_test

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
	"github.com/registry-mcp/registry-mcp/internal/hub"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
)

func TestStatusErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		fault   registrytest.HubFault
		want    error
		mention string
	}{
		{"forbidden", registrytest.HubFault{Status: 403, Body: `{"message":"insufficient scope"}`}, errdef.ErrDenied, "insufficient scope"},
		{"not found", registrytest.HubFault{Status: 404}, errdef.ErrNotFound, "library/alpine"},
		{"bad request", registrytest.HubFault{Status: 400, Body: `{"message":"name is invalid"}`}, errdef.ErrInvalidInput, "name is invalid"},
		{"server error", registrytest.HubFault{Status: 500}, errdef.ErrUnreachable, "HTTP 500"},
		{"unavailable behind a proxy", registrytest.HubFault{Status: 503, Body: "<html>down</html>", ContentType: "text/html"}, errdef.ErrUnreachable, "HTTP 503"},
		{"HTML instead of JSON", registrytest.HubFault{Status: 200, Body: "<!DOCTYPE html><html>login</html>", ContentType: "text/html"}, errdef.ErrBadResponse, "HTML"},
		{"malformed JSON", registrytest.HubFault{Status: 200, Body: `{"name":`}, errdef.ErrBadResponse, "malformed JSON"},
		{"oversized body", registrytest.HubFault{Status: 200, Body: `{"description":"` + strings.Repeat("x", hub.MaxBodyBytes) + `"}`}, errdef.ErrTooLarge, "MiB"},
		{"teapot", registrytest.HubFault{Status: 418}, errdef.ErrBadResponse, "HTTP 418"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := registrytest.NewHub(t)
			h.FailNext(1, tt.fault)
			_, err := newClient(h, false).GetRepository(t.Context(), "library", "alpine")
			wantErr(t, err, tt.want)
			if !strings.Contains(err.Error(), tt.mention) {
				t.Errorf("error %q does not mention %q", err, tt.mention)
			}
		})
	}
}

func TestRateLimited(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		retryAfter string
		min, max   time.Duration
	}{
		{"Retry-After in seconds", "42", 42 * time.Second, 42 * time.Second},
		{"Retry-After as a date", time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat), 80 * time.Second, 90 * time.Second},
		// Without Retry-After, the quota's reset time (a minute ahead in the emulator) tells the wait.
		{"reset time only", "", 55 * time.Second, 61 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := registrytest.NewHub(t)
			h.FailNext(1, registrytest.HubFault{Status: 429, RetryAfter: tt.retryAfter})
			_, err := newClient(h, false).ListTags(t.Context(), "library", "alpine", hub.ListTagsParams{})
			wantErr(t, err, errdef.ErrRateLimited)
			var rl *errdef.RateLimitError
			if !errors.As(err, &rl) {
				t.Fatalf("error %v is not a *errdef.RateLimitError", err)
			}
			if rl.RetryAfter < tt.min || rl.RetryAfter > tt.max {
				t.Errorf("RetryAfter = %s, want between %s and %s", rl.RetryAfter, tt.min, tt.max)
			}
		})
	}
}

func TestRateLimitHeaders(t *testing.T) {
	t.Parallel()
	h := registrytest.NewHub(t)
	c := newClient(h, false)
	if _, ok := c.RateLimit(); ok {
		t.Fatal("RateLimit reported before any request")
	}
	for range 3 {
		_, err := c.GetRepository(t.Context(), "library", "alpine")
		wantErr(t, err, nil)
	}
	rl, ok := c.RateLimit()
	if !ok || rl.Limit != 180 || rl.Remaining != 177 {
		t.Errorf("RateLimit() = %+v, %v; want limit 180, remaining 177", rl, ok)
	}
	if until := time.Until(rl.Reset); until <= 0 || until > time.Minute+time.Second {
		t.Errorf("reset %s is not within the next minute", rl.Reset)
	}
}

func TestNetworkErrors(t *testing.T) {
	t.Parallel()
	t.Run("connection refused", func(t *testing.T) {
		t.Parallel()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		_, err = hub.New(hub.Options{BaseURL: "http://" + addr}).GetRepository(t.Context(), "library", "alpine")
		wantErr(t, err, errdef.ErrUnreachable)
	})
	t.Run("no answer within the timeout", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
		t.Cleanup(srv.Close)
		_, err := hub.New(hub.Options{BaseURL: srv.URL, Timeout: 50 * time.Millisecond}).GetRepository(t.Context(), "library", "alpine")
		wantErr(t, err, errdef.ErrUnreachable)
		if !strings.Contains(err.Error(), "in time") {
			t.Errorf("error does not say it timed out: %v", err)
		}
	})
	t.Run("invalid base URL", func(t *testing.T) {
		t.Parallel()
		_, err := hub.New(hub.Options{BaseURL: "hub.docker.com"}).GetRepository(t.Context(), "library", "alpine")
		wantErr(t, err, errdef.ErrInvalidInput)
	})
}

// TestInputValidation checks that bad arguments are refused before anything
// is sent, with a message naming the valid range.
func TestInputValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		call    func(*hub.Client) error
		mention string
	}{
		{"search without query", func(c *hub.Client) error {
			_, err := c.Search(t.Context(), hub.SearchParams{Limit: 5})
			return err
		}, "query"},
		{"ordering", func(c *hub.Client) error {
			_, err := c.ListRepositories(t.Context(), "library", hub.ListReposParams{Ordering: "stars"})
			return err
		}, "last_updated"},
		{"empty namespace", func(c *hub.Client) error {
			_, err := c.GetRepository(t.Context(), "", "alpine")
			return err
		}, "namespace is required"},
		{"dot-dot repository", func(c *hub.Client) error {
			_, err := c.GetRepository(t.Context(), "library", "..")
			return err
		}, "not a valid name"},
		{"dot tag", func(c *hub.Client) error {
			_, err := c.GetTag(t.Context(), "library", "alpine", ".")
			return err
		}, "not a valid name"},
		{"repository name", func(c *hub.Client) error {
			_, err := c.CreateRepository(t.Context(), registrytest.HubUser, hub.CreateRepoParams{Name: "Not-Valid"})
			return err
		}, "lowercase"},
		{"description length", func(c *hub.Client) error {
			_, err := c.CreateRepository(t.Context(), registrytest.HubUser, hub.CreateRepoParams{Name: "ok", Description: strings.Repeat("d", 101)})
			return err
		}, "100 characters"},
		{"nothing to update", func(c *hub.Client) error {
			_, err := c.UpdateRepository(t.Context(), registrytest.HubUser, "webapp", hub.UpdateRepoParams{})
			return err
		}, "nothing to update"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := registrytest.NewHub(t)
			err := tt.call(newClient(h, true))
			wantErr(t, err, errdef.ErrInvalidInput)
			if !strings.Contains(err.Error(), tt.mention) {
				t.Errorf("error %q does not mention %q", err, tt.mention)
			}
			if n := h.TotalRequests(); n != 0 {
				t.Errorf("%d requests sent for an invalid call", n)
			}
		})
	}
}
