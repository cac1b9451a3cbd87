package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/registry-mcp/registry-mcp/internal/measure"
	"github.com/registry-mcp/registry-mcp/internal/server"
)

// throughput serves one registry-mcp instance over Streamable HTTP
// (stateless, as in production) on loopback and drives it with 1, 8 and 64
// concurrent MCP clients calling get_image_info on an image it has cached.
func (b *bench) throughput(ctx context.Context, w io.Writer) error {
	in, err := b.newInstance(ctx, time.Hour, false)
	if err != nil {
		return err
	}
	defer in.close()
	args := map[string]any{"image_ref": b.fx.Ref(b.fx.App)}
	if err := call(ctx, in.cs, "get_image_info", args); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := server.NewHTTPServer(server.Handler(in.cfg, in.srv, true), server.DefaultReadTimeout)
	go func() { _ = hs.Serve(ln) }()
	defer hs.Close()
	endpoint := "http://" + ln.Addr().String() + "/mcp"
	hc := &http.Client{Transport: &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024, IdleConnTimeout: time.Minute}}

	fmt.Fprintf(w, "\nMCP throughput over Streamable HTTP (stateless, loopback), get_image_info on cached data, %v per run\n", b.o.duration)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "clients\tcalls/s\tp50\tp95\tregistry req\t")
	for _, n := range b.o.clients {
		r, err := b.drive(ctx, hc, endpoint, n, args)
		if err != nil {
			return fmt.Errorf("%d clients: %w", n, err)
		}
		fmt.Fprintf(tw, "%d\t%.0f\t%s\t%s\t%d\t\n", n, r.rate, measure.Millis(r.p50), measure.Millis(r.p95), r.requests)
	}
	return tw.Flush()
}

type driveResult struct {
	rate     float64
	p50, p95 time.Duration
	requests int
}

// drive connects n clients, then has each call the tool in a loop for the
// run's duration.
func (b *bench) drive(ctx context.Context, hc *http.Client, endpoint string, n int, args map[string]any) (*driveResult, error) {
	sessions := make([]*mcp.ClientSession, n)
	for i := range sessions {
		t := &mcp.StreamableClientTransport{Endpoint: endpoint, HTTPClient: hc, DisableStandaloneSSE: true}
		cs, err := mcp.NewClient(&mcp.Implementation{Name: "bench", Version: "0"}, nil).Connect(ctx, t, nil)
		if err != nil {
			return nil, err
		}
		defer cs.Close()
		sessions[i] = cs
	}
	b.reg.Reset()
	var (
		mu    sync.Mutex
		lat   []time.Duration
		first error
		wg    sync.WaitGroup
	)
	deadline := time.Now().Add(b.o.duration)
	start := time.Now()
	for _, cs := range sessions {
		wg.Go(func() {
			var mine []time.Duration
			for time.Now().Before(deadline) {
				t0 := time.Now()
				if err := call(ctx, cs, "get_image_info", args); err != nil {
					mu.Lock()
					first = cmpErr(first, err)
					mu.Unlock()
					return
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if first != nil {
		return nil, first
	}
	if len(lat) == 0 {
		return nil, errors.New("no call completed")
	}
	return &driveResult{
		rate: float64(len(lat)) / elapsed.Seconds(),
		p50:  measure.Percentile(lat, 50), p95: measure.Percentile(lat, 95),
		requests: b.reg.Total(),
	}, nil
}

func cmpErr(first, err error) error {
	if first != nil {
		return first
	}
	return err
}
