// Package server builds registry-mcp's MCP server and serves it over stdio,
// Streamable HTTP (stateless, at /mcp) and legacy SSE (at /sse).
package server

import (
	"context"
	"crypto/subtle"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/modelcontextprotocol/go-sdk/oauthex"

	"github.com/registry-mcp/registry-mcp/internal/tools"
)

// Config describes the server to build.
type Config struct {
	Version string
	Tools   tools.Options
	Deps    tools.Deps
	Logger  *slog.Logger
	// AuthToken, when set, is the bearer token HTTP clients must present.
	AuthToken string
	// OAuth, when set, makes HTTP clients present JWTs from an issuer.
	OAuth *OAuthConfig
	// Note is appended to the instructions the client shows the model (the
	// demo registry's address, which over stdio the model cannot otherwise see).
	Note string
	// ResourceURL is the server's public base URL, named in the OAuth
	// protected resource metadata; default the audience.
	ResourceURL string
	// Limits bound each HTTP client and the SSE sessions; zero fields
	// take their defaults.
	Limits Limits
}

// New builds the MCP server with the configured tools.
func New(cfg Config) *mcp.Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Deps.Logger == nil {
		cfg.Deps.Logger = cfg.Logger
	}
	s := mcp.NewServer(&mcp.Implementation{Name: "registry-mcp", Title: "Container registry MCP server", Version: cfg.Version},
		&mcp.ServerOptions{Instructions: strings.TrimSpace(tools.Instructions(cfg.Tools) + " " + cfg.Note), Logger: quietSDK(cfg.Logger)})
	s.AddReceivingMiddleware(logCalls(cfg.Logger))
	tools.Register(s, cfg.Deps, cfg.Tools)
	return s
}

// Handler serves /mcp (Streamable HTTP, stateless), /sse (legacy SSE and
// its message endpoint) and /healthz. Every path refuses cross-origin
// requests and, on a loopback bind, foreign Host names; every request body
// must arrive within the server's read timeout (NewHTTPServer). The MCP endpoints then check
// the bearer token (when authentication is configured) and the per-client
// limits, in that order, before any body is read.
func Handler(cfg Config, s *mcp.Server, loopback bool) http.Handler {
	limits := cfg.Limits.withDefaults()
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	getServer := func(*http.Request) *mcp.Server { return s }
	streamable := mcp.NewStreamableHTTPHandler(getServer, &mcp.StreamableHTTPOptions{
		Stateless: true, Logger: quietSDK(log), DisableLocalhostProtection: true, // checkHost covers every endpoint
	})
	mux := http.NewServeMux()
	authenticate := authMiddleware(cfg, mux)
	if cfg.OAuth != nil || cfg.AuthToken != "" {
		s.AddReceivingMiddleware(writesNeedAToken(cfg.Tools))
	}
	limiter := newClientLimiter(limits)
	endpoint := func(h http.Handler) http.Handler { return authenticate(limiter.wrap(readBody(h))) }
	mux.Handle("/mcp", endpoint(streamable))
	mux.Handle("/sse", endpoint(newSSEHandler(s, limits, log)))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("ok\n"))
	})
	h := sameOrigin(refusalsClose(mux))
	if loopback {
		return checkHost(h)
	}
	return h
}

// authMiddleware picks the endpoint authentication: OAuth JWTs, a static
// token, or none. In OAuth mode it also serves the protected resource
// metadata (RFC 9728) that tells clients where to get a token.
func authMiddleware(cfg Config, mux *http.ServeMux) func(http.Handler) http.Handler {
	var require func(http.Handler) http.Handler
	switch {
	case cfg.OAuth != nil:
		resource := firstNonEmpty(cfg.ResourceURL, cfg.OAuth.Audience)
		metaURL := strings.TrimSuffix(resource, "/") + "/.well-known/oauth-protected-resource"
		meta := &oauthex.ProtectedResourceMetadata{
			Resource: resource, AuthorizationServers: []string{cfg.OAuth.Issuer},
			ScopesSupported: []string{ScopeRead, ScopeWrite}, BearerMethodsSupported: []string{"header"},
			ResourceName: "registry-mcp",
		}
		mux.Handle("GET /.well-known/oauth-protected-resource", auth.ProtectedResourceMetadataHandler(meta))
		mux.Handle("GET /.well-known/oauth-protected-resource/{path...}", auth.ProtectedResourceMetadataHandler(meta))
		require = auth.RequireBearerToken(newJWTVerifier(*cfg.OAuth).verify, &auth.RequireBearerTokenOptions{ResourceMetadataURL: metaURL, ClockSkew: jwtLeeway})
	case cfg.AuthToken != "":
		require = auth.RequireBearerToken(staticToken(cfg.AuthToken), &auth.RequireBearerTokenOptions{AllowMissingExpiration: true})
	}
	return func(h http.Handler) http.Handler {
		if require != nil {
			h = challenge(require(h))
		}
		return h
	}
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// staticToken verifies MCP_AUTH_TOKEN in constant time.
func staticToken(want string) auth.TokenVerifier {
	return func(_ context.Context, got string, _ *http.Request) (*auth.TokenInfo, error) {
		if subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
			return nil, auth.ErrInvalidToken
		}
		return &auth.TokenInfo{Scopes: []string{ScopeRead, ScopeWrite}}, nil
	}
}

// checkHost refuses requests whose Host is not a loopback name, which is how
// a DNS-rebinding page reaches a server bound to 127.0.0.1.
func checkHost(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		if !isLoopbackName(host) {
			http.Error(w, "forbidden: Host must be localhost or a loopback address", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func isLoopbackName(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// IsLoopbackAddr reports whether a bind address only accepts local connections.
func IsLoopbackAddr(host string) bool {
	return isLoopbackName(host)
}

// Timeouts of the HTTP server.
const (
	// headerReadTimeout bounds the time to receive a request's headers.
	headerReadTimeout = 10 * time.Second
	// DefaultReadTimeout bounds the time to receive a whole request,
	// headers and body, so a client trickling a body cannot hold a
	// connection open.
	DefaultReadTimeout = 20 * time.Second
	// idleTimeout closes keep-alive connections left idle.
	idleTimeout = 2 * time.Minute
)

// NewHTTPServer is the http.Server registry-mcp serves h with: a request's
// headers and body must arrive within readTimeout. net/http lifts the read
// deadline once the body has been read (and at once for a request without
// one, such as the GET that holds an SSE stream), so it bounds receiving a
// request, never the time a handler takes.
func NewHTTPServer(h http.Handler, readTimeout time.Duration) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: min(headerReadTimeout, readTimeout), ReadTimeout: readTimeout, IdleTimeout: idleTimeout}
}

// ServeHTTP listens on addr and serves until ctx ends, then shuts down
// gracefully. ready, if set, receives the bound address.
func ServeHTTP(ctx context.Context, addr string, h http.Handler, log *slog.Logger, ready func(net.Addr)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	// Long-lived requests (SSE streams) watch this context, so shutdown
	// ends them at once instead of waiting out the grace period.
	baseCtx, cancelBase := context.WithCancel(context.Background())
	defer cancelBase()
	srv := NewHTTPServer(h, DefaultReadTimeout)
	srv.BaseContext = func(net.Listener) context.Context { return baseCtx }
	srv.RegisterOnShutdown(cancelBase)
	if ready != nil {
		ready(ln.Addr())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return srv.Close()
	}
	return nil
}
