// Command registry-mcp-bench measures what registry-mcp's tools cost: the
// registry requests each call makes and how long it takes, cold, warm and
// after the tag TTL; MCP throughput over Streamable HTTP on cached data; and
// peak memory; and, on registry-mcp built and started as a process of its
// own, the server's CPU per cached call over Streamable HTTP, SSE and stdio,
// the startup time to the first tools/list over stdio, and idle RSS. The
// registry runs in-process on loopback with token authentication (as Docker
// Hub's).
//
//	go run ./cmd/registry-mcp-bench                  # the defaults: 25 ms away, about a minute and a half
//	go run ./cmd/registry-mcp-bench -latency 100ms -n 10 -tools get_image_info,list_tags
//
// Request counts are exact; times come from whatever machine runs it.
package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/registry-mcp/registry-mcp/internal/demo"
	"github.com/registry-mcp/registry-mcp/internal/measure"
	"github.com/registry-mcp/registry-mcp/internal/oci"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
	"github.com/registry-mcp/registry-mcp/internal/server"
	"github.com/registry-mcp/registry-mcp/internal/tools"
)

// options are the command's flags.
type options struct {
	latency  time.Duration
	ttl      time.Duration
	n        int
	warm     int
	duration time.Duration
	clients  []int
	only     []string
	redis    string
	server   string // registry-mcp binary for the process figures: auto (build it), off, or a path
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	o, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		os.Exit(2)
	}
	if err := run(ctx, o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "registry-mcp-bench:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("registry-mcp-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.DurationVar(&o.latency, "latency", 25*time.Millisecond, "delay before every registry request (ping, token, API), as a registry this far away")
	fs.DurationVar(&o.ttl, "ttl", 100*time.Millisecond, "tag TTL of the revalidation runs (cold and warm runs use 1 h)")
	fs.IntVar(&o.n, "n", 10, "cold, revalidated and replica calls per scenario")
	fs.IntVar(&o.warm, "warm", 200, "warm calls per scenario (fewer if they take over a second, but at least -n)")
	fs.DurationVar(&o.duration, "duration", 2*time.Second, "length of each throughput run")
	clients := fs.String("clients", "1,8,64", "concurrent MCP clients of the throughput runs")
	only := fs.String("tools", "", "comma list of tools to measure (default: every registry tool)")
	fs.StringVar(&o.redis, "redis", "auto", "Redis for the replica column: auto (start redis-server on loopback if installed), off, or a redis:// URL")
	fs.StringVar(&o.server, "server", "auto", "registry-mcp binary for the process figures (CPU per call by transport, startup, idle RSS): auto (go build ./cmd/registry-mcp), off, or a path")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	for _, s := range strings.Split(*clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || n > 1024 {
			fmt.Fprintf(stderr, "-clients: %q is not a number of clients (1-1024)\n", s)
			return nil, err
		}
		o.clients = append(o.clients, n)
	}
	if *only != "" {
		o.only = strings.Split(*only, ",")
	}
	if o.n < 1 || o.warm < 1 {
		fmt.Fprintln(stderr, "-n and -warm must be at least 1")
		return nil, flag.ErrHelp
	}
	return o, nil
}

func run(ctx context.Context, o *options, w io.Writer) error {
	start := time.Now()
	peak := measure.WatchMemory()
	reg, err := registrytest.Start(registrytest.Options{TokenAuth: true})
	if err != nil {
		return err
	}
	defer reg.Close()
	trust, err := demo.SeedTrust(reg.Host) // before Seed turns authentication on
	if err != nil {
		return fmt.Errorf("seed trust images: %w", err)
	}
	signed, err := demo.SeedSigned(ctx, reg.Host)
	if err != nil {
		return fmt.Errorf("seed the signed image: %w", err)
	}
	fx, err := registrytest.Seed(reg)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	osvSvc := startOSV()
	defer osvSvc.srv.Close()
	b := &bench{o: o, reg: reg, fx: fx, trust: trust, signed: signed, osv: osvSvc, redisURL: o.redis}
	switch o.redis {
	case "off":
		b.redisURL = ""
	case "auto":
		b.redisURL = ""
		if rd, err := registrytest.LaunchRedis(); err == nil {
			defer rd.Stop()
			b.redisURL = rd.URL
		} else {
			fmt.Fprintf(w, "(no replica column: redis-server could not be started: %v)\n", err)
		}
	}
	fmt.Fprintf(w, "registry-mcp-bench %s\nmachine: %s\n", time.Now().UTC().Format("2006-01-02 15:04 MST"), machine())
	fmt.Fprintf(w, "registry %s with token auth, %v before each registry request; tag TTL %v for revalidation\n\n", reg.Host, o.latency, o.ttl)

	if err := b.tools(ctx, w); err != nil {
		return err
	}
	if err := b.throughput(ctx, w); err != nil {
		return err
	}
	if o.server != "off" {
		if err := b.processes(ctx, w); err != nil {
			return err
		}
	}
	peak.Stop()
	fmt.Fprintf(w, "\nMemory (the whole process: registry-mcp, the in-process registry and its fixtures, the benchmark's clients)\n")
	fmt.Fprintf(w, "  peak heap in use %s, peak Go runtime memory from the OS %s, peak RSS %s\n",
		measure.MiB(peak.HeapInuse), measure.MiB(peak.Sys), measure.MiB(measure.MaxRSS()))
	fmt.Fprintf(w, "\ntotal run time %v; load average at the end %s\n", time.Since(start).Round(100*time.Millisecond), cmp.Or(measure.LoadAverage(3), "unknown"))
	return nil
}

// bench holds the running registry and its fixtures.
type bench struct {
	o        *options
	reg      *registrytest.Registry
	fx       *registrytest.Fixtures
	trust    demo.TrustImages  // images with package databases
	signed   *demo.SignedImage // an image with a cosign signature tag
	osv      *osvService       // the OSV service the trust tools ask
	redisURL string            // "" without a shared cache
}

// instance is one registry-mcp server with its own registry client, as a
// freshly started process would have.
type instance struct {
	cfg   server.Config
	srv   *mcp.Server
	cs    *mcp.ClientSession
	redis *oci.RedisCache // nil without a shared cache
}

func (b *bench) newInstance(ctx context.Context, ttl time.Duration, shared bool) (*instance, error) {
	base := http.DefaultTransport.(*http.Transport).Clone()
	base.MaxIdleConnsPerHost = 64
	opts := oci.Options{TagTTL: ttl, Transport: &latencyTransport{inner: base, delay: b.o.latency}}
	var rc *oci.RedisCache
	if shared {
		var err error
		if rc, err = oci.NewRedisCache(b.redisURL); err != nil {
			return nil, err
		}
		opts.Shared = rc
	}
	c := oci.New(opts)
	// Clients calling flat out from one address are what the per-client
	// limits refuse; a benchmark measures the server, so they are off.
	cfg := server.Config{Version: "bench", Deps: tools.Deps{Registry: c, OSV: b.osv.client()}, Tools: tools.Options{ReadOnly: true},
		Limits: server.Limits{ClientRate: -1, ClientConcurrency: -1}}
	s := server.New(cfg)
	ct, st := mcp.NewInMemoryTransports()
	if _, err := s.Connect(ctx, st, nil); err != nil {
		return nil, err
	}
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "bench", Version: "0"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		return nil, err
	}
	return &instance{cfg: cfg, srv: s, cs: cs, redis: rc}, nil
}

func (in *instance) close() {
	_ = in.cs.Close()
	if in.redis != nil {
		_ = in.redis.Close()
	}
}

// call runs one tool call, turning a tool error into an error.
func call(ctx context.Context, cs *mcp.ClientSession, tool string, args map[string]any) error {
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		return err
	}
	if res.IsError {
		return fmt.Errorf("%s", strings.TrimSpace(registrytest.Text(res)))
	}
	return nil
}

// latencyTransport waits before every request, as a registry one round trip
// away would make every request wait. It sits in the client rather than in
// the registry so that seeding the fixtures (hundreds of pushes) stays fast.
type latencyTransport struct {
	inner http.RoundTripper
	delay time.Duration
}

func (t *latencyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.delay > 0 {
		select {
		case <-time.After(t.delay):
		case <-req.Context().Done():
			return nil, req.Context().Err()
		}
	}
	return t.inner.RoundTrip(req)
}

// sample is one measured call.
type sample struct {
	d        time.Duration
	requests int
}

// series summarizes samples: the request counts seen and latency percentiles.
type series struct {
	samples []sample
	err     error
}

func (s *series) add(d time.Duration, requests int) {
	s.samples = append(s.samples, sample{d, requests})
}

func (s *series) requests() string {
	if s.err != nil || len(s.samples) == 0 {
		return "-"
	}
	lo, hi, total := s.samples[0].requests, s.samples[0].requests, 0
	for _, x := range s.samples {
		lo, hi, total = min(lo, x.requests), max(hi, x.requests), total+x.requests
	}
	if lo == hi {
		return strconv.Itoa(lo)
	}
	return fmt.Sprintf("%.2f (%d-%d)", float64(total)/float64(len(s.samples)), lo, hi)
}

func (s *series) percentile(p int) string {
	if s.err != nil || len(s.samples) == 0 {
		return "-"
	}
	ds := make([]time.Duration, len(s.samples))
	for i, x := range s.samples {
		ds[i] = x.d
	}
	return measure.Millis(measure.Percentile(ds, p))
}

// byKind formats a registry's request counts compactly, e.g. "GET manifests×2 GET blobs×1".
func byKind(counts map[string]int) string {
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s×%d", k, counts[k]))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}
