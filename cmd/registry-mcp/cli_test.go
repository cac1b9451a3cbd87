package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/registry-mcp/registry-mcp/internal/registrytest"
	"github.com/registry-mcp/registry-mcp/internal/server"
)

func TestHelpPrintsTheUsageOnStdout(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"-h"}, {"--help"}, {"-help"}, {"help"}, {"-port", "0", "-h"}, {"call", "-h"}, {"-toolsets", "registry", "help"}} {
		var out, errOut bytes.Buffer
		if err := run(context.Background(), args, &out, &errOut); err != nil {
			t.Errorf("%v: %v, want success", args, err)
		}
		for _, want := range []string{"Usage:", "call TOOL", "registry-mcp tools", "registry-mcp version", "-log-level", "-tools", "MCP_READ_ONLY", "MCP_AUTH_TOKEN", "DOCKERHUB_TOKEN"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("%v: the usage lacks %q", args, want)
			}
		}
		if errOut.Len() > 0 {
			t.Errorf("%v: wrote to stderr: %q", args, errOut.String())
		}
	}
}

// Every variable the program reads is in the usage: a new one added to the
// code without documenting it fails here.
func TestUsageNamesEveryEnvironmentVariable(t *testing.T) {
	t.Parallel()
	var usage bytes.Buffer
	printUsage(&usage)
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	read := regexp.MustCompile(`getenv\("([A-Z0-9_]+)"\)`)
	seen := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range read.FindAllStringSubmatch(string(src), -1) {
			seen++
			if !strings.Contains(usage.String(), m[1]) {
				t.Errorf("%s reads %s, which the usage does not name", f, m[1])
			}
		}
	}
	if seen < 10 {
		t.Errorf("found only %d environment reads; has the getenv pattern changed?", seen)
	}
}

func TestLogLevelOutsideTheFourIsRefused(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args    []string
		env     map[string]string
		wantErr string // "" for success
	}{
		{[]string{"-log-level", "loud"}, nil, `-log-level "loud" is not one of debug, info, warn, error`},
		{nil, map[string]string{"MCP_LOG_LEVEL": "verbose"}, `MCP_LOG_LEVEL "verbose"`},
		{[]string{"-log-level", "DEBUG"}, nil, ""},
		{nil, map[string]string{"MCP_LOG_LEVEL": "warn"}, ""},
		{[]string{"-log-level", "error"}, map[string]string{"MCP_LOG_LEVEL": "loud"}, ""}, // the flag wins; the env is not read
	} {
		_, err := parseConfig(tt.args, envOf(tt.env), &bytes.Buffer{})
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%v %v: %v", tt.args, tt.env, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%v %v: error %v, want one saying %s", tt.args, tt.env, err, tt.wantErr)
		}
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-transport", "stdio", "-log-level", "loud"}, &out, &out); err == nil {
		t.Error("the server started with -log-level loud")
	}
}

func TestFlagsBeforeASubcommandApplyToIt(t *testing.T) {
	t.Parallel()
	_, fx := registrytest.StartSeeded(t, registrytest.Options{})
	var out, errOut bytes.Buffer
	args := []string{"-toolsets", "registry", "-o", "text", "call", "list_tags", "repository=" + fx.Host + "/" + fx.TagsRepo, "limit=2", "sort=semver-desc"}
	if err := run(context.Background(), args, &out, &errOut); err != nil {
		t.Fatalf("%v: %v (stderr %s)", args, err, errOut.String())
	}
	if !strings.Contains(out.String(), `"tags":["v4.0.0","4.0.0-rc.1"]`) {
		t.Errorf("-o text before call was not applied: %q", out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"-toolsets", "hub", "call", "get_image_info", "image_ref=x"}, &out, &errOut); err == nil || !strings.Contains(err.Error(), `no tool "get_image_info"`) {
		t.Errorf("-toolsets hub before call: %v, want the registry tool to be absent", err)
	}
	out.Reset()
	if err := run(context.Background(), []string{"-port", "0", "version"}, &out, &errOut); err != nil || !strings.HasPrefix(out.String(), "registry-mcp ") {
		t.Errorf("flags before version: %v %q", err, out.String())
	}
}

func TestVersionFlag(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"--version"}, {"-version"}} {
		var out bytes.Buffer
		if err := run(context.Background(), args, &out, &out); err != nil || !regexp.MustCompile(`^registry-mcp \S+ \(commit`).MatchString(out.String()) {
			t.Errorf("%v: %v %q", args, err, out.String())
		}
	}
}

func TestVersionPrefersReleaseThenModuleVersion(t *testing.T) {
	t.Parallel()
	installed := &debug.BuildInfo{Main: debug.Module{Path: "github.com/registry-mcp/registry-mcp", Version: "v0.4.2"}}
	local := &debug.BuildInfo{Main: debug.Module{Path: "github.com/registry-mcp/registry-mcp", Version: "(devel)"}}
	for _, tt := range []struct {
		ldflags string
		info    *debug.BuildInfo
		want    string
	}{
		{"v1.0.0", installed, "v1.0.0"}, // a release build says what it was tagged
		{"dev", installed, "v0.4.2"},    // go install module@v0.4.2
		{"dev", local, "dev"},           // go build in a clone
		{"dev", nil, "dev"},
		{"", nil, "dev"},
	} {
		if got := pickVersion(tt.ldflags, tt.info); got != tt.want {
			t.Errorf("pickVersion(%q, %v) = %q, want %q", tt.ldflags, tt.info, got, tt.want)
		}
	}
}

func TestToolsSelectsToolsAndRefusesUnknownNames(t *testing.T) {
	t.Parallel()
	cfg, err := parseConfig(nil, envOf(map[string]string{"MCP_TOOLS": "get_image_info, list_tags"}), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	srvCfg, stop, err := buildServer(cfg, newLogger(cfg, &bytes.Buffer{}), &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	cs := registrytest.Connect(t, server.New(srvCfg), nil)
	list, err := cs.ListTools(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tool := range list.Tools {
		names = append(names, tool.Name)
	}
	if slices.Sort(names); !slices.Equal(names, []string{"get_image_info", "list_tags"}) {
		t.Errorf("MCP_TOOLS=get_image_info,list_tags offers %v", names)
	}

	_, err = parseConfig([]string{"-tools", "get_image_info,get_image_infos"}, envOf(nil), &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), `"get_image_infos"`) || !strings.Contains(err.Error(), "list_referrers") {
		t.Errorf("an unknown tool: %v, want an error naming it and listing the valid names", err)
	}
	_, err = parseConfig([]string{"-toolsets", "registry,nope"}, envOf(nil), &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), `"nope"`) || !strings.Contains(err.Error(), "hub") {
		t.Errorf("an unknown toolset: %v, want an error naming it and the valid ones", err)
	}
}

func TestReadOnlyFromTheEnvironment(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		env  string
		want bool
	}{
		{nil, "", true},
		{nil, "false", false},
		{nil, "true", true},
		{[]string{"-read-only=true"}, "false", true}, // the flag wins
		{[]string{"-read-only=false"}, "true", false},
	} {
		c, err := parseConfig(tt.args, envOf(map[string]string{"MCP_READ_ONLY": tt.env}), &bytes.Buffer{})
		if err != nil || c.readOnly != tt.want {
			t.Errorf("%v MCP_READ_ONLY=%q: read-only %v (%v), want %v", tt.args, tt.env, c != nil && c.readOnly, err, tt.want)
		}
	}
	if _, err := parseConfig(nil, envOf(map[string]string{"MCP_READ_ONLY": "maybe"}), &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "MCP_READ_ONLY") {
		t.Errorf("MCP_READ_ONLY=maybe: %v, want an error naming the variable", err)
	}
}

func TestDemoRegistryUsesItsFixedPortOrSaysWhyNot(t *testing.T) {
	t.Parallel()
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	port := taken.Addr().(*net.TCPAddr).Port
	var out bytes.Buffer
	host, _, stop, err := startDemo(&out, port)
	if err != nil {
		t.Fatal(err)
	}
	stop()
	if strings.HasSuffix(host, ":"+strconv.Itoa(port)) || !strings.Contains(out.String(), "port "+strconv.Itoa(port)+" is taken") {
		t.Errorf("port %d taken: the registry went to %s and said %q", port, host, out.String())
	}

	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port = free.Addr().(*net.TCPAddr).Port
	_ = free.Close()
	out.Reset()
	host, _, stop, err = startDemo(&out, port)
	if err != nil {
		t.Fatal(err)
	}
	stop()
	if host != "127.0.0.1:"+strconv.Itoa(port) || strings.Contains(out.String(), "taken") {
		t.Errorf("port %d free: the registry went to %s and said %q", port, host, out.String())
	}
}

func TestDemoSaysHowToConnectAClient(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	printConnect(&out, "http://127.0.0.1:8080")
	if !strings.Contains(out.String(), "http://127.0.0.1:8080/mcp") {
		t.Errorf("no MCP URL in %q", out.String())
	}
	var snippet struct {
		MCPServers map[string]struct {
			URL string `json:"url"`
		} `json:"mcpServers"`
	}
	for _, line := range strings.Split(out.String(), "\n") {
		if line = strings.TrimSpace(line); strings.HasPrefix(line, "{") {
			if err := json.Unmarshal([]byte(line), &snippet); err != nil {
				t.Errorf("the config snippet %q is not JSON: %v", line, err)
			}
		}
	}
	if snippet.MCPServers["registry-mcp"].URL != "http://127.0.0.1:8080/mcp" {
		t.Errorf("no client config snippet naming the URL in %q", out.String())
	}
}
