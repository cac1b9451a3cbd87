package main

import (
	"fmt"
	"io"
	"runtime"
	"slices"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/registry-mcp/registry-mcp/internal/measure"
)

// print writes the report: one "name: value" line per figure, then the
// latencies per tool.
func (r *report) print(w io.Writer) {
	fmt.Fprintf(w, "registry-mcp-load: %s\n", r.target)
	fmt.Fprintf(w, "mix (round robin): %s\n\n", r.mix)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	line := func(name, format string, a ...any) {
		fmt.Fprintf(tw, "%s:\t"+format+"\n", append([]any{name}, a...)...)
	}
	line("sessions", "%d (connected in %v)", r.sessions, r.connect.Round(time.Millisecond))
	line("calls", "%d of %d", r.made, r.requested)
	line("errors", "%d", r.errors)
	line("elapsed", "%v", r.elapsed.Round(time.Millisecond))
	rate := 0.0
	if r.elapsed > 0 {
		rate = float64(r.made) / r.elapsed.Seconds()
	}
	line("throughput", "%.0f calls/s", rate)
	if r.elapsed > 0 {
		line("cpu", "%v user+system during the load, %.2f CPUs busy on average (%s)", r.cpu.Round(10*time.Millisecond),
			r.cpu.Seconds()/r.elapsed.Seconds(), scopeOf(r))
	}
	if r.serverCPUKnown && r.made > 0 {
		line("server cpu", "%v user+system of the server process(es), %.3f ms per call (/proc/PID/stat)", r.serverCPU.Round(10*time.Millisecond),
			float64(r.serverCPU.Microseconds())/1000/float64(r.made))
	}
	line("latency", "p50 %s  p95 %s  p99 %s  max %s", measure.Millis(measure.Percentile(r.latency, 50)), measure.Millis(measure.Percentile(r.latency, 95)),
		measure.Millis(measure.Percentile(r.latency, 99)), measure.Millis(measure.Percentile(r.latency, 100)))
	if r.registryObservable {
		line("registry requests", "%d during the load (warm-up: %d)", r.registryRequests, r.warmupRequests)
	} else {
		line("registry requests", "not observable (the registry is the server's own)")
	}
	line("goroutines", "%d before the sessions, %d after they closed", r.goroutinesBefore, r.goroutinesAfter)
	scope := scopeOf(r)
	line("peak heap in use", "%s (runtime.MemStats.HeapInuse sampled every 50 ms; %s)", measure.MiB(r.heapInuse), scope)
	line("max RSS", "%s (getrusage; %s)", measure.MiB(r.maxRSS), scope)
	line("machine", "%d CPUs, GOMAXPROCS %d, %s/%s, %s", runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH, runtime.Version())
	if r.loadAvg != "" {
		line("load average", "%s (1 minute, as the load started: work of other processes on the same CPUs)", r.loadAvg)
	}
	_ = tw.Flush()

	if len(r.errorSamples) > 0 {
		fmt.Fprintln(w, "\nerrors (the first distinct messages):")
		msgs := make([]string, 0, len(r.errorSamples))
		for m := range r.errorSamples {
			msgs = append(msgs, m)
		}
		slices.Sort(msgs)
		for _, m := range msgs {
			fmt.Fprintf(w, "  %d× %s\n", r.errorSamples[m], m)
		}
	}

	fmt.Fprintf(w, "\n%-20s %7s %8s %8s %8s\n", "tool", "calls", "p50", "p95", "p99")
	tools := make([]string, 0, len(r.byTool))
	for t := range r.byTool {
		tools = append(tools, t)
	}
	slices.Sort(tools)
	for _, t := range tools {
		ds := r.byTool[t]
		fmt.Fprintf(w, "%-20s %7d %8s %8s %8s\n", t, len(ds), measure.Millis(measure.Percentile(ds, 50)), measure.Millis(measure.Percentile(ds, 95)), measure.Millis(measure.Percentile(ds, 99)))
	}
}

// scopeOf says what the process-wide figures cover.
func scopeOf(r *report) string {
	if r.inProcess {
		return "the whole process: registry-mcp, the registry, the clients"
	}
	return "this load process only"
}

// cpuTime is the user and system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
