package cache

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/registry-mcp/registry-mcp/internal/registrytest"
)

func TestLRUEvictsByBytesAndRemoves(t *testing.T) {
	t.Parallel()
	c := NewLRU(100)
	c.Add("a", "a", 20)
	c.Add("b", "b", 20)
	c.Add("huge", "x", 26) // over a quarter of the cache: not kept
	if _, ok := c.Get("huge"); ok {
		t.Error("an item over a quarter of the cache was kept")
	}
	c.Get("a") // a is now the most recent
	for _, k := range []string{"c", "d", "e", "f"} {
		c.Add(k, k, 20)
	}
	if _, ok := c.Get("b"); ok {
		t.Error("the least recently used item survived an overflow")
	}
	if _, ok := c.Get("a"); !ok {
		t.Error("a recently used item was evicted")
	}
	c.Remove("a")
	c.Remove("missing")
	if _, ok := c.Get("a"); ok || c.Used() != 80 {
		t.Errorf("after remove: present=%v used=%d, want absent and 80 bytes", ok, c.Used())
	}
}

// mapCache is an in-memory SharedCache that can be made to fail, to drive
// the degradation logic through outages and recoveries on a fake clock.
type mapCache struct {
	mu    sync.Mutex
	m     map[string][]byte
	fail  bool
	calls int
}

func (m *mapCache) Get(_ context.Context, key string) ([]byte, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	if m.fail {
		return nil, false, errors.New("connection refused")
	}
	v, ok := m.m[key]
	return v, ok, nil
}

func (m *mapCache) Set(_ context.Context, key string, val []byte, _ time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	if m.fail {
		return errors.New("connection refused")
	}
	m.m[key] = val
	return nil
}

func TestTierPausesAfterAFailureAndWarnsOnce(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_700_000_000, 0)
	var logs registrytest.LogBuffer
	mc := &mapCache{m: map[string][]byte{}}
	s := NewTier(mc, slog.New(slog.NewTextHandler(&logs, nil)), func() time.Time { return now })
	ctx := t.Context()

	s.Set(ctx, "k", []byte("v"), time.Minute)
	if v, ok := s.Get(ctx, "k"); !ok || string(v) != "v" {
		t.Fatalf("get = %q, %v; want v", v, ok)
	}
	mc.fail = true
	if _, ok := s.Get(ctx, "k"); ok {
		t.Fatal("a failing cache answered")
	}
	callsAtFailure := mc.calls
	for range 10 {
		s.Get(ctx, "k")
		s.Set(ctx, "k", []byte("v"), time.Minute)
	}
	if mc.calls != callsAtFailure {
		t.Errorf("the cache was asked %d more times during the pause; want none", mc.calls-callsAtFailure)
	}
	now = now.Add(Pause)
	s.Get(ctx, "k") // tried again after the pause, fails again: no second warning within a minute
	if mc.calls != callsAtFailure+1 {
		t.Errorf("after the pause the cache was asked %d times; want once", mc.calls-callsAtFailure)
	}
	if n := strings.Count(logs.String(), "level=WARN"); n != 1 {
		t.Errorf("%d warnings for one outage; want 1:\n%s", n, logs.String())
	}
	mc.fail = false
	now = now.Add(Pause)
	if v, ok := s.Get(ctx, "k"); !ok || string(v) != "v" {
		t.Fatalf("after recovery get = %q, %v; want v", v, ok)
	}
	if !strings.Contains(logs.String(), "shared cache reachable again") {
		t.Errorf("recovery was not logged:\n%s", logs.String())
	}
}

func TestTierIgnoresTheCallersCancellation(t *testing.T) {
	t.Parallel()
	mc := &mapCache{m: map[string][]byte{}, fail: true}
	s := NewTier(mc, slog.New(slog.DiscardHandler), time.Now)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	s.Get(ctx, "k")
	if !s.Available() {
		t.Error("a call the caller had cancelled paused the shared cache")
	}
}

func TestTierSkipsOversizedValues(t *testing.T) {
	t.Parallel()
	mc := &mapCache{m: map[string][]byte{}}
	s := NewTier(mc, slog.New(slog.DiscardHandler), time.Now)
	s.Set(t.Context(), "big", make([]byte, MaxValueBytes+1), time.Minute)
	s.Set(t.Context(), "no-ttl", []byte("v"), 0)
	if len(mc.m) != 0 {
		t.Errorf("stored %d values; want none (oversized, or without a TTL)", len(mc.m))
	}
}
