package site

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

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

// rendered is a cached listing, feed or sitemap.
type rendered struct {
	body     []byte
	gz       []byte
	modified time.Time
	etag     string
	seq      uint64 // the index's stream position it shows
}

// keepPlainBytes: a larger body (a sitemap part of 50,000 addresses is
// 25 MB) is kept compressed only, and unpacked for the rare client that
// does not take gzip; four such parts would otherwise hold 100 MB.
const keepPlainBytes = 1 << 20

func newRendered(body []byte, modified time.Time, seq uint64) *rendered {
	r := &rendered{body: body, gz: compress(body), modified: modified, etag: `"` + strconv.FormatUint(hash64(body), 36) + `"`, seq: seq}
	if len(body) > keepPlainBytes {
		r.body = nil
	}
	return r
}

// plain is the uncompressed body.
func (r *rendered) plain() []byte {
	if r.body != nil {
		return r.body
	}
	zr, err := gzip.NewReader(bytes.NewReader(r.gz))
	if err != nil {
		panic(fmt.Sprintf("site: a cached answer does not unpack: %v", err)) // compressed here: cannot fail
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		panic(fmt.Sprintf("site: a cached answer does not unpack: %v", err))
	}
	return b
}

// listCache holds the listings, feeds and sitemap rendered since the last
// applied event. Each entry names the stream position it was rendered
// at, and is served only at that position: a render that began before an
// event and ended after it is never shown as current.
type listCache struct {
	mu sync.RWMutex
	m  map[string]*rendered
}

func newListCache() *listCache { return &listCache{m: map[string]*rendered{}} }

// get returns the entry under key rendered at seq, or nil.
func (c *listCache) get(key string, seq uint64) *rendered {
	c.mu.RLock()
	r := c.m[key]
	c.mu.RUnlock()
	if r == nil || r.seq != seq {
		return nil
	}
	return r
}

func (c *listCache) put(key string, r *rendered) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.m[key]; old == nil || old.seq <= r.seq {
		c.m[key] = r
	}
}

func (c *listCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.m)
}
