package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The serving binary links no test kit: `testing` costs every start its
// flag set-up, olareg's init computed a bcrypt hash on every start (about
// 200 ms), and the Hub emulator's OpenAPI validator and YAML parsers added
// megabytes. The demo registry lives in internal/demo for this reason.
//
// Dependencies count too: github.com/digitorus/pkcs7 (RFC 3161 timestamps,
// under sigstore-go's verifier) shipped a test as verify_test_dsa.go, a name
// Go builds into the package, until its 2025-07 version; go.mod requires
// that version or later.
func TestTheBinaryLinksNoTestKit(t *testing.T) {
	t.Parallel()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH")
	}
	out, err := exec.CommandContext(t.Context(), goTool, "list", "-deps", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	forbidden := []string{
		"github.com/registry-mcp/registry-mcp/internal/registrytest",
		"github.com/olareg/",
		"github.com/getkin/kin-openapi/",
		"github.com/oasdiff/",
		"github.com/goccy/go-yaml",
		"gopkg.in/yaml",
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imports, _ := strings.Cut(line, " ")
		for _, f := range forbidden {
			if pkg == f || strings.HasPrefix(pkg, strings.TrimSuffix(f, "/")+"/") {
				t.Errorf("registry-mcp links %s", pkg)
			}
		}
		if slices.Contains(strings.Fields(imports), "testing") {
			t.Errorf("registry-mcp links testing through %s", pkg)
		}
	}
}
