package server

import (
	"runtime/debug"
)

// GC pacing for a server process. Measured with cmd/registry-mcp-load (see
// docs/benchmarks.md): the live heap is a few MiB, and each call leaves
// ~200 KB of short-lived garbage, most of it the MCP SDK's JSON decoding
// buffers. At the default GOGC=100 the collector runs every few dozen calls
// and takes a third of the server's CPU. With 8 sessions, GOGC=400 cut the
// server's CPU per call from 0.80 to 0.54 ms (GOGC=800: 0.51; no collection
// below 128 MiB: 0.48), so 400 takes most of the gain. The soft memory
// limit bounds what that costs under heavy load: with 200 sessions the
// whole load process peaked at 91 MiB RSS with GOGC=100, 338 MiB with 400
// alone and 237 MiB with 400 and this limit, for 28, 16 and 19 s of CPU.
// Past the limit the collector works harder instead of growing the heap.
//
// Measured again with the SDK patch of patches/go-sdk, which removes most of
// that garbage (a cached call allocates a tenth as much): at 8 sessions
// GOGC=200 costs the same CPU per call as 400 (0.24 ms) and 10 MiB less
// peak RSS (47 against 58 MiB; 200 sessions: 68 against 89), while GOGC=100
// costs 12 % more CPU. 400 stays because a build with the SDK as published
// (go install) still makes the old garbage, and pays 15 % more CPU at 200.
const (
	gcPercent     = 400
	gcMemoryLimit = 256 << 20
)

// TuneGC applies the pacing above. Call it only when the operator has not
// set GOGC or GOMEMLIMIT, which then win.
func TuneGC() {
	debug.SetGCPercent(gcPercent)
	debug.SetMemoryLimit(gcMemoryLimit)
}
