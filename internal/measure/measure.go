// Package measure holds what the start-up, benchmark and load commands all
// measure: latency percentiles, peak memory, another process's CPU time,
// memory and start-up, the machine's load, and how to print them.
package measure

import (
	"fmt"
	"runtime"
	"slices"
	"sync"
	"syscall"
	"time"
)

// Percentile is the nearest-rank percentile of ds, sorting ds in place if it
// is not sorted yet; zero for no samples.
func Percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	if !slices.IsSorted(ds) {
		slices.Sort(ds)
	}
	i := (len(ds)*p + 99) / 100
	return ds[max(i-1, 0)]
}

// Millis prints a latency with the precision that matters at its size:
// 227ms, 5.7ms, 480µs.
func Millis(d time.Duration) string {
	switch {
	case d >= 100*time.Millisecond:
		return fmt.Sprintf("%.0fms", float64(d)/float64(time.Millisecond))
	case d >= time.Millisecond:
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.0fµs", float64(d)/float64(time.Microsecond))
	}
}

// MiB prints a byte count in mebibytes.
func MiB(b uint64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

// Memory samples the Go runtime's memory every 50 ms while a run goes on,
// since MemStats only reports the present. Read the peaks after Stop.
type Memory struct {
	HeapInuse uint64 // peak heap in use
	Sys       uint64 // peak memory obtained from the OS

	done, stopped chan struct{}
	once          sync.Once
}

// WatchMemory starts sampling.
func WatchMemory() *Memory {
	m := &Memory{done: make(chan struct{}), stopped: make(chan struct{})}
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

func (m *Memory) sample() {
	var s runtime.MemStats
	runtime.ReadMemStats(&s)
	m.HeapInuse = max(m.HeapInuse, s.HeapInuse)
	m.Sys = max(m.Sys, s.Sys)
}

// Stop ends the sampling with a last sample; calling it again does nothing.
func (m *Memory) Stop() {
	m.once.Do(func() {
		close(m.done)
		<-m.stopped
		m.sample()
	})
}

// MaxRSS is the peak resident set size of the process (Linux reports KiB).
func MaxRSS() uint64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil || ru.Maxrss < 0 {
		return 0
	}
	return uint64(ru.Maxrss) * 1024
}
