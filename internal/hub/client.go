package hub

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/registry-mcp/registry-mcp/internal/cache"
	"github.com/registry-mcp/registry-mcp/internal/errdef"
)

// Addresses of Docker's services.
const (
	// DefaultBaseURL is the Docker Hub API.
	DefaultBaseURL = "https://hub.docker.com"
	// DefaultScoutURL is Docker Scout's GraphQL API, which lists hardened-image mirrors.
	DefaultScoutURL = "https://api.scout.docker.com/v1/graphql"
)

// Safety limits for what the API may send.
const (
	// MaxBodyBytes caps every response body. Hub answers are small JSON
	// documents (a page of 100 tags with all platforms is a few hundred KiB), so
	// anything larger is a broken server or proxy that must not exhaust memory.
	MaxBodyBytes = 4 << 20
	// DefaultTimeout bounds each request, headers and body.
	DefaultTimeout = 30 * time.Second
)

// Options configures a Client. The zero value talks to Docker Hub anonymously.
type Options struct {
	// BaseURL is the API address; empty means DefaultBaseURL.
	BaseURL string
	// ScoutURL is Docker Scout's GraphQL endpoint, used only by
	// ListHardenedImages. Empty means DefaultScoutURL when BaseURL is Docker
	// Hub's, and "not available" otherwise, so that a token issued by a mirror or
	// a test server is never sent to Docker.
	ScoutURL string
	// Username and Token are a Docker account and a personal or organisation
	// access token. Both must be set to be used.
	Username, Token string
	// Fallback supplies credentials when Username and Token are not set, such
	// as the docker.io entry of the Docker config. It is called at most once.
	Fallback func(ctx context.Context) (user, secret string, ok bool)
	// HTTPClient sends the requests; nil means a new http.Client.
	HTTPClient *http.Client
	// Timeout bounds each request; zero means DefaultTimeout.
	Timeout time.Duration
	// Logger receives debug lines about requests; nil discards them.
	Logger *slog.Logger
	// Now returns the current time; nil means time.Now. Tests use it to move
	// past a token's expiry without waiting.
	Now func() time.Time
	// CacheTTL is how long successful GET answers are reused; zero disables it.
	CacheTTL time.Duration
	// Shared, when set, is a cache shared with other replicas (the Redis the
	// registry client uses), so that an answer one fetched serves them all
	// for CacheTTL, and one replica fetches what several are asked at once.
	Shared cache.Shared
}

// Client calls the Docker Hub API. It is safe for concurrent use; all calls
// share one access token.
type Client struct {
	base      string // no trailing slash
	baseErr   error
	host      string
	scoutURL  string
	scoutHost string
	http      *http.Client
	timeout   time.Duration
	log       *slog.Logger
	now       func() time.Time

	opts    Options
	credsMu sync.Mutex
	creds   *credentials // resolved on first use

	tokens tokenCache
	cache  *responseCache

	rateMu sync.Mutex
	rate   RateLimit
	seen   bool
}

// New returns a Client for opts. An invalid BaseURL is reported by every call.
func New(opts Options) *Client {
	c := &Client{
		http:    opts.HTTPClient,
		timeout: opts.Timeout,
		log:     opts.Logger,
		now:     opts.Now,
		opts:    opts,
	}
	if c.http == nil {
		c.http = &http.Client{}
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.now == nil {
		c.now = time.Now
	}
	c.cache = newResponseCache(opts.CacheTTL, c.now, opts.Shared, c.log)
	base := strings.TrimRight(opts.BaseURL, "/")
	if base == "" {
		base = DefaultBaseURL
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		c.baseErr = fmt.Errorf("%w: the Docker Hub API URL %q is not an http(s) URL", errdef.ErrInvalidInput, opts.BaseURL)
	} else {
		c.host = u.Host
	}
	c.base = base
	c.scoutURL = opts.ScoutURL
	if c.scoutURL == "" && base == DefaultBaseURL {
		c.scoutURL = DefaultScoutURL
	}
	if u, err := url.Parse(c.scoutURL); err == nil {
		c.scoutHost = u.Host
	}
	return c
}

// RateLimit is the API quota as last reported by Docker Hub.
type RateLimit struct {
	Limit     int       `json:"limit"`     // requests allowed per window
	Remaining int       `json:"remaining"` // requests left in this window
	Reset     time.Time `json:"reset"`     // when the window restarts; zero if not said
}

// RateLimit returns the quota headers of the latest answer that carried them,
// and false when none has.
func (c *Client) RateLimit() (RateLimit, bool) {
	c.rateMu.Lock()
	defer c.rateMu.Unlock()
	return c.rate, c.seen
}

// endpoint builds base + the escaped segments, so that no argument can leave
// its path segment ("a/../b" stays one segment).
func (c *Client) endpoint(trailingSlash bool, segments ...string) string {
	var b strings.Builder
	b.WriteString(c.base)
	for _, s := range segments {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(s))
	}
	if trailingSlash {
		b.WriteByte('/')
	}
	return b.String()
}

// readBody reads at most MaxBodyBytes of r.
func (c *Client) readBody(body io.Reader, r call) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(body, MaxBodyBytes+1))
	if err != nil {
		return nil, errdef.NetError(c.server(r), err)
	}
	if len(b) > MaxBodyBytes {
		return nil, fmt.Errorf("%w: %s sent more than %d MiB for %s", errdef.ErrTooLarge, c.server(r), MaxBodyBytes>>20, r.what)
	}
	return b, nil
}
