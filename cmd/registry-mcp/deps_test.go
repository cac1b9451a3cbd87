package main

import (
	"os/exec"
	"strings"
	"testing"
)

// The serving binary links no test kit: `testing` costs every start its
// flag set-up, olareg's init computed a bcrypt hash on every start (about
// 200 ms), and the Hub emulator's OpenAPI validator and YAML parsers added
// megabytes. The demo registry lives in internal/demo for this reason.
func TestTheBinaryLinksNoTestKit(t *testing.T) {
	t.Parallel()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH")
	}
	out, err := exec.CommandContext(t.Context(), goTool, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	forbidden := []string{
		"testing",
		"github.com/registry-mcp/registry-mcp/internal/registrytest",
		"github.com/olareg/",
		"github.com/getkin/kin-openapi/",
		"github.com/oasdiff/",
		"github.com/goccy/go-yaml",
		"gopkg.in/yaml",
	}
	for _, pkg := range strings.Fields(string(out)) {
		for _, f := range forbidden {
			if pkg == f || strings.HasPrefix(pkg, strings.TrimSuffix(f, "/")+"/") {
				t.Errorf("registry-mcp links %s", pkg)
			}
		}
	}
}
