package oci_test

import (
	"net/http"
	"testing"

	"github.com/registry-mcp/registry-mcp/internal/oci"
)

func TestParsePullQuota(t *testing.T) {
	t.Parallel()
	h := http.Header{}
	if _, ok := oci.ParsePullQuota(h); ok {
		t.Error("no headers must not read as a quota of zero")
	}
	h.Set("RateLimit-Limit", "200;w=21600")
	h.Set("RateLimit-Remaining", "0;w=21600")
	q, ok := oci.ParsePullQuota(h)
	if !ok || *q != (oci.PullQuota{Limit: 200, Remaining: 0, WindowSeconds: 21600}) {
		t.Errorf("got %+v %v", q, ok)
	}
	h.Set("RateLimit-Remaining", "lots")
	if _, ok := oci.ParsePullQuota(h); ok {
		t.Error("a malformed remaining count must not read as a quota")
	}
}
