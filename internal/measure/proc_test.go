package measure

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestProcStat reads this test process's own CPU time and RSS the way the
// benchmark and load commands read the server's.
func TestProcStat(t *testing.T) {
	t.Parallel()
	pid := os.Getpid()
	// Burn a little CPU so that the count is above zero ticks.
	for i := 0; ; i++ {
		cpu, err := ProcessCPU(pid)
		if err != nil {
			t.Fatal(err)
		}
		if cpu > 0 {
			break
		}
		if i > 1e9 {
			t.Fatal("ProcessCPU stayed at zero")
		}
	}
	rss, err := ProcessRSS(pid)
	if err != nil || rss < 1<<20 {
		t.Errorf("ProcessRSS = %d, %v; want over 1 MiB", rss, err)
	}
}

func TestProcessCPUOfNoProcessFails(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc")
	}
	if _, err := ProcessCPU(-1); err == nil {
		t.Error("a process that does not exist has a CPU time")
	}
	if _, err := ProcessRSS(-1); err == nil {
		t.Error("a process that does not exist has a resident set")
	}
}

func TestLoadAverage(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("/proc/loadavg"); err != nil {
		t.Skip("no /proc")
	}
	if got := LoadAverage(3); len(strings.Fields(got)) != 3 {
		t.Errorf("LoadAverage(3) = %q, want three figures", got)
	}
	if got := LoadAverage(1); len(strings.Fields(got)) != 1 {
		t.Errorf("LoadAverage(1) = %q, want one figure", got)
	}
}

// TestStdioStartupsTimesAnAnswer stands a shell script in for the server: it
// answers initialize and tools/list, so the measurement reads both answers.
func TestStdioStartupsTimesAnAnswer(t *testing.T) {
	t.Parallel()
	bin := writeScript(t, `read -r _; echo '{"jsonrpc":"2.0","id":1,"result":{}}'
read -r _; read -r _; echo '{"jsonrpc":"2.0","method":"notifications/x"}'; echo '{"jsonrpc":"2.0","id":2,"result":{"tools":[{"name":"t"}]}}'
read -r _`)
	ds, err := StdioStartups(context.Background(), bin, nil, 2, 10*time.Second)
	if err != nil || len(ds) != 2 || ds[0] <= 0 {
		t.Fatalf("StdioStartups = %v, %v; want two times", ds, err)
	}
	noTools := writeScript(t, `read -r _; echo '{"jsonrpc":"2.0","id":1,"result":{}}'
read -r _; read -r _; echo '{"jsonrpc":"2.0","id":2,"result":{"tools":[]}}'`)
	if _, err := StdioStartups(context.Background(), noTools, nil, 1, 10*time.Second); err == nil || !strings.Contains(err.Error(), "no tools") {
		t.Errorf("a server with no tools: err = %v, want it named", err)
	}
}

func writeScript(t *testing.T, body string) string {
	t.Helper()
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh")
	}
	p := t.TempDir() + "/server"
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o700); err != nil { //nolint:gosec // an executable test script
		t.Fatal(err)
	}
	return p
}

func TestWaitHealthyWaitsForA200(t *testing.T) {
	t.Parallel()
	var asked atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if asked.Add(1) < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	if err := WaitHealthy(t.Context(), srv.URL, time.Millisecond); err != nil || asked.Load() != 3 {
		t.Errorf("WaitHealthy = %v after %d requests; want nil after 3", err, asked.Load())
	}
	port, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := WaitHealthy(ctx, fmt.Sprintf("http://127.0.0.1:%d/healthz", port), time.Millisecond); err == nil {
		t.Error("WaitHealthy on a port nothing serves and an ended context succeeded")
	}
}
