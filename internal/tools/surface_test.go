package tools_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/registry-mcp/registry-mcp/internal/oci"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
	"github.com/registry-mcp/registry-mcp/internal/server"
	"github.com/registry-mcp/registry-mcp/internal/tools"
)

var update = flag.Bool("update", false, "rewrite golden files and the README tool table")

// listAllTools lists every tool, write tools included, as the wire shows them.
func listAllTools(t *testing.T) []*mcp.Tool {
	t.Helper()
	s := server.New(server.Config{Version: "test", Deps: tools.Deps{Registry: oci.New(oci.Options{})}, Tools: tools.Options{ReadOnly: false}})
	cs := registrytest.Connect(t, s, nil)
	res, err := cs.ListTools(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return res.Tools
}

// TestGoldenToolSchemas snapshots each tool as tools/list shows it, so any
// change to the public surface is deliberate (go test ./internal/tools -update).
func TestGoldenToolSchemas(t *testing.T) {
	dir := filepath.Join("testdata", "golden")
	seen := map[string]bool{}
	for _, tool := range listAllTools(t) {
		got, err := json.MarshalIndent(tool, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, '\n')
		path := filepath.Join(dir, tool.Name+".json")
		seen[filepath.Base(path)] = true
		if *update {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%s has no golden file (run go test ./internal/tools -update): %v", tool.Name, err)
			continue
		}
		if !bytes.Equal(want, got) {
			t.Errorf("%s differs from %s; if the change is intended, run go test ./internal/tools -update\n got: %s", tool.Name, path, got)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !seen[e.Name()] {
			if *update {
				_ = os.Remove(filepath.Join(dir, e.Name()))
				continue
			}
			t.Errorf("orphaned golden file %s: no tool has that name", e.Name())
		}
	}
}

var snakeCase = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

func TestToolInvariants(t *testing.T) {
	t.Parallel()
	names := map[string]bool{}
	for _, tool := range listAllTools(t) {
		if !snakeCase.MatchString(tool.Name) {
			t.Errorf("%s: name is not snake_case", tool.Name)
		}
		if names[tool.Name] {
			t.Errorf("%s: duplicate name", tool.Name)
		}
		names[tool.Name] = true
		if tool.Title == "" || tool.Description == "" {
			t.Errorf("%s: needs a title and a description", tool.Name)
		}
		if tool.Annotations == nil {
			t.Errorf("%s: needs annotations", tool.Name)
		}
		raw, _ := json.Marshal(tool)
		if !bytes.Contains(raw, []byte(`"readOnlyHint"`)) {
			t.Errorf("%s: readOnlyHint must be explicit on the wire", tool.Name)
		}
		if tool.OutputSchema == nil {
			t.Errorf("%s: needs an output schema", tool.Name)
		}
		in := schemaOf(t, tool.InputSchema)
		if len(in.AnyOf)+len(in.OneOf)+len(in.AllOf) > 0 {
			t.Errorf("%s: input schema has a top-level anyOf/oneOf/allOf, which some clients reject", tool.Name)
		}
		for prop, s := range in.Properties {
			if strings.TrimSpace(s.Description) == "" {
				t.Errorf("%s: input property %s has no description", tool.Name, prop)
			}
		}
	}
}

func schemaOf(t *testing.T, v any) *jsonschema.Schema {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var s jsonschema.Schema
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return &s
}

// TestToolsListSize keeps tools/list affordable: every session reads it whole.
func TestToolsListSize(t *testing.T) {
	t.Parallel()
	list := listAllTools(t)
	b, err := json.Marshal(list)
	if err != nil {
		t.Fatal(err)
	}
	avg := len(b) / len(list)
	t.Logf("tools/list: %d tools, %d bytes, %d bytes per tool on average", len(list), len(b), avg)
	if avg > 800 {
		t.Errorf("tools/list averages %d bytes per tool, over the 800-byte budget: shorten descriptions", avg)
	}
}

// TestReadmeToolTable keeps the README's tool table generated from the
// tools themselves (go generate ./internal/tools rewrites it).
func TestReadmeToolTable(t *testing.T) {
	path := filepath.Join("..", "..", "README.md")
	readme, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- tools:begin -->\n", "<!-- tools:end -->"
	i, j := bytes.Index(readme, []byte(begin)), bytes.Index(readme, []byte(end))
	if i < 0 || j < i {
		t.Fatalf("README.md lacks the %q ... %q markers", begin, end)
	}
	want := tools.MarkdownTable(tools.List(tools.Options{}))
	got := string(readme[i+len(begin) : j])
	if got == want {
		return
	}
	if *update {
		out := slices.Concat(readme[:i+len(begin)], []byte(want), readme[j:])
		if err := os.WriteFile(path, out, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README tool table is out of date: run go generate ./internal/tools\nwant:\n%s", want)
}
