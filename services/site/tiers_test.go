package site

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tandemnews/tandem/pkg/cache"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	"github.com/tandemnews/tandem/services/site/index"
)

// redisKey is the Redis key publishing stores the story's page under.
func (st story) redisKey(pages *cache.Pages, article string) string {
	pl := st.release(&eventsv1.Publication{Locales: map[string]*eventsv1.PublishedLocale{}})
	return pages.PageKey(st.locale, article, index.Version(pl))
}

// putBare publishes article A1 in English at slug, with an event that
// carries no HTML: the site must find the page in its caches or ask
// publishing.
func (h *harness) putBare(slug string) story {
	h.t.Helper()
	st := news("en", slug, 2)
	st.bare = true
	h.put("A1", st)
	return st
}

// expect fails the test unless path answers code with body.
func (h *harness) expect(path string, code int, body string) {
	h.t.Helper()
	if res := h.get(path); res.Code != code || res.Body.String() != body {
		h.t.Fatalf("GET %s: %d %q, want %d %q", path, res.Code, res.Body, code, body)
	}
}

func storePage(t *testing.T, pages *cache.Pages, key, html string) {
	t.Helper()
	if err := pages.PutPages(context.Background(), cache.Page{Key: key, HTML: []byte(html)}); err != nil {
		t.Fatal(err)
	}
}

func TestPageMissingFromTheEventIsReadFromRedis(t *testing.T) {
	h := newHarness(t)
	pages := h.useRedis()
	s := h.run()
	st := news("en", "redis", 2)
	st.bare = true
	storePage(t, pages, st.redisKey(pages, "A1"), "<html>from redis</html>")
	pl := h.put("A1", st).Locales["en"]
	if res := h.get(st.path()); res.Code != http.StatusOK || res.Body.String() != "<html>from redis</html>" {
		t.Fatalf("GET: %d %q", res.Code, res.Body)
	}
	if n := h.render.calls.Load(); n != 0 {
		t.Errorf("publishing was asked %d times for a page Redis holds", n)
	}
	if b, ok := s.tiers.lru.Get(index.Key("en", "A1", index.Version(pl))); !ok || string(b) != "<html>from redis</html>" {
		t.Error("the page read from Redis was not kept in the LRU")
	}
}

func TestMissFallsThroughToPublishingAndRefillsRedis(t *testing.T) {
	h := newHarness(t)
	pages := h.useRedis()
	h.run()
	st := h.putBare("refill")
	for range 2 {
		h.expect(st.path(), http.StatusOK, string(st.html()))
	}
	if n := h.render.calls.Load(); n != 1 {
		t.Errorf("publishing was asked %d times, want once (then the LRU)", n)
	}
	b, err := pages.Get(context.Background(), st.redisKey(pages, "A1"))
	if err != nil || string(b) != string(st.html()) {
		t.Errorf("Redis was not refilled: %q %v", b, err)
	}
}

func TestPublishingAnswerOfAnotherVersionIsServedButNotKept(t *testing.T) {
	h := newHarness(t)
	pages := h.useRedis()
	h.run()
	st := h.putBare("racing")
	h.render.put("A1", "en", []byte("<html>newer</html>"), "not the hash the index expects")
	for range 2 {
		h.expect(st.path(), http.StatusOK, "<html>newer</html>")
	}
	if n := h.render.calls.Load(); n != 2 {
		t.Errorf("publishing was asked %d times, want every time: the answer was not the version the index names", n)
	}
	if _, err := pages.Get(context.Background(), st.redisKey(pages, "A1")); !errors.Is(err, cache.ErrMiss) {
		t.Errorf("another version was stored under this version's key: %v", err)
	}
}

func TestConcurrentMissesMakeOneFetch(t *testing.T) {
	h := newHarness(t)
	h.run()
	st := h.putBare("crowd")
	gate := make(chan struct{})
	h.render.gate = gate
	var wg sync.WaitGroup
	codes := make([]int, 8)
	for i := range codes {
		wg.Go(func() { codes[i] = h.get(st.path()).Code })
	}
	time.Sleep(200 * time.Millisecond) // every reader is waiting on the fetch
	close(gate)
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusOK {
			t.Errorf("reader %d: %d", i, c)
		}
	}
	if n := h.render.calls.Load(); n != 1 {
		t.Errorf("%d readers made %d fetches, want 1", len(codes), n)
	}
}

func TestPageNobodyCanProduceIsUnavailable(t *testing.T) {
	h := newHarness(t)
	h.run()
	st := h.putBare("down")
	h.render.err = errors.New("publishing is down")
	res := h.get(st.path())
	if res.Code != http.StatusServiceUnavailable || !strings.Contains(res.Body.String(), "unavailable right now") {
		t.Errorf("GET: %d %q", res.Code, res.Body)
	}
}

func TestReplicaBehindTheStreamFollowsTheRedisPointer(t *testing.T) {
	h := newHarness(t)
	pages := h.useRedis()
	h.run()
	ctx := context.Background()
	ahead, fetched := news("en", "ahead", 3), news("en", "fetched", 4)
	storePage(t, pages, ahead.redisKey(pages, "A9"), "<html>ahead</html>")
	h.render.put("A8", "en", fetched.html(), "any")
	if err := pages.Point(ctx,
		cache.Pointer{Path: ahead.path(), Key: ahead.redisKey(pages, "A9")},
		cache.Pointer{Path: fetched.path(), Key: fetched.redisKey(pages, "A8")},
		cache.Pointer{Path: "/en/news-events/news/broken", Key: "garbage"},
		cache.Pointer{Path: "/en/news-events/news/short", Key: h.prefix + "page:en:A7"},
	); err != nil {
		t.Fatal(err)
	}
	res := h.get(ahead.path())
	if res.Code != http.StatusOK || res.Body.String() != "<html>ahead</html>" || res.Header().Get("Content-Language") != "en" {
		t.Errorf("a page the stream has not brought yet: %d %q", res.Code, res.Body)
	}
	// Its version is in Redis's pointer but not yet read: publishing
	// renders it, and the answer refills the key the pointer names.
	if res := h.get(fetched.path()); res.Code != http.StatusOK || res.Body.String() != string(fetched.html()) {
		t.Errorf("a pointed page missing from Redis: %d %q", res.Code, res.Body)
	}
	if b, err := pages.Get(ctx, fetched.redisKey(pages, "A8")); err != nil || string(b) != string(fetched.html()) {
		t.Errorf("the pointed key was not refilled: %q %v", b, err)
	}
	for _, path := range []string{"/en/news-events/news/broken", "/en/news-events/news/short", "/en/news-events/news/nowhere"} {
		if res := h.get(path); res.Code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, res.Code)
		}
	}
}

func TestListingsAreSharedThroughRedis(t *testing.T) {
	h := newHarness(t)
	pages := h.useRedis()
	h.run()
	p := h.put("A1", dated("en", 1))
	ctx := context.Background()
	listing := h.get("/en/").Body.String()
	if b, err := pages.Get(ctx, pages.ListKey(p.Revision, "list:en::1")); err != nil || string(b) != listing {
		t.Errorf("the listing was not shared at its stream position: %v", err)
	}
	// A replica at the same position rendered the feed already.
	if err := pages.PutList(ctx, pages.ListKey(p.Revision, "rss:en:"), []byte("<rss>shared</rss>")); err != nil {
		t.Fatal(err)
	}
	if res := h.get("/en/feed.xml"); res.Body.String() != "<rss>shared</rss>" {
		t.Errorf("the feed was rendered again instead of read from Redis: %q", res.Body)
	}
}

func TestRedisDownLeavesTheSiteServing(t *testing.T) {
	h := newHarness(t)
	dead := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 50 * time.Millisecond, MaxRetries: -1})
	t.Cleanup(func() { dead.Close() })
	h.opts.Pages = cache.New(dead, "down:")
	h.run()
	st := h.putBare("outage")
	for _, path := range []string{st.path(), "/en/", "/en/unknown-page-x"} {
		want := http.StatusOK
		if strings.HasSuffix(path, "-x") {
			want = http.StatusNotFound
		}
		if res := h.get(path); res.Code != want {
			t.Errorf("%s with Redis down: %d, want %d", path, res.Code, want)
		}
	}
	if n := h.render.calls.Load(); n != 1 {
		t.Errorf("publishing was asked %d times, want once", n)
	}
}
