package tools_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/registry-mcp/registry-mcp/internal/oci"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
	"github.com/registry-mcp/registry-mcp/internal/tools"
)

type shown struct{ ID, Package, Installed, Fixed, Severity string }

func shownOf(vs []tools.Vulnerability) []shown {
	var out []shown
	for _, v := range vs {
		out = append(out, shown{v.ID, v.Package, v.InstalledVersion, v.FixedVersion, v.Severity})
	}
	return out
}

func TestScanImageVulnerabilities(t *testing.T) {
	t.Parallel()
	e := newTrustEnv(t, registrytest.Options{}, withTTL)
	out := registrytest.Decode[tools.ScanOutput](t, e.call(t, "scan_image_vulnerabilities", map[string]any{"image_ref": e.imgs.Debian}))
	want := []shown{
		{"DEBIAN-CVE-2023-45853", "zlib", "1:1.2.13.dfsg-1", "", "critical"},
		{"GHSA-35jh-r3h4-6jhm", "lodash", "4.17.20", "4.17.21", "high"},
		{"DEBIAN-CVE-2023-5678", "openssl", "3.0.11-1~deb12u2", "3.0.13-1~deb12u1", "medium"},
		{"DEBIAN-CVE-2024-0727", "openssl", "3.0.11-1~deb12u2", "3.0.13-1~deb12u1", "medium"},
		{"GHSA-9wx4-h78v-vm56", "requests", "2.31.0", "2.32.0", "medium"},
		{"GO-2024-2598", "stdlib", "1.21.0", "1.21.8", "unknown"},
		{"GO-2024-2687", "golang.org/x/net", "0.17.0", "0.23.0", "unknown"},
	}
	if diff := cmp.Diff(want, shownOf(out.Vulnerabilities)); diff != "" {
		t.Errorf("vulnerabilities, worst first then by id (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(tools.SeverityCounts{Critical: 1, High: 1, Medium: 3, Unknown: 2}, out.Counts); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
	if out.PackagesScanned != 9 || out.Truncated || out.Database.Source != e.osv.URL || out.Database.QueriedAt == "" {
		t.Errorf("packages_scanned %d, truncated %v, database %+v", out.PackagesScanned, out.Truncated, out.Database)
	}
	v := out.Vulnerabilities[0]
	if len(v.Aliases) != 1 || v.Aliases[0] != "CVE-2023-45853" || !strings.Contains(v.Summary, "minizip") {
		t.Errorf("first vulnerability %+v", v)
	}
}

func TestScanFiltersButCountsEverything(t *testing.T) {
	t.Parallel()
	e := newTrustEnv(t, registrytest.Options{}, withTTL)
	all := tools.SeverityCounts{Critical: 1, High: 1, Medium: 3, Unknown: 2}
	high := registrytest.Decode[tools.ScanOutput](t, e.call(t, "scan_image_vulnerabilities", map[string]any{"image_ref": e.imgs.Debian, "min_severity": "high"}))
	if got := shownOf(high.Vulnerabilities); len(got) != 2 || got[1].Severity != "high" || high.Counts != all || high.Truncated {
		t.Errorf("min_severity high: %+v, counts %+v, truncated %v", got, high.Counts, high.Truncated)
	}
	one := registrytest.Decode[tools.ScanOutput](t, e.call(t, "scan_image_vulnerabilities", map[string]any{"image_ref": e.imgs.Debian, "limit": 1}))
	if len(one.Vulnerabilities) != 1 || !one.Truncated || one.Counts != all {
		t.Errorf("limit 1: %d shown, truncated %v, counts %+v", len(one.Vulnerabilities), one.Truncated, one.Counts)
	}
	alpine := registrytest.Decode[tools.ScanOutput](t, e.call(t, "scan_image_vulnerabilities", map[string]any{"image_ref": e.imgs.Alpine}))
	if diff := cmp.Diff([]shown{{"ALPINE-CVE-2023-42363", "busybox", "1.36.1-r28", "1.36.1-r29", "medium"}}, shownOf(alpine.Vulnerabilities)); diff != "" {
		t.Errorf("alpine (-want +got):\n%s", diff)
	}
	for name, bad := range map[string]map[string]any{
		"limit 0":           {"image_ref": e.imgs.Debian, "limit": 0},
		"limit 501":         {"image_ref": e.imgs.Debian, "limit": 501},
		"unknown severity":  {"image_ref": e.imgs.Debian, "min_severity": "severe"},
		"missing image_ref": {},
	} {
		if res := e.call(t, "scan_image_vulnerabilities", bad); !res.IsError {
			t.Errorf("%s: accepted: %s", name, registrytest.Text(res))
		}
	}
}

func TestScanSaysWhenTheVulnerabilitySourceFails(t *testing.T) {
	t.Parallel()
	e := newTrustEnv(t, registrytest.Options{}, withTTL)
	e.osv.FailNext(10, registrytest.HubFault{Status: http.StatusBadGateway})
	res := e.call(t, "scan_image_vulnerabilities", map[string]any{"image_ref": e.imgs.Debian})
	if !res.IsError || !strings.Contains(registrytest.Text(res), "-vuln-source") || !strings.Contains(registrytest.Text(res), e.osv.URL) {
		t.Errorf("a failing OSV service: %s", registrytest.Text(res))
	}
	e.osv.FailNext(0, registrytest.HubFault{})
	if res := e.call(t, "scan_image_vulnerabilities", map[string]any{"image_ref": e.imgs.Debian}); res.IsError {
		t.Errorf("the server did not recover: %s", registrytest.Text(res))
	}

	gone := trustConnect(t, oci.New(withTTL), "http://127.0.0.1:1")
	res = registrytest.Call(t, gone, "scan_image_vulnerabilities", map[string]any{"image_ref": e.imgs.Debian})
	if text := registrytest.Text(res); !res.IsError || !strings.Contains(text, "-vuln-source") || !strings.Contains(text, "unreachable") {
		t.Errorf("an unreachable OSV service: %s", text)
	}

	none := trustConnect(t, oci.New(withTTL), "")
	res = registrytest.Call(t, none, "scan_image_vulnerabilities", map[string]any{"image_ref": e.imgs.Debian})
	if !res.IsError || !strings.Contains(registrytest.Text(res), "-vuln-source") {
		t.Errorf("no OSV service configured: %s", registrytest.Text(res))
	}
}

// TestTrustRequestCounts pins what the trust tools cost, counted by the
// registry and the OSV service themselves: a package list reads the
// manifest, looks for an SBOM, then reads the config and each layer once;
// a scan after it asks OSV one querybatch and one record per
// vulnerability; repeats cost nothing.
func TestTrustRequestCounts(t *testing.T) {
	t.Parallel()
	e := newTrustEnv(t, registrytest.Options{TokenAuth: true}, withTTL)
	debian := map[string]any{"image_ref": e.imgs.Debian}
	e.call(t, "list_tags", map[string]any{"repository": e.fx.Host + "/demo/trust-debian", "limit": 1}) // token warm-up
	steps := []struct {
		name      string
		tool      string
		args      map[string]any
		registry  map[string]int
		osvCounts map[string]int
	}{
		{"packages, cold: SBOM referrers (API and cosign tag), then the layers", "list_image_packages", debian,
			map[string]int{"GET manifests": 1, "GET referrers": 1, "HEAD manifests": 1, "GET blobs": 3}, map[string]int{}},
		{"packages again", "list_image_packages", debian, map[string]int{}, map[string]int{}},
		{"another page", "list_image_packages", map[string]any{"image_ref": e.imgs.Debian, "type": "deb"}, map[string]int{}, map[string]int{}},
		{"scan after the package list", "scan_image_vulnerabilities", debian, map[string]int{}, map[string]int{"POST querybatch": 1, "GET vulns": 7}},
		{"scan again", "scan_image_vulnerabilities", debian, map[string]int{}, map[string]int{}},
		{"scan with a filter", "scan_image_vulnerabilities", map[string]any{"image_ref": e.imgs.Debian, "min_severity": "critical"}, map[string]int{}, map[string]int{}},
		{"scan, cold, of another repository", "scan_image_vulnerabilities", map[string]any{"image_ref": e.imgs.Alpine},
			map[string]int{"GET token": 1, "GET manifests": 1, "GET referrers": 1, "HEAD manifests": 1, "GET blobs": 2}, map[string]int{"POST querybatch": 1, "GET vulns": 1}},
	}
	for _, s := range steps {
		e.reg.Reset()
		e.osv.Reset()
		res := e.call(t, s.tool, s.args)
		if res.IsError {
			t.Fatalf("%s: %s", s.name, registrytest.Text(res))
		}
		if diff := cmp.Diff(s.registry, e.reg.Counts()); diff != "" {
			t.Errorf("%s: registry requests (-want +got):\n%s", s.name, diff)
		}
		if diff := cmp.Diff(s.osvCounts, e.osv.Counts()); diff != "" {
			t.Errorf("%s: OSV requests (-want +got):\n%s", s.name, diff)
		}
	}
}
