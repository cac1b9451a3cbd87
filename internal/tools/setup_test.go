package tools_test

import (
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
