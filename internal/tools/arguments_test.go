package tools_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/registry-mcp/registry-mcp/internal/oci"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
	"github.com/registry-mcp/registry-mcp/internal/tools"
)

// TestArgumentsAreCheckedAgainstTheInputSchema sends arguments as raw JSON,
// past what a typed client would let through: every one that does not fit
// the tool's input schema is refused with the schema's reason, and nothing
// reaches the handler under another key or type.
func TestArgumentsAreCheckedAgainstTheInputSchema(t *testing.T) {
	t.Parallel()
	e := newEnv(t, registrytest.Options{}, oci.Options{})
	ref := e.fx.Ref(e.fx.App)
	tests := []struct {
		tool, args string
		want       []string
	}{
		{"get_image_info", `null`, []string{`validating "arguments"`, "image_ref"}},
		{"get_image_info", `{}`, []string{`validating "arguments"`, "image_ref"}},
		{"get_image_info", `[1]`, []string{`validating "arguments"`}},
		{"get_image_info", `{"image_ref": 5}`, []string{`validating "arguments"`, "image_ref"}},
		// encoding/json would match IMAGE_REF to image_ref; the schema refuses it first.
		{"get_image_info", `{"IMAGE_REF": "` + ref + `"}`, []string{`validating "arguments"`, "IMAGE_REF"}},
		{"get_image_info", `{"image_ref": "` + ref + `", "extra": 1}`, []string{`validating "arguments"`, "extra"}},
		{"list_tags", `{"repository": "demo/tags", "sort": "random"}`, []string{`validating "arguments"`, "sort"}},
		{"list_tags", `{"repository": "demo/tags", "limit": 1.5}`, []string{`validating "arguments"`, "limit"}},
	}
	for _, tt := range tests {
		res, err := e.cs.CallTool(t.Context(), &mcp.CallToolParams{Name: tt.tool, Arguments: json.RawMessage(tt.args)})
		if err != nil {
			t.Fatalf("%s %s: %v", tt.tool, tt.args, err)
		}
		msg := registrytest.Text(res)
		if !res.IsError {
			t.Errorf("%s %s: answered %q, want an error", tt.tool, tt.args, msg)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%s %s: error %q does not say %q", tt.tool, tt.args, msg, w)
			}
		}
	}
	ok := registrytest.Decode[tools.ImageInfo](t, e.call(t, "get_image_info", map[string]any{"image_ref": ref}))
	if ok.Digest != e.fx.AppDigest {
		t.Fatalf("after the refusals a good call was answered wrongly: %+v", ok)
	}
}
