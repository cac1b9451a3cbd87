package tools_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/registry-mcp/registry-mcp/internal/registrytest"
)

// TestReferrerContentRequestCounts pins what get_referrer_content costs on a
// token registry in a fresh process, ping and token included: cold, after
// get_image_info or list_referrers of the same image, and repeated.
func TestReferrerContentRequestCounts(t *testing.T) {
	t.Parallel()
	content := func(e *env) map[string]any {
		return map[string]any{"image_ref": e.fx.Ref(e.fx.Supply.Signed), "digest": e.fx.Supply.Referrers["sbom"]}
	}
	tests := []struct {
		name   string
		before string // a tool called first with the same image_ref
		cold   map[string]int
	}{
		{"cold", "", map[string]int{"GET ping": 1, "GET token": 1, "GET manifests": 2, "GET blobs": 1}},
		{"after get_image_info", "get_image_info", map[string]int{"GET manifests": 1, "GET blobs": 1}},
		{"after list_referrers", "list_referrers", map[string]int{"GET manifests": 1, "GET blobs": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, registrytest.Options{TokenAuth: true}, withTTL)
			if tt.before != "" {
				if res := e.call(t, tt.before, map[string]any{"image_ref": e.fx.Ref(e.fx.Supply.Signed)}); res.IsError {
					t.Fatalf("%s: %s", tt.before, registrytest.Text(res))
				}
			}
			e.reg.Reset()
			first := e.call(t, "get_referrer_content", content(e))
			if first.IsError {
				t.Fatal(registrytest.Text(first))
			}
			t.Logf("%s: %d requests %v", tt.name, e.reg.Total(), e.reg.Counts())
			if diff := cmp.Diff(tt.cold, e.reg.Counts()); diff != "" {
				t.Errorf("registry requests (-want +got):\n%s", diff)
			}
			e.reg.Reset()
			again := e.call(t, "get_referrer_content", content(e))
			if n := e.reg.Total(); n != 0 {
				t.Errorf("repeated: %d registry requests (%v); want 0", n, e.reg.Counts())
			}
			if registrytest.Text(again) != registrytest.Text(first) {
				t.Error("the repeated answer differs from the first")
			}
		})
	}
}
