package index

import (
	"slices"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
)

var t0 = time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC)

func at(t time.Time) *articlev1.Change { return &articlev1.Change{Time: timestamppb.New(t)} }

// locale is a published locale with the fields the index reads.
func locale(l, path, date string, rev uint64, hash string, published time.Time, section ...string) *eventsv1.PublishedLocale {
	return &eventsv1.PublishedLocale{
		Locale: l, Path: path, Title: "title of " + path, Date: date, Section: section,
		Description: "about " + path, SourceRevision: rev, ContentHash: hash, Published: at(published),
	}
}

// publication is one article's public state with the given locales.
func publication(id string, locales ...*eventsv1.PublishedLocale) *eventsv1.Publication {
	p := &eventsv1.Publication{ArticleId: id, Locales: map[string]*eventsv1.PublishedLocale{}}
	for _, pl := range locales {
		p.Locales[pl.Locale] = pl
	}
	return p
}

func TestApplyServesEveryLocaleAtItsPath(t *testing.T) {
	ix := New()
	zh := locale("zh-CN", "/zh/news/a", "2024-05-01", 3, "0123456789abcdef", t0, "news")
	zh.FirstPublished = at(t0.Add(-time.Hour))
	en := locale("en", "/en/news/a", "2024-05-01", 7, "fedcba9876543210", t0.Add(time.Minute), "news")
	if stale := ix.Apply(publication("A", zh, en), 4); len(stale) != 0 {
		t.Errorf("a first publication made %v stale", stale)
	}
	got := ix.Resolve("/zh/news/a")
	if got.Status != Live || got.Page == nil {
		t.Fatalf("zh page: %+v", got)
	}
	pg := got.Page
	want := Page{
		Article: "A", Locale: "zh-CN", Path: "/zh/news/a", Title: "title of /zh/news/a", Date: "2024-05-01",
		Section: []string{"news"}, Description: "about /zh/news/a", Hash: "0123456789abcdef",
		Version: "3-0123456789ab", Key: "zh-CN:A:3-0123456789ab", Published: t0, First: t0.Add(-time.Hour),
	}
	if pg.Article != want.Article || pg.Locale != want.Locale || pg.Path != want.Path || pg.Title != want.Title ||
		pg.Date != want.Date || !slices.Equal(pg.Section, want.Section) || pg.Description != want.Description ||
		pg.Hash != want.Hash || pg.Version != want.Version || pg.Key != want.Key ||
		!pg.Published.Equal(want.Published) || !pg.First.Equal(want.First) {
		t.Errorf("page\n got %+v\nwant %+v", *pg, want)
	}
	if !pg.Modified().Equal(t0) {
		t.Errorf("Modified %v, want the publication time %v", pg.Modified(), t0)
	}
	en2 := ix.Resolve("/en/news/a").Page
	if en2 == nil || en2.Key != "en:A:7-fedcba987654" || en2.Locale != "en" {
		t.Errorf("en page: %+v", en2)
	}
	// Without a first publication, the page was first published now.
	if !en2.First.Equal(t0.Add(time.Minute)) {
		t.Errorf("First %v, want the publication time", en2.First)
	}
	if ix.Seq() != 4 {
		t.Errorf("Seq %d, want 4", ix.Seq())
	}
	if got := ix.Resolve("/zh/news/b"); got.Status != Unknown || got.Page != nil || got.To != "" {
		t.Errorf("an unknown path: %+v", got)
	}
}

func TestShortHashKeepsTwelveDigits(t *testing.T) {
	for in, want := range map[string]string{"": "", "abc": "abc", "0123456789ab": "0123456789ab", "0123456789abc": "0123456789ab"} {
		if got := ShortHash(in); got != want {
			t.Errorf("ShortHash(%q) = %q, want %q", in, got, want)
		}
	}
	if v := Version(&eventsv1.PublishedLocale{SourceRevision: 12, ContentHash: "ffffffffffffffff"}); v != "12-ffffffffffff" {
		t.Errorf("Version %q", v)
	}
	if k := Key("en", "A", "1-ab"); k != "en:A:1-ab" {
		t.Errorf("Key %q", k)
	}
}

// bilingual is an index of article A published in both locales at /zh/a
// and /en/a.
func bilingual() (ix *Index, zh, en *eventsv1.PublishedLocale) {
	ix = New()
	zh = locale("zh-CN", "/zh/a", "2024-05-01", 1, "aaaaaaaaaaaaaaaa", t0)
	en = locale("en", "/en/a", "2024-05-01", 2, "bbbbbbbbbbbbbbbb", t0)
	ix.Apply(publication("A", zh, en), 1)
	return ix, zh, en
}

func TestApplyReportsTheVersionsNoLongerServed(t *testing.T) {
	ix, zh, en := bilingual()
	if stale := ix.Apply(publication("A", zh, en), 2); len(stale) != 0 {
		t.Errorf("the same state again made %v stale", stale)
	}
	zh2 := locale("zh-CN", "/zh/a", "2024-05-01", 3, "cccccccccccccccc", t0.Add(time.Hour))
	if stale := ix.Apply(publication("A", zh2, en), 3); !slices.Equal(stale, []string{"zh-CN:A:1-aaaaaaaaaaaa"}) {
		t.Errorf("a new zh version made %v stale, want the old zh version", stale)
	}
	if pg := ix.Resolve("/zh/a").Page; pg == nil || pg.Version != "3-cccccccccccc" {
		t.Errorf("zh page after the correction: %+v", pg)
	}
	if stale := ix.Apply(publication("A", zh2), 4); !slices.Equal(stale, []string{"en:A:2-bbbbbbbbbbbb"}) {
		t.Errorf("taking en down made %v stale", stale)
	}
}

func TestTakenDownAddressIsGoneUntilPublishedAgain(t *testing.T) {
	ix, zh, en := bilingual()
	down := publication("A", zh)
	down.TakenDown = map[string]*eventsv1.TakenDown{"en": {Locale: "en", Path: "/en/a"}}
	ix.Apply(down, 2)
	if got := ix.Resolve("/en/a"); got.Status != Gone || got.Page != nil {
		t.Errorf("taken-down address: %+v", got)
	}
	// The other locale stays listed: the article is not purged.
	if n := ix.Count("zh-CN", nil); n != 1 {
		t.Errorf("zh count %d after en was taken down, want 1", n)
	}
	if arts := ix.Articles(); len(arts) != 1 || arts[0]["zh-CN"] == nil || arts[0]["en"] != nil {
		t.Errorf("sitemap articles: %v", arts)
	}
	ix.Apply(publication("A", zh, en), 3)
	resolves(t, ix, "/en/a", Live, "republished address")
	ix.Apply(publication("A", zh), 4)
	resolves(t, ix, "/en/a", Unknown, "an address neither live nor taken down")
}

func TestMovedAddressPointsToTheLivePage(t *testing.T) {
	ix := New()
	zh := locale("zh-CN", "/zh/new", "2024-05-01", 2, "aaaaaaaaaaaaaaaa", t0)
	p := publication("A", zh)
	p.Moved = map[string]string{"/zh/old": "zh-CN", "/en/old": "en"}
	ix.Apply(p, 1)
	if got := ix.Resolve("/zh/old"); got.Status != Moved || got.To != "/zh/new" || got.Page != nil {
		t.Errorf("former zh address: %+v", got)
	}
	// The page it moved to is not live: nothing to send the reader to.
	resolves(t, ix, "/en/old", Unknown, "former en address without an en page")
	p.TakenDown = map[string]*eventsv1.TakenDown{"en": {Locale: "en", Path: "/en/old"}}
	ix.Apply(p, 2)
	resolves(t, ix, "/en/old", Gone, "former en address, taken down, without an en page")
	resolves(t, ix, "/zh/old", Moved, "former zh address beside a taken-down en")
	ix.Apply(publication("A", zh), 3)
	resolves(t, ix, "/zh/old", Unknown, "a move the article no longer records")
}

func TestLivePageWinsOverAnAddressPast(t *testing.T) {
	ix := New()
	a := publication("A", locale("zh-CN", "/zh/a2", "2024-05-01", 2, "aaaaaaaaaaaaaaaa", t0))
	a.Moved = map[string]string{"/zh/x": "zh-CN"}
	a.TakenDown = map[string]*eventsv1.TakenDown{"en": {Locale: "en", Path: "/en/x"}}
	b := publication("B", locale("zh-CN", "/zh/x", "2024-05-01", 1, "bbbbbbbbbbbbbbbb", t0), locale("en", "/en/x", "2024-05-01", 1, "cccccccccccccccc", t0))
	ix.Apply(b, 1)
	ix.Apply(a, 2)
	for _, path := range []string{"/zh/x", "/en/x"} {
		servesArticle(t, ix, path, "B")
	}
}

func TestMovingAnArticleKeepsAnotherArticlesPageAtItsOldPath(t *testing.T) {
	ix := New()
	ix.Apply(publication("A", locale("zh-CN", "/zh/x", "2024-05-01", 1, "aaaaaaaaaaaaaaaa", t0)), 1)
	ix.Apply(publication("B", locale("zh-CN", "/zh/x", "2024-05-02", 1, "bbbbbbbbbbbbbbbb", t0)), 2)
	ix.Apply(publication("A", locale("zh-CN", "/zh/y", "2024-05-01", 2, "cccccccccccccccc", t0)), 3)
	servesArticle(t, ix, "/zh/x", "B")
	ix.Apply(publication("B", locale("zh-CN", "/zh/z", "2024-05-02", 2, "dddddddddddddddd", t0)), 4)
	resolves(t, ix, "/zh/x", Unknown, "/zh/x after both moved away")
	servesArticle(t, ix, "/zh/y", "A")
}

func TestPurgedArticleLeavesNothing(t *testing.T) {
	ix := New()
	ix.Apply(publication("A", locale("zh-CN", "/zh/a", "2024-05-01", 1, "aaaaaaaaaaaaaaaa", t0)), 1)
	stale := ix.Apply(&eventsv1.Publication{ArticleId: "A"}, 2)
	if !slices.Equal(stale, []string{"zh-CN:A:1-aaaaaaaaaaaa"}) {
		t.Errorf("purge made %v stale", stale)
	}
	resolves(t, ix, "/zh/a", Unknown, "purged page")
	if arts, n := ix.Articles(), ix.Count("zh-CN", nil); len(arts) != 0 || n != 0 {
		t.Errorf("purged article still listed: %v, count %d", arts, n)
	}
	if !ix.LastChange().IsZero() {
		t.Errorf("LastChange %v with nothing live", ix.LastChange())
	}
}

func TestArticleWithEveryLocaleTakenDownLeavesTheSitemap(t *testing.T) {
	ix, zh, en := bilingual()
	down := publication("A")
	down.TakenDown = map[string]*eventsv1.TakenDown{"zh-CN": {Path: zh.Path}, "en": {Path: en.Path}}
	ix.Apply(down, 2)
	if arts := ix.Articles(); len(arts) != 0 {
		t.Errorf("sitemap articles: %v, want none", arts)
	}
	resolves(t, ix, "/zh/a", Gone, "taken-down zh address")
}

func TestSeqOnlyMovesForward(t *testing.T) {
	ix := New()
	if ix.Seq() != 0 {
		t.Fatalf("empty index at %d", ix.Seq())
	}
	ix.Apply(publication("A"), 9)
	ix.Apply(publication("B"), 5)
	if ix.Seq() != 9 {
		t.Errorf("Seq %d after 9 then 5, want 9", ix.Seq())
	}
}

// resolves fails the test unless path has the status.
func resolves(t *testing.T, ix *Index, path string, want Status, what string) {
	t.Helper()
	if got := ix.Resolve(path); got.Status != want {
		t.Errorf("%s (%s): %+v, want status %d", what, path, got, want)
	}
}

// servesArticle fails the test unless path serves a page of the article.
func servesArticle(t *testing.T, ix *Index, path, article string) {
	t.Helper()
	if got := ix.Resolve(path); got.Status != Live || got.Page.Article != article {
		t.Errorf("%s: %+v, want a page of %s", path, got, article)
	}
}

func TestReapplyingAnArticleKeepsWhatAnotherSaysOfASharedAddress(t *testing.T) {
	ix := New()
	// A moved away from /en/x, then took its page down; B took down its
	// own page at /en/x too. Re-applying A must not erase B's record.
	a := publication("A", locale("en", "/en/a2", "2024-05-01", 2, "aa", t0))
	a.Moved = map[string]string{"/en/x": "en"}
	b := publication("B")
	b.TakenDown = map[string]*eventsv1.TakenDown{"en": {Locale: "en", Path: "/en/x"}}
	ix.Apply(a, 1)
	ix.Apply(b, 2)
	resolves(t, ix, "/en/x", Moved, "A's former address, while A's page is live")
	aDown := publication("A")
	aDown.TakenDown = map[string]*eventsv1.TakenDown{"en": {Locale: "en", Path: "/en/a2"}}
	ix.Apply(aDown, 3)
	resolves(t, ix, "/en/x", Gone, "B took its page at /en/x down")
	ix.Apply(aDown, 4)
	resolves(t, ix, "/en/x", Gone, "after A is applied again")
	resolves(t, ix, "/en/a2", Gone, "A's own address")
}

func TestTwoLivePagesAtOneAddressResolveAlikeInAnyOrder(t *testing.T) {
	first := locale("en", "/en/same", "2024-05-01", 1, "aaaa", t0)
	first.FirstPublished = at(t0)
	second := locale("en", "/en/same", "2024-05-01", 1, "bbbb", t0.Add(time.Hour))
	second.FirstPublished = at(t0.Add(time.Hour))
	for _, order := range [][]string{{"A", "B"}, {"B", "A"}} {
		ix := New()
		pubs := map[string]*eventsv1.Publication{"A": publication("A", first), "B": publication("B", second)}
		for i, id := range order {
			ix.Apply(pubs[id], uint64(i+1))
		}
		servesArticle(t, ix, "/en/same", "A")
		// B's page taken down: A, published, still answers there.
		bDown := publication("B")
		bDown.TakenDown = map[string]*eventsv1.TakenDown{"en": {Locale: "en", Path: "/en/same"}}
		ix.Apply(bDown, 3)
		servesArticle(t, ix, "/en/same", "A")
		// A's taken down too: gone.
		aDown := publication("A")
		aDown.TakenDown = map[string]*eventsv1.TakenDown{"en": {Locale: "en", Path: "/en/same"}}
		ix.Apply(aDown, 4)
		resolves(t, ix, "/en/same", Gone, "both taken down")
	}
}
