package cache

import (
	"container/list"
	"sync"
)

// LRU is a byte-bounded least-recently-used cache. Callers say how many
// bytes each value holds; an item over a quarter of the bound is not kept,
// so that one huge item cannot flush everything else.
type LRU struct {
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

// NewLRU returns an LRU holding at most maxBytes; zero or less keeps nothing.
func NewLRU(maxBytes int64) *LRU {
	return &LRU{max: maxBytes, order: list.New(), items: map[string]*list.Element{}}
}

// Get returns the value under key and marks it recently used.
func (c *LRU) Get(key string) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*lruItem).val, true
}

// Add stores val under key, replacing what was there, and evicts the least
// recently used items until the bound holds.
func (c *LRU) Add(key string, val any, size int64) {
	if c.max <= 0 || size > c.max/4 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.used -= el.Value.(*lruItem).size
		c.order.Remove(el)
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

// Remove drops key, if present.
func (c *LRU) Remove(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.order.Remove(el)
		delete(c.items, key)
		c.used -= el.Value.(*lruItem).size
	}
}

// Used reports the bytes held.
func (c *LRU) Used() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.used
}

// Clear drops everything.
func (c *LRU) Clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.order.Init()
	clear(c.items)
	c.used = 0
}
