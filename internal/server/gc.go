package server

import (
	"runtime/debug"
)

// GC pacing for a server process. Measured with cmd/registry-mcp-load (8
// Streamable HTTP sessions, cached get_image_info, server CPU from
// /proc/PID/stat; see docs/performance.md): the live heap is a few MiB, and
// each call leaves ~200 KB of short-lived garbage, most of it the MCP SDK's
// JSON decoding buffers. At the default GOGC=100 the collector runs every
// few dozen calls and takes a third of the server's CPU; GOGC=400 cut CPU
// per call from 0.80 to 0.54 ms, GOGC=800 to 0.51, no collection until a
// 128 MiB limit to 0.48. 400 takes most of the gain while the heap may grow
// to five times the live data, and the soft limit keeps that from running
// away when the live heap itself is large (a big layer walk, a full content
// cache): past it the collector works harder instead.
const (
	gcPercent     = 400
	gcMemoryLimit = 512 << 20
)

// TuneGC applies the pacing above. Call it only when the operator has not
// set GOGC or GOMEMLIMIT, which then win.
func TuneGC() {
	debug.SetGCPercent(gcPercent)
	debug.SetMemoryLimit(gcMemoryLimit)
}
