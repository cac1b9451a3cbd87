package hub_test

import (
	"testing"
	"time"

	"github.com/registry-mcp/registry-mcp/internal/cache"
	"github.com/registry-mcp/registry-mcp/internal/hub"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
)

func sharedHubClient(t *testing.T, h *registrytest.Hub, redisURL string, clk *clock, authenticated bool) *hub.Client {
	t.Helper()
	rc, err := cache.NewRedis(redisURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rc.Close() })
	return newClient(h, authenticated, withClock(clk), func(o *hub.Options) {
		o.CacheTTL = 30 * time.Second
		o.Shared = rc
	})
}

// TestReplicasShareHubAnswersThroughRedis: what one replica read from the
// Hub API, another answers from Redis for the TTL, per account.
func TestReplicasShareHubAnswersThroughRedis(t *testing.T) {
	t.Parallel()
	const endpoint = "GET /v2/namespaces/{namespace}/repositories/{repository}"
	rd := registrytest.StartRedis(t)
	h := registrytest.NewHub(t)
	var clk clock
	a := sharedHubClient(t, h, rd.URL, &clk, true)
	b := sharedHubClient(t, h, rd.URL, &clk, true)
	anon := sharedHubClient(t, h, rd.URL, &clk, false)
	ctx := t.Context()
	want, err := a.GetRepository(ctx, "library", "alpine")
	if err != nil {
		t.Fatal(err)
	}
	got, err := b.GetRepository(ctx, "library", "alpine")
	if err != nil {
		t.Fatal(err)
	}
	if n := h.Requests(endpoint); n != 1 {
		t.Errorf("two replicas sent %d requests for one repository; want 1", n)
	}
	if got.Name != want.Name || got.PullCount != want.PullCount {
		t.Errorf("the shared answer differs: %+v vs %+v", got, want)
	}
	if _, err := anon.GetRepository(ctx, "library", "alpine"); err != nil {
		t.Fatal(err)
	}
	if n := h.Requests(endpoint); n != 2 {
		t.Errorf("an anonymous replica was served an account's answer (%d requests; want 2)", n)
	}
	clk.advance(31 * time.Second)
	if _, err := b.GetRepository(ctx, "library", "alpine"); err != nil {
		t.Fatal(err)
	}
	if n := h.Requests(endpoint); n != 3 {
		t.Errorf("after the TTL the shared answer was still used (%d requests; want 3)", n)
	}
}
