package tools_test

import (
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/registry-mcp/registry-mcp/internal/demo"
	"github.com/registry-mcp/registry-mcp/internal/oci"
	"github.com/registry-mcp/registry-mcp/internal/osv"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
	"github.com/registry-mcp/registry-mcp/internal/server"
	"github.com/registry-mcp/registry-mcp/internal/tools"
)

// trustEnv is a registry holding the standard fixtures and the sample
// trust images, an OSV emulator, and an MCP client of a server using both.
type trustEnv struct {
	reg  *registrytest.Registry
	fx   *registrytest.Fixtures
	imgs demo.TrustImages
	osv  *registrytest.OSV
	cs   *mcp.ClientSession
}

func newTrustEnv(t *testing.T, regOpts registrytest.Options, clientOpts oci.Options) *trustEnv {
	t.Helper()
	reg, err := registrytest.Start(regOpts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(reg.Close)
	imgs, err := demo.SeedTrust(reg.Host) // before Seed turns authentication on
	if err != nil {
		t.Fatal(err)
	}
	fx, err := registrytest.Seed(reg)
	if err != nil {
		t.Fatal(err)
	}
	e := &trustEnv{reg: reg, fx: fx, imgs: imgs, osv: registrytest.StartOSV(t)}
	e.cs = trustConnect(t, oci.New(clientOpts), e.osv.URL)
	return e
}

func trustConnect(t *testing.T, c *oci.Client, osvURL string) *mcp.ClientSession {
	t.Helper()
	d := tools.Deps{Registry: c}
	if osvURL != "" {
		oc, err := osv.New(osv.Options{BaseURL: osvURL})
		if err != nil {
			t.Fatal(err)
		}
		d.OSV = oc
	}
	s := server.New(server.Config{Version: "test", Deps: d, Tools: tools.Options{ReadOnly: true}})
	return registrytest.Connect(t, s, nil)
}

func (e *trustEnv) call(t *testing.T, name string, args map[string]any) *mcp.CallToolResult {
	t.Helper()
	return registrytest.Call(t, e.cs, name, args)
}
