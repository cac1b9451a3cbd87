package hub_test

import (
	"testing"
	"time"

	"github.com/registry-mcp/registry-mcp/internal/hub"
	"github.com/registry-mcp/registry-mcp/internal/registrytest"
)

func TestGetAnswersAreReusedForTheTTL(t *testing.T) {
	t.Parallel()
	const endpoint = "GET /v2/namespaces/{namespace}/repositories/{repository}"
	h := registrytest.NewHub(t)
	var clk clock
	c := newClient(h, true, withClock(&clk), func(o *hub.Options) { o.CacheTTL = 30 * time.Second })
	ctx := t.Context()
	for range 3 {
		if _, err := c.GetRepository(ctx, registrytest.HubUser, "webapp"); err != nil {
			t.Fatal(err)
		}
	}
	if n := h.Requests(endpoint); n != 1 {
		t.Errorf("three reads within the TTL sent %d requests, want 1", n)
	}
	clk.advance(31 * time.Second)
	if _, err := c.GetRepository(ctx, registrytest.HubUser, "webapp"); err != nil {
		t.Fatal(err)
	}
	if n := h.Requests(endpoint); n != 2 {
		t.Errorf("a read after the TTL sent %d requests in all, want 2", n)
	}
	desc := "changed"
	if _, err := c.UpdateRepository(ctx, registrytest.HubUser, "webapp", hub.UpdateRepoParams{Description: &desc}); err != nil {
		t.Fatal(err)
	}
	repo, err := c.GetRepository(ctx, registrytest.HubUser, "webapp")
	if err != nil {
		t.Fatal(err)
	}
	if repo.Description != desc || h.Requests(endpoint) != 3 {
		t.Errorf("after a write the read must be fresh: description %q, %d requests", repo.Description, h.Requests(endpoint))
	}
}

func TestCachingIsOffWithoutATTL(t *testing.T) {
	t.Parallel()
	const endpoint = "GET /v2/namespaces/{namespace}/repositories/{repository}"
	h := registrytest.NewHub(t)
	c := newClient(h, false)
	for range 2 {
		if _, err := c.GetRepository(t.Context(), "library", "alpine"); err != nil {
			t.Fatal(err)
		}
	}
	if n := h.Requests(endpoint); n != 2 {
		t.Errorf("without CacheTTL two reads sent %d requests, want 2", n)
	}
}
