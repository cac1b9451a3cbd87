//go:build e2e

package e2e

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/registry-mcp/registry-mcp/internal/registrytest"
)

// childEnv is the environment of every process the tests start: the
// caller's, less anything that configures registry-mcp or carries
// credentials, plus an empty Docker config, plus extra.
func childEnv(t *testing.T, extra ...string) []string {
	t.Helper()
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "MCP_") && k != "MCP_CATALOG_PATH" && k != "MCP_CLIENT_CONFIG_PATH",
			strings.HasPrefix(k, "OCI_"), strings.HasPrefix(k, "DOCKERHUB_"),
			k == "DOCKER_CONFIG", k == "REGISTRY_AUTH_FILE":
			continue
		}
		env = append(env, kv)
	}
	return append(env, append([]string{"DOCKER_CONFIG=" + t.TempDir()}, extra...)...)
}

// syncBuffer is a bytes.Buffer that a process writes while the test reads.
type syncBuffer struct{ registrytest.LogBuffer }

// waitFor polls until re matches, returning the submatches.
func (b *syncBuffer) waitFor(re *regexp.Regexp, timeout time.Duration, exited <-chan struct{}) ([]string, error) {
	deadline := time.Now().Add(timeout)
	for {
		if m := re.FindStringSubmatch(b.String()); m != nil {
			return m, nil
		}
		select {
		case <-exited:
			if m := re.FindStringSubmatch(b.String()); m != nil {
				return m, nil
			}
			return nil, fmt.Errorf("process exited before printing %q", re)
		default:
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("no %q after %s", re, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// proc is a started registry-mcp process.
type proc struct {
	cmd    *exec.Cmd
	stderr *syncBuffer
	stdout *syncBuffer
	exited chan struct{} // closed when Wait returns
	err    error         // Wait's result, once exited is closed
}

// start runs the binary with args and stops it when the test ends.
func start(t *testing.T, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(binary, args...), stderr: &syncBuffer{}, stdout: &syncBuffer{}, exited: make(chan struct{})}
	p.cmd.Env = env
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	p.cmd.SysProcAttr = procAttr()
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s %v: %v", binary, args, err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() { p.stop(t) })
	return p
}

// stop ends the process, politely first.
func (p *proc) stop(t *testing.T) {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		t.Errorf("pid %d ignored SIGTERM for 10s; killing it", p.cmd.Process.Pid)
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// wait waits for the process to exit by itself.
func (p *proc) wait(timeout time.Duration) error {
	select {
	case <-p.exited:
		return p.err
	case <-time.After(timeout):
		return fmt.Errorf("still running after %s", timeout)
	}
}

var listenRE = regexp.MustCompile(`http://(127\.0\.0\.1:\d+)/mcp`)

// httpServer is registry-mcp serving HTTP on a port the kernel chose.
type httpServer struct {
	*proc
	base string // http://127.0.0.1:port
}

// startHTTP runs the binary in HTTP mode on a free loopback port and waits
// until /healthz answers.
func startHTTP(t *testing.T, env []string, args ...string) *httpServer {
	t.Helper()
	p := start(t, env, append([]string{"-port", "0", "-log-level", "debug"}, args...)...)
	m, err := p.stderr.waitFor(listenRE, 60*time.Second, p.exited)
	if err != nil {
		t.Fatalf("registry-mcp %v: %v\nstderr:\n%s", args, err, p.stderr)
	}
	s := &httpServer{proc: p, base: "http://" + m[1]}
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(s.base + "/healthz")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
			err = fmt.Errorf("status %s", resp.Status)
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s/healthz: %v", s.base, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// recordingCommand is a stdio transport to a child process that keeps a copy
// of every byte the child writes to stdout, so that a test can check that
// stdout carried nothing but JSON-RPC messages.
type recordingCommand struct {
	cmd     *exec.Cmd
	stdout  syncBuffer
	stderr  syncBuffer
	drained chan struct{} // closed when the child's stdout reached EOF
}

func newRecordingCommand(t *testing.T, env []string, args ...string) *recordingCommand {
	cmd := exec.Command(binary, args...)
	cmd.Env = env
	cmd.SysProcAttr = procAttr()
	return &recordingCommand{cmd: cmd, drained: make(chan struct{})}
}

// Connect implements mcp.Transport.
func (r *recordingCommand) Connect(ctx context.Context) (mcp.Connection, error) {
	// An os.Pipe of our own rather than cmd.StdoutPipe: Wait would close
	// that pipe, possibly before the last bytes were recorded.
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	r.cmd.Stdout = pw
	r.cmd.Stderr = &r.stderr
	stdin, err := r.cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	if err := r.cmd.Start(); err != nil {
		return nil, err
	}
	_ = pw.Close()
	out := &eofReader{r: io.TeeReader(pr, &r.stdout), c: pr, done: r.drained}
	return (&mcp.IOTransport{Reader: out, Writer: stdin}).Connect(ctx)
}

// finish waits for the child to exit after the session closed its stdin,
// and returns everything it wrote to stdout.
func (r *recordingCommand) finish(t *testing.T) string {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- r.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("stdio server exited with %v after stdin closed\nstderr:\n%s", err, r.stderr.String())
		}
	case <-time.After(10 * time.Second):
		_ = r.cmd.Process.Kill()
		err := <-done
		t.Errorf("stdio server still running 10s after its stdin closed; killed (%v)", err)
	}
	select {
	case <-r.drained:
	case <-time.After(5 * time.Second):
		t.Errorf("stdout of the stdio server never reached EOF")
	}
	return r.stdout.String()
}

// eofReader reads until EOF, then marks done. Its Close is a no-op: the
// session closes the connection by closing stdin, and the reader must keep
// draining stdout to record all of it.
type eofReader struct {
	r    io.Reader
	c    io.Closer
	done chan struct{}
	once sync.Once
}

func (e *eofReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil {
		e.once.Do(func() { _ = e.c.Close(); close(e.done) })
	}
	return n, err
}

func (e *eofReader) Close() error { return nil }

// connect opens a client session over t and closes it when the test ends.
func connect(t *testing.T, tr mcp.Transport) *mcp.ClientSession {
	t.Helper()
	c := mcp.NewClient(&mcp.Implementation{Name: "registry-mcp-e2e", Version: "0"}, nil)
	// Not a context with a timeout: the SSE transport ties its event stream
	// to this context for the whole session.
	cs, err := c.Connect(t.Context(), tr, nil)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { _ = cs.Close() })
	return cs
}

// call calls a tool, failing the test on a protocol error (not a tool error).
func call(t *testing.T, cs *mcp.ClientSession, tool string, args map[string]any) *mcp.CallToolResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		t.Fatalf("%s %v: protocol error: %v", tool, args, err)
	}
	return res
}

func toolNames(t *testing.T, cs *mcp.ClientSession) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	var names []string
	for tool, err := range cs.Tools(ctx, nil) {
		if err != nil {
			t.Fatalf("tools/list: %v", err)
		}
		names = append(names, tool.Name)
	}
	return names
}

// exitCode is the process's exit status, or -1 if it did not exit normally.
func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	return -1
}
