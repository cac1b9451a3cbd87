package tools_test

import (
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/registry-mcp/registry-mcp/internal/oci"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
	"github.com/registry-mcp/registry-mcp/internal/server"
	"github.com/registry-mcp/registry-mcp/internal/tools"
)

// env is a seeded registry and an MCP client connected to a server that uses it.
type env struct {
	reg *registrytest.Registry
	fx  *registrytest.Fixtures
	cs  *mcp.ClientSession
}

func newEnv(t *testing.T, regOpts registrytest.Options, clientOpts oci.Options) *env {
	t.Helper()
	reg, fx := registrytest.StartSeeded(t, regOpts)
	return &env{reg: reg, fx: fx, cs: connect(t, oci.New(clientOpts), nil)}
}

func connect(t *testing.T, c *oci.Client, opts *mcp.ClientOptions) *mcp.ClientSession {
	t.Helper()
	s := server.New(server.Config{Version: "test", Deps: tools.Deps{Registry: c}, Tools: tools.Options{ReadOnly: true}})
	return registrytest.Connect(t, s, opts)
}

func (e *env) call(t *testing.T, name string, args map[string]any) *mcp.CallToolResult {
	t.Helper()
	return registrytest.Call(t, e.cs, name, args)
}

var withTTL = oci.Options{TagTTL: time.Minute}

// fakeClock is a clock that moves only when told to, so that TTL tests move
// time instead of sleeping.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Unix(1_700_000_000, 0)} }

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}
