package measure

import (
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	t.Parallel()
	ds := []time.Duration{10, 1, 9, 2, 8, 3, 7, 4, 6, 5} // unsorted on purpose
	for p, want := range map[int]time.Duration{50: 5, 95: 10, 99: 10, 100: 10, 1: 1, 10: 1, 11: 2} {
		if got := Percentile(ds, p); got != want {
			t.Errorf("p%d = %d, want %d", p, got, want)
		}
	}
	if got := Percentile(nil, 50); got != 0 {
		t.Errorf("no samples: %d, want 0", got)
	}
	if got := Percentile([]time.Duration{7}, 95); got != 7 {
		t.Errorf("one sample: %d, want 7", got)
	}
}

func TestFormats(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{227 * time.Millisecond: "227ms", 5700 * time.Microsecond: "5.7ms", 480 * time.Microsecond: "480µs"} {
		if got := Millis(d); got != want {
			t.Errorf("Millis(%s) = %q, want %q", d, got, want)
		}
	}
	if got := MiB(3 << 19); got != "1.5 MiB" {
		t.Errorf("MiB = %q", got)
	}
}

func TestWatchMemory(t *testing.T) {
	t.Parallel()
	m := WatchMemory()
	m.Stop()
	m.Stop()
	if m.HeapInuse == 0 || m.Sys < m.HeapInuse || MaxRSS() == 0 {
		t.Errorf("peaks not recorded: heap %d, sys %d, rss %d", m.HeapInuse, m.Sys, MaxRSS())
	}
}
