package oci

import (
	"container/list"
	"sync"
	"time"
)

// lru is a byte-bounded least-recently-used cache for immutable content
// (manifests and blobs fetched by digest), so it never needs invalidation.
type lru struct {
	mu    sync.Mutex
	max   int64
	used  int64
	order *list.List // front = most recent
	items map[string]*list.Element
}

type lruItem struct {
	key  string
	val  any
	size int64
}

func newLRU(maxBytes int64) *lru {
	return &lru{max: maxBytes, order: list.New(), items: map[string]*list.Element{}}
}

func (c *lru) get(key string) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*lruItem).val, true
}

// add stores val; anything larger than a quarter of the cache is not kept,
// so one huge item cannot flush everything else.
func (c *lru) add(key string, val any, size int64) {
	if c.max <= 0 || size > c.max/4 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.order.MoveToFront(el)
		return
	}
	c.items[key] = c.order.PushFront(&lruItem{key: key, val: val, size: size})
	c.used += size
	for c.used > c.max {
		last := c.order.Back()
		it := last.Value.(*lruItem)
		c.order.Remove(last)
		delete(c.items, it.key)
		c.used -= it.size
	}
}

// remove drops key, if present.
func (c *lru) remove(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.order.Remove(el)
		delete(c.items, key)
		c.used -= el.Value.(*lruItem).size
	}
}

// expiring is a mutable answer (a tag list) kept in the content cache, so
// that it shares the cache's byte bound, but trusted only until a deadline.
type expiring struct {
	val   any
	until time.Time
}

// getFresh returns a value stored with addFresh while it has not expired.
func (c *Client) getFresh(key string) (any, bool) {
	v, ok := c.content.get(key)
	if !ok {
		return nil, false
	}
	e, ok := v.(expiring)
	if !ok || !c.tags.now().Before(e.until) {
		c.content.remove(key)
		return nil, false
	}
	return e.val, true
}

// addFresh stores a value for the tag TTL; with tag caching off it does nothing.
func (c *Client) addFresh(key string, val any, size int64) {
	if c.opts.TagTTL <= 0 {
		return
	}
	c.content.remove(key) // an expired copy would otherwise keep its place
	c.content.add(key, expiring{val: val, until: c.tags.now().Add(c.opts.TagTTL)}, size)
}

// tagCache remembers which digest a tag pointed at, for a short time.
type tagCache struct {
	mu      sync.Mutex
	ttl     time.Duration
	entries map[string]tagEntry
	now     func() time.Time
}

type tagEntry struct {
	digest  string
	checked time.Time
}

func newTagCache(ttl time.Duration) *tagCache {
	return &tagCache{ttl: ttl, entries: map[string]tagEntry{}, now: time.Now}
}

// lookup returns the digest last seen for key and whether it is still fresh.
func (t *tagCache) lookup(key string) (digest string, fresh, ok bool) {
	e, ok := t.entry(key)
	if !ok {
		return "", false, false
	}
	return e.digest, t.fresh(e), true
}

// entry returns what is known of key, fresh or not.
func (t *tagCache) entry(key string) (tagEntry, bool) {
	if t.ttl <= 0 {
		return tagEntry{}, false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.entries[key]
	return e, ok
}

func (t *tagCache) fresh(e tagEntry) bool { return t.now().Sub(e.checked) < t.ttl }

// storeEntry records a lookup made at e.checked, possibly by another
// process sharing the cache, so that its freshness runs from then.
func (t *tagCache) storeEntry(key string, e tagEntry) {
	if t.ttl <= 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.entries) > 100_000 {
		clear(t.entries) // a crude bound: tag entries are tiny and cheap to relearn
	}
	t.entries[key] = e
}
