package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestPortPrecedenceAndFallback(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		want     int
		wantWarn string
	}{
		{"default", nil, nil, 8080, ""},
		{"env", nil, map[string]string{"MCP_PORT": "9001"}, 9001, ""},
		{"flag beats env", []string{"-port", "9002"}, map[string]string{"MCP_PORT": "9001"}, 9002, ""},
		{"zero is a port", []string{"-port", "0"}, nil, 0, ""},
		{"bad flag falls back", []string{"-port", "abc"}, nil, 8080, `"abc"`},
		{"out of range env falls back", nil, map[string]string{"MCP_PORT": "70000"}, 8080, `"70000"`},
		{"negative falls back", []string{"-port=-1"}, nil, 8080, `"-1"`},
	}
	for _, tt := range tests {
		var warn bytes.Buffer
		c, err := parseConfig(tt.args, envOf(tt.env), &warn)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if c.port != tt.want {
			t.Errorf("%s: port %d, want %d", tt.name, c.port, tt.want)
		}
		if tt.wantWarn == "" && warn.Len() > 0 || !strings.Contains(warn.String(), tt.wantWarn) {
			t.Errorf("%s: warning %q, want one naming %s", tt.name, warn.String(), tt.wantWarn)
		}
	}
}

func TestConfigFromFlagsAndEnv(t *testing.T) {
	t.Parallel()
	c, err := parseConfig([]string{"-transport", "sse", "-insecure-registry", "reg.local:5000"},
		envOf(map[string]string{"MCP_TOOLSETS": "registry", "OCI_INSECURE_REGISTRIES": "a:1, b:2", "MCP_HOST": "::1"}), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if c.transport != "http" || c.host != "::1" || strings.Join(c.toolsets, ",") != "registry" ||
		strings.Join(c.insecure, ",") != "reg.local:5000,a:1,b:2" || !c.readOnly || c.ociRegistry != "docker.io" {
		t.Errorf("unexpected config %+v", c)
	}
	for _, bad := range [][]string{{"-transport", "carrier-pigeon"}, {"-toolsets", "registry,nope"}, {"-cache-ttl", "-1s"}} {
		if _, err := parseConfig(bad, envOf(nil), &bytes.Buffer{}); err == nil {
			t.Errorf("%v: want an error", bad)
		}
	}
}

func TestNonLoopbackBindNeedsAuthentication(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"-host", "0.0.0.0", "-port", "0"}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "MCP_AUTH_TOKEN") {
		t.Errorf("want a refusal naming MCP_AUTH_TOKEN, got %v", err)
	}
}

func TestSubcommands(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"version"}, &out, &out); err != nil || !strings.HasPrefix(out.String(), "registry-mcp ") {
		t.Errorf("version: %v %q", err, out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"tools"}, &out, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"NAME", "get_image_info", "list_tags", "registry", "true"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("tools output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestServeRefusesStrayArguments(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-port", "0", "extra"}, &out, &out); err == nil || !strings.Contains(err.Error(), `"extra"`) {
		t.Errorf("want an error naming the stray argument, got %v", err)
	}
}

func TestClientLimitFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args            []string
		rate            float64
		burst, inFlight int
	}{
		{nil, 100, 200, 32},
		{[]string{"-client-rate", "5", "-client-concurrency", "2"}, 5, 10, 2},
		{[]string{"-client-rate", "0", "-client-concurrency", "0"}, -1, 1, -1},
	}
	for _, tt := range tests {
		c, err := parseConfig(tt.args, envOf(nil), &bytes.Buffer{})
		if err != nil {
			t.Fatalf("%v: %v", tt.args, err)
		}
		l := c.limits()
		if l.ClientRate != tt.rate || (tt.rate > 0 && l.ClientBurst != tt.burst) || l.ClientConcurrency != tt.inFlight {
			t.Errorf("%v: limits %+v, want rate %v burst %d concurrency %d", tt.args, l, tt.rate, tt.burst, tt.inFlight)
		}
	}
	if _, err := parseConfig([]string{"-client-rate", "-1"}, envOf(nil), &bytes.Buffer{}); err == nil {
		t.Error("a negative -client-rate was accepted")
	}
}

func TestSigstoreTrustedRootFlagAndEnv(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{nil, nil, ""},
		{nil, map[string]string{"SIGSTORE_TRUSTED_ROOT": "/env/root.json"}, "/env/root.json"},
		{[]string{"-sigstore-trusted-root", "/flag/root.json"}, map[string]string{"SIGSTORE_TRUSTED_ROOT": "/env/root.json"}, "/flag/root.json"},
	} {
		c, err := parseConfig(tt.args, envOf(tt.env), &bytes.Buffer{})
		if err != nil || c.sigstoreTrustedRoot != tt.want {
			t.Errorf("%v %v: trusted root %q (%v), want %q", tt.args, tt.env, c.sigstoreTrustedRoot, err, tt.want)
		}
	}
	if c, err := parseConfig([]string{"-toolsets", "trust"}, envOf(nil), &bytes.Buffer{}); err != nil || strings.Join(c.toolsets, ",") != "trust" {
		t.Errorf("-toolsets trust: %v", err)
	}
}
