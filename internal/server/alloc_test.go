package server_test

import (
	"net/http"
	"os"
	"runtime"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/registry-mcp/registry-mcp/internal/registrytest"
)

// TestACachedCallAllocatesLittle bounds the bytes one cached tool call over
// Streamable HTTP allocates, client and server together. Allocation is what
// the server's CPU per cached call followed: the MCP SDK as published
// decodes each JSON message through a fresh 32 KiB buffer, about 680 KB per
// call here; with patches/go-sdk it is about 90 KB. make builds with the
// patch and says so in REGISTRY_MCP_PATCHED_SDK, and then the bound is
// 256 KiB: the test fails when the patch stops working. A plain go test uses
// the SDK as published, and is held to 1 MiB.
func TestACachedCallAllocatesLittle(t *testing.T) {
	const calls = 200
	maxPerCall, build := uint64(1<<20), "the SDK as published"
	if os.Getenv("REGISTRY_MCP_PATCHED_SDK") == "1" {
		maxPerCall, build = 256<<10, "the SDK with patches/go-sdk"
	}
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
		t.Errorf("a cached call allocated %d bytes, over %d with %s", perCall, maxPerCall, build)
	} else {
		t.Logf("a cached call allocated %d bytes (client and server), with %s", perCall, build)
	}
}
