package main

import (
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/registry-mcp/registry-mcp/internal/oci"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
	"github.com/registry-mcp/registry-mcp/internal/server"
	"github.com/registry-mcp/registry-mcp/internal/tools"
)

// The demo images the load reads, as registrytest.Seed (and so
// `registry-mcp -demo`) names them. startInProcess checks that they still
// match, so the two cannot drift apart unnoticed.
const (
	demoApp   = "demo/app:1.0"   // single platform, full config
	demoMulti = "demo/multi:1.0" // index of three platforms and an attestation
	demoTags  = "demo/tags"      // a few hundred tags
)

// callSpec is one tool call of the mix.
type callSpec struct {
	tool  string
	label string
	args  map[string]any
}

// mix is the round robin of calls every session makes: the image and tag
// tools an agent calls most, on data the warm-up has cached.
func mix(registry string) []callSpec {
	app, multi, tags := registry+"/"+demoApp, registry+"/"+demoMulti, registry+"/"+demoTags
	return []callSpec{
		{"get_image_info", demoApp, map[string]any{"image_ref": app}},
		{"get_image_info", demoMulti, map[string]any{"image_ref": multi}},
		{"get_image_details", demoApp, map[string]any{"image_ref": app}},
		{"list_tags", demoTags + " semver-desc limit 20", map[string]any{"repository": tags, "sort": "semver-desc", "limit": 20}},
		{"get_image_manifest", demoMulti, map[string]any{"image_ref": multi}},
	}
}

// target is the server under load.
type target struct {
	endpoint string
	registry string                 // host:port of the registry holding the demo images
	reg      *registrytest.Registry // nil when the registry is another process's
	describe string
	// quiesce closes idle connections to the registry, so that goroutine
	// counts taken after it compare like with like.
	quiesce func()
	close   func()
}

// startInProcess starts a seeded registry and registry-mcp's HTTP handler
// on loopback listeners, configured as `registry-mcp` would be by default
// (read-only, stateless Streamable HTTP, Host check on).
func startInProcess(o *options) (*target, error) {
	reg, err := registrytest.Start(registrytest.Options{TokenAuth: true})
	if err != nil {
		return nil, err
	}
	fx, err := registrytest.Seed(reg)
	if err != nil {
		reg.Close()
		return nil, fmt.Errorf("seed: %w", err)
	}
	if fx.App != demoApp || fx.Multi != demoMulti || fx.TagsRepo != demoTags {
		reg.Close()
		return nil, fmt.Errorf("the seeded images are now %s, %s, %s: update the demo names in target.go", fx.App, fx.Multi, fx.TagsRepo)
	}
	base := http.DefaultTransport.(*http.Transport).Clone()
	base.MaxIdleConnsPerHost = 64
	cfg := server.Config{
		Version: "load",
		Deps:    tools.Deps{Registry: oci.New(oci.Options{TagTTL: o.cacheTTL, Transport: base})},
		Tools:   tools.Options{ReadOnly: true},
		Limits:  server.Limits{ClientRate: o.clientRate, ClientBurst: max(1, int(2*o.clientRate))},
	}
	if o.clientRate == 0 {
		cfg.Limits.ClientRate = -1
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		reg.Close()
		return nil, err
	}
	hs := server.NewHTTPServer(server.Handler(cfg, server.New(cfg), true), server.DefaultReadTimeout)
	go func() { _ = hs.Serve(ln) }()
	return &target{
		endpoint: "http://" + ln.Addr().String() + "/mcp",
		registry: reg.Host,
		reg:      reg,
		describe: fmt.Sprintf("in-process registry-mcp (Streamable HTTP, stateless, read-only, tag TTL %v, per-client limits %s) with a seeded registry at %s (token auth)", o.cacheTTL, describeLimits(o), reg.Host),
		quiesce:  base.CloseIdleConnections,
		close: func() {
			_ = hs.Close()
			base.CloseIdleConnections()
			reg.Close()
		},
	}, nil
}

// external is a server someone else started, with its -demo registry.
func external(o *options) *target {
	auth := "no MCP_AUTH_TOKEN"
	if o.token != "" {
		auth = "MCP_AUTH_TOKEN sent"
	}
	return &target{
		endpoint: o.endpoint,
		registry: o.registry,
		describe: fmt.Sprintf("the server at %s (%s), images from %s", o.endpoint, auth, o.registry),
		quiesce:  func() {},
		close:    func() {},
	}
}

// bearer adds the MCP endpoint token to every request.
type bearer struct {
	token string
	inner http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.inner.RoundTrip(r)
}

// CloseIdleConnections passes http.Client.CloseIdleConnections through.
func (b bearer) CloseIdleConnections() {
	if c, ok := b.inner.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// describeMix lists the calls of the mix on one line.
func describeMix(m []callSpec) string {
	parts := make([]string, len(m))
	for i, c := range m {
		parts[i] = fmt.Sprintf("%s (%s)", c.tool, c.label)
	}
	return strings.Join(parts, ", ")
}

// describeLimits names the in-process server's per-client limits.
func describeLimits(o *options) string {
	rate := "no rate limit"
	if o.clientRate > 0 {
		rate = fmt.Sprintf("%g requests/s", o.clientRate)
	}
	return fmt.Sprintf("%s, %d in flight, one client per session: %t", rate, server.DefaultClientConcurrency, o.clientAddresses)
}
