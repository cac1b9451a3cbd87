package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/registry-mcp/registry-mcp/internal/measure"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
)

// report is what a run measured.
type report struct {
	target, mix        string
	sessions           int
	requested, made    int
	errors             int
	errorSamples       map[string]int // message → count, the first few distinct ones
	connect, elapsed   time.Duration
	latency            []time.Duration            // every call, sorted
	byTool             map[string][]time.Duration // sorted
	warmupRequests     int
	registryRequests   int  // during the load
	registryObservable bool // false when the registry is another process's
	goroutinesBefore   int
	goroutinesAfter    int
	cpu                time.Duration // user + system time of this process during the load
	serverCPU          time.Duration // user + system time of the server processes, when known
	serverCPUKnown     bool
	loadAvg            string // of the machine, when the load started
	heapInuse, maxRSS  uint64
	inProcess          bool
}

// maxErrorSamples bounds the distinct error messages kept for the report.
const maxErrorSamples = 5

// run starts (or names) the server, warms its cache, connects the sessions,
// makes the calls and prints the report. It returns an error if any call
// failed or the cap stopped the run early; the report is printed either way.
func run(ctx context.Context, o *options, w io.Writer) (*report, error) {
	ctx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()
	deadline, _ := ctx.Deadline()
	// Stop starting calls a little before the hard cap, so the calls in
	// flight can finish and be counted rather than cancelled.
	stopAt := deadline.Add(-min(o.duration/10, 15*time.Second))
	now := o.now
	if now == nil {
		now = time.Now
	}
	pastCap := func() bool { return now().After(stopAt) }
	mem := measure.WatchMemory()
	defer mem.Stop()

	var tgt *target
	if o.endpoint == "" {
		var err error
		if tgt, err = startInProcess(o); err != nil {
			return nil, err
		}
	} else {
		tgt = external(o)
	}
	defer tgt.close()
	m := mix(tgt.registry)
	r := &report{
		target: tgt.describe, mix: describeMix(m), sessions: o.sessions, requested: o.calls,
		errorSamples: map[string]int{}, byTool: map[string][]time.Duration{},
		registryObservable: tgt.reg != nil, inProcess: tgt.reg != nil,
	}

	hc := httpClient(o, -1)
	defer hc.CloseIdleConnections()

	if err := warmUp(ctx, o, hc, tgt, m, r); err != nil {
		return nil, err
	}
	// Count from a quiet state: the warm-up's connections closed.
	hc.CloseIdleConnections()
	tgt.quiesce()
	time.Sleep(200 * time.Millisecond)
	r.goroutinesBefore = runtime.NumGoroutine()

	clients := make([]*http.Client, o.sessions)
	for i := range clients {
		clients[i] = httpClient(o, i)
		defer clients[i].CloseIdleConnections()
	}
	sessions, pids, err := connect(ctx, o, tgt, clients, m, r)
	if err != nil {
		return nil, err
	}
	if o.serverPID > 0 {
		pids = append(pids, o.serverPID)
	}
	if tgt.reg != nil {
		tgt.reg.Reset()
	}
	r.loadAvg = measure.LoadAverage(1)
	stopProfile, err := startProfile(o.cpuProf)
	if err != nil {
		closeAll(sessions)
		return nil, err
	}
	cpu0 := cpuTime()
	server0, _ := serverCPU(pids)
	drive(ctx, sessions, m, o.calls, pastCap, r)
	r.cpu = cpuTime() - cpu0
	if server1, ok := serverCPU(pids); ok {
		r.serverCPU, r.serverCPUKnown = server1-server0, true
	}
	if err := stopProfile(); err != nil {
		closeAll(sessions)
		return nil, err
	}
	if tgt.reg != nil {
		r.registryRequests = tgt.reg.Total()
	}
	closeAll(sessions)
	for _, c := range clients {
		c.CloseIdleConnections()
	}
	tgt.quiesce()
	r.goroutinesAfter = settle(r.goroutinesBefore, 5*time.Second)
	mem.Stop()
	r.heapInuse, r.maxRSS = mem.HeapInuse, measure.MaxRSS()

	r.print(w)
	switch {
	case r.errors > 0:
		return r, fmt.Errorf("%d of %d calls failed", r.errors, r.made)
	case r.made < r.requested:
		return r, fmt.Errorf("%w: %d of %d calls made", errIncomplete, r.made, r.requested)
	}
	return r, nil
}

// warmUp makes every call of the mix once, so the load runs on cached
// data, and counts what that cost the registry.
func warmUp(ctx context.Context, o *options, hc *http.Client, tgt *target, m []callSpec, r *report) error {
	cs, _, err := newSession(ctx, o, tgt, hc)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", tgt.endpoint, err)
	}
	defer cs.Close()
	if tgt.reg != nil {
		tgt.reg.Reset()
	}
	for _, c := range m {
		if err := call(ctx, cs, c); err != nil {
			return fmt.Errorf("warm-up %s %s: %w (does %s serve the -demo images?)", c.tool, c.label, err, tgt.registry)
		}
	}
	if tgt.reg != nil {
		r.warmupRequests = tgt.reg.Total()
	}
	return nil
}

// httpClient is the HTTP client of session i (-1 for the warm-up). With
// -client-addresses each session connects from a loopback address of its
// own (127.1.x.y), so the server, which limits each client by address, sees
// as many clients as there are sessions: 200 agents, not one that makes
// the calls of 200.
func httpClient(o *options, i int) *http.Client {
	tr := &http.Transport{MaxIdleConns: 4, MaxIdleConnsPerHost: 4, IdleConnTimeout: time.Minute}
	if o.clientAddresses && i >= 0 {
		d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: clientAddr(i)}}
		tr.DialContext = d.DialContext
	}
	var rt http.RoundTripper = tr
	if o.token != "" {
		rt = bearer{token: o.token, inner: rt}
	}
	return &http.Client{Transport: rt}
}

// clientAddr is session i's loopback source address.
func clientAddr(i int) net.IP {
	return net.IPv4(127, 1, byte(i/250%256), byte(i%250+1)) //nolint:gosec // both parts are below 256 by construction
}

// connect opens a session per client one after the other (each is an
// initialize exchange; the load itself is what runs concurrently). A stdio
// session has a server process of its own, with its own cache: it is
// warmed here, and its process id returned for the CPU figures.
func connect(ctx context.Context, o *options, tgt *target, clients []*http.Client, m []callSpec, r *report) ([]*mcp.ClientSession, []int, error) {
	start := time.Now()
	n := len(clients)
	sessions := make([]*mcp.ClientSession, 0, n)
	var pids []int
	for _, hc := range clients {
		cs, cmd, err := newSession(ctx, o, tgt, hc)
		if err != nil {
			closeAll(sessions)
			return nil, nil, fmt.Errorf("session %d of %d: %w", len(sessions)+1, n, err)
		}
		sessions = append(sessions, cs)
		if cmd == nil {
			continue
		}
		pids = append(pids, cmd.Process.Pid)
		for _, c := range m {
			if err := call(ctx, cs, c); err != nil {
				closeAll(sessions)
				return nil, nil, fmt.Errorf("warm-up of stdio session %d: %w", len(sessions), err)
			}
		}
	}
	r.connect = time.Since(start)
	return sessions, pids, nil
}

func closeAll(sessions []*mcp.ClientSession) {
	for _, cs := range sessions {
		_ = cs.Close()
	}
}

// startProfile starts a CPU profile into path ("" for none); the function
// it returns stops it and closes the file.
func startProfile(path string) (func() error, error) {
	if path == "" {
		return func() error { return nil }, nil
	}
	f, err := os.Create(path) //nolint:gosec // the path is the user's own -cpuprofile flag
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, err
	}
	return func() error {
		pprof.StopCPUProfile()
		return f.Close()
	}, nil
}

// drive has every session take the next call of the mix until total calls
// were made or pastCap says the cap is near, and records each call's latency.
func drive(ctx context.Context, sessions []*mcp.ClientSession, m []callSpec, total int, pastCap func() bool, r *report) {
	var (
		next atomic.Int64
		mu   sync.Mutex
		wg   sync.WaitGroup
	)
	start := time.Now()
	for _, cs := range sessions {
		wg.Go(func() {
			mine := map[string][]time.Duration{}
			var errs []error
			for {
				i := int(next.Add(1) - 1)
				if i >= total || pastCap() || ctx.Err() != nil {
					break
				}
				c := m[i%len(m)]
				t0 := time.Now()
				err := call(ctx, cs, c)
				d := time.Since(t0)
				if err != nil {
					errs = append(errs, fmt.Errorf("%s: %w", c.tool, err))
					continue
				}
				mine[c.tool] = append(mine[c.tool], d)
			}
			mu.Lock()
			defer mu.Unlock()
			for tool, ds := range mine {
				r.byTool[tool] = append(r.byTool[tool], ds...)
				r.latency = append(r.latency, ds...)
			}
			for _, err := range errs {
				r.errors++
				msg := err.Error()
				if _, ok := r.errorSamples[msg]; ok || len(r.errorSamples) < maxErrorSamples {
					r.errorSamples[msg]++
				}
			}
		})
	}
	wg.Wait()
	r.elapsed = time.Since(start)
	r.made = len(r.latency) + r.errors
	slices.Sort(r.latency)
	for _, ds := range r.byTool {
		slices.Sort(ds)
	}
}

// call makes one tool call; a tool error counts as an error too.
func call(ctx context.Context, cs *mcp.ClientSession, c callSpec) error {
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: c.tool, Arguments: c.args})
	if err != nil {
		return err
	}
	if res.IsError {
		return fmt.Errorf("tool error: %s", strings.TrimSpace(registrytest.Text(res)))
	}
	return nil
}

// settle waits, up to limit, for the goroutine count to come back to want
// (connections and sessions wind down asynchronously), and returns it.
func settle(want int, limit time.Duration) int {
	end := time.Now().Add(limit)
	for {
		n := runtime.NumGoroutine()
		if n <= want || time.Now().After(end) {
			return n
		}
		time.Sleep(20 * time.Millisecond)
	}
}
