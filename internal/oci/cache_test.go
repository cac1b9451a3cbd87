package oci

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestLRUEvictsByBytesAndRemoves(t *testing.T) {
	t.Parallel()
	c := newLRU(100)
	c.add("a", "a", 20)
	c.add("b", "b", 20)
	c.add("huge", "x", 26) // over a quarter of the cache: not kept
	if _, ok := c.get("huge"); ok {
		t.Error("an item over a quarter of the cache was kept")
	}
	c.get("a") // a is now the most recent
	for _, k := range []string{"c", "d", "e", "f"} {
		c.add(k, k, 20)
	}
	if _, ok := c.get("b"); ok {
		t.Error("the least recently used item survived an overflow")
	}
	if _, ok := c.get("a"); !ok {
		t.Error("a recently used item was evicted")
	}
	c.remove("a")
	c.remove("missing")
	if _, ok := c.get("a"); ok || c.used != 80 {
		t.Errorf("after remove: present=%v used=%d, want absent and 80 bytes", ok, c.used)
	}
}

func TestFreshValuesExpireWithTheTagTTL(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_700_000_000, 0)
	c := New(Options{TagTTL: 30 * time.Second})
	c.tags.now = func() time.Time { return now }
	c.addFresh("k", "v1", 2)
	if v, ok := c.getFresh("k"); !ok || v != "v1" {
		t.Fatalf("getFresh = %v, %v; want v1", v, ok)
	}
	now = now.Add(30 * time.Second)
	if _, ok := c.getFresh("k"); ok {
		t.Fatal("a value was served at the end of its TTL")
	}
	c.addFresh("k", "v2", 2)
	if v, _ := c.getFresh("k"); v != "v2" {
		t.Fatalf("after a refresh getFresh = %v; want v2", v)
	}

	off := New(Options{TagTTL: 0})
	off.addFresh("k", "v", 1)
	if _, ok := off.getFresh("k"); ok {
		t.Error("with tag caching off, a tag list was cached")
	}
}

func TestTagEntryEncoding(t *testing.T) {
	t.Parallel()
	e := tagEntry{digest: "sha256:" + strings.Repeat("a", 64), checked: time.UnixMilli(1_700_000_000_123)}
	got, ok := decodeTagEntry(encodeTagEntry(e))
	if !ok || got.digest != e.digest || !got.checked.Equal(e.checked) {
		t.Errorf("round trip = %+v, %v; want %+v", got, ok, e)
	}
	for _, bad := range []string{"", "sha256:abc", "sha256:abc notanumber", "nodigest 123"} {
		if _, ok := decodeTagEntry([]byte(bad)); ok {
			t.Errorf("decodeTagEntry(%q) accepted garbage", bad)
		}
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

// syncBuffer is a log sink safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestSharedLayerPausesAfterAFailureAndWarnsOnce(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_700_000_000, 0)
	var logs syncBuffer
	mc := &mapCache{m: map[string][]byte{}}
	s := newSharedLayer(mc, slog.New(slog.NewTextHandler(&logs, nil)), func() time.Time { return now })
	ctx := t.Context()

	s.set(ctx, "k", []byte("v"), time.Minute)
	if v, ok := s.get(ctx, "k"); !ok || string(v) != "v" {
		t.Fatalf("get = %q, %v; want v", v, ok)
	}
	mc.fail = true
	if _, ok := s.get(ctx, "k"); ok {
		t.Fatal("a failing cache answered")
	}
	callsAtFailure := mc.calls
	for range 10 {
		s.get(ctx, "k")
		s.set(ctx, "k", []byte("v"), time.Minute)
	}
	if mc.calls != callsAtFailure {
		t.Errorf("the cache was asked %d more times during the pause; want none", mc.calls-callsAtFailure)
	}
	now = now.Add(sharedPause)
	s.get(ctx, "k") // tried again after the pause, fails again: no second warning within a minute
	if mc.calls != callsAtFailure+1 {
		t.Errorf("after the pause the cache was asked %d times; want once", mc.calls-callsAtFailure)
	}
	if n := strings.Count(logs.String(), "level=WARN"); n != 1 {
		t.Errorf("%d warnings for one outage; want 1:\n%s", n, logs.String())
	}
	mc.fail = false
	now = now.Add(sharedPause)
	if v, ok := s.get(ctx, "k"); !ok || string(v) != "v" {
		t.Fatalf("after recovery get = %q, %v; want v", v, ok)
	}
	if !strings.Contains(logs.String(), "shared cache reachable again") {
		t.Errorf("recovery was not logged:\n%s", logs.String())
	}
}

func TestSharedLayerIgnoresTheCallersCancellation(t *testing.T) {
	t.Parallel()
	mc := &mapCache{m: map[string][]byte{}, fail: true}
	s := newSharedLayer(mc, slog.New(slog.DiscardHandler), time.Now)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	s.get(ctx, "k")
	if !s.available() {
		t.Error("a call the caller had cancelled paused the shared cache")
	}
}

func TestSharedLayerSkipsOversizedValues(t *testing.T) {
	t.Parallel()
	mc := &mapCache{m: map[string][]byte{}}
	s := newSharedLayer(mc, slog.New(slog.DiscardHandler), time.Now)
	s.set(t.Context(), "big", make([]byte, maxSharedValueBytes+1), time.Minute)
	s.set(t.Context(), "no-ttl", []byte("v"), 0)
	if len(mc.m) != 0 {
		t.Errorf("stored %d values; want none (oversized, or without a TTL)", len(mc.m))
	}
}
