package site

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/tandemnews/tandem/pkg/siteconfig"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	"github.com/tandemnews/tandem/services/site/index"
	"github.com/tandemnews/tandem/services/site/search"
)

// The limits of a search (docs/limits.md).
const (
	// MaxQueryRunes bounds the characters of a query.
	MaxQueryRunes = 200
	// SearchPageSize is how many results a page of them shows.
	SearchPageSize = 10
	// MaxSearchPage is the last page of results a reader may ask for.
	MaxSearchPage = 50
	// snippetRunes is about how long a result's snippet is.
	snippetRunes = 160
	// snippetWait bounds how long a results page waits for the pages
	// its snippets come from, when they are not in the LRU.
	snippetWait = 5 * time.Millisecond
	// snippetReaders bounds the snippet page reads a replica runs at
	// once; a result whose page is neither in the LRU nor among them
	// shows its description.
	snippetReaders = 4
)

// errNoReader: every snippet reader was busy; the result shows its
// page's description.
var errNoReader = errors.New("site: no snippet reader free")

// cacheSearch: results change with every publish and takedown, and a
// taken-down article must leave them at once, so no cache keeps them.
const cacheSearch = "no-cache"

//go:embed search.html
var searchHTML string

// searchPath is the address of a locale's search page.
func searchPath(locale string) string { return siteconfig.HomePath(locale) + "search" }

// searchDoc is what search indexes of a published page.
func searchDoc(pl *eventsv1.PublishedLocale) search.Doc {
	c := pl.GetContent()
	d := search.Doc{Title: pl.GetTitle(), Summary: c.GetSummary()}
	if d.Summary == "" {
		d.Summary = pl.GetDescription()
	}
	var body bytes.Buffer
	add := func(s string) {
		if s != "" {
			body.WriteString(s)
			body.WriteByte('\n')
		}
	}
	for _, b := range c.GetBlocks() {
		add(b.GetParagraph().GetText())
		add(b.GetHeading().GetText())
		add(b.GetFigure().GetCaption())
		add(b.GetQuote().GetText())
		for _, item := range b.GetList().GetItems() {
			add(item)
		}
	}
	d.Body = body.String()
	return d
}

// indexForSearch puts an article's live pages into each locale's search
// index and removes the others, taken down or never published.
func (s *Site) indexForSearch(p *eventsv1.Publication) {
	for l, x := range s.finder {
		if pl := p.GetLocales()[l]; pl != nil {
			x.Put(p.GetArticleId(), index.Version(pl), searchDoc(pl))
		} else {
			x.Remove(p.GetArticleId())
		}
	}
}

type searchResult struct {
	Path, Date, ISODate string
	Title, Snippet      []search.Fragment
}

type searchData struct {
	chrome
	// Title and Description are the page's own: they name the query and
	// the page of results.
	Title, Description, Heading, Button, Action         string
	Query, Problem, Count, Prev, Next, PageLabel, Pages string
	MaxQuery, Start                                     int
	Results                                             []searchResult
}

var searchWords = map[string]map[string]string{
	"heading":  {"zh-CN": "搜索", "en": "Search"},
	"results":  {"zh-CN": "“%s”的搜索结果", "en": "Search results for “%s”"},
	"pageN":    {"zh-CN": "（第 %d 页）", "en": ", page %d"},
	"about":    {"zh-CN": "在%s搜索已发表的文章", "en": "Search the published articles of %s"},
	"pages":    {"zh-CN": "搜索结果分页", "en": "Result pages"},
	"none":     {"zh-CN": "没有找到相关文章。", "en": "No articles found."},
	"count":    {"zh-CN": "找到文章 %d 篇。", "en": "Articles found: %d."},
	"page":     {"zh-CN": "第 %d 页，共 %d 页", "en": "Page %d of %d"},
	"tooLong":  {"zh-CN": "搜索词太长：最多 %d 个字符。", "en": "The search is too long: at most %d characters."},
	"badPage":  {"zh-CN": "页码无效：应为 1 到 %d 之间的整数。", "en": "The page number is not valid: a whole number from 1 to %d."},
	"badQuery": {"zh-CN": "搜索词不是有效的文本。", "en": "The search is not valid text."},
}

// searchPage answers /{locale}/search?q=…&page=…: the locale's published
// articles whose title, summary or body hold every word of q, with a
// snippet of each, SearchPageSize a page. A query too long, not UTF-8,
// or a page number that is not one of 1 to MaxSearchPage is refused
// with 400 and a page that says why.
func (s *Site) searchPage(w http.ResponseWriter, r *http.Request, locale string) {
	form := r.URL.Query()
	q := form.Get("q")
	d := searchData{
		chrome: s.chrome(locale), Heading: searchWords["heading"][locale], Button: searchWords["heading"][locale],
		Action: searchPath(locale), Query: q, MaxQuery: MaxQueryRunes, Start: 1, Pages: searchWords["pages"][locale],
	}
	d.Search = "" // the page's own form is the search
	d.Alternates = nil
	for _, l := range siteconfig.Locales {
		href := searchPath(l)
		if q != "" {
			href += "?q=" + url.QueryEscape(q)
		}
		d.Alternates = append(d.Alternates, alt{l, href, map[string]string{"zh-CN": "中文", "en": "English"}[l]})
	}
	n := 1
	code := http.StatusOK
	switch {
	case !utf8.ValidString(q):
		code, d.Problem, d.Query = http.StatusBadRequest, searchWords["badQuery"][locale], ""
	case utf8.RuneCountInString(q) > MaxQueryRunes:
		code, d.Problem = http.StatusBadRequest, fmt.Sprintf(searchWords["tooLong"][locale], MaxQueryRunes)
	case form.Has("page"):
		v, err := strconv.Atoi(form.Get("page"))
		if err != nil || v < 1 || v > MaxSearchPage {
			code, d.Problem = http.StatusBadRequest, fmt.Sprintf(searchWords["badPage"][locale], MaxSearchPage)
		}
		n = v
	}
	if code == http.StatusOK && q != "" {
		s.findInto(r, &d, locale, q, n)
	}
	d.Title = d.Heading
	if d.Query != "" {
		d.Title = fmt.Sprintf(searchWords["results"][locale], d.Query)
		if code == http.StatusOK && n > 1 {
			d.Title += fmt.Sprintf(searchWords["pageN"][locale], n)
		}
	}
	d.Title += " - " + d.SiteName
	d.Description = fmt.Sprintf(searchWords["about"][locale], d.SiteName)
	var page bytes.Buffer
	if err := searchTemplate.Execute(&page, d); err != nil {
		s.log.Error("search page", "err", err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", locale)
	h.Set("Cache-Control", cacheSearch)
	pageCSP(h, page.Bytes())
	w.WriteHeader(code)
	_, _ = w.Write(page.Bytes())
}

// findInto searches and fills in page n of the results.
func (s *Site) findInto(r *http.Request, d *searchData, locale, q string, n int) {
	hits, total := s.finder[locale].Search(q, (n-1)*SearchPageSize, SearchPageSize)
	d.Start = (n-1)*SearchPageSize + 1
	d.Count = searchWords["none"][locale]
	if total > 0 {
		d.Count = fmt.Sprintf(searchWords["count"][locale], total)
	}
	var pages []*index.Page
	for _, h := range hits {
		if pg := s.index.Page(h.ID, locale); pg != nil { // nil: taken down since
			pages = append(pages, pg)
		}
	}
	d.Results = make([]searchResult, len(pages))
	// The snippets come from the pages themselves (the index keeps no
	// text): from the LRU at once, else through Redis or publishing, read
	// side by side for at most snippetWait in all. A page not at hand by
	// then (or unreadable) shows its description; its read goes on and
	// fills the LRU for the next search.
	type fetched struct {
		html []byte
		err  error
	}
	waits := make([]chan fetched, len(pages))
	for i, pg := range pages {
		if html, ok := s.tiers.lru.Get(pg.Key); ok {
			waits[i] = make(chan fetched, 1)
			waits[i] <- fetched{html: html}
			continue
		}
		ch := make(chan fetched, 1)
		waits[i] = ch
		select {
		case s.snippetReads <- struct{}{}:
		default:
			ch <- fetched{err: errNoReader}
			continue
		}
		go func() {
			defer func() { <-s.snippetReads }()
			html, err := s.tiers.body(context.WithoutCancel(r.Context()), pg)
			ch <- fetched{html, err}
		}()
	}
	deadline := time.NewTimer(snippetWait)
	defer deadline.Stop()
	expired := false
	for i, pg := range pages {
		res := searchResult{Path: pg.Path, Date: formatDate(pg.Date, locale), ISODate: pg.Date, Title: search.Snippet(pg.Title, q, len(pg.Title))}
		var f fetched
		got := false
		if expired {
			select {
			case f = <-waits[i]:
				got = true
			default:
			}
		} else {
			select {
			case f = <-waits[i]:
				got = true
			case <-deadline.C:
				expired = true
			}
		}
		if got && f.err == nil {
			res.Snippet = search.Snippet(search.ArticleText(f.html), q, snippetRunes)
		} else {
			res.Snippet = search.Snippet(pg.Description, q, snippetRunes)
		}
		d.Results[i] = res
	}
	last := min(MaxSearchPage, (total+SearchPageSize-1)/SearchPageSize)
	base := searchPath(locale) + "?q=" + url.QueryEscape(q)
	if n > 1 {
		d.Prev = base
		if n > 2 {
			d.Prev += "&page=" + strconv.Itoa(n-1)
		}
	}
	if n < last {
		d.Next = base + "&page=" + strconv.Itoa(n+1)
	}
	if last > 1 {
		d.PageLabel = fmt.Sprintf(searchWords["page"][locale], n, last)
	}
}
