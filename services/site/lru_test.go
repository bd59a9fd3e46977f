package site

import "testing"

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
