package hub_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/registry-mcp/registry-mcp/internal/errdef"
	"github.com/registry-mcp/registry-mcp/internal/hub"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
)

func TestAnonymousAndAuthenticated(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		authenticated bool
		namespace     string
		repo          string
		want          error
		exchanges     int
	}{
		{"public repository, anonymous", false, "library", "alpine", nil, 0},
		{"private repository, anonymous", false, registrytest.HubUser, "secret-app", errdef.ErrNotFound, 0},
		{"private repository, authenticated", true, registrytest.HubUser, "secret-app", nil, 1},
		{"public repository, authenticated", true, "library", "alpine", nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := registrytest.NewHub(t)
			repo, err := newClient(h, tt.authenticated).GetRepository(t.Context(), tt.namespace, tt.repo)
			wantErr(t, err, tt.want)
			if err == nil && repo.Name != tt.repo {
				t.Errorf("got repository %q, want %q", repo.Name, tt.repo)
			}
			if got := h.TokenExchanges(); got != tt.exchanges {
				t.Errorf("token exchanges = %d, want %d", got, tt.exchanges)
			}
		})
	}
}

func TestOneTokenExchangeForManyCalls(t *testing.T) {
	t.Parallel()
	h := registrytest.NewHub(t)
	c := newClient(h, true)
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for range 20 {
		wg.Go(func() {
			_, err := c.GetRepository(t.Context(), registrytest.HubUser, "secret-app")
			errs <- err
			_, err = c.ListTags(t.Context(), "library", "alpine", hub.ListTagsParams{})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		wantErr(t, err, nil)
	}
	if got := h.TokenExchanges(); got != 1 {
		t.Errorf("token exchanges for 40 concurrent calls = %d, want 1", got)
	}
}

func TestTokenRefreshBeforeExpiry(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		ttl       time.Duration
		advance   time.Duration
		exchanges int
	}{
		{"ten-minute token reused after 8 minutes", 10 * time.Minute, 8 * time.Minute, 1},
		{"ten-minute token replaced a minute before expiry", 10 * time.Minute, 9*time.Minute + 30*time.Second, 2},
		{"ten-minute token replaced after expiry", 10 * time.Minute, 11 * time.Minute, 2},
		{"40-second token reused at a third of its life", 40 * time.Second, 15 * time.Second, 1},
		{"40-second token replaced past half its life", 40 * time.Second, 25 * time.Second, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := registrytest.NewHub(t, registrytest.WithHubTokenTTL(tt.ttl))
			clk := &clock{}
			c := newClient(h, true, withClock(clk))
			_, err := c.GetRepository(t.Context(), "library", "nginx")
			wantErr(t, err, nil)
			clk.advance(tt.advance)
			_, err = c.GetRepository(t.Context(), "library", "nginx")
			wantErr(t, err, nil)
			if got := h.TokenExchanges(); got != tt.exchanges {
				t.Errorf("token exchanges = %d, want %d", got, tt.exchanges)
			}
		})
	}
}

func TestRefreshOnceOn401(t *testing.T) {
	t.Parallel()
	t.Run("revoked token is replaced and the call retried", func(t *testing.T) {
		t.Parallel()
		h := registrytest.NewHub(t)
		c := newClient(h, true)
		_, err := c.GetRepository(t.Context(), "library", "alpine")
		wantErr(t, err, nil)
		h.RevokeTokens()
		_, err = c.GetRepository(t.Context(), "library", "alpine")
		wantErr(t, err, nil)
		if ex, req := h.TokenExchanges(), h.Requests(repoEndpoint); ex != 2 || req != 3 {
			t.Errorf("token exchanges = %d, repository requests = %d; want 2 and 3", ex, req)
		}
	})
	t.Run("a second 401 is the answer", func(t *testing.T) {
		t.Parallel()
		h := registrytest.NewHub(t)
		h.FailNext(5, registrytest.HubFault{Status: 401, Endpoint: repoEndpoint})
		_, err := newClient(h, true).GetRepository(t.Context(), "library", "alpine")
		wantErr(t, err, errdef.ErrUnauthorized)
		var rejected *errdef.CredentialsRejectedError
		if !errors.As(err, &rejected) || !slices.Contains(rejected.Vars, "DOCKERHUB_TOKEN") {
			t.Errorf("error does not say what to check: %v", err)
		}
		if ex, req := h.TokenExchanges(), h.Requests(repoEndpoint); ex != 2 || req != 2 {
			t.Errorf("token exchanges = %d, repository requests = %d; want 2 and 2", ex, req)
		}
	})
	t.Run("anonymous 401 is not retried", func(t *testing.T) {
		t.Parallel()
		h := registrytest.NewHub(t)
		h.FailNext(5, registrytest.HubFault{Status: 401})
		_, err := newClient(h, false).GetRepository(t.Context(), "library", "alpine")
		wantErr(t, err, errdef.ErrUnauthorized)
		if !strings.Contains(needsAccountVars(err), "DOCKERHUB_USERNAME") {
			t.Errorf("error does not say how to authenticate: %v", err)
		}
		if ex, req := h.TokenExchanges(), h.Requests(repoEndpoint); ex != 0 || req != 1 {
			t.Errorf("token exchanges = %d, repository requests = %d; want 0 and 1", ex, req)
		}
	})
}

func TestCredentials(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		opts      hub.Options
		fallback  func(context.Context) (string, string, bool)
		want      error
		exchanges int
	}{
		{name: "explicit", opts: hub.Options{Username: registrytest.HubUser, Token: registrytest.HubToken}, exchanges: 1},
		{name: "from the fallback", fallback: func(context.Context) (string, string, bool) {
			return registrytest.HubUser, registrytest.HubToken, true
		}, exchanges: 1},
		{name: "explicit wins over the fallback", opts: hub.Options{Username: registrytest.HubUser, Token: registrytest.HubToken},
			fallback: func(context.Context) (string, string, bool) { return "mallory", "nope", true }, exchanges: 1},
		{name: "fallback without credentials", fallback: func(context.Context) (string, string, bool) { return "", "", false },
			want: errdef.ErrUnauthorized},
		{name: "identity token from Docker Desktop", fallback: func(context.Context) (string, string, bool) {
			return "<token>", "refresh-token", true
		}, want: errdef.ErrUnauthorized},
		{name: "username without token", opts: hub.Options{Username: registrytest.HubUser}, want: errdef.ErrUnauthorized},
		{name: "wrong token", opts: hub.Options{Username: registrytest.HubUser, Token: "dckr_pat_wrong-secret-4242"},
			want: errdef.ErrUnauthorized, exchanges: 2}, // a refused exchange is not cached: each call tries again
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := registrytest.NewHub(t)
			var calls atomic.Int32
			opts := tt.opts
			opts.BaseURL = h.URL
			if tt.fallback != nil {
				opts.Fallback = func(ctx context.Context) (string, string, bool) {
					calls.Add(1)
					return tt.fallback(ctx)
				}
			}
			c := hub.New(opts)
			for range 2 {
				_, err := c.ListNamespaces(t.Context(), 0, 0)
				wantErr(t, err, tt.want)
				if err != nil && opts.Token != "" && strings.Contains(err.Error(), opts.Token) {
					t.Fatalf("error carries the token: %v", err)
				}
			}
			if calls.Load() > 1 {
				t.Errorf("fallback called %d times, want at most once", calls.Load())
			}
			if got := h.TokenExchanges(); got != tt.exchanges {
				t.Errorf("token exchanges for two calls = %d, want %d", got, tt.exchanges)
			}
		})
	}
}

func TestSecretNeverInErrorsOrLogs(t *testing.T) {
	t.Parallel()
	const secret = "dckr_pat_wrong-secret-4242"
	h := registrytest.NewHub(t)
	var logs bytes.Buffer
	c := hub.New(hub.Options{
		BaseURL: h.URL, Username: registrytest.HubUser, Token: secret,
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	// The server rejects the secret, then echoes it back in its message.
	h.FailNext(1, registrytest.HubFault{Status: 401, Endpoint: "POST /v2/auth/token",
		Body: `{"detail":"token ` + secret + ` is not valid"}`})
	_, err := c.GetRepository(t.Context(), "library", "alpine")
	wantErr(t, err, errdef.ErrUnauthorized)
	if strings.Contains(err.Error(), secret) || !strings.Contains(err.Error(), "[redacted]") {
		t.Errorf("echoed secret not redacted: %v", err)
	}
	_, err = c.GetRepository(t.Context(), "library", "alpine")
	wantErr(t, err, errdef.ErrUnauthorized)
	if strings.Contains(err.Error(), secret) {
		t.Errorf("error carries the secret: %v", err)
	}

	good := newClient(h, true, func(o *hub.Options) {
		o.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	_, err = good.ListNamespaces(t.Context(), 0, 0)
	wantErr(t, err, nil)
	if logs.Len() == 0 {
		t.Fatal("no debug logs written; the check below would be vacuous")
	}
	for _, s := range []string{secret, registrytest.HubToken, "eyJ", "Bearer"} {
		if strings.Contains(logs.String(), s) {
			t.Errorf("logs carry %q:\n%s", s, logs.String())
		}
	}
}
