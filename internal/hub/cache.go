package hub

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/registry-mcp/registry-mcp/internal/cache"
)

// maxCachedBytes bounds the answers kept; Hub records are a few KiB, a page
// of 100 tags a few hundred.
const maxCachedBytes = 32 << 20

// responseCache keeps the bodies of successful GETs for a short TTL, so an
// agent's follow-up questions about the same repository or tag page do not
// go back to the Hub API (whose rate limit is per account or address). With
// a shared tier (Redis), replicas share them too: an answer there carries
// the time it was fetched and is trusted for the TTL by the reader's clock.
type responseCache struct {
	ttl    time.Duration
	now    func() time.Time
	mem    *cache.LRU
	shared *cache.Tier // nil without a shared cache

	mu sync.Mutex
	// sharedAfter: after this replica wrote to the Hub, it reads its own
	// answers only until a TTL has passed, so that it never serves another
	// replica's copy from before its write.
	sharedAfter time.Time
}

func newResponseCache(ttl time.Duration, now func() time.Time, shared cache.Shared, log *slog.Logger) *responseCache {
	rc := &responseCache{ttl: ttl, now: now, mem: cache.NewLRU(maxCachedBytes)}
	if ttl > 0 {
		rc.shared = cache.NewTier(shared, log, now)
	}
	return rc
}

// cachedBody is an answer and when it was fetched.
type cachedBody struct {
	body    []byte
	fetched time.Time
}

// key names an answer: the URL, and the account asking, as an account may
// see what anonymous callers do not. Only a hash of the account name is used.
func cacheKey(cr credentials, url string) string {
	who := "anonymous"
	if cr.ok {
		sum := sha256.Sum256([]byte("docker-hub-account:" + cr.user))
		who = hex.EncodeToString(sum[:8])
	}
	return "hub/" + who + "/" + url
}

func (rc *responseCache) enabled() bool { return rc.ttl > 0 }

func (rc *responseCache) fresh(fetched time.Time) bool {
	now := rc.now()
	return !fetched.After(now) && now.Sub(fetched) < rc.ttl
}

// get looks in memory, then in the shared tier.
func (rc *responseCache) get(ctx context.Context, key string) ([]byte, bool) {
	if !rc.enabled() {
		return nil, false
	}
	if v, ok := rc.mem.Get(key); ok {
		if e := v.(cachedBody); rc.fresh(e.fetched) {
			return e.body, true
		}
		rc.mem.Remove(key)
	}
	return rc.sharedGet(ctx, key)
}

// sharedGet reads an answer another replica fetched within the TTL.
func (rc *responseCache) sharedGet(ctx context.Context, key string) ([]byte, bool) {
	if !rc.readsShared() {
		return nil, false
	}
	val, ok := rc.shared.Get(ctx, key)
	if !ok {
		return nil, false
	}
	ms, body, found := bytes.Cut(val, []byte{'\n'})
	n, err := strconv.ParseInt(string(ms), 10, 64)
	if !found || err != nil || !rc.fresh(time.UnixMilli(n)) {
		return nil, false // malformed, stale, or from the future
	}
	rc.mem.Add(key, cachedBody{body: body, fetched: time.UnixMilli(n)}, int64(len(body)))
	return body, true
}

func (rc *responseCache) readsShared() bool {
	if rc.shared == nil {
		return false
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return !rc.now().Before(rc.sharedAfter)
}

// put keeps an answer in memory and in the shared tier.
func (rc *responseCache) put(ctx context.Context, key string, body []byte) {
	if !rc.enabled() {
		return
	}
	now := rc.now()
	rc.mem.Add(key, cachedBody{body: body, fetched: now}, int64(len(body)))
	if rc.shared.Available() {
		val := append([]byte(strconv.FormatInt(now.UnixMilli(), 10)+"\n"), body...)
		rc.shared.Set(ctx, key, val, rc.ttl)
	}
}

// clear forgets everything this replica holds after a write, as any cached
// read may be stale, and stops reading other replicas' copies for a TTL.
func (rc *responseCache) clear() {
	rc.mem.Clear()
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.sharedAfter = rc.now().Add(rc.ttl)
}
