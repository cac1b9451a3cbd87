package main

import (
	"cmp"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/registry-mcp/registry-mcp/internal/measure"
)

// report holds the figures of one run.
type report struct {
	bin      string
	size     int64
	packages int
	stdio    []time.Duration
	inits    []initCost
	rss      rssFigures
}

// median of ds; zero for no samples.
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func (r *report) print(w io.Writer) {
	fmt.Fprintf(w, "registry-mcp start-up: %s (%s/%s, %d cores, load %s)\n", r.bin, runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), cmp.Or(measure.LoadAverage(1), "unknown"))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "binary size\t%.1f MB (%d bytes)\n", float64(r.size)/1e6, r.size)
	if r.packages > 0 {
		fmt.Fprintf(tw, "packages linked\t%d\n", r.packages)
	}
	if len(r.stdio) > 0 {
		runs := make([]string, len(r.stdio))
		for i, d := range r.stdio {
			runs[i] = measure.Millis(d)
		}
		fmt.Fprintf(tw, "first tools/list over stdio\t%s median of %d (%s)\n", measure.Millis(median(r.stdio)), len(r.stdio), strings.Join(runs, " "))
	}
	if len(r.inits) > 0 {
		var total time.Duration
		for _, c := range r.inits {
			total += c.clock
		}
		var top []string
		for _, c := range r.inits[:min(3, len(r.inits))] {
			top = append(top, fmt.Sprintf("%s %s", c.pkg, measure.Millis(c.clock)))
		}
		fmt.Fprintf(tw, "package inits\t%s in all; slowest: %s\n", measure.Millis(total), strings.Join(top, ", "))
	}
	if r.rss.ready > 0 {
		fmt.Fprintf(tw, "HTTP server ready (/healthz)\t%s\n", measure.Millis(r.rss.ready))
	}
	if r.rss.rss > 0 {
		fmt.Fprintf(tw, "idle RSS of the HTTP server\t%s\n", measure.MiB(r.rss.rss))
	}
	_ = tw.Flush()
}
