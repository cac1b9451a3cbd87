package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/registry-mcp/registry-mcp/internal/measure"
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
	rss   uint64        // resident set, bytes, after idling
}

// idleRSS starts the HTTP server on a free loopback port, waits until
// /healthz answers, lets it idle, and reads its resident set from /proc.
func idleRSS(ctx context.Context, bin string, idle time.Duration) (rssFigures, error) {
	ctx, cancel := context.WithTimeout(ctx, perRunTimeout+idle)
	defer cancel()
	port, err := measure.FreePort()
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
	if err := measure.WaitHealthy(ctx, url, 2*time.Millisecond); err != nil {
		return f, fmt.Errorf("%w (stderr: %s)", err, strings.TrimSpace(stderr.String()))
	}
	f.ready = time.Since(start)
	select {
	case <-time.After(idle):
	case <-ctx.Done():
		return f, ctx.Err()
	}
	f.rss, err = measure.ProcessRSS(cmd.Process.Pid)
	return f, err
}
