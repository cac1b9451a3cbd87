package tools_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/registry-mcp/registry-mcp/internal/oci"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
)

// wantSafeErrorText checks the contract's rules for an error result's text.
func wantSafeErrorText(t *testing.T, what, msg string) {
	t.Helper()
	if len(msg) > 8<<10 {
		t.Errorf("%s: error text is %d bytes, over 8 KiB", what, len(msg))
	}
	if !utf8.ValidString(msg) {
		t.Errorf("%s: error text is not valid UTF-8 (cut inside a rune?): %q", what, msg)
	}
	for _, r := range msg {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			t.Errorf("%s: error text carries control character %U: %q", what, r, msg)
			return
		}
	}
}

func TestErrorTextEchoesAtMost200CharactersOfHugeInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t, registrytest.Options{}, oci.Options{})
	huge := "Registry.Example/" + strings.Repeat("A", 3_900_000) + ":1"
	for _, c := range []struct {
		tool string
		args map[string]any
	}{
		{"get_image_info", map[string]any{"image_ref": huge}},
		{"get_image_info", map[string]any{"image_ref": e.fx.Ref(e.fx.App), "platform": strings.Repeat("linux/", 700_000)}},
		// The SDK's own schema check quotes a value outside an enum, raw.
		{"list_tags", map[string]any{"repository": "demo/app", "sort": strings.Repeat("\x1b[2JA", 500_000)}},
	} {
		args := c.args
		res := e.call(t, c.tool, args)
		msg := registrytest.Text(res)
		if !res.IsError {
			t.Fatalf("want an error, got %.200s", msg)
		}
		wantSafeErrorText(t, "huge argument", msg)
		if strings.Contains(msg, strings.Repeat("A", 201)) || strings.Contains(msg, strings.Repeat("linux/", 35)) || strings.Contains(msg, strings.Repeat(`\x1b[2JA`, 30)) {
			t.Errorf("the argument is echoed beyond 200 characters: %.400s", msg)
		}
	}
}

func TestRegistryMessagesReachNoControlCharacters(t *testing.T) {
	t.Parallel()
	e := newEnv(t, registrytest.Options{}, oci.Options{})
	// 199 ASCII bytes then a two-byte rune: a 200-byte cut splits it.
	message := "\x1b[2J\x1b]0;pwned\x07line one\r\nline two \u202eevil\u2066 " + strings.Repeat("x", 155) + "é tail"
	reg := hostileRegistry(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		body, _ := json.Marshal(map[string]any{"errors": []map[string]string{{"code": "MANIFEST_UNKNOWN", "message": message}}})
		_, _ = w.Write(body)
	})
	// By digest, so that the client GETs the manifest and reads the body.
	res := e.call(t, "get_image_manifest", map[string]any{"image_ref": reg + "/team/app@sha256:" + strings.Repeat("a", 64)})
	msg := registrytest.Text(res)
	if !res.IsError || !strings.Contains(msg, "not found") {
		t.Fatalf("want a not-found error, got %q", msg)
	}
	wantSafeErrorText(t, "registry message", msg)
	if !strings.Contains(msg, "line one") {
		t.Errorf("the registry's words were dropped with its control characters: %q", msg)
	}
}

func TestResourceErrorsAreBoundedToo(t *testing.T) {
	t.Parallel()
	e := newEnv(t, registrytest.Options{}, oci.Options{})
	_, err := e.cs.ReadResource(t.Context(), &mcp.ReadResourceParams{URI: "docker://image/" + strings.Repeat("Ab\x1b", 1_000_000) + "/1"})
	if err == nil {
		t.Fatal("want an error")
	}
	wantSafeErrorText(t, "resource error", err.Error())
}

// TestProtocolErrorsPassThroughTheBound: a call the SDK refuses outright (an
// unknown tool) answers a JSON-RPC error and the server keeps serving.
func TestProtocolErrorsPassThroughTheBound(t *testing.T) {
	t.Parallel()
	e := newEnv(t, registrytest.Options{}, oci.Options{})
	if _, err := e.cs.CallTool(t.Context(), &mcp.CallToolParams{Name: "no_such_tool_" + strings.Repeat("x", 10_000)}); err == nil {
		t.Fatal("want an error for an unknown tool")
	} else {
		wantSafeErrorText(t, "unknown tool", err.Error())
	}
	if res := e.call(t, "get_image_info", map[string]any{"image_ref": e.fx.Ref(e.fx.App)}); res.IsError {
		t.Fatalf("the server stopped serving: %s", registrytest.Text(res))
	}
}
