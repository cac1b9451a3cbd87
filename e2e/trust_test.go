//go:build e2e

package e2e

import (
	"regexp"
	"testing"
	"time"

	"github.com/registry-mcp/registry-mcp/internal/registrytest"
	"github.com/registry-mcp/registry-mcp/internal/tools"
)

var trustImageRE = regexp.MustCompile(`(\S+/demo/trust-debian:12)`)

// TestStdioDemoTrust: the built binary with -demo lists the packages of its
// sample Debian image and scans them against its own sample OSV service,
// with no network, and writes nothing but JSON-RPC to stdout.
func TestStdioDemoTrust(t *testing.T) {
	t.Parallel()
	rc := newRecordingCommand(t, childEnv(t), "-transport", "stdio", "-demo", "-demo-port", "0")
	cs := connect(t, rc)
	m, err := rc.stderr.waitFor(trustImageRE, 30*time.Second, nil)
	if err != nil {
		t.Fatalf("trust image: %v\nstderr:\n%s", err, rc.stderr.String())
	}
	pkgs := registrytest.Decode[tools.PackagesOutput](t, call(t, cs, "list_image_packages", map[string]any{"image_ref": m[1]}))
	if pkgs.Total != 9 || pkgs.OS.ID != "debian" {
		t.Errorf("packages: total %d, os %+v", pkgs.Total, pkgs.OS)
	}
	scan := registrytest.Decode[tools.ScanOutput](t, call(t, cs, "scan_image_vulnerabilities", map[string]any{"image_ref": m[1]}))
	if scan.Counts.Critical != 1 || scan.Counts.High != 1 || len(scan.Vulnerabilities) != 7 || scan.Vulnerabilities[0].ID != "DEBIAN-CVE-2023-45853" {
		t.Errorf("scan: counts %+v, %d shown", scan.Counts, len(scan.Vulnerabilities))
	}
	_ = cs.Close()
	checkOnlyJSONRPC(t, rc.finish(t))
}
