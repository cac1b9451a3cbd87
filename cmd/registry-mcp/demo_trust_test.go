package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/registry-mcp/registry-mcp/internal/osv"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
	"github.com/registry-mcp/registry-mcp/internal/server"
	"github.com/registry-mcp/registry-mcp/internal/tools"
)

// TestDemoScansOffline: with -demo and no -vuln-source, the trust tools use
// the demo's images and its sample OSV service.
func TestDemoScansOffline(t *testing.T) {
	t.Parallel()
	cfg, err := parseConfig([]string{"-demo"}, envOf(nil), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	var banner bytes.Buffer
	srvCfg, stop, err := buildServer(cfg, newLogger(cfg, &bytes.Buffer{}), &banner)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if !strings.HasPrefix(cfg.vulnSource, "http://127.0.0.1:") {
		t.Errorf("the demo's vulnerability source is %s, want its loopback service", cfg.vulnSource)
	}
	ref := regexp.MustCompile(`\S+/demo/trust-debian:12`).FindString(banner.String())
	if ref == "" {
		t.Fatalf("the banner names no trust image:\n%s", banner.String())
	}
	cs := registrytest.Connect(t, server.New(srvCfg), nil)
	out := registrytest.Decode[tools.ScanOutput](t, registrytest.Call(t, cs, "scan_image_vulnerabilities", map[string]any{"image_ref": ref}))
	if out.Counts.Critical != 1 || len(out.Vulnerabilities) == 0 || out.Database.Source != cfg.vulnSource {
		t.Errorf("demo scan: %+v", out)
	}
}

func TestVulnSourceFlag(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{nil, nil, osv.DefaultURL},
		{nil, map[string]string{"MCP_VULN_SOURCE": "https://osv.mirror.example/"}, "https://osv.mirror.example/"},
		{[]string{"-vuln-source", "http://127.0.0.1:9000"}, map[string]string{"MCP_VULN_SOURCE": "https://ignored.example"}, "http://127.0.0.1:9000"},
	} {
		c, err := parseConfig(tt.args, envOf(tt.env), &bytes.Buffer{})
		if err != nil || c.vulnSource != tt.want {
			t.Errorf("%v %v: vuln source %q, %v; want %q", tt.args, tt.env, c.vulnSource, err, tt.want)
		}
	}
	if _, err := parseConfig([]string{"-vuln-source", "api.osv.dev"}, envOf(nil), &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "-vuln-source") {
		t.Errorf("a URL without a scheme: %v", err)
	}
	if c, err := parseConfig([]string{"-toolsets", "trust"}, envOf(nil), &bytes.Buffer{}); err != nil || c.toolsets[0] != "trust" {
		t.Errorf("-toolsets trust: %v", err)
	}
}
