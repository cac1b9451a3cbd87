// Package deploy holds no code: its tests check the files that publish
// registry-mcp (server.json for the official MCP registry, the ToolHive
// registry entry, the Dockerfile's labels) against the schemas those
// registries validate with, and against each other and the binary, so that a
// release cannot ship metadata that a registry rejects or that names
// variables the server does not read.
package deploy

import (
	"encoding/json"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/jsonschema-go/jsonschema"

	"github.com/registry-mcp/registry-mcp/internal/tools"
)

const (
	serverJSON      = "../server.json"
	toolhiveEntry   = "toolhive/registry-mcp.json"
	mcpSchemaURL    = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json"
	publisherKey    = "io.modelcontextprotocol.registry/publisher-provided"
	toolhiveNS      = "io.github.stacklok"
	skillSchemaURL  = "https://raw.githubusercontent.com/stacklok/toolhive-core/main/registry/types/data/skill.schema.json"
	pluginSchemaURL = "https://raw.githubusercontent.com/stacklok/toolhive-core/main/registry/types/data/plugin.schema.json"
)

// server is the part of server.json the tests read.
type server struct {
	Schema      string `json:"$schema"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Version     string `json:"version"`
	Repository  struct {
		URL    string `json:"url"`
		Source string `json:"source"`
	} `json:"repository"`
	Packages []struct {
		RegistryType    string `json:"registryType"`
		Identifier      string `json:"identifier"`
		Version         string `json:"version"`
		RegistryBaseURL string `json:"registryBaseUrl"`
		FileSHA256      string `json:"fileSha256"`
		Transport       struct {
			Type string `json:"type"`
		} `json:"transport"`
		EnvironmentVariables []struct {
			Name     string `json:"name"`
			IsSecret bool   `json:"isSecret"`
		} `json:"environmentVariables"`
	} `json:"packages"`
	Meta map[string]map[string]map[string]toolhiveExtensions `json:"_meta"`
}

type toolhiveExtensions struct {
	Status string   `json:"status"`
	Tools  []string `json:"tools"`
	Tags   []string `json:"tags"`
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func loadSchema(t *testing.T, file string) *jsonschema.Schema {
	t.Helper()
	var s jsonschema.Schema
	readJSON(t, filepath.Join("testdata", file), &s)
	return &s
}

// resolve resolves a schema whose remote $refs point at the copies in
// testdata, so validation needs no network.
func resolve(t *testing.T, s *jsonschema.Schema) *jsonschema.Resolved {
	t.Helper()
	r, err := s.Resolve(&jsonschema.ResolveOptions{Loader: func(u *url.URL) (*jsonschema.Schema, error) {
		switch u.String() {
		case mcpSchemaURL:
			return loadSchema(t, "mcp-server.schema.json"), nil
		case skillSchemaURL, pluginSchemaURL:
			// The entry has no skills or plugins; these schemas are
			// referenced but never applied.
			return &jsonschema.Schema{}, nil
		}
		t.Fatalf("schema refers to %s, which testdata does not hold", u)
		return nil, nil
	}})
	if err != nil {
		t.Fatalf("resolving %s: %v", s.ID, err)
	}
	return r
}

func TestServerJSONMatchesTheOfficialSchema(t *testing.T) {
	t.Parallel()
	schema := loadSchema(t, "mcp-server.schema.json")
	var doc any
	readJSON(t, serverJSON, &doc)
	if err := resolve(t, schema).Validate(doc); err != nil {
		t.Errorf("server.json does not validate against %s: %v", schema.ID, err)
	}
	var s server
	readJSON(t, serverJSON, &s)
	if s.Schema != schema.ID {
		t.Errorf("server.json $schema = %q, want %q (the schema in testdata; refresh both together)", s.Schema, schema.ID)
	}
}

// TestServerJSONPassesRegistryRules checks what the official MCP registry
// enforces beyond the schema (docs/reference/server-json/official-registry-
// requirements.md and internal/validators/registries/{oci,mcpb}.go in
// github.com/modelcontextprotocol/registry), and our own release rules.
func TestServerJSONPassesRegistryRules(t *testing.T) {
	t.Parallel()
	var s server
	readJSON(t, serverJSON, &s)
	checkRegistryRules(t, s)
}

func checkRegistryRules(t *testing.T, s server) {
	t.Helper()
	// An io.github.<owner>/ name is proven by a GitHub login as <owner>.
	owner := strings.TrimPrefix(s.Repository.URL, "https://github.com/")
	owner, _, _ = strings.Cut(owner, "/")
	if s.Name != "io.github."+owner+"/registry-mcp" || s.Repository.Source != "github" {
		t.Errorf("name %q, repository %s (%s): want io.github.%s/registry-mcp for a GitHub repository", s.Name, s.Repository.URL, s.Repository.Source, owner)
	}
	if n := len(s.Description); n == 0 || n > 100 {
		t.Errorf("description is %d characters; the registry takes 1 to 100", n)
	}
	// Of the package types the registry accepts (npm, pypi, nuget, cargo,
	// oci, mcpb), two fit a Go program: the image and the MCP bundle of
	// prebuilt binaries.
	types := map[string]int{}
	for i, p := range s.Packages {
		types[p.RegistryType]++
		switch p.RegistryType {
		case "oci":
			checkOCIPackage(t, s, i)
		case "mcpb":
			checkMCPBPackage(t, s, i)
		default:
			t.Errorf("package %d: registry type %q does not fit a Go program", i, p.RegistryType)
		}
	}
	if types["oci"] != 1 || types["mcpb"] != 1 {
		t.Errorf("package types %v: want one oci and one mcpb", types)
	}
}

// serverEnv is every variable the packages advertise: name → secret.
var serverEnv = map[string]bool{
	"OCI_REGISTRY": false, "OCI_USERNAME": false, "OCI_PASSWORD": true, "OCI_TOKEN": true,
	"DOCKERHUB_USERNAME": false, "DOCKERHUB_TOKEN": true,
}

// checkEnv compares a package's variables with want (name → secret) and
// checks that the server reads each of them.
func checkEnv(t *testing.T, s server, i int, want map[string]bool) {
	t.Helper()
	got := map[string]bool{}
	for _, e := range s.Packages[i].EnvironmentVariables {
		got[e.Name] = e.IsSecret
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("package %d (%s): environment variables, name → isSecret (-want +got):\n%s", i, s.Packages[i].RegistryType, diff)
	}
	checkReadByServer(t, slices.Sorted(maps.Keys(got)))
}

func checkOCIPackage(t *testing.T, s server, i int) {
	t.Helper()
	p := s.Packages[i]
	if p.Transport.Type != "stdio" {
		t.Errorf("oci package over %s, want stdio (the image's default command)", p.Transport.Type)
	}
	if p.Version != "" || p.RegistryBaseURL != "" || p.FileSHA256 != "" {
		t.Errorf("an OCI package must not carry version, registryBaseUrl or fileSha256 (the registry rejects them): %+v", p)
	}
	ref, err := name.NewTag(p.Identifier, name.StrictValidation)
	if err != nil {
		t.Fatalf("identifier %q: want registry/namespace/repository:tag: %v", p.Identifier, err)
	}
	allowed := []string{"docker.io", "index.docker.io", "ghcr.io", "quay.io", "mcr.microsoft.com"}
	if host := ref.RegistryStr(); !slices.Contains(allowed, host) && !strings.HasSuffix(host, ".pkg.dev") && !strings.HasSuffix(host, ".azurecr.io") {
		t.Errorf("identifier's registry %s is not one the official registry accepts", host)
	}
	if ref.TagStr() != s.Version {
		t.Errorf("identifier tag %q, version %q: a release publishes the image tagged with its version", ref.TagStr(), s.Version)
	}
	checkEnv(t, s, i, serverEnv)
}

// mcpbEnv is what the bundle's manifest sets from its user_config (a
// desktop app asks for a user name and password; OCI_TOKEN is for scripts).
var mcpbEnv = map[string]bool{
	"OCI_REGISTRY": false, "OCI_USERNAME": false, "OCI_PASSWORD": true,
	"DOCKERHUB_USERNAME": false, "DOCKERHUB_TOKEN": true,
}

func checkMCPBPackage(t *testing.T, s server, i int) {
	t.Helper()
	p := s.Packages[i]
	// The registry takes bundles released on GitHub or GitLab only, with
	// "mcp" in the URL and a SHA-256 that clients check before installing.
	want := s.Repository.URL + "/releases/download/v" + s.Version + "/registry-mcp_" + s.Version + ".mcpb"
	if p.Identifier != want {
		t.Errorf("mcpb identifier %q, want %q (the asset scripts/mcpb.sh builds for the release)", p.Identifier, want)
	}
	if !regexp.MustCompile(`^[a-f0-9]{64}$`).MatchString(p.FileSHA256) {
		t.Errorf("mcpb fileSha256 %q: the registry requires the bundle's SHA-256", p.FileSHA256)
	}
	if p.RegistryBaseURL != "" || p.Transport.Type != "stdio" {
		t.Errorf("mcpb package: registryBaseUrl %q, transport %s; want none, and stdio", p.RegistryBaseURL, p.Transport.Type)
	}
	checkEnv(t, s, i, mcpbEnv)
}

// checkReadByServer fails for a variable name that the server's command
// never mentions: metadata must not advertise settings that do nothing.
func checkReadByServer(t *testing.T, names []string) {
	t.Helper()
	files, err := filepath.Glob("../cmd/registry-mcp/*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no sources of cmd/registry-mcp: %v", err)
	}
	var src strings.Builder
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src.Write(b)
	}
	for _, n := range names {
		if !strings.Contains(src.String(), `"`+n+`"`) {
			t.Errorf("%s is advertised but cmd/registry-mcp never reads it", n)
		}
	}
}

func TestDockerfileLabelsTheServerName(t *testing.T) {
	t.Parallel()
	var s server
	readJSON(t, serverJSON, &s)
	b, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`io\.modelcontextprotocol\.server\.name="([^"]*)"`).FindSubmatch(b)
	if m == nil || string(m[1]) != s.Name {
		t.Errorf("Dockerfile label io.modelcontextprotocol.server.name = %q, want server.json's name %q: the registry rejects the image otherwise", m, s.Name)
	}
}

func TestToolHiveRegistryEntry(t *testing.T) {
	t.Parallel()
	var doc map[string]any
	readJSON(t, toolhiveEntry, &doc)
	if err := resolve(t, loadSchema(t, "toolhive-upstream-registry.schema.json")).Validate(doc); err != nil {
		t.Errorf("%s does not validate against ToolHive's registry schema: %v", toolhiveEntry, err)
	}

	var reg struct {
		Data struct {
			Servers []map[string]any `json:"servers"`
		} `json:"data"`
	}
	readJSON(t, toolhiveEntry, &reg)
	if len(reg.Data.Servers) != 1 {
		t.Fatalf("%s lists %d servers, want registry-mcp alone", toolhiveEntry, len(reg.Data.Servers))
	}
	entry := reg.Data.Servers[0]

	// ToolHive validates the _meta extensions with a schema of their own.
	meta, _ := entry["_meta"].(map[string]any)
	if err := resolve(t, loadSchema(t, "toolhive-publisher-provided.schema.json")).Validate(meta[publisherKey]); err != nil {
		t.Errorf("ToolHive extensions do not validate: %v", err)
	}

	// The entry is server.json plus ToolHive's _meta, with the image as its
	// only package (ToolHive runs images, not MCP bundles): nothing may drift.
	var published map[string]any
	readJSON(t, serverJSON, &published)
	var images []any
	for _, p := range published["packages"].([]any) {
		if p.(map[string]any)["registryType"] == "oci" {
			images = append(images, p)
		}
	}
	published["packages"] = images
	withoutMeta := make(map[string]any, len(entry))
	for k, v := range entry {
		if k != "_meta" {
			withoutMeta[k] = v
		}
	}
	if diff := cmp.Diff(published, withoutMeta); diff != "" {
		t.Errorf("the ToolHive entry differs from server.json (-server.json +entry):\n%s", diff)
	}

	var s server
	b, _ := json.Marshal(entry)
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	// `thv run registry-mcp` finds the entry by the part after the slash.
	if _, short, _ := strings.Cut(s.Name, "/"); short != "registry-mcp" {
		t.Errorf("name %q: `thv run registry-mcp` would not find it", s.Name)
	}
	ext, ok := s.Meta[publisherKey][toolhiveNS][s.Packages[0].Identifier]
	if !ok {
		t.Fatalf("no ToolHive extensions under _meta[%s][%s][%s]", publisherKey, toolhiveNS, s.Packages[0].Identifier)
	}
	// A default run is read-only, so the write tools are not offered.
	var want []string
	for _, tool := range tools.List(tools.Options{ReadOnly: true}) {
		want = append(want, tool.Name)
	}
	if diff := cmp.Diff(want, ext.Tools); diff != "" {
		t.Errorf("tools in the ToolHive entry (-server offers +entry lists):\n%s", diff)
	}
	if ext.Status != "Active" || len(ext.Tags) == 0 {
		t.Errorf("status %q, tags %v: want Active and some tags for `thv search`", ext.Status, ext.Tags)
	}
}
