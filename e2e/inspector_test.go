//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/registry-mcp/registry-mcp/internal/registrytest"
)

// inspectorResult is what `inspector --cli --format json` prints on stdout.
type inspectorResult struct {
	Result struct {
		Tools []struct {
			Name string `json:"name"`
		} `json:"tools"`
		IsError           bool            `json:"isError"`
		Content           json.RawMessage `json:"content"`
		StructuredContent json.RawMessage `json:"structuredContent"`
	} `json:"result"`
	Error *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// inspector runs the MCP Inspector CLI (E2E_INSPECTOR, run by Node >= 22.19
// from PATH) with args and decodes its JSON output.
func inspector(t *testing.T, args ...string) inspectorResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Getenv("E2E_INSPECTOR"), append([]string{"--cli", "--format", "json", "--connect-timeout", "30000"}, args...)...)
	cmd.Env = childEnv(t)
	cmd.SysProcAttr = procAttr()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var res inspectorResult
	if jerr := json.Unmarshal(out.Bytes(), &res); jerr != nil || err != nil || res.Error != nil {
		t.Fatalf("inspector %s: %v (exit %d)\nstdout: %s\nstderr: %s", strings.Join(args, " "), err, exitCode(err), tail(out.String()), tail(errb.String()))
	}
	return res
}

// inspectorCall is one tools/call with the arguments that suit the demo
// registry, and a check of its structuredContent.
type inspectorCall struct {
	args  []string // --tool-arg key=value pairs
	check func(t *testing.T, structured []byte)
}

// requireTool skips a test whose external tool is not installed, except in
// CI, where a missing tool must fail rather than pass silently.
func requireTool(t *testing.T, envVar, what, installName string) {
	t.Helper()
	if os.Getenv(envVar) != "" {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not set: CI must run %s (scripts/install-tools.sh %s)", envVar, what, installName)
	}
	t.Skipf("%s is not set (scripts/install-tools.sh %s installs it)", envVar, installName)
}

// TestInspector runs the MCP Inspector CLI against the binary started with
// -demo: tools/list, and tools/call of every registry tool, over stdio,
// Streamable HTTP and SSE.
func TestInspector(t *testing.T) {
	requireTool(t, "E2E_INSPECTOR", "the Inspector tests", "inspector")
	t.Parallel()
	srv := startHTTP(t, childEnv(t), "-demo")
	m, err := srv.stderr.waitFor(demoRE, 5*time.Second, srv.exited)
	if err != nil {
		t.Fatalf("demo registry address: %v\nstderr:\n%s", err, srv.stderr.String())
	}
	demo := m[1]
	// The demo seeds the same fixtures as the in-process test registry,
	// so the digests it must report are known here.
	_, f := registrytest.StartSeeded(t, registrytest.Options{})
	ref := func(repoTag string) string { return demo + "/" + repoTag }
	appConfig, err := f.AppImage.ConfigName()
	if err != nil {
		t.Fatal(err)
	}

	calls := map[string]inspectorCall{
		"get_image_info": {[]string{"image_ref=" + ref(f.Multi)}, func(t *testing.T, b []byte) {
			var got imageInfo
			decodeInto(t, b, &got)
			if got.IndexDigest != f.MultiDigest || len(got.Platforms) != 3 {
				t.Errorf("index_digest %q (want %q), platforms %v (want 3)", got.IndexDigest, f.MultiDigest, got.Platforms)
			}
		}},
		"get_image_manifest": {[]string{"image_ref=" + ref(f.App)}, func(t *testing.T, b []byte) {
			var got imageManifest
			decodeInto(t, b, &got)
			if got.Digest != f.AppDigest {
				t.Errorf("digest %q, want %q", got.Digest, f.AppDigest)
			}
		}},
		"get_image_config": {[]string{"image_ref=" + ref(f.App)}, func(t *testing.T, b []byte) {
			var got imageConfig
			decodeInto(t, b, &got)
			if got.Digest != appConfig.String() {
				t.Errorf("digest %q, want the config digest %q", got.Digest, appConfig)
			}
		}},
		"get_image_details": {[]string{"image_ref=" + ref(f.App), "platform=linux/amd64"}, func(t *testing.T, b []byte) {
			var got imageDetails
			decodeInto(t, b, &got)
			if got.Digest != f.AppDigest || got.Dockerfile == "" {
				t.Errorf("digest %q (want %q), dockerfile %q", got.Digest, f.AppDigest, got.Dockerfile)
			}
		}},
		"list_tags": {[]string{"repository=" + ref(f.TagsRepo), "limit=5", "sort=semver-desc"}, func(t *testing.T, b []byte) {
			var got tagList
			decodeInto(t, b, &got)
			if len(got.Tags) != 5 || got.NextCursor == "" {
				t.Errorf("tags %v next_cursor %q; want 5 tags and a cursor", got.Tags, got.NextCursor)
			}
		}},
		"list_referrers": {[]string{"image_ref=" + ref(f.Supply.Signed)}, func(t *testing.T, b []byte) {
			var got referrerList
			decodeInto(t, b, &got)
			if got.Subject != f.Supply.SignedDigest || len(got.Referrers) == 0 {
				t.Errorf("subject %q (want %q), referrers %+v (want some)", got.Subject, f.Supply.SignedDigest, got.Referrers)
			}
		}},
		// get_referrer_content's digest comes from list_referrers, below.
		"get_referrer_content": {[]string{"image_ref=" + ref(f.Supply.Signed)}, nil},
		// The other registry tools are checked in depth by their own
		// tests; here each must succeed through a real client.
		"list_repositories": {[]string{"registry=" + demo}, nil},
		"list_image_files":  {[]string{"image_ref=" + ref(f.App)}, nil},
		"read_image_file":   {[]string{"image_ref=" + ref(f.App), "path=/etc/os-release"}, nil},
		"compare_images":    {[]string{"image_ref_a=" + ref(f.App), "image_ref_b=" + ref(f.Multi)}, nil},
	}
	// Tools left out, and why.
	notCalled := map[string]string{
		"get_rate_limit": "asks Docker Hub; the tests reach nothing but loopback",
	}
	registry, _ := registryToolset(t)

	for _, tr := range []struct {
		name   string
		target []string
	}{
		{"stdio", []string{"--", binary, "-transport", "stdio"}},
		{"http", []string{"--transport", "http", "--server-url", srv.base + "/mcp"}},
		{"sse", []string{"--transport", "sse", "--server-url", srv.base + "/sse"}},
	} {
		t.Run(tr.name, func(t *testing.T) {
			t.Parallel()
			target := func(args ...string) []string {
				if tr.name == "stdio" { // the command goes last, after --
					return append(args, tr.target...)
				}
				return append(tr.target, args...)
			}
			list := inspector(t, target("--method", "tools/list")...)
			var listed []string
			for _, tool := range list.Result.Tools {
				listed = append(listed, tool.Name)
			}
			for _, name := range registry {
				if !slices.Contains(listed, name) {
					t.Errorf("tools/list over %s lacks %s: %v", tr.name, name, listed)
				}
			}
			for _, name := range registry {
				c, ok := calls[name]
				if !ok {
					if why, skip := notCalled[name]; skip {
						t.Logf("%s not called: %s", name, why)
					} else {
						t.Logf("%s not called: no e2e arguments for it yet", name)
					}
					continue
				}
				t.Run(name, func(t *testing.T) {
					args := []string{"--method", "tools/call", "--tool-name", name}
					if name == "get_referrer_content" {
						res := inspector(t, target("--method", "tools/call", "--tool-name", "list_referrers", "--tool-arg", "image_ref="+ref(f.Supply.Signed))...)
						var refs referrerList
						decodeInto(t, res.Result.StructuredContent, &refs)
						if len(refs.Referrers) == 0 {
							t.Fatalf("list_referrers %s found none", f.Supply.Signed)
						}
						c.args = append(c.args, "digest="+refs.Referrers[0].Digest)
					}
					for _, a := range c.args {
						args = append(args, "--tool-arg", a)
					}
					res := inspector(t, target(args...)...)
					if res.Result.IsError || len(res.Result.StructuredContent) == 0 {
						t.Fatalf("isError %v, structuredContent %s, content %s", res.Result.IsError, res.Result.StructuredContent, tail(string(res.Result.Content)))
					}
					if c.check != nil {
						c.check(t, res.Result.StructuredContent)
					}
				})
			}
		})
	}
}

type referrerList struct {
	Subject   string `json:"subject"`
	Referrers []struct {
		Digest string `json:"digest"`
		Kind   string `json:"kind"`
	} `json:"referrers"`
}

func decodeInto(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode structuredContent %s: %v", tail(string(b)), err)
	}
}
