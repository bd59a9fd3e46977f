package cache_test

import (
	"context"
	"errors"
	"testing"

	"github.com/tandemnews/tandem/pkg/cache"
	"github.com/tandemnews/tandem/pkg/testkit"
)

func get(t *testing.T, p *cache.Pages, key string) string {
	t.Helper()
	b, err := p.Get(context.Background(), key)
	if errors.Is(err, cache.ErrMiss) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestSettleKeepsOnlyTheLiveVersionsOfAnArticle(t *testing.T) {
	rdb, prefix := testkit.Redis(t)
	p := cache.New(rdb, prefix)
	ctx := context.Background()
	v1, v2 := p.PageKey("en", "A1", "1-aaa"), p.PageKey("en", "A1", "2-bbb")
	zh := p.PageKey("zh-CN", "A1", "1-ccc")
	other := p.PageKey("en", "B1", "1-ddd")
	if err := p.Store(ctx, "A1", cache.Page{Key: v1, HTML: []byte("one")}, cache.Page{Key: zh, HTML: []byte("中")}); err != nil {
		t.Fatal(err)
	}
	if err := p.Store(ctx, "A1", cache.Page{Key: v2, HTML: []byte("two")}); err != nil {
		t.Fatal(err)
	}
	if err := p.Store(ctx, "B1", cache.Page{Key: other, HTML: []byte("other")}); err != nil {
		t.Fatal(err)
	}
	n, err := p.Settle(ctx, "A1", v2, zh)
	if err != nil || n != 1 {
		t.Fatalf("settle: %d deleted, %v; want the one old version", n, err)
	}
	if get(t, p, v1) != "" || get(t, p, v2) != "two" || get(t, p, zh) != "中" || get(t, p, other) != "other" {
		t.Error("settle deleted a live page or another article's, or kept an old version")
	}
	// Everything taken down: nothing of the article stays.
	if n, err := p.Settle(ctx, "A1"); err != nil || n != 2 {
		t.Fatalf("settle to nothing: %d deleted, %v; want 2", n, err)
	}
	if get(t, p, v2) != "" || get(t, p, zh) != "" {
		t.Error("a page taken down is still in Redis")
	}
	if keys, _ := rdb.Keys(ctx, prefix+"*{A1}*").Result(); len(keys) != 0 {
		t.Errorf("the article left keys behind: %v", keys)
	}
	if n, err := p.Settle(ctx, "A1"); err != nil || n != 0 {
		t.Errorf("settling again: %d, %v; want nothing to do", n, err)
	}
}

func TestRefillWritesOnlyALiveVersion(t *testing.T) {
	rdb, prefix := testkit.Redis(t)
	p := cache.New(rdb, prefix)
	ctx := context.Background()
	live, gone := p.PageKey("en", "A1", "2-live"), p.PageKey("en", "A1", "1-gone")
	if err := p.Refill(ctx, "A1", cache.Page{Key: live, HTML: []byte("x")}); !errors.Is(err, cache.ErrNotLive) {
		t.Fatalf("refill before the article was settled: %v, want ErrNotLive", err)
	}
	if _, err := p.Settle(ctx, "A1", live); err != nil {
		t.Fatal(err)
	}
	if err := p.Refill(ctx, "A1", cache.Page{Key: live, HTML: []byte("live")}); err != nil {
		t.Fatal(err)
	}
	if err := p.Refill(ctx, "A1", cache.Page{Key: gone, HTML: []byte("old")}); !errors.Is(err, cache.ErrNotLive) {
		t.Errorf("refill of a version that is not live: %v", err)
	}
	if get(t, p, live) != "live" || get(t, p, gone) != "" {
		t.Error("refill wrote the wrong versions")
	}
	// A takedown after the refill clears the refilled page too.
	if n, err := p.Settle(ctx, "A1"); err != nil || n != 1 || get(t, p, live) != "" {
		t.Errorf("takedown after a refill: %d deleted, %v", n, err)
	}
}
