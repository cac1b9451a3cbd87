package main

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/registry-mcp/registry-mcp/internal/registrytest"
	"github.com/registry-mcp/registry-mcp/internal/server"
)

// TestSecretsNeverLeak sets every kind of credential, drives calls that use
// them (and calls that fail on them), and checks no secret appears in any
// log line, result or error text.
func TestSecretsNeverLeak(t *testing.T) {
	const (
		ociPassword    = "oci-password-SECRET-1f3a"
		dockerPassword = "docker-config-SECRET-77c2"
		mcpToken       = "mcp-auth-SECRET-90de"
		redisPassword  = "redis-SECRET-5b1e"
	)
	// One registry accepts the env credentials; another gets the Docker
	// config's (wrong) password, so its failure path is exercised too.
	good, fx := registrytest.StartSeeded(t, registrytest.Options{TokenAuth: true, Users: map[string]string{"ci": ociPassword}})
	other, _ := registrytest.StartSeeded(t, registrytest.Options{TokenAuth: true, Users: map[string]string{"ci": "the-right-one"}})
	hubEmu := registrytest.NewHub(t)

	dir := t.TempDir()
	auth := base64.StdEncoding.EncodeToString([]byte("ci:" + dockerPassword))
	cfgJSON := `{"auths":{"` + other.Host + `":{"auth":"` + auth + `"}}}`
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(cfgJSON), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DOCKER_CONFIG", dir)
	env := map[string]string{
		"OCI_REGISTRY": good.Host, "OCI_USERNAME": "ci", "OCI_PASSWORD": ociPassword,
		"DOCKERHUB_USERNAME": registrytest.HubUser, "DOCKERHUB_TOKEN": registrytest.HubToken, "DOCKERHUB_API_URL": hubEmu.URL,
		"MCP_AUTH_TOKEN":  mcpToken,
		"MCP_CACHE_REDIS": "redis://:" + redisPassword + "@127.0.0.1:1/0",
	}
	var logs bytes.Buffer
	cfg, err := parseConfig([]string{"-log-level", "debug"}, envOf(env), &logs)
	if err != nil {
		t.Fatal(err)
	}
	log := newLogger(cfg, &logs)
	srvCfg, stop, err := buildServer(cfg, log, &logs)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	cs := registrytest.Connect(t, server.New(srvCfg), nil)
	var seen strings.Builder
	calls := []struct {
		tool string
		args map[string]any
	}{
		{"get_image_info", map[string]any{"image_ref": fx.Ref(fx.App)}},
		{"get_image_info", map[string]any{"image_ref": other.Host + "/demo/app:1.0"}},
		{"list_tags", map[string]any{"repository": good.Host + "/demo/tags", "limit": 2}},
		{"list_hub_namespaces", map[string]any{}},
		{"get_hub_repository", map[string]any{"namespace": registrytest.HubUser, "repository": "webapp"}},
		{"get_hub_repository", map[string]any{"namespace": "nobody", "repository": "nothing"}},
	}
	for _, c := range calls {
		res, err := cs.CallTool(t.Context(), &mcp.CallToolParams{Name: c.tool, Arguments: c.args})
		if err != nil {
			seen.WriteString(err.Error())
			continue
		}
		seen.WriteString(registrytest.Text(res))
	}
	if !strings.Contains(seen.String(), fx.AppDigest) || !strings.Contains(seen.String(), `"personal":"`+registrytest.HubUser) {
		t.Errorf("the calls using the credentials should have succeeded: %s", seen.String())
	}
	if !strings.Contains(seen.String(), "unauthorized") {
		t.Errorf("the registry with the wrong Docker config password should have refused: %s", seen.String())
	}
	for _, secret := range []string{ociPassword, dockerPassword, mcpToken, redisPassword, registrytest.HubToken, auth} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("a log line contains the secret %q", secret)
		}
		if strings.Contains(seen.String(), secret) {
			t.Errorf("a result or error contains the secret %q", secret)
		}
	}
	if !strings.Contains(logs.String(), "bound to one host") {
		t.Errorf("the startup log should name the host the env credentials are bound to; logs:\n%s", logs.String())
	}
}
