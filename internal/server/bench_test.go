package server_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/registry-mcp/registry-mcp/internal/oci"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
	"github.com/registry-mcp/registry-mcp/internal/server"
	"github.com/registry-mcp/registry-mcp/internal/tools"
)

// BenchmarkCachedCall measures one cached get_image_info over each HTTP
// transport, client included (go test -bench CachedCall -benchmem
// -cpuprofile cpu.prof ./internal/server; `go tool pprof -focus
// 'conn\).serve|handleAsync'` keeps the server's share).
func BenchmarkCachedCall(b *testing.B) {
	srv, fx := startCachingServer(b)
	for name, tr := range map[string]mcp.Transport{
		"streamable": &mcp.StreamableClientTransport{Endpoint: srv.URL + "/mcp", HTTPClient: &http.Client{}, DisableStandaloneSSE: true},
		"sse":        &mcp.SSEClientTransport{Endpoint: srv.URL + "/sse", HTTPClient: &http.Client{}},
	} {
		b.Run(name, func(b *testing.B) {
			cs, err := mcp.NewClient(&mcp.Implementation{Name: "bench", Version: "0"}, nil).Connect(b.Context(), tr, nil)
			if err != nil {
				b.Fatal(err)
			}
			defer cs.Close()
			args := map[string]any{"image_ref": fx.Ref(fx.App)}
			registrytest.Call(b, cs, "get_image_info", args)
			b.ReportAllocs()
			for b.Loop() {
				if res := registrytest.Call(b, cs, "get_image_info", args); res.IsError {
					b.Fatal(registrytest.Text(res))
				}
			}
		})
	}
}

// startCachingServer serves MCP over HTTP (both transports, no per-client
// limits) from a registry client that keeps tags for an hour, next to a
// seeded registry: every call after the first for an image is cached.
func startCachingServer(tb testing.TB) (*httptest.Server, *registrytest.Fixtures) {
	tb.Helper()
	_, fx := registrytest.StartSeeded(tb, registrytest.Options{})
	cfg := server.Config{Version: "test", Deps: tools.Deps{Registry: oci.New(oci.Options{TagTTL: time.Hour})}, Limits: server.Limits{ClientRate: -1, ClientConcurrency: -1}}
	srv := httptest.NewServer(server.Handler(cfg, server.New(cfg), true))
	tb.Cleanup(srv.Close)
	return srv, fx
}
