package site

import (
	"testing"
	"time"
)

func TestPageLRUStaysWithinItsByteBound(t *testing.T) {
	c := newPageLRU(100)
	c.Add("a", make([]byte, 40))
	c.Add("b", make([]byte, 40))
	c.Get("a") // a is now the most recent
	c.Add("c", make([]byte, 40))
	if c.Bytes() > 100 {
		t.Fatalf("holds %d bytes, bound 100", c.Bytes())
	}
	if _, ok := c.Get("b"); ok {
		t.Error("b should have been evicted as least recently used")
	}
	if _, ok := c.Get("a"); !ok {
		t.Error("a was evicted though recently used")
	}
	c.Add("huge", make([]byte, 101))
	if _, ok := c.Get("huge"); ok {
		t.Error("a page larger than the bound was cached")
	}
	c.Add("a", make([]byte, 10)) // replacing updates the count
	if c.Bytes() != 50 {
		t.Errorf("holds %d bytes after replacing a, want 50", c.Bytes())
	}
}

func TestListCacheServesAnEntryOnlyAtItsStreamPosition(t *testing.T) {
	c := newListCache()
	c.put("list:en::1", newRendered([]byte("at 5"), time.Time{}, 5))
	if r := c.get("list:en::1", 5); r == nil || string(r.body) != "at 5" {
		t.Fatalf("entry at its own position: %v", r)
	}
	if r := c.get("list:en::1", 6); r != nil {
		t.Error("an entry rendered at 5 was served at 6")
	}
	// A render that started before an event and ends after a newer one
	// was stored does not replace it.
	c.put("list:en::1", newRendered([]byte("at 7"), time.Time{}, 7))
	c.put("list:en::1", newRendered([]byte("at 6"), time.Time{}, 6))
	if r := c.get("list:en::1", 7); r == nil || string(r.body) != "at 7" {
		t.Errorf("the newer entry was replaced by an older render: %v", r)
	}
	c.clear()
	if r := c.get("list:en::1", 7); r != nil {
		t.Error("clear kept an entry")
	}
}
