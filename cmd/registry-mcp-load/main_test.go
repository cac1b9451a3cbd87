package main

import (
	"bytes"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/registry-mcp/registry-mcp/internal/oci"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
	"github.com/registry-mcp/registry-mcp/internal/server"
	"github.com/registry-mcp/registry-mcp/internal/tools"
)

// reportFields are the lines every report carries.
var reportFields = []string{
	"sessions:", "calls:", "errors:", "elapsed:", "throughput:", "calls/s", "latency:", "p50", "p95", "p99",
	"registry requests:", "goroutines:", "peak heap in use:", "max RSS:", "get_image_info", "get_image_details",
	"list_tags", "get_image_manifest",
}

func noEnv(string) string { return "" }

func mustParse(t *testing.T, getenv func(string) string, args ...string) *options {
	t.Helper()
	var stderr bytes.Buffer
	o, err := parseFlags(args, getenv, &stderr)
	if err != nil {
		t.Fatalf("parseFlags(%q): %v\n%s", args, err, stderr.String())
	}
	return o
}

func checkReport(t *testing.T, r *report, out string, calls int) {
	t.Helper()
	if r.errors != 0 || r.made != calls || len(r.latency) != calls {
		t.Errorf("made %d calls with %d errors (%d timed); want %d without error\n%s", r.made, r.errors, len(r.latency), calls, out)
	}
	for _, f := range reportFields {
		if !strings.Contains(out, f) {
			t.Errorf("the report lacks %q:\n%s", f, out)
		}
	}
}

// TestLoadInProcess runs the whole command small: the calls all succeed,
// cost the registry nothing once warm, and leave no goroutine behind. It
// checks counts, never times. (Not parallel: goroutines are counted
// process-wide.)
func TestLoadInProcess(t *testing.T) {
	prof := filepath.Join(t.TempDir(), "cpu.prof")
	o := mustParse(t, noEnv, "-sessions", "4", "-calls", "40", "-cpuprofile", prof)
	var out bytes.Buffer
	r, err := run(t.Context(), o, &out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	checkReport(t, r, out.String(), 40)
	if r.warmupRequests == 0 || r.registryRequests != 0 {
		t.Errorf("registry requests: %d in the warm-up, %d in the load; want some, then none\n%s", r.warmupRequests, r.registryRequests, out.String())
	}
	if r.goroutinesAfter > r.goroutinesBefore {
		t.Errorf("goroutines: %d before the sessions, %d after they closed\n%s", r.goroutinesBefore, r.goroutinesAfter, out.String())
	}
	if r.byTool["get_image_info"] == nil || len(r.byTool["get_image_info"]) != 16 {
		t.Errorf("get_image_info made %d calls; want 16 (two of each five)", len(r.byTool["get_image_info"]))
	}
	if st, err := os.Stat(prof); err != nil || st.Size() == 0 {
		t.Errorf("-cpuprofile wrote no profile: %v", err)
	}
}

// TestLoadEndpoint loads a server started apart, which demands
// MCP_AUTH_TOKEN, as `registry-mcp -demo` with a token would.
func TestLoadEndpoint(t *testing.T) {
	_, fx := registrytest.StartSeeded(t, registrytest.Options{})
	const token = "load-test-token"
	cfg := server.Config{
		Version: "test", AuthToken: token,
		Deps:  tools.Deps{Registry: oci.New(oci.Options{TagTTL: time.Hour})},
		Tools: tools.Options{ReadOnly: true},
	}
	hs := httptest.NewServer(server.Handler(cfg, server.New(cfg), true))
	t.Cleanup(hs.Close)
	getenv := func(k string) string {
		if k == "MCP_AUTH_TOKEN" {
			return token
		}
		return ""
	}

	o := mustParse(t, getenv, "-sessions", "4", "-calls", "40", "-endpoint", hs.URL+"/mcp", "-registry", fx.Host)
	var out bytes.Buffer
	r, err := run(t.Context(), o, &out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	checkReport(t, r, out.String(), 40)
	if !strings.Contains(out.String(), "registry requests:  not observable") {
		t.Errorf("the report should say the registry requests of another process are not observable:\n%s", out.String())
	}
	if r.goroutinesAfter > r.goroutinesBefore {
		t.Errorf("goroutines: %d before the sessions, %d after they closed\n%s", r.goroutinesBefore, r.goroutinesAfter, out.String())
	}

	// Without the token the server turns the load away before any call.
	o = mustParse(t, noEnv, "-sessions", "1", "-calls", "1", "-endpoint", hs.URL+"/mcp", "-registry", fx.Host)
	if _, err := run(t.Context(), o, &bytes.Buffer{}); err == nil {
		t.Error("a load without MCP_AUTH_TOKEN against a server that demands it succeeded")
	}
}

// TestTheCapStopsTheRun asks for far more calls than fit under the cap: the
// run stops by itself, reports what it made, and says it was cut short. The
// test's clock reaches the cap after a fixed number of calls, so the outcome
// does not depend on how fast the machine is (the real cap, the longest
// allowed, is never reached).
func TestTheCapStopsTheRun(t *testing.T) {
	o := mustParse(t, noEnv, "-sessions", "2", "-calls", "1000000", "-duration", maxDuration.String())
	const beforeCap = 25
	var reads atomic.Int64
	o.now = func() time.Time {
		if reads.Add(1) > beforeCap {
			return time.Now().Add(maxDuration)
		}
		return time.Now()
	}
	var out bytes.Buffer
	r, err := run(t.Context(), o, &out)
	if !errors.Is(err, errIncomplete) {
		t.Fatalf("err = %v; want errIncomplete\n%s", err, out.String())
	}
	if r == nil || r.made != beforeCap || r.errors != 0 {
		t.Fatalf("report %+v; want %d calls (those before the cap), no errors", r, beforeCap)
	}
	checkReport(t, r, out.String(), r.made)
}

func TestFlags(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		ok   bool
	}{
		{nil, true},
		{[]string{"-endpoint", "http://127.0.0.1:8080/mcp", "-registry", "127.0.0.1:5000"}, true},
		{[]string{"-endpoint", "http://localhost:8080/mcp", "-registry", "localhost:5000"}, true},
		{[]string{"-endpoint", "http://[::1]:8080/mcp", "-registry", "[::1]:5000"}, true},
		{[]string{"-endpoint", "https://127.0.0.2/mcp", "-registry", "127.0.0.1"}, true},
		// Not loopback: refused before any connection is made.
		{[]string{"-endpoint", "http://10.0.0.1:8080/mcp", "-registry", "127.0.0.1:5000"}, false},
		{[]string{"-endpoint", "http://192.168.1.10/mcp", "-registry", "127.0.0.1:5000"}, false},
		{[]string{"-endpoint", "http://169.254.169.254/mcp", "-registry", "127.0.0.1:5000"}, false},
		{[]string{"-endpoint", "http://example.com/mcp", "-registry", "127.0.0.1:5000"}, false},
		{[]string{"-endpoint", "http://127.0.0.1.nip.io/mcp", "-registry", "127.0.0.1:5000"}, false},
		{[]string{"-endpoint", "http://[::]:8080/mcp", "-registry", "127.0.0.1:5000"}, false},
		{[]string{"-endpoint", "http://0.0.0.0:8080/mcp", "-registry", "127.0.0.1:5000"}, false},
		{[]string{"-endpoint", "ftp://127.0.0.1/mcp", "-registry", "127.0.0.1:5000"}, false},
		{[]string{"-endpoint", "http://127.0.0.1:8080/mcp", "-registry", "docker.io"}, false},
		{[]string{"-endpoint", "http://127.0.0.1:8080/mcp", "-registry", "10.1.2.3:5000"}, false},
		{[]string{"-endpoint", "http://127.0.0.1:8080/mcp"}, false},
		{[]string{"-registry", "127.0.0.1:5000"}, false},
		// Bounds.
		{[]string{"-sessions", "0"}, false},
		{[]string{"-sessions", "1001"}, false},
		{[]string{"-calls", "0"}, false},
		{[]string{"-calls", "1000001"}, false},
		{[]string{"-duration", "0s"}, false},
		{[]string{"-duration", "2h"}, false},
		{[]string{"extra"}, false},
		// Transports and the server's process.
		{[]string{"-transport", "sse"}, true},
		{[]string{"-transport", "stdio", "-command", "registry-mcp"}, true},
		{[]string{"-transport", "stdio"}, false},
		{[]string{"-command", "registry-mcp"}, false},
		{[]string{"-transport", "websocket"}, false},
		{[]string{"-transport", "stdio", "-command", "registry-mcp", "-endpoint", "http://127.0.0.1:8080/mcp", "-registry", "127.0.0.1:5000"}, false},
		{[]string{"-endpoint", "http://127.0.0.1:8080/mcp", "-registry", "127.0.0.1:5000", "-server-pid", "42"}, true},
		{[]string{"-server-pid", "42"}, false},
		{[]string{"-client-rate", "-1"}, false},
	} {
		_, err := parseFlags(tc.args, noEnv, &bytes.Buffer{})
		if (err == nil) != tc.ok {
			t.Errorf("parseFlags(%q): err = %v; want ok = %v", tc.args, err, tc.ok)
		}
	}
}
