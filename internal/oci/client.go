package oci

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"golang.org/x/sync/singleflight"

	"github.com/registry-mcp/registry-mcp/internal/cache"
)

// Options configure a Client. The zero value is usable: anonymous access,
// default timeouts, no tag caching and a 64 MiB content cache.
type Options struct {
	// Keychain resolves credentials per registry; nil means anonymous.
	Keychain authn.Keychain
	// Insecure lists host[:port]s that may be spoken to over plain HTTP.
	Insecure []string
	// Timeout bounds each registry request; zero means DefaultTimeout.
	Timeout time.Duration
	// TagTTL is how long a tag's digest is trusted before it is revalidated
	// with a HEAD, and how long tag pages and tag lists are kept; zero
	// disables tag caching.
	TagTTL time.Duration
	// CacheBytes bounds the digest-addressed content cache; zero means 64 MiB,
	// negative disables it.
	CacheBytes int64
	// Transport is the base HTTP transport; nil means a tuned default.
	Transport http.RoundTripper
	// Logger receives debug and warning logs; nil discards them.
	Logger *slog.Logger
	// Shared, when set, is a cache shared with other processes (see
	// NewRedisCache), consulted after the in-memory cache and before the
	// registry. If it fails, the Client carries on without it.
	Shared SharedCache
	// Policy restricts which registries and addresses may be contacted.
	Policy Policy
	// Now returns the current time; nil means time.Now. Every TTL is
	// measured with it, so tests move time instead of sleeping.
	Now func() time.Time
}

// Client talks to OCI registries. It is safe for concurrent use; keep one per
// process so tokens and cached content are shared by every tool call.
type Client struct {
	opts     Options
	keychain authn.Keychain
	insecure map[string]bool
	base     http.RoundTripper
	log      *slog.Logger

	mu         sync.Mutex
	challenges map[string]*transport.Challenge // registry → ping result
	transports *cache.LRU                      // registry/repository → authenticated transport, bounded by count
	flight     singleflight.Group              // used only through coalesce

	cache   *store
	content *memTier // the cache's memory, for answers kept under their own keys
}

// New returns a Client.
func New(opts Options) *Client {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.CacheBytes == 0 {
		opts.CacheBytes = 64 << 20
	}
	c := &Client{
		opts:       opts,
		keychain:   opts.Keychain,
		insecure:   map[string]bool{},
		base:       opts.Transport,
		log:        opts.Logger,
		challenges: map[string]*transport.Challenge{},
		transports: cache.NewLRU(maxTransports),
	}
	if c.keychain == nil {
		c.keychain = authn.NewMultiKeychain()
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.base == nil {
		c.base = defaultTransport(opts.Timeout, opts.Policy)
	}
	c.base = opts.Policy.guardRedirects(c.base)
	c.cache = newStore(opts, c.log)
	c.content = c.cache.mem
	for _, h := range opts.Insecure {
		c.insecure[strings.ToLower(strings.TrimSpace(h))] = true
	}
	return c
}

func defaultTransport(timeout time.Duration, p Policy) http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil // a proxy would dial on our behalf and bypass the address policy
	t.DialContext = p.policyDialer(&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second})
	t.TLSHandshakeTimeout = 10 * time.Second
	t.ResponseHeaderTimeout = timeout
	t.MaxIdleConnsPerHost = 16
	return t
}

// authTransport returns the authenticated transport for a repository,
// creating it once: a ping per registry, a token exchange per repository.
func (c *Client) authTransport(ctx context.Context, repo name.Repository) (http.RoundTripper, string, error) {
	reg := repo.Registry
	if err := c.opts.Policy.CheckHost(reg.RegistryStr()); err != nil {
		return nil, "", err
	}
	key := reg.RegistryStr() + "/" + repo.RepositoryStr()
	if rt, ok := c.transports.Get(key); ok {
		return rt.(http.RoundTripper), schemeOf(c.knownChallenge(reg)), nil
	}
	rt, err := coalesce(ctx, c, "auth:"+key, func(ctx context.Context) (http.RoundTripper, error) {
		ch, err := c.challenge(ctx, reg)
		if err != nil {
			return nil, err
		}
		rt, err := c.newTransport(ctx, repo, ch)
		if err != nil {
			return nil, err
		}
		c.transports.Add(key, rt, 1)
		return rt, nil
	})
	if err != nil {
		return nil, "", err
	}
	return rt, schemeOf(c.knownChallenge(reg)), nil
}

// maxTransports bounds the authenticated transports kept (one per
// repository asked about); the least recently used is dropped and its token
// exchanged again when needed.
const maxTransports = 4096

func (c *Client) knownChallenge(reg name.Registry) *transport.Challenge {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.challenges[reg.RegistryStr()]
}

func schemeOf(ch *transport.Challenge) string {
	if ch != nil && ch.Insecure {
		return "http"
	}
	return "https"
}

// challenge pings a registry once and remembers how it wants to be spoken to.
func (c *Client) challenge(ctx context.Context, reg name.Registry) (*transport.Challenge, error) {
	if ch := c.knownChallenge(reg); ch != nil {
		return ch, nil
	}
	return coalesce(ctx, c, "ping:"+reg.RegistryStr(), func(ctx context.Context) (*transport.Challenge, error) {
		ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
		defer cancel()
		ch, err := transport.Ping(ctx, reg, c.base)
		if err != nil {
			return nil, classifyTransportError(reg.RegistryStr(), err)
		}
		c.mu.Lock()
		if len(c.challenges) >= maxTransports {
			clear(c.challenges) // a crude bound: one ping per registry relearns them
		}
		c.challenges[reg.RegistryStr()] = ch
		c.mu.Unlock()
		return ch, nil
	})
}

func (c *Client) newTransport(ctx context.Context, repo name.Repository, ch *transport.Challenge) (http.RoundTripper, error) {
	auth, err := c.keychain.Resolve(repo)
	if err != nil {
		c.log.Warn("credential lookup failed; continuing anonymously", "registry", repo.RegistryStr(), "error", err)
		auth = authn.Anonymous
	}
	if !strings.EqualFold(ch.Scheme, "bearer") {
		return &basicTransport{inner: c.base, auth: auth, host: repo.RegistryStr()}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	tok, err := transport.Exchange(ctx, repo.Registry, auth, c.base, []string{repo.Scope(transport.PullScope)}, ch)
	if err != nil {
		return nil, classifyTransportError(repo.RegistryStr(), err)
	}
	if tok.Token == "" {
		tok.Token = tok.AccessToken
	}
	return transport.FromToken(repo.Registry, auth, c.base, ch, tok)
}

// basicTransport attaches credentials for registries that do not use bearer
// tokens, and only to requests for the registry's own host.
type basicTransport struct {
	inner http.RoundTripper
	auth  authn.Authenticator
	host  string
}

func (t *basicTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host == t.host && t.auth != authn.Anonymous {
		cfg, err := authn.Authorization(req.Context(), t.auth)
		if err != nil {
			return nil, err
		}
		req = req.Clone(req.Context())
		switch {
		case cfg.RegistryToken != "":
			req.Header.Set("Authorization", "Bearer "+cfg.RegistryToken)
		case cfg.Username != "" || cfg.Password != "":
			req.SetBasicAuth(cfg.Username, cfg.Password)
		case cfg.Auth != "":
			req.Header.Set("Authorization", "Basic "+cfg.Auth)
		}
	}
	return t.inner.RoundTrip(req)
}

// forgetTransport drops a repository's transport, e.g. after its token was refused.
func (c *Client) forgetTransport(repo name.Repository) {
	c.transports.Remove(repo.RegistryStr() + "/" + repo.RepositoryStr())
}

// Close releases idle connections. The Client stays usable.
func (c *Client) Close() {
	if t, ok := c.base.(interface{ CloseIdleConnections() }); ok {
		t.CloseIdleConnections()
	}
}
