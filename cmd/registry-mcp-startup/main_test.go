package main

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseInitTraceSortsTheSlowestFirst(t *testing.T) {
	trace := `init internal/bytealg @0.004 ms, 0 ms clock, 0 bytes, 0 allocs
registry-mcp dev (commit unknown, built unknown)
init mime @1.2 ms, 1.1 ms clock, 4096 bytes, 20 allocs
init github.com/example/slow @3.0 ms, 192.5 ms clock, 80 bytes, 2 allocs
`
	got := parseInitTrace(strings.NewReader(trace))
	want := []initCost{
		{pkg: "github.com/example/slow", clock: 192500 * time.Microsecond},
		{pkg: "mime", clock: 1100 * time.Microsecond},
		{pkg: "internal/bytealg", clock: 0},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(initCost{})); diff != "" {
		t.Errorf("parseInitTrace (-want +got):\n%s", diff)
	}
}

func TestMedianLeavesItsInputAlone(t *testing.T) {
	ds := []time.Duration{50, 10, 40, 20, 30}
	if got := median(ds); got != 30 {
		t.Errorf("median = %v, want 30", got)
	}
	if ds[0] != 50 {
		t.Errorf("median sorted its input: %v", ds)
	}
}

func TestParseFlagsRefusesARunCountOutOfRange(t *testing.T) {
	var stderr strings.Builder
	if _, err := parseFlags([]string{"-runs", "0"}, &stderr); err == nil {
		t.Fatal("-runs 0 was accepted")
	}
	if !strings.Contains(stderr.String(), "1-100") {
		t.Errorf("the message does not name the range: %q", stderr.String())
	}
}
