package site

import (
	"sync"

	lru "github.com/hashicorp/golang-lru/v2/simplelru"
)

// pageLRU is an LRU of pages bounded by the bytes it holds.
type pageLRU struct {
	mu    sync.Mutex
	max   int64
	bytes int64
	l     *lru.LRU[string, []byte]
}

func newPageLRU(maxBytes int64) *pageLRU {
	c := &pageLRU{max: maxBytes}
	// The count bound is only a backstop; the byte bound evicts first.
	c.l, _ = lru.NewLRU[string, []byte](1<<20, func(_ string, v []byte) { c.bytes -= int64(len(v)) })
	return c
}

func (c *pageLRU) Get(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.l.Get(key)
}

// Add stores a page unless it alone is larger than the bound.
func (c *pageLRU) Add(key string, v []byte) {
	if int64(len(v)) > c.max {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.l.Peek(key); ok {
		c.bytes -= int64(len(old))
	}
	c.l.Add(key, v)
	c.bytes += int64(len(v))
	for c.bytes > c.max {
		c.l.RemoveOldest()
	}
}

// Bytes is what the LRU holds now.
func (c *pageLRU) Bytes() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes
}

// Remove drops a page.
func (c *pageLRU) Remove(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.l.Remove(key)
}
