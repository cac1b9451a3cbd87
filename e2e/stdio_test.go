//go:build e2e

package e2e

import (
	"encoding/json"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/registry-mcp/registry-mcp/internal/registrytest"
)

// TestStdio drives the binary over stdio with the SDK client and then
// checks every byte it wrote to stdout.
func TestStdio(t *testing.T) {
	t.Parallel()
	rc := newRecordingCommand(t, childEnv(t), "-transport", "stdio", "-log-level", "debug")
	cs := connect(t, rc)
	if got := cs.InitializeResult().ServerInfo.Name; got == "" {
		t.Errorf("initialize: empty server name")
	}
	checkToolList(t, cs)
	checkRegistryTools(t, cs)
	t.Run("bad inputs", func(t *testing.T) { checkBadInputs(t, cs) })
	if err := cs.Close(); err != nil {
		t.Errorf("close session: %v", err)
	}
	stdout := rc.finish(t)
	checkOnlyJSONRPC(t, stdout)
	if stderr := rc.stderr.String(); !strings.Contains(stderr, "stdio") {
		t.Errorf("stderr should carry the logs (the startup line names stdio); got:\n%s", stderr)
	}
}

// TestStdioDemo checks that -demo's banner goes to stderr, not into the
// protocol stream, and that the demo registry it names answers.
func TestStdioDemo(t *testing.T) {
	t.Parallel()
	rc := newRecordingCommand(t, childEnv(t), "-transport", "stdio", "-demo")
	cs := connect(t, rc)
	m, err := rc.stderr.waitFor(demoRE, 30*time.Second, nil)
	if err != nil {
		t.Fatalf("demo address: %v\nstderr:\n%s", err, rc.stderr.String())
	}
	res := call(t, cs, "get_image_info", map[string]any{"image_ref": m[1] + "/demo/multi:1.0"})
	if got := registrytest.Decode[imageInfo](t, res); len(got.Platforms) < 2 {
		t.Errorf("demo/multi:1.0 platforms = %v, want several", got.Platforms)
	}
	_ = cs.Close()
	checkOnlyJSONRPC(t, rc.finish(t))
}

// TestCommandTransport uses the SDK's own CommandTransport, the way a Go
// client would launch the server.
func TestCommandTransport(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(binary, "-transport", "stdio")
	cmd.Env = childEnv(t)
	cmd.SysProcAttr = procAttr()
	cs := connect(t, &mcp.CommandTransport{Command: cmd, TerminateDuration: 5 * time.Second})
	got := registrytest.Decode[imageInfo](t, call(t, cs, "get_image_info", map[string]any{"image_ref": reg.ref(reg.App)}))
	if got.Digest != reg.AppDigest {
		t.Errorf("digest = %q, want %q", got.Digest, reg.AppDigest)
	}
	if err := cs.Close(); err != nil {
		t.Errorf("close: %v (the server should exit when its stdin closes)", err)
	}
}

var demoRE = regexp.MustCompile(`demo registry running at (127\.0\.0\.1:\d+)`)

// checkOnlyJSONRPC fails unless every line of stdout is one JSON-RPC 2.0
// message.
func checkOnlyJSONRPC(t *testing.T, stdout string) {
	t.Helper()
	if stdout == "" {
		t.Fatal("the stdio server wrote nothing to stdout")
	}
	if !strings.HasSuffix(stdout, "\n") {
		t.Errorf("stdout does not end with a newline: %q", tail(stdout))
	}
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	for i, line := range lines {
		var msg struct {
			JSONRPC string           `json:"jsonrpc"`
			ID      json.RawMessage  `json:"id"`
			Method  string           `json:"method"`
			Result  *json.RawMessage `json:"result"`
			Error   *json.RawMessage `json:"error"`
		}
		if err := json.Unmarshal([]byte(line), &msg); err != nil || msg.JSONRPC != "2.0" ||
			(msg.Method == "" && msg.Result == nil && msg.Error == nil) {
			t.Errorf("stdout line %d is not a JSON-RPC message: %q", i+1, line)
		}
	}
	t.Logf("stdout: %d lines, all JSON-RPC", len(lines))
}

func tail(s string) string {
	if len(s) > 200 {
		return "..." + s[len(s)-200:]
	}
	return s
}
