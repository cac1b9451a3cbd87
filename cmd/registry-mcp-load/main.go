// Command registry-mcp-load puts registry-mcp under concurrent load: many MCP
// client sessions over Streamable HTTP calling the image and tag tools on
// cached data. It reports throughput, latency percentiles, errors, the
// registry requests the load cost, goroutines before and after, and peak
// memory, and exits non-zero if any call failed or the time cap cut the run
// short.
//
//	go run ./cmd/registry-mcp-load                            # 200 sessions, 20 000 calls, all in-process
//	go run ./cmd/registry-mcp-load -sessions 50 -calls 5000
//	go run ./cmd/registry-mcp-load -cpuprofile cpu.prof && go tool pprof -top cpu.prof
//
// By default it starts everything itself on loopback: a seeded registry with
// token authentication (as Docker Hub's) and registry-mcp's HTTP handler. To
// load a server that is already running, start it with -demo and name both:
//
//	registry-mcp -demo                                        # prints "demo registry running at 127.0.0.1:PORT"
//	go run ./cmd/registry-mcp-load -endpoint http://127.0.0.1:8080/mcp -registry 127.0.0.1:PORT
//
// (MCP_AUTH_TOKEN, when set, is sent as the bearer token.) With
// -server-pid it also reports the server's CPU time per call, read from
// /proc/PID/stat, the figure the benchmark docs quote:
//
//	go run ./cmd/registry-mcp-load -endpoint http://127.0.0.1:8080/mcp -registry 127.0.0.1:PORT -sessions 8 -calls 4000 -server-pid $(pgrep -n registry-mcp)
//
// -transport sse loads the legacy SSE endpoint instead, and -transport stdio
// -command ./registry-mcp starts a stdio server process per session (warmed
// before the load) and reports their CPU time.
//
// Each session connects from a loopback address of its own (127.1.x.y), so
// the server's per-client limits see one client per session, as they would
// see 200 agents; -client-rate 0 turns the in-process server's rate limit
// off for a flat-out run of a few sessions. Only loopback
// endpoints and registries are accepted: a load generator is not to be
// pointed at anyone else's server. Every run stops by itself, after -calls
// calls or at the -duration cap, whichever comes first.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/registry-mcp/registry-mcp/internal/server"
)

// Bounds of the flags: the load stays finite whatever is asked.
const (
	maxSessions = 1000
	maxCalls    = 1_000_000
	maxDuration = 30 * time.Minute
)

// options are the command's flags.
type options struct {
	sessions int
	calls    int
	duration time.Duration // hard cap on the whole run
	endpoint string        // "" to start registry-mcp in-process
	registry string        // the demo registry of -endpoint's server
	cacheTTL time.Duration // tag TTL of the in-process server
	token    string        // MCP_AUTH_TOKEN, sent to -endpoint
	cpuProf  string        // file for a CPU profile of the load phase
	// clientAddresses gives each session its own loopback source address.
	clientAddresses bool
	clientRate      float64 // per-client rate limit of the in-process server; 0 is off
	transport       string  // streamable, sse or stdio
	command         string  // registry-mcp binary for -transport stdio
	serverPID       int     // with -endpoint: the server's process, for its CPU time
	// now is the clock the cap is read from between calls (nil: time.Now);
	// a test moves it to stop a run without waiting for the cap.
	now func() time.Time
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	o, err := parseFlags(os.Args[1:], os.Getenv, os.Stderr)
	if err != nil {
		os.Exit(2)
	}
	// The in-process server runs with the GC pacing registry-mcp sets for
	// itself (the clients in this process get it too).
	if o.endpoint == "" && os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		server.TuneGC()
	}
	if _, err := run(ctx, o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "registry-mcp-load:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string, getenv func(string) string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("registry-mcp-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.sessions, "sessions", 200, fmt.Sprintf("concurrent MCP client sessions (1-%d)", maxSessions))
	fs.IntVar(&o.calls, "calls", 20000, fmt.Sprintf("tool calls in total, shared by the sessions (1-%d)", maxCalls))
	fs.DurationVar(&o.duration, "duration", 5*time.Minute, fmt.Sprintf("hard cap on the whole run, set-up included (at most %v)", maxDuration))
	fs.StringVar(&o.endpoint, "endpoint", "", "load this running server's Streamable HTTP endpoint (loopback only, e.g. http://127.0.0.1:8080/mcp) instead of starting one")
	fs.StringVar(&o.registry, "registry", "", "with -endpoint: the host:port of the server's -demo registry (loopback only)")
	fs.DurationVar(&o.cacheTTL, "cache-ttl", 30*time.Second, "tag TTL of the in-process server (registry-mcp's default)")
	fs.StringVar(&o.cpuProf, "cpuprofile", "", "write a CPU profile of the load phase to this file (go tool pprof reads it)")
	fs.BoolVar(&o.clientAddresses, "client-addresses", true, "connect each session from its own loopback address (127.1.x.y, Linux), so the server's per-client limits see one client per session")
	fs.Float64Var(&o.clientRate, "client-rate", server.DefaultClientRate, "the in-process server's per-client rate limit (requests/s, burst twice that), as registry-mcp's -client-rate; 0 turns it off for a flat-out run of few sessions")
	fs.StringVar(&o.transport, "transport", transportStreamable, "how sessions reach the server: streamable (/mcp), sse (/sse) or stdio (a -command process per session)")
	fs.StringVar(&o.command, "command", "", "with -transport stdio: the registry-mcp binary each session starts (with -transport stdio)")
	fs.IntVar(&o.serverPID, "server-pid", 0, "with -endpoint: the server's process id, to report its CPU time per call from /proc/PID/stat")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	fail := func(format string, a ...any) (*options, error) {
		err := fmt.Errorf(format, a...)
		fmt.Fprintln(stderr, err)
		return nil, err
	}
	switch {
	case fs.NArg() > 0:
		return fail("unexpected arguments: %v", fs.Args())
	case o.sessions < 1 || o.sessions > maxSessions:
		return fail("-sessions %d: want 1-%d", o.sessions, maxSessions)
	case o.calls < 1 || o.calls > maxCalls:
		return fail("-calls %d: want 1-%d", o.calls, maxCalls)
	case o.duration <= 0 || o.duration > maxDuration:
		return fail("-duration %v: want more than 0 and at most %v", o.duration, maxDuration)
	case o.clientRate < 0:
		return fail("-client-rate %v: want 0 (off) or more", o.clientRate)
	case o.transport != transportStreamable && o.transport != transportSSE && o.transport != transportStdio:
		return fail("-transport %q: want streamable, sse or stdio", o.transport)
	case (o.transport == transportStdio) != (o.command != ""):
		return fail("-transport stdio and -command go together")
	case o.transport == transportStdio && o.endpoint != "":
		return fail("-transport stdio starts its own servers: drop -endpoint")
	case o.serverPID != 0 && o.endpoint == "":
		return fail("-server-pid names the process of an -endpoint")
	case o.endpoint == "" && o.registry != "":
		return fail("-registry names the registry of an -endpoint; without -endpoint the load brings its own")
	}
	if o.endpoint != "" {
		if err := checkEndpoint(o.endpoint); err != nil {
			return fail("-endpoint: %v", err)
		}
		if o.registry == "" {
			return fail("-endpoint needs -registry: the host:port that `registry-mcp -demo` printed")
		}
		if err := checkRegistry(o.registry); err != nil {
			return fail("-registry: %v", err)
		}
		o.token = getenv("MCP_AUTH_TOKEN")
	}
	return o, nil
}

// checkEndpoint accepts http(s) URLs whose host is loopback.
func checkEndpoint(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%q is not an http:// or https:// URL", raw)
	}
	if !isLoopback(u.Hostname()) {
		return fmt.Errorf("refusing %q: only loopback hosts (127.0.0.0/8, [::1], localhost) may be loaded", u.Host)
	}
	return nil
}

// checkRegistry accepts a loopback host or host:port.
func checkRegistry(hostport string) error {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	if !isLoopback(host) {
		return fmt.Errorf("refusing %q: only a loopback registry (the -demo one) may be named", hostport)
	}
	return nil
}

// isLoopback reports whether host is "localhost" or a loopback IP literal.
// Other names are refused rather than resolved: what they resolve to can
// change between this check and the load.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// errIncomplete is returned when the time cap stopped the run before it
// made every call.
var errIncomplete = errors.New("stopped at the -duration cap before making every call")
