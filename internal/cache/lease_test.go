package cache

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"testing"
	"time"
)

// leaseMap is an in-memory Leaser that ignores TTLs: a lease lasts until
// released, like one whose holder died just after taking it.
type leaseMap struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (l *leaseMap) Get(_ context.Context, key string) ([]byte, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	v, ok := l.m[key]
	return v, ok, nil
}

func (l *leaseMap) Set(_ context.Context, key string, val []byte, _ time.Duration) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.m[key] = val
	return nil
}

func (l *leaseMap) SetNX(_ context.Context, key string, val []byte, _ time.Duration) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.m[key]; ok {
		return false, nil
	}
	l.m[key] = val
	return true, nil
}

func (l *leaseMap) Release(_ context.Context, key string, val []byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if string(l.m[key]) == string(val) {
		delete(l.m, key)
	}
	return nil
}

func TestOnceHolderFetchesAndReleases(t *testing.T) {
	t.Parallel()
	lm := &leaseMap{m: map[string][]byte{}}
	s := NewTier(lm, slog.New(slog.DiscardHandler), nil)
	fetches := 0
	v, err := Once(t.Context(), s, "k", func(context.Context) (string, bool) { return "", false },
		func(context.Context) (string, error) { fetches++; return "v", nil })
	if err != nil || v != "v" || fetches != 1 {
		t.Fatalf("Once = %q, %v after %d fetches; want v after 1", v, err, fetches)
	}
	if len(lm.m) != 0 {
		t.Errorf("the lease was not released: %q", lm.m)
	}
}

// A holder that let go without a result (its fetch failed) hands the lease
// over: the waiter fetches without waiting out the deadline.
func TestOnceWaiterFetchesWhenTheHolderFailed(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_700_000_000, 0)
	lm := &leaseMap{m: map[string][]byte{}}
	s := NewTier(lm, slog.New(slog.DiscardHandler), func() time.Time { return now })
	lm.m[KeyPrefix+"lease/k"] = []byte(strconv.FormatInt(now.Add(LeaseTTL).UnixMilli(), 10) + " other")
	looked := 0
	v, err := Once(t.Context(), s, "k", func(context.Context) (string, bool) {
		looked++
		if looked == 1 {
			_ = lm.Release(t.Context(), KeyPrefix+"lease/k", lm.m[KeyPrefix+"lease/k"]) // the holder gives up between two looks
		}
		return "", false
	}, func(context.Context) (string, error) { return "mine", nil })
	if err != nil || v != "mine" {
		t.Fatalf("Once = %q, %v; want the waiter's own fetch", v, err)
	}
}

func TestOnceWaiterTakesTheHoldersResult(t *testing.T) {
	t.Parallel()
	lm := &leaseMap{m: map[string][]byte{}}
	now := time.Unix(1_700_000_000, 0)
	lm.m[KeyPrefix+"lease/k"] = []byte(strconv.FormatInt(now.Add(LeaseTTL).UnixMilli(), 10) + " other")
	s := NewTier(lm, slog.New(slog.DiscardHandler), func() time.Time { return now })
	v, err := Once(t.Context(), s, "k", func(context.Context) (string, bool) { return "theirs", true },
		func(context.Context) (string, error) { return "", errors.New("must not fetch") })
	if err != nil || v != "theirs" {
		t.Fatalf("Once = %q, %v; want the holder's result", v, err)
	}
}

func TestLeaseDeadlineIsBounded(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_700_000_000, 0)
	for _, val := range []string{"garbage", strconv.FormatInt(now.Add(24*time.Hour).UnixMilli(), 10) + " x"} {
		if got := leaseDeadline([]byte(val), now); !got.Equal(now.Add(LeaseTTL)) {
			t.Errorf("leaseDeadline(%q) = %v; want at most LeaseTTL from now", val, got)
		}
	}
	soon := now.Add(time.Second)
	if got := leaseDeadline([]byte(strconv.FormatInt(soon.UnixMilli(), 10)+" x"), now); !got.Equal(soon) {
		t.Errorf("leaseDeadline = %v; want the holder's %v", got, soon)
	}
}

func TestOnceWithoutLeasesJustFetches(t *testing.T) {
	t.Parallel()
	var nilTier *Tier
	v, err := Once(t.Context(), nilTier, "k", func(context.Context) (int, bool) { return 0, false },
		func(context.Context) (int, error) { return 7, nil })
	if err != nil || v != 7 {
		t.Fatalf("Once without a shared cache = %d, %v; want 7", v, err)
	}
}
