package site

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
)

// putText publishes a story whose body is text, rendered as publishing
// renders an article: the body inside <article>, after the heading and
// the date.
func (h *harness) putText(id string, st story, body string) *eventsv1.Publication {
	h.t.Helper()
	return h.publish(id, func(p *eventsv1.Publication) {
		pl := st.release(p)
		pl.Content = &articlev1.LocalizedContent{Title: st.title, Blocks: []*articlev1.Block{
			{Id: "b1", Kind: &articlev1.Block_Paragraph{Paragraph: &articlev1.Paragraph{Text: body}}},
		}}
		pl.Html = fmt.Appendf(nil, "<!DOCTYPE html>\n<html lang=%q><head><title>%s</title></head><body><main><article>\n<h1>%s</h1>\n<p class=\"date\"><time>%s</time></p>\n<p>%s</p>\n</article></main></body></html>\n",
			st.locale, html.EscapeString(st.title), html.EscapeString(st.title), st.date, html.EscapeString(body))
		sum := sha256.Sum256(pl.Html)
		pl.ContentHash = hex.EncodeToString(sum[:])
		h.render.put(id, st.locale, pl.Html, pl.ContentHash)
	})
}

func searchFor(h *harness, locale, query string, extra ...string) *httptestResult {
	path := "/" + map[string]string{"zh-CN": "zh", "en": "en"}[locale] + "/search?q=" + url.QueryEscape(query)
	for _, e := range extra {
		path += "&" + e
	}
	res := h.get(path)
	return &httptestResult{code: res.Code, body: res.Body.String(), header: res.Header()}
}

type httptestResult struct {
	code   int
	body   string
	header http.Header
}

func TestSearchFindsAChinesePhraseAndAnInflectedEnglishWord(t *testing.T) {
	h := newHarness(t)
	h.run()
	zh := news("zh-CN", "forum", 1)
	zh.title = "学校举办国际论坛"
	en := news("en", "forum", 1)
	en.title = "Robotics team wins gold"
	h.putText("A1", zh, "来自德国的专家学者参加了智能制造国际论坛并发表演讲。")
	h.putText("A1", en, "The students competed against forty universities.")
	other := news("zh-CN", "library", 1)
	other.title = "图书馆开放"
	h.putText("A2", other, "图书馆新的自习空间正式开放。")

	res := searchFor(h, "zh-CN", "智能制造")
	if res.code != http.StatusOK || !strings.Contains(res.body, `href="`+zh.path()+`"`) || strings.Contains(res.body, other.path()) {
		t.Fatalf("zh search: %d\n%s", res.code, res.body)
	}
	if !strings.Contains(res.body, "参加了<mark>智能制造</mark>国际论坛") {
		t.Errorf("no highlighted snippet:\n%s", res.body)
	}
	if !strings.Contains(res.body, `<meta name="robots" content="noindex">`) || !strings.Contains(res.body, "<title>“智能制造”的搜索结果 - ") ||
		!strings.Contains(res.body, `<header class="site">`) || !strings.Contains(res.body, `<nav class="sections"`) || !strings.Contains(res.body, "line-break:strict") {
		t.Errorf("the results page is not in the site's layout, or is indexed:\n%s", res.body)
	}
	if res.header.Get("Cache-Control") != cacheSearch || res.header.Get("Content-Language") != "zh-CN" {
		t.Errorf("headers: %v", res.header)
	}
	res = searchFor(h, "en", "competing universities")
	if res.code != http.StatusOK || !strings.Contains(res.body, `href="`+en.path()+`"`) ||
		!strings.Contains(res.body, "<mark>competed</mark> against forty <mark>universities</mark>") {
		t.Fatalf("en search:\n%s", res.body)
	}
	if res := searchFor(h, "en", "win"); !strings.Contains(res.body, "Robotics team <mark>wins</mark> gold") {
		t.Errorf("title hit:\n%s", res.body)
	}
	// The front page's header has a search form; the results page's own
	// form stands in for it.
	if home := h.get("/zh/").Body.String(); !strings.Contains(home, `<form class="find" role="search" action="/zh/search"`) {
		t.Errorf("the front page has no search form:\n%s", home)
	}
	if strings.Contains(res.body, `class="find"`) {
		t.Errorf("the results page has two search forms")
	}
	// Each language searches its own pages.
	if res := searchFor(h, "en", "智能制造"); strings.Contains(res.body, zh.path()) || !strings.Contains(res.body, "No articles found.") {
		t.Errorf("en found a Chinese page:\n%s", res.body)
	}

	// Taken down: gone from the results as soon as the site applies it.
	h.publish("A1", func(p *eventsv1.Publication) { takeDown(p, "zh-CN") })
	if res := searchFor(h, "zh-CN", "智能制造"); strings.Contains(res.body, zh.path()) || !strings.Contains(res.body, "没有找到相关文章。") {
		t.Errorf("a taken-down article is still found:\n%s", res.body)
	}
	if res := searchFor(h, "en", "competing"); !strings.Contains(res.body, en.path()) {
		t.Errorf("the English page, still live, is not found")
	}
}

// results counts the results a page lists (the header's navigation is a
// list of links too).
func results(body string) int {
	_, list, _ := strings.Cut(body, `<ol class="results"`)
	return strings.Count(list, "<li><a href=")
}

func TestSearchResultsArePaged(t *testing.T) {
	h := newHarness(t)
	h.run()
	for i := range 12 {
		st := news("en", fmt.Sprintf("s%02d", i), 1)
		st.title = fmt.Sprintf("Campus story %d", i)
		h.putText(fmt.Sprintf("A%02d", i), st, "Students gathered on campus.")
	}
	first := searchFor(h, "en", "campus")
	if n := results(first.body); n != SearchPageSize || !strings.Contains(first.body, "Articles found: 12.") {
		t.Fatalf("first page: %d results\n%s", n, first.body)
	}
	if !strings.Contains(first.body, `rel="next" href="/en/search?q=campus&amp;page=2"`) || strings.Contains(first.body, `rel="prev"`) {
		t.Errorf("first page links:\n%s", first.body)
	}
	second := searchFor(h, "en", "campus", "page=2")
	if n := results(second.body); n != 2 || !strings.Contains(second.body, `<ol class="results" start="11">`) {
		t.Fatalf("second page: %d results\n%s", n, second.body)
	}
	if !strings.Contains(second.body, `rel="prev" href="/en/search?q=campus"`) || strings.Contains(second.body, `rel="next"`) {
		t.Errorf("second page links:\n%s", second.body)
	}
	if !strings.Contains(first.body, "<title>Search results for “campus” - ") || !strings.Contains(second.body, "<title>Search results for “campus”, page 2 - ") {
		t.Errorf("the pages do not have titles of their own")
	}
	for i := range 12 {
		if !strings.Contains(first.body+second.body, fmt.Sprintf("/s%02d\"", i)) {
			t.Errorf("story %d is on neither page", i)
		}
	}
}

func TestBadSearchInputIsRefused(t *testing.T) {
	h := newHarness(t)
	h.run()
	for _, c := range []struct{ path, says string }{
		{"/en/search?q=" + strings.Repeat("a", MaxQueryRunes+1), "at most 200 characters"},
		{"/zh/search?q=" + strings.Repeat("字", MaxQueryRunes+1), "最多 200 个字符"},
		{"/en/search?q=x&page=0", "a whole number from 1 to 50"},
		{"/en/search?q=x&page=two", "a whole number from 1 to 50"},
		{"/en/search?q=x&page=51", "a whole number from 1 to 50"},
		{"/en/search?q=%ff", "not valid text"},
	} {
		res := h.get(c.path)
		if res.Code != http.StatusBadRequest || !strings.Contains(res.Body.String(), c.says) || res.Header().Get("Content-Type") != "text/html; charset=utf-8" {
			t.Errorf("%s: %d\n%s", c.path, res.Code, res.Body)
		}
	}
	if res := h.get("/en/search?q=" + strings.Repeat("a", MaxQueryRunes) + "&page=50"); res.Code != http.StatusOK {
		t.Errorf("the limits themselves are refused: %d", res.Code)
	}
	if res := h.get("/en/search"); res.Code != http.StatusOK || !strings.Contains(res.Body.String(), `<form class="search"`) || strings.Contains(res.Body.String(), `class="count"`) {
		t.Errorf("the empty search page: %d\n%s", res.Code, res.Body)
	}
	if got := kindOf("/en/search"); got != "search" {
		t.Errorf("kindOf(/en/search) = %q", got)
	}
}

// A page out of reach (not in the LRU, publishing not answering) does not
// hold the results back: its description stands in for its snippet.
func TestSearchShowsTheDescriptionOfAPageOutOfReach(t *testing.T) {
	h := newHarness(t)
	h.run()
	st := news("en", "gated", 1)
	st.title = "Gated story"
	st.bare = true // not in the event, so not in the LRU
	h.put("A1", st)
	gate := make(chan struct{})
	h.render.mu.Lock()
	h.render.gate = gate
	h.render.mu.Unlock()
	defer close(gate)
	done := make(chan *httptestResult, 1)
	go func() { done <- searchFor(h, "en", "gated") }()
	select {
	case res := <-done:
		if !strings.Contains(res.body, `href="`+st.path()+`"`) || !strings.Contains(res.body, "About <mark>Gated</mark> story") {
			t.Errorf("results:\n%s", res.body)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the results waited for a page publishing does not answer")
	}
}

// While every snippet reader is busy, a search starts no more page
// reads: the results show their descriptions, and publishing is not
// asked, so a run of searches cannot keep the replica rendering pages.
func TestSearchStartsNoPageReadWhileEveryReaderIsBusy(t *testing.T) {
	h := newHarness(t)
	h.run()
	st := news("en", "busy", 1)
	st.title = "Busy story"
	st.bare = true // not in the event, so not in the LRU
	h.put("A1", st)
	for range cap(h.site.snippetReads) {
		h.site.snippetReads <- struct{}{}
	}
	before := h.render.calls.Load()
	res := searchFor(h, "en", "busy")
	if !strings.Contains(res.body, "About <mark>Busy</mark> story") {
		t.Errorf("results without the description:\n%s", res.body)
	}
	if n := h.render.calls.Load() - before; n != 0 {
		t.Errorf("publishing was asked %d times while every reader was busy", n)
	}
	for range cap(h.site.snippetReads) {
		<-h.site.snippetReads
	}
	searchFor(h, "en", "busy")
	// The read runs on after the results page, for at most a moment.
	deadline := time.Now().Add(5 * time.Second)
	for h.render.calls.Load()-before != 1 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := h.render.calls.Load() - before; n != 1 {
		t.Errorf("publishing was asked %d times once a reader was free, want 1", n)
	}
}
