package tools_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/registry-mcp/registry-mcp/internal/hub"
	"github.com/registry-mcp/registry-mcp/internal/oci"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
	"github.com/registry-mcp/registry-mcp/internal/server"
	"github.com/registry-mcp/registry-mcp/internal/tools"
)

// TestInstructionsDescribeOnlyWhatIsOffered: with -toolsets hub the model is
// not told to start with a registry tool it cannot call.
func TestInstructionsDescribeOnlyWhatIsOffered(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		opts      tools.Options
		want, not []string
	}{
		{"all", tools.Options{}, []string{"get_image_info", "search_images"}, nil},
		{"hub only", tools.Options{Toolsets: []string{tools.ToolsetHub}}, []string{"search_images"}, []string{"get_image_info", "Registry tools"}},
		{"registry only", tools.Options{Toolsets: []string{tools.ToolsetRegistry}}, []string{"get_image_info"}, []string{"search_images", "Hub tools"}},
		{"tools from one toolset", tools.Options{Tools: []string{"list_hub_tags"}}, []string{"Hub tools"}, []string{"Registry tools"}},
	}
	for _, tt := range tests {
		s := server.New(server.Config{Version: "test", Tools: tt.opts,
			Deps: tools.Deps{Registry: oci.New(oci.Options{}), Hub: hub.New(hub.Options{BaseURL: "http://127.0.0.1:1"})}})
		got := registrytest.Connect(t, s, nil).InitializeResult().Instructions
		wantAll(t, tt.name, got, tt.want...)
		for _, n := range tt.not {
			if strings.Contains(got, n) {
				t.Errorf("%s: instructions %q mention %q", tt.name, got, n)
			}
		}
	}
}

func TestToolsOptionOffersOnlyTheNamedTools(t *testing.T) {
	t.Parallel()
	names := tools.ToolNames()
	for _, want := range []string{"get_image_info", "search_images", "create_hub_repository"} {
		if !slices.Contains(names, want) {
			t.Errorf("ToolNames() = %v lacks %s", names, want)
		}
	}
	var got []string
	for _, info := range tools.List(tools.Options{Tools: []string{"list_tags", "create_hub_repository", "get_hub_tag"}, ReadOnly: true}) {
		got = append(got, info.Name)
	}
	if !slices.Equal(got, []string{"list_tags", "get_hub_tag"}) {
		t.Errorf("tools list_tags, create_hub_repository (a write tool, read-only server), get_hub_tag: offered %v", got)
	}
	got = nil
	for _, info := range tools.List(tools.Options{Tools: []string{"list_tags", "get_hub_tag"}, Toolsets: []string{tools.ToolsetHub}}) {
		got = append(got, info.Name)
	}
	if !slices.Equal(got, []string{"get_hub_tag"}) {
		t.Errorf("tools within -toolsets hub: offered %v, want only get_hub_tag", got)
	}
}
