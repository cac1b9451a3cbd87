package tools_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/registry-mcp/registry-mcp/internal/oci"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
	"github.com/registry-mcp/registry-mcp/internal/server"
	"github.com/registry-mcp/registry-mcp/internal/tools"
)

// TestPromptsNameToolsThatExist keeps each prompt pointing at real tools.
func TestPromptsNameToolsThatExist(t *testing.T) {
	t.Parallel()
	s := server.New(server.Config{Version: "test", Deps: tools.Deps{Registry: oci.New(oci.Options{})}})
	cs := registrytest.Connect(t, s, nil)
	list, err := cs.ListPrompts(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range list.Prompts {
		names = append(names, p.Name)
	}
	if !slices.Equal(names, []string{"audit_image", "upgrade_plan"}) {
		t.Fatalf("prompts %v", names)
	}
	toolList, err := cs.ListTools(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		args  map[string]string
		tools []string
	}{
		"audit_image":  {map[string]string{"image_ref": "nginx:1.27"}, []string{"get_image_info", "get_image_details", "list_referrers", "get_referrer_content", "read_image_file", "list_image_packages", "scan_image_vulnerabilities"}},
		"upgrade_plan": {map[string]string{"repository": "postgres", "current_tag": "16.2"}, []string{"list_tags", "compare_images", "get_image_info"}},
	}
	for name, tt := range tests {
		res, err := cs.GetPrompt(t.Context(), &mcp.GetPromptParams{Name: name, Arguments: tt.args})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		text := res.Messages[0].Content.(*mcp.TextContent).Text
		for _, tool := range tt.tools {
			if !strings.Contains(text, tool+" ") || !slices.ContainsFunc(toolList.Tools, func(x *mcp.Tool) bool { return x.Name == tool }) {
				t.Errorf("%s: should name the existing tool %s", name, tool)
			}
		}
		for _, v := range tt.args {
			if !strings.Contains(text, v) {
				t.Errorf("%s: text does not use the argument %q", name, v)
			}
		}
		if _, err := cs.GetPrompt(t.Context(), &mcp.GetPromptParams{Name: name}); err == nil {
			t.Errorf("%s without arguments: want an error", name)
		}
	}
}
