//go:build e2e

package e2e

import (
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/registry-mcp/registry-mcp/internal/registrytest"
)

// TestHTTP drives one HTTP server over Streamable HTTP and legacy SSE.
func TestHTTP(t *testing.T) {
	t.Parallel()
	srv := startHTTP(t, childEnv(t))

	t.Run("streamable", func(t *testing.T) {
		cs := connect(t, &mcp.StreamableClientTransport{Endpoint: srv.base + "/mcp", MaxRetries: -1})
		checkToolList(t, cs)
		checkRegistryTools(t, cs)
		t.Run("bad inputs", func(t *testing.T) { checkBadInputs(t, cs) })
	})
	t.Run("sse", func(t *testing.T) {
		cs := connect(t, &mcp.SSEClientTransport{Endpoint: srv.base + "/sse"})
		checkToolList(t, cs)
		got := registrytest.Decode[imageInfo](t, call(t, cs, "get_image_info", map[string]any{"image_ref": reg.ref(reg.Multi)}))
		if got.IndexDigest != reg.MultiDigest || len(got.Platforms) != len(reg.MultiByPlat) {
			t.Errorf("over SSE: index_digest %q platforms %v; want %q and %d platforms", got.IndexDigest, got.Platforms, reg.MultiDigest, len(reg.MultiByPlat))
		}
	})
	t.Run("dns rebinding", func(t *testing.T) {
		for _, tc := range []struct {
			method, path, host, origin string
			want                       int
		}{
			{"GET", "/healthz", "", "", http.StatusOK},
			{"GET", "/healthz", "evil.example", "", http.StatusForbidden},
			{"POST", "/mcp", "evil.example", "", http.StatusForbidden},
			{"GET", "/sse", "evil.example:80", "", http.StatusForbidden},
			{"POST", "/mcp", "", "http://evil.example", http.StatusForbidden},
		} {
			req, err := http.NewRequestWithContext(t.Context(), tc.method, srv.base+tc.path, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"ping"}`))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "application/json, text/event-stream")
			if tc.host != "" {
				req.Host = tc.host
			}
			if tc.origin != "" {
				req.Header.Set("Origin", tc.origin)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatalf("%s %s Host %q Origin %q: %v", tc.method, tc.path, tc.host, tc.origin, err)
			}
			_ = resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("%s %s Host %q Origin %q: status %d, want %d", tc.method, tc.path, tc.host, tc.origin, resp.StatusCode, tc.want)
			}
		}
	})
	t.Run("json logs on stderr", func(t *testing.T) {
		first, _, _ := strings.Cut(srv.stderr.String(), "\n")
		if !strings.HasPrefix(first, "{") {
			t.Errorf("HTTP mode logs JSON to stderr when it is not a terminal; first line: %q", first)
		}
		if out := srv.stdout.String(); out != "" {
			t.Errorf("HTTP mode wrote to stdout: %q", tail(out))
		}
	})
}

// TestSIGTERM checks a graceful, prompt and clean exit, with and without a
// client holding an SSE stream open.
func TestSIGTERM(t *testing.T) {
	t.Parallel()
	for _, openStream := range []bool{false, true} {
		name := "idle"
		if openStream {
			name = "open sse stream"
		}
		t.Run(name, func(t *testing.T) {
			srv := startHTTP(t, childEnv(t))
			cs := connect(t, &mcp.StreamableClientTransport{Endpoint: srv.base + "/mcp", MaxRetries: -1})
			call(t, cs, "get_image_info", map[string]any{"image_ref": reg.ref(reg.App)})
			if openStream {
				sse := connect(t, &mcp.SSEClientTransport{Endpoint: srv.base + "/sse"})
				call(t, sse, "list_tags", map[string]any{"repository": reg.ref(reg.TagsRepo), "limit": 1})
			}
			start := time.Now()
			if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			err := srv.wait(5 * time.Second)
			if code := exitCode(err); code != 0 {
				t.Errorf("after SIGTERM: %v (exit code %d), want a clean exit within 5s\nstderr:\n%s", err, code, tail(srv.stderr.String()))
			}
			t.Logf("exited %s after SIGTERM", time.Since(start).Round(time.Millisecond))
		})
	}
}
