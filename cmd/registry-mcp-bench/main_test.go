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
