package main

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/registry-mcp/registry-mcp/internal/measure"
)

// The figures of this file come from registry-mcp running as a process of its
// own, started the way a client or an operator starts it, so that its CPU
// time and memory are its own and not the benchmark's: the server's CPU per
// cached call by transport, the time from spawning it to the first tools/list
// answer over stdio, and its resident memory when idle.

// cpuClients is how many MCP clients call concurrently in the CPU runs.
const cpuClients = 8

// startupRuns is how many stdio spawns the startup figure is the median of.
const startupRuns = 5

// startupTimeout bounds one of them: a server that hangs fails the run.
const startupTimeout = 30 * time.Second

// serverBinary returns the registry-mcp binary to measure: the -server path,
// or one built now from ./cmd/registry-mcp as a release is built.
func serverBinary(ctx context.Context, o *options, dir string) (string, error) {
	if o.server != "auto" {
		return o.server, nil
	}
	bin := filepath.Join(dir, "registry-mcp")
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags", "-s -w", "-o", bin, "./cmd/registry-mcp")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/registry-mcp (run make bench from the repository root, or pass -server): %w\n%s", err, out)
	}
	return bin, nil
}

// serverEnv is the environment of the measured server: no registry-mcp
// settings or credentials from the caller, and an empty Docker config.
func serverEnv(dockerConfig string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "MCP_") || strings.HasPrefix(k, "OCI_") || strings.HasPrefix(k, "DOCKERHUB_") ||
			k == "DOCKER_CONFIG" || k == "REGISTRY_AUTH_FILE" {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "DOCKER_CONFIG="+dockerConfig)
}

// lockedBuffer collects a child's stderr for an error message.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf.Len() > 64<<10 { // the tail is not needed; bound it
		return len(p), nil
	}
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// httpServer is registry-mcp serving HTTP on a loopback port.
type httpServer struct {
	cmd    *exec.Cmd
	base   string
	stderr *lockedBuffer
}

func startHTTPServer(ctx context.Context, bin string, env []string) (*httpServer, error) {
	port, err := measure.FreePort()
	if err != nil {
		return nil, err
	}
	s := &httpServer{base: fmt.Sprintf("http://127.0.0.1:%d", port), stderr: &lockedBuffer{}}
	// -client-rate 0 -client-concurrency 0: the CPU runs call flat out
	// from one address, which the per-client limits would refuse.
	s.cmd = exec.Command(bin, "-transport", "http", "-port", strconv.Itoa(port), "-client-rate", "0", "-client-concurrency", "0") //nolint:gosec // bin is the binary this command built, or the user's own -server flag
	s.cmd.Env, s.cmd.Stderr = env, s.stderr
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := measure.WaitHealthy(ctx, s.base+"/healthz", 20*time.Millisecond); err != nil {
		s.stop()
		return nil, fmt.Errorf("registry-mcp did not answer %s/healthz: %s", s.base, s.stderr)
	}
	return s, nil
}

func (s *httpServer) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
}

// machine describes where the figures come from.
func machine() string {
	return fmt.Sprintf("%d cores (GOMAXPROCS %d), %s/%s, %s, load average %s",
		runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH, runtime.Version(), cmp.Or(measure.LoadAverage(3), "unknown"))
}

// processes prints the figures measured on registry-mcp as a process.
func (b *bench) processes(ctx context.Context, w io.Writer) error {
	dir, err := os.MkdirTemp("", "registry-mcp-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin, err := serverBinary(ctx, b.o, dir)
	if err != nil {
		return err
	}
	env := serverEnv(dir)
	args := map[string]any{"image_ref": b.fx.Ref(b.fx.App)}
	fmt.Fprintf(w, "\nregistry-mcp as a process (%s)\n", bin)

	startup, err := measure.StdioStartups(ctx, bin, env, startupRuns, startupTimeout)
	if err != nil {
		return fmt.Errorf("startup: %w", err)
	}
	slices.Sort(startup)
	fmt.Fprintf(w, "  startup to the first tools/list answer over stdio: %s (median of %d spawns; all: %s)\n",
		measure.Millis(measure.Percentile(startup, 50)), startupRuns, millisList(startup))

	srv, err := startHTTPServer(ctx, bin, env)
	if err != nil {
		return err
	}
	defer srv.stop()
	time.Sleep(time.Second) // let start-up garbage be collected, as an idle server's would be
	rss, err := measure.ProcessRSS(srv.cmd.Process.Pid)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "  idle RSS (HTTP mode, started, no call yet): %s\n", measure.MiB(rss))

	fmt.Fprintf(w, "  server CPU per cached get_image_info (utime+stime of the server process / calls, %d concurrent clients, %v per run):\n", cpuClients, b.o.duration)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "    transport\tcalls\tcalls/s\tCPU per call\t")
	for _, tr := range []string{"streamable-http", "sse", "stdio"} {
		r, err := b.cpuRun(ctx, tr, bin, env, srv, args)
		if err != nil {
			return fmt.Errorf("%s: %w", tr, err)
		}
		fmt.Fprintf(tw, "    %s\t%d\t%.0f\t%s\t\n", tr, r.calls, float64(r.calls)/r.elapsed.Seconds(), perCall(r.cpu, r.calls))
	}
	return tw.Flush()
}

func millisList(ds []time.Duration) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = measure.Millis(d)
	}
	return strings.Join(parts, " ")
}

func perCall(cpu time.Duration, calls int) string {
	if calls == 0 {
		return "-"
	}
	return fmt.Sprintf("%.3f ms", float64(cpu)/float64(calls)/float64(time.Millisecond))
}

type cpuResult struct {
	calls   int
	cpu     time.Duration
	elapsed time.Duration
}

// cpuRun connects cpuClients clients over one transport (stdio: one
// session, which the clients share, since a stdio server has one peer),
// warms the cache with one call, then measures the server's CPU over a run.
func (b *bench) cpuRun(ctx context.Context, transport, bin string, env []string, srv *httpServer, args map[string]any) (*cpuResult, error) {
	pid := srv.cmd.Process.Pid
	var sessions []*mcp.ClientSession
	defer func() {
		for _, cs := range sessions {
			_ = cs.Close()
		}
	}()
	hc := &http.Client{Transport: &http.Transport{MaxIdleConns: 64, MaxIdleConnsPerHost: 64}}
	connect := func(t mcp.Transport) error {
		cs, err := mcp.NewClient(&mcp.Implementation{Name: "bench", Version: "0"}, nil).Connect(ctx, t, nil)
		if err == nil {
			sessions = append(sessions, cs)
		}
		return err
	}
	switch transport {
	case "streamable-http", "sse":
		for range cpuClients {
			var t mcp.Transport = &mcp.StreamableClientTransport{Endpoint: srv.base + "/mcp", HTTPClient: hc, DisableStandaloneSSE: true}
			if transport == "sse" {
				t = &mcp.SSEClientTransport{Endpoint: srv.base + "/sse", HTTPClient: hc}
			}
			if err := connect(t); err != nil {
				return nil, err
			}
		}
	case "stdio":
		cmd := exec.Command(bin, "-transport", "stdio")
		cmd.Env = env
		if err := connect(&mcp.CommandTransport{Command: cmd}); err != nil {
			return nil, err
		}
		if cmd.Process == nil {
			return nil, errors.New("the stdio server did not start")
		}
		pid = cmd.Process.Pid
	}
	if err := call(ctx, sessions[0], "get_image_info", args); err != nil {
		return nil, err
	}
	cpu0, err := measure.ProcessCPU(pid)
	if err != nil {
		return nil, err
	}
	var (
		calls atomic.Int64
		mu    sync.Mutex
		first error
		wg    sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(b.o.duration)
	for i := range cpuClients {
		cs := sessions[i%len(sessions)]
		wg.Go(func() {
			for time.Now().Before(deadline) {
				if err := call(ctx, cs, "get_image_info", args); err != nil {
					mu.Lock()
					first = cmpErr(first, err)
					mu.Unlock()
					return
				}
				calls.Add(1)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu1, err := measure.ProcessCPU(pid)
	if err != nil {
		return nil, err
	}
	if first != nil {
		return nil, first
	}
	return &cpuResult{calls: int(calls.Load()), cpu: cpu1 - cpu0, elapsed: elapsed}, nil
}
