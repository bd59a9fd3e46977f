package site

import (
	"context"
	"errors"
	"fmt"
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

// storePage writes a page of an article to Redis as publishing does
// before announcing it.
func storePage(t *testing.T, pages *cache.Pages, article, key, html string) {
	t.Helper()
	if err := pages.Store(context.Background(), article, cache.Page{Key: key, HTML: []byte(html)}); err != nil {
		t.Fatal(err)
	}
}

func TestPageMissingFromTheEventIsReadFromRedis(t *testing.T) {
	h := newHarness(t)
	pages := h.useRedis()
	s := h.run()
	st := news("en", "redis", 2)
	st.bare = true
	storePage(t, pages, "A1", st.redisKey(pages, "A1"), string(st.html()))
	pl := h.put("A1", st).Locales["en"]
	if res := h.get(st.path()); res.Code != http.StatusOK || res.Body.String() != string(st.html()) {
		t.Fatalf("GET: %d %q", res.Code, res.Body)
	}
	if n := h.render.calls.Load(); n != 0 {
		t.Errorf("publishing was asked %d times for a page Redis holds", n)
	}
	if b, ok := s.tiers.lru.Get(index.Key("en", "A1", index.Version(pl))); !ok || string(b) != string(st.html()) {
		t.Error("the page read from Redis was not kept in the LRU")
	}
}

func TestRedisPageThatIsNotThePublishedVersionIsNeverServed(t *testing.T) {
	h := newHarness(t)
	pages := h.useRedis()
	h.run()
	st := news("en", "forged", 2)
	st.bare = true
	// Someone who can write to Redis puts a script under the key of the
	// version the stream is about to announce.
	storePage(t, pages, "A1", st.redisKey(pages, "A1"), "<html><script>alert(1)</script></html>")
	h.put("A1", st)
	res := h.get(st.path())
	if res.Code != http.StatusOK || res.Body.String() != string(st.html()) {
		t.Fatalf("GET: %d %q, want the published page", res.Code, res.Body)
	}
	if n := h.render.calls.Load(); n != 1 {
		t.Errorf("publishing was asked %d times, want once: Redis's page does not match the announced hash", n)
	}
}

func TestMissFallsThroughToPublishingAndRefillsRedis(t *testing.T) {
	h := newHarness(t)
	pages := h.useRedis()
	h.run()
	ctx := context.Background()
	st := news("en", "refill", 2)
	// Publishing has settled the article: this version is live.
	if _, err := pages.Settle(ctx, "A1", st.redisKey(pages, "A1")); err != nil {
		t.Fatal(err)
	}
	st = h.putBare("refill")
	for range 2 {
		h.expect(st.path(), http.StatusOK, string(st.html()))
	}
	if n := h.render.calls.Load(); n != 1 {
		t.Errorf("publishing was asked %d times, want once (then the LRU)", n)
	}
	b, err := pages.Get(ctx, st.redisKey(pages, "A1"))
	if err != nil || string(b) != string(st.html()) {
		t.Errorf("Redis was not refilled: %q %v", b, err)
	}
}

func TestRefillOfAVersionRedisDoesNotKnowLiveIsRefused(t *testing.T) {
	h := newHarness(t)
	pages := h.useRedis()
	h.run()
	st := h.putBare("not-settled")
	h.expect(st.path(), http.StatusOK, string(st.html()))
	// Publishing has not settled the article (or has since taken it
	// down): the page must not come back into Redis.
	if _, err := pages.Get(context.Background(), st.redisKey(pages, "A1")); !errors.Is(err, cache.ErrMiss) {
		t.Errorf("a version that is not live was written back: %v", err)
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

func TestAddressTheIndexDoesNotKnowIsNotFoundWhateverRedisHolds(t *testing.T) {
	h := newHarness(t)
	h.useRedis()
	h.run()
	p := h.put("A1", dated("en", 1))
	ctx := context.Background()
	script := "<html><script>alert(1)</script></html>"
	// What an older Tandem wrote, or anyone who can write to Redis: a URL
	// pointer to a page key holding a script, and listings and feeds at
	// the index's own stream position.
	for key, val := range map[string]string{
		h.prefix + "url:/en/anything":                            h.prefix + "page:en:AX:1-abc",
		h.prefix + "page:en:AX:1-abc":                            script,
		h.prefix + "page:en:{AX}:1-abc":                          script,
		h.prefix + fmt.Sprintf("list:%d:list:en::1", p.Revision): script,
		h.prefix + fmt.Sprintf("list:%d:rss:en:", p.Revision):    "<rss>injected</rss>",
	} {
		if err := h.rdb.Set(ctx, key, val, time.Minute).Err(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { h.rdb.Del(context.Background(), key) })
	}
	if res := h.get("/en/anything"); res.Code != http.StatusNotFound || strings.Contains(res.Body.String(), "<script>alert") {
		t.Errorf("/en/anything: %d %q, want 404", res.Code, res.Body)
	}
	for _, path := range []string{"/en/", "/en/feed.xml"} {
		res := h.get(path)
		if res.Code != http.StatusOK || strings.Contains(res.Body.String(), "injected") || strings.Contains(res.Body.String(), "<script>alert") {
			t.Errorf("%s: %d %q, want the index's own rendering", path, res.Code, res.Body)
		}
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
