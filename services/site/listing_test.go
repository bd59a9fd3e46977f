package site

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tandemnews/tandem/pkg/siteconfig"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
)

// dated is story n of a series, one day apart, the newest last.
func dated(locale string, n int, section ...string) story {
	day := t0.AddDate(0, 0, n)
	return story{locale: locale, slug: fmt.Sprintf("story-%02d", n), title: fmt.Sprintf("Story %02d", n),
		date: day.Format(time.DateOnly), section: section, rev: 1, at: day}
}

func TestListingShowsTheNewestTwentyAPage(t *testing.T) {
	h := newHarness(t)
	h.run()
	for n := 1; n <= PageSize+1; n++ {
		h.put(fmt.Sprintf("A%02d", n), dated("en", n, "news-events", "news"))
	}
	first := h.get("/en/")
	body := first.Body.String()
	if first.Code != http.StatusOK || first.Header().Get("Cache-Control") != cacheList || first.Header().Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("/en/: %d %v", first.Code, first.Header())
	}
	if !strings.Contains(body, "Story 21") || strings.Contains(body, "Story 01") || strings.Index(body, "Story 21") > strings.Index(body, "Story 02") {
		t.Errorf("the first page does not list the newest twenty, newest first:\n%s", body)
	}
	for _, want := range []string{`rel="next" href="/en/?page=2"`, "Page 1 of 2", "Latest news", `hreflang="zh-CN" href="http://localhost:8080/zh/"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the first page lacks %q", want)
		}
	}
	second := h.get("/en/?page=2").Body.String()
	if !strings.Contains(second, "Story 01") || strings.Contains(second, "Story 02") || !strings.Contains(second, `rel="prev" href="/en/"`) || strings.Contains(second, `rel="next"`) {
		t.Errorf("the second page:\n%s", second)
	}
	for _, bad := range []string{"/en/?page=3", "/en/?page=0", "/en/?page=two"} {
		if res := h.get(bad); res.Code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", bad, res.Code)
		}
	}
	if zh := h.get("/zh/").Body.String(); !strings.Contains(zh, "暂无文章。") || strings.Contains(zh, "rel=\"next\"") {
		t.Errorf("the empty Chinese listing:\n%s", zh)
	}
}

func TestSectionListingIncludesItsSubsections(t *testing.T) {
	h := newHarness(t)
	h.run()
	h.put("A1", dated("en", 1, "news-events", "news"))
	h.put("A2", dated("en", 2, "news-events", "research"))
	h.put("A3", dated("en", 3, "campus-life"))
	events := h.get("/en/news-events/").Body.String()
	if !strings.Contains(events, "Story 01") || !strings.Contains(events, "Story 02") || strings.Contains(events, "Story 03") {
		t.Errorf("News & Events lists the wrong stories:\n%s", events)
	}
	for _, want := range []string{"<h1>News &amp; Events</h1>", `href="/en/news-events/news/">News</a>`, `href="/en/news-events/feed.xml"`} {
		if !strings.Contains(events, want) {
			t.Errorf("News & Events lacks %q", want)
		}
	}
	subs := events[strings.Index(events, `<ul class="subsections">`):]
	subs = subs[:strings.Index(subs, "</ul>")]
	if strings.Contains(subs, `href="/en/campus-life/"`) || !strings.Contains(subs, `href="/en/news-events/research/"`) {
		t.Errorf("a section lists a section beside it as its own, or not its own: %s", subs)
	}
	if news := h.get("/en/news-events/news/").Body.String(); strings.Contains(news, "Story 02") || !strings.Contains(news, "Story 01") {
		t.Errorf("News lists the wrong stories:\n%s", news)
	}
}

func TestListingChangesWithEveryEventButNotWithADuplicate(t *testing.T) {
	h := newHarness(t)
	h.run()
	p := h.put("A1", dated("en", 1))
	before := h.get("/en/")
	h.publish("A1", func(q *eventsv1.Publication) {}) // the same state again
	if after := h.get("/en/"); after.Body.String() != before.Body.String() || after.Header().Get("ETag") != before.Header().Get("ETag") {
		t.Error("the listing changed after the same state came twice")
	}
	h.publish("A1", func(q *eventsv1.Publication) { takeDown(q, "en") })
	if after := h.get("/en/"); strings.Contains(after.Body.String(), p.Locales["en"].Path) {
		t.Error("the listing still shows a page taken down")
	}
}

func TestListingValidatorsAndGzip(t *testing.T) {
	h := newHarness(t)
	h.run()
	h.put("A1", dated("en", 1))
	for _, path := range []string{"/en/", "/en/feed.xml", "/sitemap.xml", "/robots.txt"} {
		plain := h.get(path)
		etag, modified := plain.Header().Get("ETag"), plain.Header().Get("Last-Modified")
		if plain.Code != http.StatusOK || etag == "" || modified != t0.AddDate(0, 0, 1).Format(http.TimeFormat) || plain.Header().Get("Vary") != "Accept-Encoding" {
			t.Errorf("%s: %d, ETag %q, Last-Modified %q", path, plain.Code, etag, modified)
			continue
		}
		gz := h.get(path, "Accept-Encoding", "gzip")
		if gz.Header().Get("Content-Encoding") != "gzip" || gunzip(t, gz.Body.Bytes()) != plain.Body.String() || gz.Header().Get("ETag") != strings.TrimSuffix(etag, `"`)+`-gz"` {
			t.Errorf("%s: the gzip form (ETag %q) is not the listing", path, gz.Header().Get("ETag"))
		}
		for _, cond := range [][]string{{"If-None-Match", etag}, {"If-Modified-Since", modified}} {
			if res := h.get(path, cond...); res.Code != http.StatusNotModified {
				t.Errorf("%s with %s: %d, want 304", path, cond[0], res.Code)
			}
		}
	}
}

type feedDoc struct {
	Channel struct {
		Title       string `xml:"title"`
		Description string `xml:"description"`
		Language    string `xml:"language"`
		LastBuild   string `xml:"lastBuildDate"`
		Items       []struct {
			Title       string `xml:"title"`
			Link        string `xml:"link"`
			GUID        string `xml:"guid"`
			PubDate     string `xml:"pubDate"`
			Description string `xml:"description"`
		} `xml:"item"`
	} `xml:"channel"`
	// Atom
	Title   string `xml:"title"`
	Updated string `xml:"updated"`
	Entries []struct {
		ID        string `xml:"id"`
		Title     string `xml:"title"`
		Published string `xml:"published"`
		Updated   string `xml:"updated"`
		Summary   string `xml:"summary"`
	} `xml:"entry"`
}

func TestFeedsListTheNewestOfALocaleOrSection(t *testing.T) {
	h := newHarness(t)
	h.run()
	h.put("A1", dated("en", 1, "news-events", "news"))
	h.put("A2", dated("en", 2, "campus-life"), dated("zh-CN", 2, "campus-life"))
	var rss, atom, section feedDoc
	decode(t, h, "/en/feed.xml", "application/rss+xml; charset=utf-8", &rss)
	decode(t, h, "/en/atom.xml", "application/atom+xml; charset=utf-8", &atom)
	decode(t, h, "/en/campus-life/feed.xml", "application/rss+xml; charset=utf-8", &section)
	ch := rss.Channel
	if ch.Title != "Binjiang University News" || ch.Language != "en" || ch.Description != "Learn widely, act steadfastly" {
		t.Errorf("RSS channel: %+v", ch)
	}
	link := "http://localhost:8080" + dated("en", 2, "campus-life").path()
	guid := "tag:localhost," + t0.AddDate(0, 0, 2).Format(time.DateOnly) + ":A2/en"
	if len(ch.Items) != 2 || ch.Items[0].Title != "Story 02" || ch.Items[0].Link != link || ch.Items[0].GUID != guid ||
		ch.Items[0].PubDate != t0.AddDate(0, 0, 2).Format(time.RFC1123Z) || ch.Items[0].Description != "About Story 02" {
		t.Errorf("RSS items: %+v", ch.Items)
	}
	if ch.LastBuild != t0.AddDate(0, 0, 2).Format(time.RFC1123Z) {
		t.Errorf("RSS lastBuildDate %q", ch.LastBuild)
	}
	if len(atom.Entries) != 2 || atom.Updated != t0.AddDate(0, 0, 2).Format(time.RFC3339) || atom.Entries[1].Title != "Story 01" || atom.Entries[1].Summary != "About Story 01" {
		t.Errorf("Atom: %+v", atom)
	}
	if len(section.Channel.Items) != 1 || section.Channel.Title != "Binjiang University News - Campus Life" {
		t.Errorf("section feed: %+v", section.Channel)
	}
	var empty feedDoc
	decode(t, h, "/en/news-events/notices/atom.xml", "application/atom+xml; charset=utf-8", &empty)
	// An empty feed changed when the site last did.
	if len(empty.Entries) != 0 || empty.Updated != t0.AddDate(0, 0, 2).Format(time.RFC3339) {
		t.Errorf("an empty Atom feed: %+v", empty)
	}
}

func TestFeedOfANewSiteCarriesWhenTheSiteStarted(t *testing.T) {
	h := newHarness(t)
	before := time.Now().Add(-time.Second)
	h.run()
	var atom, rss feedDoc
	decode(t, h, "/en/atom.xml", "application/atom+xml; charset=utf-8", &atom)
	decode(t, h, "/en/feed.xml", "application/rss+xml; charset=utf-8", &rss)
	updated, err := time.Parse(time.RFC3339, atom.Updated)
	if err != nil || updated.Before(before) || updated.After(time.Now()) {
		t.Errorf("empty Atom feed updated %q, want about now", atom.Updated)
	}
	if built, err := time.Parse(time.RFC1123Z, rss.Channel.LastBuild); err != nil || !built.Equal(updated) {
		t.Errorf("empty RSS lastBuildDate %q, want %s", rss.Channel.LastBuild, updated)
	}
}

func TestFeedsOrderByPublicationAndDateTheNewestChange(t *testing.T) {
	h := newHarness(t)
	h.run()
	h.put("A1", dated("en", 3))
	h.put("A2", dated("en", 4))
	// Dated long ago, published last.
	old := dated("en", 5)
	old.date, old.slug, old.title = "2023-01-09", "old-story", "Old Story"
	h.put("A3", old)
	// A1 corrected after all of them: it keeps its place, and its change
	// is the feed's newest.
	fix := dated("en", 3)
	fix.rev, fix.at = 2, t0.AddDate(0, 0, 9)
	h.put("A1", fix)
	var rss, atom feedDoc
	decode(t, h, "/en/feed.xml", "application/rss+xml; charset=utf-8", &rss)
	decode(t, h, "/en/atom.xml", "application/atom+xml; charset=utf-8", &atom)
	var titles []string
	for _, it := range rss.Channel.Items {
		titles = append(titles, it.Title)
	}
	if !slices.Equal(titles, []string{"Old Story", "Story 04", "Story 03"}) {
		t.Errorf("RSS order %v, want by first publication", titles)
	}
	if rss.Channel.LastBuild != t0.AddDate(0, 0, 9).Format(time.RFC1123Z) || atom.Updated != t0.AddDate(0, 0, 9).Format(time.RFC3339) {
		t.Errorf("lastBuildDate %q, updated %q, want the correction's time", rss.Channel.LastBuild, atom.Updated)
	}
	if e := atom.Entries[2]; e.Published != t0.AddDate(0, 0, 3).Format(time.RFC3339) || e.Updated != t0.AddDate(0, 0, 9).Format(time.RFC3339) {
		t.Errorf("corrected entry published %q updated %q", e.Published, e.Updated)
	}
	if body := h.get("/en/").Body.String(); strings.Index(body, "Old Story") > strings.Index(body, "Story 04") {
		t.Error("the listing does not put the story published last first")
	}
}

func TestFeedEntryKeepsItsIDWhenTheSlugChanges(t *testing.T) {
	h := newHarness(t)
	h.run()
	h.put("A1", dated("en", 1, "campus-life"))
	var before feedDoc
	decode(t, h, "/en/atom.xml", "application/atom+xml; charset=utf-8", &before)
	renamed := dated("en", 1, "news-events", "news")
	renamed.slug, renamed.rev, renamed.at = "a-better-name", 2, t0.AddDate(0, 0, 3)
	h.put("A1", renamed)
	var after, rss feedDoc
	decode(t, h, "/en/atom.xml", "application/atom+xml; charset=utf-8", &after)
	decode(t, h, "/en/feed.xml", "application/rss+xml; charset=utf-8", &rss)
	if len(before.Entries) != 1 || len(after.Entries) != 1 || before.Entries[0].ID != after.Entries[0].ID {
		t.Fatalf("entry id before %+v, after %+v", before.Entries, after.Entries)
	}
	if id := after.Entries[0].ID; !strings.HasPrefix(id, "tag:localhost,") || strings.Contains(id, "story-01") || rss.Channel.Items[0].GUID != id {
		t.Errorf("entry id %q, RSS guid %q", id, rss.Channel.Items[0].GUID)
	}
	if raw := h.get("/en/feed.xml").Body.String(); !strings.Contains(raw, `<guid isPermaLink="false">`+rss.Channel.Items[0].GUID+`</guid>`) {
		t.Errorf("the RSS guid is not marked as no permalink:\n%s", raw)
	}
	if !strings.Contains(rss.Channel.Items[0].Link, "a-better-name") {
		t.Errorf("the link does not follow the slug: %q", rss.Channel.Items[0].Link)
	}
}

type sitemapDoc struct {
	URLs []struct {
		Loc     string `xml:"loc"`
		LastMod string `xml:"lastmod"`
		Links   []struct {
			Hreflang string `xml:"hreflang,attr"`
			Href     string `xml:"href,attr"`
		} `xml:"link"`
	} `xml:"url"`
}

func TestSitemapAnnouncesAlternatesOnlyBetweenPublishedLocales(t *testing.T) {
	h := newHarness(t)
	h.run()
	h.put("A1", dated("zh-CN", 1), dated("en", 1))
	h.put("A2", dated("zh-CN", 2))
	var m sitemapDoc
	decode(t, h, "/sitemap-1.xml", "application/xml; charset=utf-8", &m)
	var locs []string
	for _, u := range m.URLs {
		var langs []string
		for _, l := range u.Links {
			langs = append(langs, l.Hreflang)
		}
		locs = append(locs, strings.TrimPrefix(u.Loc, "http://localhost:8080"))
		want := []string{"zh-CN", "en", "x-default"}
		if strings.Contains(u.Loc, "story-02") {
			want = nil
		}
		if !slices.Equal(langs, want) {
			t.Errorf("%s: alternates %v, want %v", u.Loc, langs, want)
		}
	}
	if want := []string{dated("zh-CN", 1).path(), dated("en", 1).path(), dated("zh-CN", 2).path()}; !slices.Equal(locs, want) {
		t.Errorf("sitemap lists %v, want %v", locs, want)
	}
	robots := h.get("/robots.txt")
	if robots.Header().Get("Content-Type") != "text/plain; charset=utf-8" || !strings.Contains(robots.Body.String(), "Sitemap: http://localhost:8080/sitemap.xml") {
		t.Errorf("robots.txt: %q", robots.Body)
	}
	for _, rule := range []string{"Disallow: /zh/search?\n", "Disallow: /zh/search$\n", "Disallow: /en/search?\n", "Disallow: /en/search$\n"} {
		if !strings.Contains(robots.Body.String(), rule) {
			t.Errorf("robots.txt lets crawlers into search results (no %q): %q", rule, robots.Body)
		}
	}
}

// decode fetches path, checks its Content-Type and decodes its XML into v.
func decode(t *testing.T, h *harness, path, ctype string, v any) {
	t.Helper()
	res := h.get(path)
	if res.Code != http.StatusOK || res.Header().Get("Content-Type") != ctype {
		t.Fatalf("%s: %d %q", path, res.Code, res.Header().Get("Content-Type"))
	}
	if err := xml.Unmarshal(res.Body.Bytes(), v); err != nil {
		t.Fatalf("%s is not valid XML: %v\n%s", path, err, res.Body)
	}
}

func TestKindOfNamesTheMetricLabel(t *testing.T) {
	for path, want := range map[string]string{
		"/sitemap.xml": "feed", "/robots.txt": "feed", "/en/feed.xml": "feed",
		"/en/": "listing", siteconfig.ArticlePath("en", []string{"news"}, "x"): "article", "/healthz": "other",
	} {
		if got := kindOf(path); got != want {
			t.Errorf("kindOf(%q) = %q, want %q", path, got, want)
		}
	}
}

// photo is a lead image with three variants.
func photo(media string) *eventsv1.PublishedImage {
	return &eventsv1.PublishedImage{Media: media, ContentType: "image/jpeg", Ext: "jpg", Width: 1600, Height: 1067,
		Widths: []int32{480, 960, 1600}, Alt: "Students on the lawn"}
}

func TestFrontPageLeadsWithTheNewestStoryAndItsPhoto(t *testing.T) {
	h := newHarness(t)
	h.run()
	older := dated("en", 1, "campus-life")
	older.images = []*eventsv1.PublishedImage{photo("bbbb")}
	h.put("A1", older)
	h.put("A2", dated("en", 2, "news-events", "notices"))
	lead := dated("en", 3, "news-events", "news")
	lead.images = []*eventsv1.PublishedImage{photo("aaaa")}
	h.put("A3", lead)
	body := h.get("/en/").Body.String()
	leadAt := strings.Index(body, `<article class="lead photo">`)
	if leadAt < 0 {
		t.Fatalf("no lead story with a photo:\n%s", body)
	}
	leadHTML := body[leadAt : leadAt+strings.Index(body[leadAt:], "</article>")]
	for _, want := range []string{
		`src="/media/aaaa-480.jpg"`, `srcset="/media/aaaa-480.jpg 480w, /media/aaaa-960.jpg 960w, /media/aaaa-1600.jpg 1600w"`,
		`width="1600" height="1067"`, `fetchpriority="high"`, `href="` + lead.path() + `">Story 03</a>`,
		`<p class="summary">About Story 03</p>`, `<span class="section">News</span>`, `<time datetime="` + lead.date + `">`,
	} {
		if !strings.Contains(leadHTML, want) {
			t.Errorf("the lead story lacks %q:\n%s", want, leadHTML)
		}
	}
	if strings.Contains(leadHTML, `loading="lazy"`) {
		t.Error("the lead photo, above the fold, loads lazily")
	}
	list := body[strings.Index(body, `<ul class="stories">`):]
	list = list[:strings.Index(list, "</ul>")]
	if !strings.Contains(list, `<li class="photo">`) || !strings.Contains(list, `src="/media/bbbb-480.jpg"`) || !strings.Contains(list, `loading="lazy"`) ||
		!strings.Contains(list, `width="1600" height="1067"`) || strings.Index(list, "Story 02") > strings.Index(list, "Story 01") {
		t.Errorf("the latest stories lack a lazy thumbnail or their order:\n%s", list)
	}
	if strings.Contains(list, "Story 03") {
		t.Error("the lead story is listed again under it")
	}
	if !strings.Contains(body, `<meta property="og:image" content="http://localhost:8080/media/aaaa-1600.jpg">`) {
		t.Error("the front page's Open Graph image is not the lead photo")
	}
	// A block per section, with its newest stories.
	blocks := body[strings.Index(body, `<aside class="blocks">`):]
	for _, want := range []string{`<h2><a href="/en/news-events/">News &amp; Events</a></h2>`, `<h2><a href="/en/campus-life/">Campus Life</a></h2>`} {
		if !strings.Contains(blocks, want) {
			t.Errorf("the section blocks lack %q:\n%s", want, blocks)
		}
	}
	events := blocks[strings.Index(blocks, "News &amp; Events"):]
	if !strings.Contains(events, "Story 03") || !strings.Contains(events, "Story 02") || strings.Contains(events, "Story 01") {
		t.Errorf("the News & Events block:\n%s", events)
	}
}

func TestEveryListingHasItsOwnTitleDescriptionAndCanonical(t *testing.T) {
	h := newHarness(t)
	h.run()
	for n := 1; n <= PageSize+2; n++ {
		h.put(fmt.Sprintf("A%02d", n), dated("en", n, "news-events", "news"), dated("zh-CN", n, "news-events", "news"))
	}
	seen := map[string]string{}
	for path, want := range map[string][]string{
		"/en/": {`<title>Binjiang University News</title>`, `<link rel="canonical" href="http://localhost:8080/en/">`,
			`<link rel="alternate" hreflang="zh-CN" href="http://localhost:8080/zh/">`, `<link rel="alternate" hreflang="x-default" href="http://localhost:8080/zh/">`},
		"/en/?page=2": {`<title>Latest news, page 2 - Binjiang University News</title>`, `<link rel="canonical" href="http://localhost:8080/en/?page=2">`,
			`<span aria-current="page">2</span>`, `<a href="/en/">1</a>`, `rel="prev" href="/en/"`},
		"/zh/":                         {`<title>滨江大学新闻网</title>`, `<link rel="canonical" href="http://localhost:8080/zh/">`, `<a href="/zh/?page=2">2</a>`, "第 1 页，共 2 页"},
		"/zh/news-events/":             {`<title>新闻动态 - 滨江大学新闻网</title>`, `<link rel="canonical" href="http://localhost:8080/zh/news-events/">`},
		"/en/news-events/news/":        {`<title>News - Binjiang University News</title>`, `<meta name="description" content="The latest News stories from Binjiang University News.">`},
		"/en/news-events/news/?page=2": {`<title>News, page 2 - Binjiang University News</title>`},
	} {
		body := h.get(path).Body.String()
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("%s lacks %q", path, w)
			}
		}
		title := body[strings.Index(body, "<title>"):strings.Index(body, "</title>")]
		desc := body[strings.Index(body, `<meta name="description"`):]
		desc = desc[:strings.Index(desc, ">")]
		for _, v := range []string{title, desc} {
			if other, dup := seen[v]; dup {
				t.Errorf("%s and %s share %s", path, other, v)
			}
			seen[v] = path
		}
		if n := strings.Count(body, `rel="canonical"`); n != 1 {
			t.Errorf("%s has %d canonical links", path, n)
		}
		if strings.Contains(path, "page=2") && strings.Contains(body, `hreflang="zh-CN" href=`) && strings.Contains(body, `<link rel="alternate" hreflang`) {
			t.Errorf("%s announces a twin in another language, which only the first page has", path)
		}
	}
}

func TestSiteServesItsIconAndLogo(t *testing.T) {
	h := newHarness(t)
	h.run()
	for path, ctype := range map[string]string{"/favicon.ico": "image/x-icon", siteconfig.IconPath: "image/svg+xml", siteconfig.LogoPath: "image/png"} {
		res := h.get(path)
		if res.Code != http.StatusOK || res.Header().Get("Content-Type") != ctype || res.Body.Len() == 0 || res.Header().Get("ETag") == "" {
			t.Errorf("%s: %d %q (%d bytes)", path, res.Code, res.Header().Get("Content-Type"), res.Body.Len())
		}
		if again := h.get(path, "If-None-Match", res.Header().Get("ETag")); again.Code != http.StatusNotModified {
			t.Errorf("%s again: %d, want 304", path, again.Code)
		}
	}
	if !strings.Contains(h.get("/en/").Body.String(), `<link rel="icon" href="`+siteconfig.IconPath+`"`) {
		t.Error("a listing does not link the icon")
	}
}
