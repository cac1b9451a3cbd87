package deploy

import (
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/registry-mcp/registry-mcp/internal/tools"
)

const mcpbManifest = "mcpb/manifest.json"

// manifest is the part of the MCP bundle's manifest.json the tests read.
type manifest struct {
	Version     string `json:"version"`
	Description string `json:"description"`
	License     string `json:"license"`
	Server      struct {
		Type       string `json:"type"`
		EntryPoint string `json:"entry_point"`
		MCPConfig  struct {
			Command           string            `json:"command"`
			Args              []string          `json:"args"`
			Env               map[string]string `json:"env"`
			PlatformOverrides map[string]struct {
				Command string `json:"command"`
			} `json:"platform_overrides"`
		} `json:"mcp_config"`
	} `json:"server"`
	Tools []struct {
		Name string `json:"name"`
	} `json:"tools"`
	UserConfig map[string]struct {
		Sensitive bool `json:"sensitive"`
	} `json:"user_config"`
}

func TestMCPBManifestMatchesItsSchema(t *testing.T) {
	t.Parallel()
	var doc any
	readJSON(t, mcpbManifest, &doc)
	if err := resolve(t, loadSchema(t, "mcpb-manifest-v0.3.schema.json")).Validate(doc); err != nil {
		t.Errorf("%s does not validate against the MCPB 0.3 manifest schema: %v", mcpbManifest, err)
	}
}

// TestMCPBManifestAgreesWithServerJSON keeps the bundle's manifest, the
// server.json package that points at it, the binaries scripts/mcpb.sh puts
// in it and the server's tools in step.
func TestMCPBManifestAgreesWithServerJSON(t *testing.T) {
	t.Parallel()
	var m manifest
	readJSON(t, mcpbManifest, &m)
	var s server
	readJSON(t, serverJSON, &s)
	if m.Version != s.Version || m.Description != s.Description {
		t.Errorf("manifest version %q, description %q; server.json has %q, %q", m.Version, m.Description, s.Version, s.Description)
	}
	if m.License != "Apache-2.0" {
		t.Errorf("manifest licence %q, want Apache-2.0 (LICENSE)", m.License)
	}

	// The paths scripts/mcpb.sh writes the binaries to.
	script, err := os.ReadFile("../scripts/mcpb.sh")
	if err != nil {
		t.Fatal(err)
	}
	cmds := []string{m.Server.MCPConfig.Command}
	for _, o := range m.Server.MCPConfig.PlatformOverrides {
		cmds = append(cmds, o.Command)
	}
	for _, c := range cmds {
		rel, ok := strings.CutPrefix(c, "${__dirname}/")
		if !ok || !bytes.Contains(script, []byte(`"$stage/`+rel+`"`)) {
			t.Errorf("command %q is not a binary scripts/mcpb.sh puts in the bundle", c)
		}
	}
	if m.Server.Type != "binary" || "${__dirname}/"+m.Server.EntryPoint != m.Server.MCPConfig.Command {
		t.Errorf("server type %q, entry point %q, command %q: want a binary run from the bundle", m.Server.Type, m.Server.EntryPoint, m.Server.MCPConfig.Command)
	}
	if !slices.Equal(m.Server.MCPConfig.Args, []string{"-transport", "stdio"}) {
		t.Errorf("args %q, want -transport stdio", m.Server.MCPConfig.Args)
	}

	// Every variable comes from a user_config entry, secrets from sensitive ones.
	ref := regexp.MustCompile(`^\$\{user_config\.([a-z_]+)\}$`)
	got := map[string]bool{}
	for name, v := range m.Server.MCPConfig.Env {
		sub := ref.FindStringSubmatch(v)
		if sub == nil {
			t.Errorf("env %s = %q: want ${user_config.<key>}", name, v)
			continue
		}
		uc, ok := m.UserConfig[sub[1]]
		if !ok {
			t.Errorf("env %s names user_config.%s, which is not defined", name, sub[1])
		}
		got[name] = uc.Sensitive
	}
	if diff := cmp.Diff(mcpbEnv, got); diff != "" {
		t.Errorf("manifest env, name → sensitive (-server.json's mcpb package +manifest):\n%s", diff)
	}
	checkReadByServer(t, slices.Sorted(maps.Keys(got)))

	var want, listed []string
	for _, tool := range tools.List(tools.Options{ReadOnly: true}) {
		want = append(want, tool.Name)
	}
	for _, tool := range m.Tools {
		listed = append(listed, tool.Name)
	}
	if diff := cmp.Diff(want, listed); diff != "" {
		t.Errorf("tools in %s (-server offers +manifest lists):\n%s", mcpbManifest, diff)
	}
}

// TestStampedServerJSON runs the release's stamping step
// (scripts/stamp-server-json.jq) and checks that what would be published
// still passes the schema and the registry's rules.
func TestStampedServerJSON(t *testing.T) {
	t.Parallel()
	jq, err := exec.LookPath("jq")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("jq is not installed: CI must check the release's stamping step (scripts/install-tools.sh jq)")
		}
		t.Skip("jq is not installed (scripts/install-tools.sh jq, or apt-get install jq): the release's stamping step is not checked")
	}
	sha := strings.Repeat("ab", 32)
	out, err := exec.CommandContext(t.Context(), jq, "--arg", "version", "9.8.7", "--arg", "mcpb_sha256", sha,
		"-f", "../scripts/stamp-server-json.jq", serverJSON).Output()
	if err != nil {
		t.Fatalf("jq: %v", err)
	}
	var doc any
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	if err := resolve(t, loadSchema(t, "mcp-server.schema.json")).Validate(doc); err != nil {
		t.Errorf("the stamped server.json does not validate: %v", err)
	}
	var s server
	if err := json.Unmarshal(out, &s); err != nil {
		t.Fatal(err)
	}
	if s.Version != "9.8.7" {
		t.Errorf("stamped version %q", s.Version)
	}
	checkRegistryRules(t, s)
	for _, p := range s.Packages {
		if p.RegistryType == "mcpb" && p.FileSHA256 != sha {
			t.Errorf("stamped fileSha256 %q, want %q", p.FileSHA256, sha)
		}
	}
}
