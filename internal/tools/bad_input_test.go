package tools_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/registry-mcp/registry-mcp/internal/oci"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
	"github.com/registry-mcp/registry-mcp/internal/tools"
)

// hostileRegistry answers the ping like a registry and everything else with
// whatever the test wants: HTML, garbage, or bodies over the caps.
func hostileRegistry(t *testing.T, manifests http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/v2/":
			w.WriteHeader(http.StatusOK)
		case strings.Contains(r.URL.Path, "/blobs/"):
			http.Error(w, "no", http.StatusNotFound)
		default:
			manifests(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

func TestBadInputsGiveClearErrorsAndTheServerKeepsServing(t *testing.T) {
	t.Parallel()
	e := newEnv(t, registrytest.Options{}, oci.Options{})
	html := hostileRegistry(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html><body>Please log in</body></html>")
	})
	garbage := hostileRegistry(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/vnd.oci.image.manifest.v1+json")
		fmt.Fprint(w, "{not json")
	})
	huge := hostileRegistry(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/vnd.oci.image.manifest.v1+json")
		fmt.Fprintf(w, `{"schemaVersion":2,"layers":[],"annotations":{"pad":"%s"}}`, strings.Repeat("x", oci.MaxManifestBytes))
	})
	bigConfig := hostileRegistry(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/vnd.oci.image.manifest.v1+json")
		fmt.Fprintf(w, `{"schemaVersion":2,"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%d},"layers":[]}`, strings.Repeat("a", 64), oci.MaxConfigBytes+1)
	})
	tests := []struct {
		tool string
		args map[string]any
		want string
	}{
		{"get_image_info", map[string]any{"image_ref": "INVALID::ref"}, "invalid reference"},
		{"get_image_info", map[string]any{"image_ref": "Library/Alpine:3.20"}, "must be lowercase"},
		{"get_image_info", map[string]any{"image_ref": ""}, "image_ref is empty"},
		{"get_image_info", map[string]any{"image_ref": "   "}, "image_ref is empty"},
		{"get_image_info", map[string]any{"image_ref": e.fx.Ref("demo/app:nope")}, "list_tags shows the tags"},
		{"get_image_info", map[string]any{"image_ref": e.fx.Ref("demo/missing:1.0")}, "not found"},
		{"get_image_info", map[string]any{"image_ref": "127.0.0.1:1/team/app:1"}, "cannot connect to 127.0.0.1:1"},
		{"get_image_info", map[string]any{"image_ref": html + "/team/app:1"}, "HTML page"},
		{"get_image_manifest", map[string]any{"image_ref": garbage + "/team/app:1"}, "not valid JSON"},
		{"get_image_manifest", map[string]any{"image_ref": huge + "/team/app:1"}, "over the 4194304-byte limit"},
		{"get_image_config", map[string]any{"image_ref": bigConfig + "/team/app:1"}, "over the 8388608-byte limit"},
		{"get_image_info", map[string]any{"image_ref": e.fx.Ref(e.fx.App), "platform": "linux"}, "must be os/arch[/variant]"},
		{"get_image_info", map[string]any{"image_ref": e.fx.Ref(e.fx.App), "platform": "linux/amd64/v1/x"}, "must be os/arch[/variant]"},
		{"list_tags", map[string]any{"repository": "INVALID::repo"}, "invalid reference"},
		{"list_tags", map[string]any{"repository": ""}, "repository is empty"},
	}
	for _, tt := range tests {
		res := e.call(t, tt.tool, tt.args)
		msg := registrytest.Text(res)
		if !res.IsError || !strings.Contains(msg, tt.want) {
			t.Errorf("%s %v: got error=%v %q, want an error containing %q", tt.tool, tt.args, res.IsError, msg, tt.want)
		}
		ok := registrytest.Decode[tools.ImageInfo](t, e.call(t, "get_image_info", map[string]any{"image_ref": e.fx.Ref(e.fx.App)}))
		if ok.Digest != e.fx.AppDigest {
			t.Fatalf("after %s %v the server answered a good call wrongly: %+v", tt.tool, tt.args, ok)
		}
	}
}
