package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"
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
	line("latency", "p50 %s  p95 %s  p99 %s  max %s", ms(percentile(r.latency, 50)), ms(percentile(r.latency, 95)),
		ms(percentile(r.latency, 99)), ms(percentile(r.latency, 100)))
	if r.registryObservable {
		line("registry requests", "%d during the load (warm-up: %d)", r.registryRequests, r.warmupRequests)
	} else {
		line("registry requests", "not observable (the registry is the server's own)")
	}
	line("goroutines", "%d before the sessions, %d after they closed", r.goroutinesBefore, r.goroutinesAfter)
	scope := scopeOf(r)
	line("peak heap in use", "%s (runtime.MemStats.HeapInuse sampled every 50 ms; %s)", mib(r.heapInuse), scope)
	line("max RSS", "%s (getrusage; %s)", mib(r.maxRSS), scope)
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
		fmt.Fprintf(w, "%-20s %7d %8s %8s %8s\n", t, len(ds), ms(percentile(ds, 50)), ms(percentile(ds, 95)), ms(percentile(ds, 99)))
	}
}

// scopeOf says what the process-wide figures cover.
func scopeOf(r *report) string {
	if r.inProcess {
		return "the whole process: registry-mcp, the registry, the clients"
	}
	return "this load process only"
}

func ms(d time.Duration) string {
	switch {
	case d >= 100*time.Millisecond:
		return fmt.Sprintf("%.0fms", float64(d)/float64(time.Millisecond))
	case d >= time.Millisecond:
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.0fµs", float64(d)/float64(time.Microsecond))
	}
}

func mib(b uint64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

// memWatch samples the heap while the run goes on, as MemStats only
// reports the present.
type memWatch struct {
	heapInuse uint64
	done      chan struct{}
	stopped   chan struct{}
	once      sync.Once
}

func watchMemory() *memWatch {
	m := &memWatch{done: make(chan struct{}), stopped: make(chan struct{})}
	go func() {
		defer close(m.stopped)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			m.sample()
			select {
			case <-m.done:
				return
			case <-t.C:
			}
		}
	}()
	return m
}

func (m *memWatch) sample() {
	var s runtime.MemStats
	runtime.ReadMemStats(&s)
	m.heapInuse = max(m.heapInuse, s.HeapInuse)
}

// stop ends the sampling with a last sample; calling it again does nothing.
func (m *memWatch) stop() {
	m.once.Do(func() {
		close(m.done)
		<-m.stopped
		m.sample()
	})
}

// loadAverage is the one-minute load average, "" where /proc has none.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// cpuTime is the user and system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// maxRSS is the process's peak resident set size (Linux reports KiB).
func maxRSS() uint64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil || ru.Maxrss < 0 {
		return 0
	}
	return uint64(ru.Maxrss) * 1024
}
