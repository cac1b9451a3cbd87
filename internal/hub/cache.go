package hub

import (
	"sync"
	"time"
)

// maxCachedBytes bounds the answers kept; Hub records are a few KiB, a page
// of 100 tags a few hundred.
const maxCachedBytes = 32 << 20

// responseCache keeps the bodies of successful GETs for a short TTL, so an
// agent's follow-up questions about the same repository or tag page do not
// go back to the Hub API (whose rate limit is per account or address).
type responseCache struct {
	mu      sync.Mutex
	ttl     time.Duration
	now     func() time.Time
	used    int
	entries map[string]cachedBody
}

type cachedBody struct {
	body  []byte
	until time.Time
}

func newResponseCache(ttl time.Duration, now func() time.Time) *responseCache {
	return &responseCache{ttl: ttl, now: now, entries: map[string]cachedBody{}}
}

func (rc *responseCache) get(url string) ([]byte, bool) {
	if rc.ttl <= 0 {
		return nil, false
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	e, ok := rc.entries[url]
	if !ok || !rc.now().Before(e.until) {
		return nil, false
	}
	return e.body, true
}

func (rc *responseCache) put(url string, body []byte) {
	if rc.ttl <= 0 || len(body) > maxCachedBytes/4 {
		return
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.used+len(body) > maxCachedBytes {
		rc.dropExpired()
	}
	if rc.used+len(body) > maxCachedBytes {
		rc.clearLocked() // crude, but answers are cheap to fetch again
	}
	if old, ok := rc.entries[url]; ok {
		rc.used -= len(old.body)
	}
	rc.entries[url] = cachedBody{body: body, until: rc.now().Add(rc.ttl)}
	rc.used += len(body)
}

// clear forgets everything: after a write, any cached read may be stale.
func (rc *responseCache) clear() {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.clearLocked()
}

func (rc *responseCache) clearLocked() {
	clear(rc.entries)
	rc.used = 0
}

func (rc *responseCache) dropExpired() {
	now := rc.now()
	for k, e := range rc.entries {
		if !now.Before(e.until) {
			rc.used -= len(e.body)
			delete(rc.entries, k)
		}
	}
}
