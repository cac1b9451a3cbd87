package deploy

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/oasdiff/yaml"
)

// k8sObject is the part of a Kubernetes object the tests read.
type k8sObject struct {
	Kind     string `json:"kind"`
	Metadata struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		Replicas *int `json:"replicas"`
		Template struct {
			Spec struct {
				Containers []k8sContainer `json:"containers"`
			} `json:"spec"`
		} `json:"template"`
	} `json:"spec"`
}

type k8sProbe struct {
	HTTPGet *struct {
		Path string `json:"path"`
	} `json:"httpGet"`
}

type k8sContainer struct {
	Name  string   `json:"name"`
	Image string   `json:"image"`
	Args  []string `json:"args"`
	Env   []struct {
		Name      string `json:"name"`
		Value     string `json:"value"`
		ValueFrom *struct {
			SecretKeyRef *struct {
				Name string `json:"name"`
				Key  string `json:"key"`
			} `json:"secretKeyRef"`
		} `json:"valueFrom"`
	} `json:"env"`
	ReadinessProbe *k8sProbe `json:"readinessProbe"`
	LivenessProbe  *k8sProbe `json:"livenessProbe"`
	Resources      struct {
		Requests map[string]string `json:"requests"`
	} `json:"resources"`
}

// k8sObjects reads every object of every manifest in deploy/kubernetes.
func k8sObjects(t *testing.T) []k8sObject {
	t.Helper()
	files, err := filepath.Glob("kubernetes/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in deploy/kubernetes: %v", err)
	}
	var objs []k8sObject
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, doc := range regexp.MustCompile(`(?m)^---$`).Split(string(b), -1) {
			j, err := yaml.YAMLToJSON([]byte(doc))
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			var o k8sObject
			if err := json.Unmarshal(j, &o); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if o.Kind != "" {
				objs = append(objs, o)
			}
		}
	}
	return objs
}

// serverContainer finds the registry-mcp container of the server Deployment.
func serverContainer(t *testing.T, objs []k8sObject) (k8sObject, k8sContainer) {
	t.Helper()
	for _, o := range objs {
		if o.Kind != "Deployment" {
			continue
		}
		for _, c := range o.Spec.Template.Spec.Containers {
			if strings.HasPrefix(c.Image, "ghcr.io/registry-mcp/registry-mcp:") {
				return o, c
			}
		}
	}
	t.Fatal("no Deployment runs the registry-mcp image")
	return k8sObject{}, k8sContainer{}
}

// binaryConfig reads, from cmd/registry-mcp's sources, the flags it defines
// (the name argument of every flag.FlagSet definition) and the environment
// variables it reads (every upper-case string literal that getenv,
// os.Getenv or os.LookupEnv is called with, or that names a variable in a
// table). The sources are parsed, not grepped, so formatting cannot fool it.
func binaryConfig(t *testing.T) (flags, env map[string]bool) {
	t.Helper()
	flags, env = map[string]bool{}, map[string]bool{}
	fset := token.NewFileSet()
	files, err := filepath.Glob("../cmd/registry-mcp/*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no sources of cmd/registry-mcp: %v", err)
	}
	envName := regexp.MustCompile(`^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				sel, ok := n.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				// fs.String("name", ...), fs.StringVar(&v, "name", ...), fs.Var(&v, "name", ...)
				i := 0
				if strings.HasSuffix(sel.Sel.Name, "Var") {
					i = 1
				}
				if flagMethod(sel.Sel.Name) && len(n.Args) > i+1 {
					if s, ok := stringLit(n.Args[i]); ok {
						flags[s] = true
					}
				}
			case *ast.BasicLit:
				if s, ok := stringLit(n); ok && envName.MatchString(s) {
					env[s] = true
				}
			}
			return true
		})
	}
	if len(flags) < 5 || !env["MCP_AUTH_TOKEN"] {
		t.Fatalf("read %d flags and %v from cmd/registry-mcp: the parser no longer understands how it defines them", len(flags), slices.Sorted(maps.Keys(env)))
	}
	return flags, env
}

func flagMethod(name string) bool {
	switch strings.TrimSuffix(name, "Var") {
	case "", "String", "Bool", "Int", "Int64", "Uint", "Uint64", "Float64", "Duration", "Text", "Func", "BoolFunc":
		return true
	}
	return false
}

func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

// TestKubernetesManifestsUseOnlyWhatTheBinaryAccepts fails for a flag or an
// environment variable in deploy/kubernetes that registry-mcp does not
// define: a renamed flag would otherwise make every pod crash-loop, and a
// misspelt variable would silently do nothing.
func TestKubernetesManifestsUseOnlyWhatTheBinaryAccepts(t *testing.T) {
	t.Parallel()
	flags, env := binaryConfig(t)
	_, c := serverContainer(t, k8sObjects(t))
	if len(c.Args) == 0 || len(c.Env) == 0 {
		t.Fatalf("container %s sets no args or env: nothing to check", c.Name)
	}
	for _, a := range c.Args {
		if !strings.HasPrefix(a, "-") {
			t.Errorf("argument %q: write flags as -name=value, so that each one is checked", a)
			continue
		}
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !flags[name] {
			t.Errorf("flag -%s is not one registry-mcp defines (it has %v)", name, slices.Sorted(maps.Keys(flags)))
		}
	}
	for _, e := range c.Env {
		if !env[e.Name] {
			t.Errorf("environment variable %s is not one registry-mcp reads", e.Name)
		}
	}
}

// TestKubernetesManifestsAreProductionShaped checks what the manifests are
// for: several replicas, a shared Redis, probes on /healthz, resource
// requests, and the endpoint token from a Secret rather than in the file.
func TestKubernetesManifestsAreProductionShaped(t *testing.T) {
	t.Parallel()
	objs := k8sObjects(t)
	d, c := serverContainer(t, objs)
	if d.Spec.Replicas == nil || *d.Spec.Replicas < 2 {
		t.Errorf("Deployment %s: replicas %v, want several", d.Metadata.Name, d.Spec.Replicas)
	}
	for name, probe := range map[string]*k8sProbe{"readiness": c.ReadinessProbe, "liveness": c.LivenessProbe} {
		if probe == nil || probe.HTTPGet == nil || probe.HTTPGet.Path != "/healthz" {
			t.Errorf("%s probe: want an HTTP GET of /healthz", name)
		}
	}
	if c.Resources.Requests["cpu"] == "" || c.Resources.Requests["memory"] == "" {
		t.Errorf("resource requests %v: want cpu and memory", c.Resources.Requests)
	}
	var token, redis bool
	for _, e := range c.Env {
		switch e.Name {
		case "MCP_AUTH_TOKEN":
			token = e.Value == "" && e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil
		case "MCP_CACHE_REDIS":
			redis = strings.HasPrefix(e.Value, "redis://")
		}
	}
	if !token {
		t.Error("MCP_AUTH_TOKEN must come from a Secret (valueFrom.secretKeyRef), never a value in the file")
	}
	if !redis {
		t.Error("MCP_CACHE_REDIS does not name the shared Redis")
	}
	kinds := map[string]int{}
	for _, o := range objs {
		kinds[o.Kind+"/"+o.Metadata.Name]++
	}
	for _, want := range []string{"Service/registry-mcp", "Deployment/registry-mcp-redis", "Service/registry-mcp-redis", "NetworkPolicy/registry-mcp-redis"} {
		if kinds[want] != 1 {
			t.Errorf("no %s in deploy/kubernetes (have %v)", want, kinds)
		}
	}
}
