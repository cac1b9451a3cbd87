package server_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/registry-mcp/registry-mcp/internal/oci"
	"github.com/registry-mcp/registry-mcp/internal/server"
	"github.com/registry-mcp/registry-mcp/internal/tools"
)

// TestStdioAnswersLinesThatAreNotMessages: over stdio, a line that is not
// JSON gets a parse error (-32700, id null), JSON that is not a JSON-RPC
// message an invalid-request error, and the server goes on serving.
func TestStdioAnswersLinesThatAreNotMessages(t *testing.T) {
	t.Parallel()
	cfg := server.Config{Version: "test", Deps: tools.Deps{Registry: oci.New(oci.Options{})}}
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- server.ServeStdio(t.Context(), server.New(cfg), inR, outW) }()
	// A server that stopped answering fails the test instead of hanging it.
	watchdog := time.AfterFunc(10*time.Second, func() { outR.CloseWithError(errors.New("no answer within 10 s")) })
	defer watchdog.Stop()
	out := bufio.NewScanner(outR)
	out.Buffer(nil, 1<<20)
	exchange := func(line string) map[string]any {
		t.Helper()
		if _, err := io.WriteString(inW, line+"\n"); err != nil {
			t.Fatalf("write %q: %v", line, err)
		}
		if !out.Scan() {
			t.Fatalf("no answer to %q: %v", line, out.Err())
		}
		var msg map[string]any
		if err := json.Unmarshal(out.Bytes(), &msg); err != nil {
			t.Fatalf("answer %q is not JSON: %v", out.Text(), err)
		}
		return msg
	}
	wantError := func(msg map[string]any, code float64) {
		t.Helper()
		e, _ := msg["error"].(map[string]any)
		if id, ok := msg["id"]; !ok || id != nil || e == nil || e["code"] != code {
			t.Errorf("answer %v, want an error with code %v and id null", msg, code)
		}
	}
	wantError(exchange("this is not json"), -32700)
	wantError(exchange(`{"jsonrpc":"2.0","method":`), -32700)
	wantError(exchange(`{"hello":"world"}`), -32600)
	init := exchange(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}`)
	if init["id"] != float64(1) || init["result"] == nil {
		t.Fatalf("initialize after bad lines: %v", init)
	}
	if _, err := io.WriteString(inW, `{"jsonrpc":"2.0","method":"notifications/initialized"}`+"\n"); err != nil {
		t.Fatal(err)
	}
	wantError(exchange("garbage again"), -32700)
	list := exchange(`{"jsonrpc":"2.0","id":2,"method":"tools/list"}`)
	if list["id"] != float64(2) || list["result"] == nil {
		t.Errorf("tools/list after bad lines: %v", list)
	}
	inW.Close()
	if err := <-done; err != nil {
		t.Errorf("ServeStdio after the client hung up: %v", err)
	}
}
