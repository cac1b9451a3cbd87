package server_test

import (
	"strings"
	"testing"

	"github.com/registry-mcp/registry-mcp/internal/hub"
	"github.com/registry-mcp/registry-mcp/internal/oci"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
	"github.com/registry-mcp/registry-mcp/internal/server"
	"github.com/registry-mcp/registry-mcp/internal/tools"
)

// TestWritesNeedATokenWhenAuthIsConfigured: once the server serves HTTP
// with authentication, a call that reaches it without token info (a
// transport that lost it) may not write.
func TestWritesNeedATokenWhenAuthIsConfigured(t *testing.T) {
	t.Parallel()
	hubEmu := registrytest.NewHub(t)
	cfg := server.Config{Version: "test", AuthToken: "s3cret",
		Deps:  tools.Deps{Registry: oci.New(oci.Options{}), Hub: hub.New(hub.Options{BaseURL: hubEmu.URL, Username: registrytest.HubUser, Token: registrytest.HubToken})},
		Tools: tools.Options{ReadOnly: false}}
	s := server.New(cfg)
	_ = server.Handler(cfg, s, true)
	cs := registrytest.Connect(t, s, nil)
	res := registrytest.Call(t, cs, "create_hub_repository", map[string]any{"namespace": registrytest.HubUser, "name": "tokenless"})
	if !res.IsError || !strings.Contains(registrytest.Text(res), "registry:write") {
		t.Errorf("a tokenless write went through: %s", registrytest.Text(res))
	}
	if res := registrytest.Call(t, cs, "get_hub_repository", map[string]any{"namespace": registrytest.HubUser, "repository": "webapp"}); res.IsError {
		t.Errorf("reading must work: %s", registrytest.Text(res))
	}
}
