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
	if strings.Contains(events, `href="/en/campus-life/"`) {
		t.Error("a section lists a section beside it as its own")
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
	if len(ch.Items) != 2 || ch.Items[0].Title != "Story 02" || ch.Items[0].Link != link || ch.Items[0].GUID != link ||
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
	if len(empty.Entries) != 0 || empty.Updated != time.Unix(0, 0).UTC().Format(time.RFC3339) {
		t.Errorf("an empty Atom feed: %+v", empty)
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
