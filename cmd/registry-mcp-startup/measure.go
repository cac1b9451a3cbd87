package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"
)

// perRunTimeout bounds one start of the binary: a server that hangs is a
// failed run, not a hung benchmark.
const perRunTimeout = 20 * time.Second

// build compiles pkg as `make build` does.
func build(ctx context.Context, pkg, out string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", out, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	cmd.Stderr = os.Stderr
	return cmd.Run()
}

// countDeps counts the packages pkg links, standard library included
// (`go list -deps pkg | wc -l`).
func countDeps(ctx context.Context, pkg string) (int, error) {
	out, err := exec.CommandContext(ctx, "go", "list", "-deps", pkg).Output()
	if err != nil {
		return 0, err
	}
	return bytes.Count(out, []byte("\n")), nil
}

// stdioStartups spawns the binary runs times and times each start to the
// answer of its first tools/list, as an MCP client over stdio sees it.
func stdioStartups(ctx context.Context, bin string, runs int) ([]time.Duration, error) {
	var out []time.Duration
	for range runs {
		d, err := stdioStartup(ctx, bin)
		if err != nil {
			return out, err
		}
		out = append(out, d)
	}
	return out, nil
}

func stdioStartup(ctx context.Context, bin string) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, perRunTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-transport", "stdio")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return 0, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return 0, err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	defer func() {
		_ = stdin.Close() // end of input: the server exits by itself
		_ = cmd.Wait()
	}()
	lines := bufio.NewScanner(stdout)
	lines.Buffer(make([]byte, 0, 1<<20), 16<<20)
	send := func(msg string) error { _, err := io.WriteString(stdin, msg+"\n"); return err }
	if err := send(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"registry-mcp-startup","version":"0"}}}`); err != nil {
		return 0, err
	}
	if _, err := awaitAnswer(lines, 1); err != nil {
		return 0, fmt.Errorf("%w (stderr: %s)", err, strings.TrimSpace(stderr.String()))
	}
	if err := send(`{"jsonrpc":"2.0","method":"notifications/initialized"}` + "\n" + `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`); err != nil {
		return 0, err
	}
	res, err := awaitAnswer(lines, 2)
	elapsed := time.Since(start)
	if err != nil {
		return 0, err
	}
	var list struct {
		Tools []json.RawMessage `json:"tools"`
	}
	if json.Unmarshal(res, &list) != nil || len(list.Tools) == 0 {
		return 0, fmt.Errorf("tools/list answered no tools: %.200s", res)
	}
	return elapsed, nil
}

// awaitAnswer reads messages until the answer to id, skipping notifications.
func awaitAnswer(lines *bufio.Scanner, id int) (json.RawMessage, error) {
	for lines.Scan() {
		var msg struct {
			ID     *int            `json:"id"`
			Result json.RawMessage `json:"result"`
			Error  json.RawMessage `json:"error"`
		}
		if err := json.Unmarshal(lines.Bytes(), &msg); err != nil {
			return nil, fmt.Errorf("stdout carried something that is not JSON-RPC: %.200q", lines.Text())
		}
		switch {
		case msg.ID == nil || *msg.ID != id:
			continue
		case msg.Error != nil:
			return nil, fmt.Errorf("request %d failed: %s", id, msg.Error)
		}
		return msg.Result, nil
	}
	if err := lines.Err(); err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("the server closed stdout before answering request %d", id)
}

// initCost is one package's init, as GODEBUG=inittrace=1 reports it.
type initCost struct {
	pkg   string
	clock time.Duration
}

// initTrace runs `registry-mcp version` (every package init runs before
// main) and returns the inits by cost, the slowest first.
func initTrace(ctx context.Context, bin string) ([]initCost, error) {
	ctx, cancel := context.WithTimeout(ctx, perRunTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "version")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, err
	}
	return parseInitTrace(&stderr), nil
}

// parseInitTrace reads lines such as
// "init mime @1.2 ms, 1.1 ms clock, 4096 bytes, 20 allocs".
func parseInitTrace(r io.Reader) []initCost {
	var out []initCost
	s := bufio.NewScanner(r)
	for s.Scan() {
		var pkg string
		var at, clock float64
		if n, _ := fmt.Sscanf(s.Text(), "init %s @%f ms, %f ms clock", &pkg, &at, &clock); n == 3 {
			out = append(out, initCost{pkg: pkg, clock: time.Duration(clock * float64(time.Millisecond))})
		}
	}
	slices.SortStableFunc(out, func(a, b initCost) int { return int(b.clock - a.clock) })
	return out
}

// rssFigures are the HTTP server's start-up figures.
type rssFigures struct {
	ready time.Duration // spawn to the first 200 from /healthz
	rss   int64         // resident set, bytes, after idling
}

// idleRSS starts the HTTP server on a free loopback port, waits until
// /healthz answers, lets it idle, and reads its resident set from /proc.
func idleRSS(ctx context.Context, bin string, idle time.Duration) (rssFigures, error) {
	ctx, cancel := context.WithTimeout(ctx, perRunTimeout+idle)
	defer cancel()
	port, err := freePort()
	if err != nil {
		return rssFigures{}, err
	}
	cmd := exec.CommandContext(ctx, bin, "-port", strconv.Itoa(port), "-host", "127.0.0.1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return rssFigures{}, err
	}
	defer func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	}()
	var f rssFigures
	url := fmt.Sprintf("http://127.0.0.1:%d/healthz", port)
	for f.ready == 0 {
		if ctx.Err() != nil {
			return f, fmt.Errorf("/healthz never answered (stderr: %s)", strings.TrimSpace(stderr.String()))
		}
		if resp, err := http.Get(url); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				f.ready = time.Since(start)
				break
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	select {
	case <-time.After(idle):
	case <-ctx.Done():
		return f, ctx.Err()
	}
	f.rss, err = residentBytes(cmd.Process.Pid)
	return f, err
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// residentBytes reads VmRSS from /proc/PID/status (Linux).
func residentBytes(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("reading the resident set needs Linux's /proc: %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no VmRSS line in /proc status")
}
