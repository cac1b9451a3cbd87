// Command registry-mcp-startup measures what registry-mcp costs before it
// does any work: the binary's size, the packages it links, the time from
// spawning it to the answer of the first tools/list over stdio (what every
// stdio client pays on every start), the slowest package inits, and the
// resident memory of the HTTP server once it is up and idle.
//
//	go run ./cmd/registry-mcp-startup                     # builds ./cmd/registry-mcp as make build does
//	go run ./cmd/registry-mcp-startup -bin bin/registry-mcp -runs 9
//
// It starts the binary itself, with no network access needed, and stops
// every process it started. Times come from whatever machine runs it: run it
// on an idle machine and compare figures from the same one.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/registry-mcp/registry-mcp/internal/measure"
)

// options are the command's flags.
type options struct {
	bin  string        // the binary to measure; "" builds pkg
	pkg  string        // the package to build and to count the dependencies of
	runs int           // stdio starts to take the median of
	idle time.Duration // how long the HTTP server sits before its memory is read
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	o, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		os.Exit(2)
	}
	if err := run(ctx, o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "registry-mcp-startup:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("registry-mcp-startup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.bin, "bin", "", "registry-mcp binary to measure (default: build -pkg with CGO_ENABLED=0 go build -trimpath)")
	fs.StringVar(&o.pkg, "pkg", "./cmd/registry-mcp", "package to build and count the linked packages of (empty: skip the count)")
	fs.IntVar(&o.runs, "runs", 5, "stdio starts to take the median of (1-100)")
	fs.DurationVar(&o.idle, "idle", time.Second, "how long the HTTP server idles before its RSS is read")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if o.runs < 1 || o.runs > 100 {
		fmt.Fprintln(stderr, "-runs must be 1-100")
		return nil, flag.ErrHelp
	}
	if o.bin == "" && o.pkg == "" {
		fmt.Fprintln(stderr, "give -bin or -pkg")
		return nil, flag.ErrHelp
	}
	return o, nil
}

func run(ctx context.Context, o *options, w io.Writer) error {
	bin := o.bin
	if bin == "" {
		dir, err := os.MkdirTemp("", "registry-mcp-startup")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		bin = filepath.Join(dir, "registry-mcp")
		if err := build(ctx, o.pkg, bin); err != nil {
			return err
		}
	}
	r := &report{bin: bin}
	var errs []error
	record := func(what string, err error) {
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", what, err))
		}
	}
	st, err := os.Stat(bin)
	if err != nil {
		return err
	}
	r.size = st.Size()
	if o.pkg != "" {
		r.packages, err = countDeps(ctx, o.pkg)
		record("go list", err)
	}
	r.stdio, err = measure.StdioStartups(ctx, bin, nil, o.runs, perRunTimeout)
	record("stdio start", err)
	r.inits, err = initTrace(ctx, bin)
	record("init trace", err)
	r.rss, err = idleRSS(ctx, bin, o.idle)
	record("idle RSS", err)
	r.print(w)
	return errors.Join(errs...)
}
