package cache

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Shared is a cache shared by several registry-mcp processes, such as
// replicas behind a load balancer, so that what one replica fetched the
// others need not fetch again. Clients consult it after their own memory and
// before the network, and never trust it blindly: content read back is
// verified against its digest, and unverifiable answers carry the time they
// were fetched.
//
// Implementations must be safe for concurrent use. Get reports a missing key
// as (nil, false, nil); any error means the cache could not be asked, and
// the caller carries on without it.
type Shared interface {
	Get(ctx context.Context, key string) ([]byte, bool, error)
	Set(ctx context.Context, key string, val []byte, ttl time.Duration) error
}

// Leaser is a Shared cache that can also hand out leases: SetNX stores val
// only when key is absent, and Release deletes key only while it still
// holds val (so a holder whose lease ran out cannot end another's).
type Leaser interface {
	SetNX(ctx context.Context, key string, val []byte, ttl time.Duration) (bool, error)
	Release(ctx context.Context, key string, val []byte) error
}

// Deleter is a Shared cache that can also drop a key, so that an entry
// found to be wrong (content that does not match its digest) is read by no
// replica again.
type Deleter interface {
	Del(ctx context.Context, key string) error
}

const (
	// KeyPrefix namespaces and versions every key: a change to what the
	// values hold must change the prefix, so that replicas running an old
	// and a new version side by side during a rollout do not misread each other.
	KeyPrefix = "registry-mcp/v1/"
	// callTimeout bounds each shared-cache call. A cache on the same network
	// answers in a millisecond; anything slower is worse than no cache, as the
	// network is the fallback.
	callTimeout = 250 * time.Millisecond
	// Pause is how long the shared cache is left alone after a failure, so
	// that an outage costs one timeout per pause rather than one per call.
	Pause = 5 * time.Second
	// warnEvery rate-limits the warning about an unreachable shared cache.
	warnEvery = time.Minute
	// MaxValueBytes caps what is written to the shared cache; larger values
	// (huge tag lists) stay local.
	MaxValueBytes = 8 << 20
)

// Tier wraps a Shared cache with timeouts, a key prefix and graceful
// degradation: when the cache fails, calls go on without it, with one
// warning per outage (at most one a minute), and it is tried again after a
// pause. A nil *Tier is a tier that holds nothing.
type Tier struct {
	cache Shared
	log   *slog.Logger
	now   Clock

	mu        sync.Mutex
	downUntil time.Time
	down      bool
	lastWarn  time.Time
}

// NewTier wraps cache; a nil cache gives a nil Tier.
func NewTier(cache Shared, log *slog.Logger, now Clock) *Tier {
	if cache == nil {
		return nil
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Tier{cache: cache, log: log, now: now.Or()}
}

// Available reports whether the cache is worth asking now.
func (s *Tier) Available() bool {
	if s == nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.down || !s.now().Before(s.downUntil)
}

// result records the outcome of a call: a failure pauses the cache, a
// success after a failure says it is back.
func (s *Tier) result(ctx context.Context, err error) {
	if err != nil && ctx.Err() != nil {
		return // the caller gave up; that says nothing about the cache
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err == nil {
		if s.down {
			s.down = false
			s.log.Info("shared cache reachable again")
		}
		return
	}
	s.down, s.downUntil = true, s.now().Add(Pause)
	if s.lastWarn.IsZero() || s.now().Sub(s.lastWarn) >= warnEvery {
		s.lastWarn = s.now()
		s.log.Warn("shared cache unavailable; using the in-memory cache only", "error", err, "retry_after", Pause)
	}
}

// Get returns the value under key, or false when it is absent or the cache
// cannot be asked.
func (s *Tier) Get(ctx context.Context, key string) ([]byte, bool) {
	if !s.Available() {
		return nil, false
	}
	cctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	val, ok, err := s.cache.Get(cctx, KeyPrefix+key)
	s.result(ctx, err)
	return val, ok && err == nil
}

// Set writes synchronously, so that a replica asked right after this one
// answered finds the value; the caller's cancellation does not cut it short.
func (s *Tier) Set(ctx context.Context, key string, val []byte, ttl time.Duration) {
	if !s.Available() || len(val) > MaxValueBytes || ttl <= 0 {
		return
	}
	ctx = context.WithoutCancel(ctx)
	cctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	s.result(ctx, s.cache.Set(cctx, KeyPrefix+key, val, ttl))
}

// Delete drops key, where the cache can; like Set, the caller's
// cancellation does not cut it short.
func (s *Tier) Delete(ctx context.Context, key string) {
	d, ok := s.deleter()
	if !ok {
		return
	}
	ctx = context.WithoutCancel(ctx)
	cctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	s.result(ctx, d.Del(cctx, KeyPrefix+key))
}

func (s *Tier) deleter() (Deleter, bool) {
	if !s.Available() {
		return nil, false
	}
	d, ok := s.cache.(Deleter)
	return d, ok
}

// Now is the tier's clock.
func (s *Tier) Now() time.Time {
	if s == nil {
		return time.Now()
	}
	return s.now()
}
