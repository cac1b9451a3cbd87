package server_test

import (
	"net/http"
	"runtime"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/registry-mcp/registry-mcp/internal/registrytest"
)

// TestACachedCallAllocatesLittle bounds the bytes one cached tool call over
// Streamable HTTP allocates, client and server together. Allocation is what
// the server's CPU per cached call followed: the MCP SDK as published
// decodes each JSON message through a fresh 32 KiB buffer, about 680 KB per
// call here; with patches/go-sdk (make test builds with it) it is about
// 90 KB. The test fails when the patch is not in the build, or when a change
// brings that garbage back by another way.
func TestACachedCallAllocatesLittle(t *testing.T) {
	const calls, maxPerCall = 200, 256 << 10
	srv, fx := startCachingServer(t)
	tr := &mcp.StreamableClientTransport{Endpoint: srv.URL + "/mcp", HTTPClient: &http.Client{}, DisableStandaloneSSE: true}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test", Version: "0"}, nil).Connect(t.Context(), tr, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cs.Close() })
	args := map[string]any{"image_ref": fx.Ref(fx.App)}
	registrytest.Call(t, cs, "get_image_info", args) // fills the cache

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range calls {
		if res := registrytest.Call(t, cs, "get_image_info", args); res.IsError {
			t.Fatal(registrytest.Text(res))
		}
	}
	runtime.ReadMemStats(&after)
	if perCall := (after.TotalAlloc - before.TotalAlloc) / calls; perCall > maxPerCall {
		t.Errorf("a cached call allocated %d bytes, over %d: is the build using patches/go-sdk (make test)?", perCall, maxPerCall)
	} else {
		t.Logf("a cached call allocated %d bytes (client and server)", perCall)
	}
}
