package main

import (
	"runtime/debug"
	"testing"
)

// TestVersionFromGoInstall: `go install` stamps no -ldflags, so the module
// version the binary records must be reported instead of "dev".
func TestVersionFromGoInstall(t *testing.T) {
	t.Parallel()
	installed := &debug.BuildInfo{Main: debug.Module{Path: "github.com/registry-mcp/registry-mcp", Version: "v1.2.3"}}
	checkout := &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.time", Value: "2026-12-02T00:00:00Z"},
	}}
	for _, tc := range []struct {
		name, v, c, d string
		info          *debug.BuildInfo
		want          string
	}{
		{"go install", "dev", "", "", installed, "registry-mcp 1.2.3 (commit unknown, built unknown)"},
		{"release build wins", "1.2.4", "def456", "2026-12-01", installed, "registry-mcp 1.2.4 (commit def456, built 2026-12-01)"},
		{"from a checkout", "dev", "", "", checkout, "registry-mcp dev (commit abc123, built 2026-12-02T00:00:00Z)"},
		{"no build info", "dev", "", "", nil, "registry-mcp dev (commit unknown, built unknown)"},
	} {
		if got := describeVersion(tc.v, tc.c, tc.d, tc.info); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
