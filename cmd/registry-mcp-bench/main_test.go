package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestBenchRuns keeps the command working as tools change; it checks the
// request counts it prints, never the times.
func TestBenchRuns(t *testing.T) {
	t.Parallel()
	o, err := parseFlags([]string{"-n", "1", "-warm", "1", "-duration", "100ms", "-latency", "0", "-redis", "off",
		"-clients", "2", "-tools", "get_image_info,list_tags", "-server", "off"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(t.Context(), o, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, want := range []string{"machine:", "cores", "load average", "get_image_info", "GET blobs×1, GET manifests×1", "list_tags", "calls/s", "peak RSS"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "error:") {
		t.Errorf("a scenario failed:\n%s", out.String())
	}
}

// TestBenchMeasuresTheTrustTools checks that each trust tool has a
// scenario (verify_image_signature on the demo's cosign-signed image)
// and that the repeated calls cost no registry request.
func TestBenchMeasuresTheTrustTools(t *testing.T) {
	t.Parallel()
	o, err := parseFlags([]string{"-n", "1", "-warm", "1", "-duration", "100ms", "-latency", "0", "-redis", "off",
		"-clients", "1", "-tools", "list_image_packages,scan_image_vulnerabilities,verify_image_signature", "-server", "off"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(t.Context(), o, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, tool := range []string{"list_image_packages", "scan_image_vulnerabilities", "verify_image_signature"} {
		var rows []string
		table, _, _ := strings.Cut(out.String(), "Cold requests by kind")
		for _, line := range strings.Split(table, "\n") {
			if f := strings.Fields(line); len(f) > 0 && f[0] == tool {
				rows = append(rows, line)
			}
		}
		if len(rows) == 0 {
			t.Errorf("no row for %s:\n%s", tool, out.String())
		}
		for _, row := range rows {
			// The last 12 columns are cold, warm, reval and replica, each
			// requests, p50, p95: a warm call is answered from the cache.
			f := strings.Fields(row)
			if len(f) < 14 || f[len(f)-12] == "0" || f[len(f)-9] != "0" {
				t.Errorf("%s: want cold requests and no warm ones: %q", tool, row)
			}
		}
	}
	if strings.Contains(out.String(), "No scenario yet") || strings.Contains(out.String(), "error:") {
		t.Errorf("a trust tool has no scenario, or one failed:\n%s", out.String())
	}
}
