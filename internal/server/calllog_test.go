package server_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/registry-mcp/registry-mcp/internal/oci"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
	"github.com/registry-mcp/registry-mcp/internal/server"
	"github.com/registry-mcp/registry-mcp/internal/tools"
)

// syncBuffer is a log sink safe for concurrent writers that reads back as JSON lines.
type syncBuffer struct{ registrytest.LogBuffer }

func (s *syncBuffer) lines(t *testing.T) []map[string]any {
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(s.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

// callOverHTTP makes two tool calls, one failing, over stateless
// Streamable HTTP with a server logging at level.
func callOverHTTP(t *testing.T, level slog.Level) []map[string]any {
	t.Helper()
	_, fx := registrytest.StartSeeded(t, registrytest.Options{})
	var logs syncBuffer
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: level}))
	cfg := server.Config{Version: "test", Deps: tools.Deps{Registry: oci.New(oci.Options{})}, Logger: log}
	srv := httptest.NewServer(server.Handler(cfg, server.New(cfg), true))
	t.Cleanup(srv.Close)
	c := mcp.NewClient(&mcp.Implementation{Name: "t", Version: "0"}, nil)
	cs, err := c.Connect(t.Context(), &mcp.StreamableClientTransport{Endpoint: srv.URL + "/mcp", HTTPClient: &http.Client{}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	registrytest.Call(t, cs, "get_image_info", map[string]any{"image_ref": fx.Ref(fx.App)})
	registrytest.Call(t, cs, "get_image_info", map[string]any{"image_ref": fx.Ref("no/such:image")})
	_ = cs.Close()
	return logs.lines(t)
}

// TestEachCallIsLoggedOnce: at debug, every tool call gives one line with
// the tool, its duration, the result size and whether it was an error.
func TestEachCallIsLoggedOnce(t *testing.T) {
	t.Parallel()
	var calls []map[string]any
	for _, l := range callOverHTTP(t, slog.LevelDebug) {
		if l["msg"] == "tool call" {
			calls = append(calls, l)
		}
	}
	if len(calls) != 2 {
		t.Fatalf("%d tool call lines, want 2: %v", len(calls), calls)
	}
	for i, wantError := range []bool{false, true} {
		l := calls[i]
		if l["tool"] != "get_image_info" || l["is_error"] != wantError || l["duration"] == nil || l["result_bytes"].(float64) <= 0 {
			t.Errorf("call %d: log line %v", i, l)
		}
	}
	if calls[0]["level"] != "DEBUG" || calls[1]["level"] != "INFO" {
		t.Errorf("levels %v and %v; want DEBUG for a success, INFO for an error result", calls[0]["level"], calls[1]["level"])
	}
}

// TestStatelessHTTPIsQuietAtInfo: at info, a stateless session per request
// logs no "session connected / disconnected" lines; only the failed call.
func TestStatelessHTTPIsQuietAtInfo(t *testing.T) {
	t.Parallel()
	lines := callOverHTTP(t, slog.LevelInfo)
	for _, l := range lines {
		if l["msg"] != "tool call" {
			t.Errorf("unexpected info line: %v", l)
		}
	}
	if len(lines) != 1 {
		t.Errorf("%d lines at info, want the one failed call: %v", len(lines), lines)
	}
}
