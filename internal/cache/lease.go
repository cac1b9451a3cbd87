package cache

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

const (
	// LeaseTTL is how long one replica may hold the right to fetch something
	// the others wait for. A registry answers a manifest or a config in well
	// under a second; past this the others stop waiting and fetch themselves,
	// so a replica that dies holding a lease delays the rest by at most this.
	LeaseTTL = 5 * time.Second
	// leasePoll is how often a waiting replica looks for the holder's result.
	leasePoll = 20 * time.Millisecond
)

// Once makes one replica fetch what several are asked for at the same
// instant: the first takes a short lease in the shared cache and fetches
// (fetch is expected to store its result where lookup finds it); the others
// wait, looking for the result with lookup, until the lease is released or
// runs out, and then fetch themselves. Without a shared cache that can hand
// out leases it just fetches.
//
// The wait is bounded twice: by the holder's deadline, read with the
// waiter's clock, and by the lease's own expiry in the shared cache, so a
// holder that died never blocks the rest for longer than LeaseTTL.
func Once[T any](ctx context.Context, s *Tier, key string, lookup func(context.Context) (T, bool), fetch func(context.Context) (T, error)) (T, error) {
	l, ok := s.leaser()
	if !ok {
		return fetch(ctx)
	}
	held, token, deadline := s.acquire(ctx, l, key)
	if held {
		// Another replica may have stored the result and let go between the
		// caller's cache miss and this lease: look once more before fetching.
		defer s.release(ctx, l, key, token)
		if v, found := lookup(ctx); found {
			return v, nil
		}
		return fetch(ctx)
	}
	timer := time.NewTimer(leasePoll)
	defer timer.Stop()
	for {
		if v, found := lookup(ctx); found {
			return v, nil
		}
		if !s.now().Before(deadline) {
			return fetch(ctx) // the holder is late or gone: stop waiting for it
		}
		select {
		case <-ctx.Done():
			var zero T
			return zero, ctx.Err()
		case <-timer.C:
			timer.Reset(leasePoll)
		}
		if held, token, deadline = s.acquire(ctx, l, key); held {
			// The holder let go: its result is there, or it failed.
			defer s.release(ctx, l, key, token)
			if v, found := lookup(ctx); found {
				return v, nil
			}
			return fetch(ctx)
		}
	}
}

func (s *Tier) leaser() (Leaser, bool) {
	if !s.Available() {
		return nil, false
	}
	l, ok := s.cache.(Leaser)
	return l, ok
}

// acquire tries to take the lease on key. A lease value is the holder's
// deadline in Unix milliseconds and a random token. When another replica
// holds it, the deadline returned is that holder's; when the cache cannot
// be asked, the caller is told it holds the lease, so that it just fetches.
func (s *Tier) acquire(ctx context.Context, l Leaser, key string) (held bool, token []byte, deadline time.Time) {
	deadline = s.now().Add(LeaseTTL)
	var nonce [8]byte
	_, _ = rand.Read(nonce[:])
	token = []byte(strconv.FormatInt(deadline.UnixMilli(), 10) + " " + hex.EncodeToString(nonce[:]))
	cctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	set, err := l.SetNX(cctx, KeyPrefix+"lease/"+key, token, LeaseTTL)
	s.result(ctx, err)
	if err != nil || set {
		return true, token, deadline
	}
	val, found := s.Get(ctx, "lease/"+key)
	if !found {
		return false, nil, s.now() // released in between: look once more, then fetch
	}
	return false, nil, leaseDeadline(val, s.now())
}

// leaseDeadline reads a holder's deadline; one that cannot be read, or that
// lies further ahead than a lease can last (a skewed or hostile writer), is
// bounded to LeaseTTL from now.
func leaseDeadline(val []byte, now time.Time) time.Time {
	ms, _, _ := strings.Cut(string(val), " ")
	n, err := strconv.ParseInt(ms, 10, 64)
	limit := now.Add(LeaseTTL)
	if err != nil {
		return limit
	}
	if d := time.UnixMilli(n); d.Before(limit) {
		return d
	}
	return limit
}

func (s *Tier) release(ctx context.Context, l Leaser, key string, token []byte) {
	if !s.Available() {
		return
	}
	ctx = context.WithoutCancel(ctx)
	cctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	s.result(ctx, l.Release(cctx, KeyPrefix+"lease/"+key, token))
}
