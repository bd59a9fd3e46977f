package site

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tandemnews/tandem/pkg/metrics"
	"github.com/tandemnews/tandem/pkg/siteconfig"
)

// Fallback says what an English URL shows when the English page does not
// exist but the Chinese one does.
type Fallback int

// The fallbacks.
const (
	// FallbackNotFound answers 404.
	FallbackNotFound Fallback = iota
	// FallbackSource shows the Chinese page with a notice, marked
	// lang="zh-CN"; it is never stored as the English page.
	FallbackSource
)

// PageSize is how many articles a listing page shows.
const PageSize = 20

const gzSuffix = "|gz"

// Cache-Control of each kind of response: articles change rarely and are
// validated with their ETag; listings and feeds change on every publish.
const (
	cacheArticle = "public, max-age=300, stale-while-revalidate=3600"
	cacheList    = "public, max-age=60, stale-while-revalidate=600"
	cacheGone    = "public, max-age=3600"
)

// statusRecorder remembers the status of a response, for the metrics.
type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.code = code
	r.ResponseWriter.WriteHeader(code)
}

// kindOf names the kind of address for the metrics.
func kindOf(path string) string {
	switch {
	case strings.HasSuffix(path, ".xml") || path == "/robots.txt":
		return "feed"
	case strings.HasSuffix(path, "/"):
		return "listing"
	case strings.Count(path, "/") >= 2:
		return "article"
	}
	return "other"
}

// responseCounters caches the counter of each kind and status, so the read
// path neither formats nor hashes label values on every request.
var responseCounters = struct {
	sync.RWMutex
	m map[responseKey]prometheus.Counter
}{m: map[responseKey]prometheus.Counter{}}

type responseKey struct {
	kind string
	code int
}

func countResponse(kind string, code int) {
	k := responseKey{kind, code}
	responseCounters.RLock()
	c := responseCounters.m[k]
	responseCounters.RUnlock()
	if c == nil {
		c = metrics.Responses.WithLabelValues(kind, strconv.Itoa(code))
		responseCounters.Lock()
		responseCounters.m[k] = c
		responseCounters.Unlock()
	}
	c.Inc()
}

// ServeHTTP serves the public site.
func (s *Site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
	s.serve(rec, r)
	countResponse(kindOf(r.URL.Path), rec.code)
}

func (s *Site) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p := r.URL.Path
	switch p {
	case "/":
		http.Redirect(w, r, siteconfig.HomePath(siteconfig.Locales[0]), http.StatusFound)
		return
	case "/healthz":
		s.health(w)
		return
	case "/robots.txt":
		s.serveList(w, r, "robots", "text/plain; charset=utf-8", func() []byte { return s.renderRobots() })
		return
	case "/sitemap.xml":
		s.serveList(w, r, "sitemap", "application/xml; charset=utf-8", s.sitemap)
		return
	}
	segs := strings.Split(strings.Trim(p, "/"), "/")
	locale := siteconfig.LocaleOf(segs[0])
	if locale == "" {
		s.notFound(w, r, siteconfig.Locales[0])
		return
	}
	rest := segs[1:]
	if len(rest) > 0 && rest[0] == "" {
		rest = nil
	}
	last := ""
	if len(rest) > 0 {
		last = rest[len(rest)-1]
	}
	switch {
	case strings.HasSuffix(p, "/") && (len(rest) == 0 || s.o.Site.HasSection(rest)):
		s.listing(w, r, locale, rest)
	case (last == "feed.xml" || last == "atom.xml") && (len(rest) == 1 || s.o.Site.HasSection(rest[:len(rest)-1])):
		section := rest[:len(rest)-1]
		kind, ctype := "rss", "application/rss+xml; charset=utf-8"
		if last == "atom.xml" {
			kind, ctype = "atom", "application/atom+xml; charset=utf-8"
		}
		s.serveList(w, r, kind+":"+locale+":"+strings.Join(section, "/"), ctype, func() []byte {
			pages, _ := s.latest(locale, section, 0, FeedItems)
			if kind == "atom" {
				return s.renderAtom(locale, section, pages)
			}
			return s.renderRSS(locale, section, pages)
		})
	default:
		s.article(w, r, locale)
	}
}

// article serves an article page, or says where it went.
func (s *Site) article(w http.ResponseWriter, r *http.Request, locale string) {
	ctx := r.Context()
	path := r.URL.Path
	s.mu.RLock()
	pg := s.byPath[path]
	gone := s.gone[path]
	var movedTo string
	if id, ok := s.moved[path]; ok {
		if rec := s.byArt[id]; rec != nil {
			if cur := rec.pages[rec.moved[path]]; cur != nil {
				movedTo = cur.path
			}
		}
	}
	s.mu.RUnlock()
	switch {
	case pg == nil && movedTo != "":
		w.Header().Set("Cache-Control", cacheGone)
		http.Redirect(w, r, movedTo, http.StatusMovedPermanently)
		return
	case pg == nil && gone:
		s.goneAnswer(w, r, locale)
		return
	case pg == nil:
		pg = s.resolve(ctx, path)
	}
	if pg == nil {
		if fb := s.fallback(ctx, path, locale); fb != nil {
			s.servePage(w, r, fb, true)
			return
		}
		s.notFound(w, r, locale)
		return
	}
	s.servePage(w, r, pg, false)
}

// fallback finds the source-language page for an English path whose page
// does not exist, when the site is configured to show it.
func (s *Site) fallback(ctx context.Context, path, locale string) *page {
	if s.o.Fallback != FallbackSource || locale == siteconfig.Locales[0] {
		return nil
	}
	src := siteconfig.HomePath(siteconfig.Locales[0]) + strings.TrimPrefix(path, siteconfig.HomePath(locale))
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.byPath[src]
}

var fallbackNotice = []byte(`<main><p class="fallback-notice" lang="en" style="background:#eef4ff;border-left:4px solid #3b6fd8;padding:.5rem 1rem">This article is not yet available in English. Below is the Chinese original.</p>`)

// servePage writes a page with its validators, gzip-compressed when the
// client accepts it (compressed once, then kept beside the page).
func (s *Site) servePage(w http.ResponseWriter, r *http.Request, pg *page, fallback bool) {
	html, err := s.body(r.Context(), pg)
	if err != nil {
		s.log.Error("page unavailable", "article", pg.article, "locale", pg.locale, "err", err)
		http.Error(w, "this page is unavailable right now; try again shortly", http.StatusServiceUnavailable)
		return
	}
	key, etag := pg.key, short(pg.hash)
	if fallback {
		// The Chinese page with a notice: its own cache entry, never the
		// English one.
		key, etag = "fallback:"+pg.key, "fb-"+etag
		if b, ok := s.lru.Get(key); ok {
			html = b
		} else {
			html = bytes.Replace(html, []byte("<main>"), fallbackNotice, 1)
			s.lru.Add(key, html)
		}
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", pg.locale)
	h.Set("Cache-Control", cacheArticle)
	if etag == "" {
		etag = strconv.FormatInt(pg.published.UnixNano(), 36)
	}
	s.write(w, r, key, html, `"`+etag+`"`, pg.published)
}

// write sends body (or its gzip form, kept in the LRU under key) with an
// ETag and Last-Modified; http.ServeContent answers conditional requests
// with 304.
func (s *Site) write(w http.ResponseWriter, r *http.Request, key string, body []byte, etag string, modified time.Time) {
	h := w.Header()
	h.Add("Vary", "Accept-Encoding")
	if acceptsGzip(r) {
		gz, ok := s.lru.Get(key + gzSuffix)
		if !ok {
			gz = compress(body)
			s.lru.Add(key+gzSuffix, gz)
		}
		h.Set("Content-Encoding", "gzip")
		body = gz
		etag = strings.TrimSuffix(etag, `"`) + `-gz"`
	}
	serveBytes(w, r, body, etag, modified)
}

// serveBytes answers a GET or HEAD with body and its validators, or 304
// when the client's copy is current. It writes the cached bytes as they
// are: http.ServeContent would copy them through a 32 KiB buffer it
// allocates on every request, the largest cost of a cached page.
func serveBytes(w http.ResponseWriter, r *http.Request, body []byte, etag string, modified time.Time) {
	h := w.Header()
	h.Set("ETag", etag)
	if !modified.IsZero() {
		h.Set("Last-Modified", modified.UTC().Format(http.TimeFormat))
	}
	if notModified(r, etag, modified) {
		h.Del("Content-Type")
		h.Del("Content-Encoding")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// notModified applies RFC 9110's conditional GET: If-None-Match when
// present (weak comparison), otherwise If-Modified-Since.
func notModified(r *http.Request, etag string, modified time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, tag := range strings.Split(inm, ",") {
			tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
			if tag == "*" || tag == strings.TrimPrefix(etag, "W/") {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" && !modified.IsZero() {
		t, err := http.ParseTime(ims)
		return err == nil && !modified.Truncate(time.Second).After(t)
	}
	return false
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.TrimSpace(enc) == "gzip" && strings.TrimSpace(q) != "q=0" {
			return true
		}
	}
	return false
}

func compress(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Bytes()
}

// rendered is a cached listing, feed or sitemap.
type rendered struct {
	body     []byte
	gz       []byte
	modified time.Time
	etag     string
}

// serveList serves a listing, feed or sitemap from the cache, rendering it
// on the first request after a change.
func (s *Site) serveList(w http.ResponseWriter, r *http.Request, key, ctype string, render func() []byte) {
	s.mu.RLock()
	c, seq := s.lists[key], s.seq
	s.mu.RUnlock()
	if c == nil {
		body := s.sharedList(r.Context(), seq, key, render)
		c = &rendered{body: body, gz: compress(body), modified: s.lastChange(), etag: `"` + strconv.FormatUint(hash64(body), 36) + `"`}
		s.mu.Lock()
		if s.seq == seq { // not changed meanwhile
			s.lists[key] = c
		}
		s.mu.Unlock()
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Cache-Control", cacheList)
	h.Add("Vary", "Accept-Encoding")
	body, etag := c.body, c.etag
	if acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		body, etag = c.gz, strings.TrimSuffix(etag, `"`)+`-gz"`
	}
	serveBytes(w, r, body, etag, c.modified)
}

// sharedList returns a listing rendered at stream position seq: from Redis
// when a replica at the same position rendered it already, otherwise
// rendered here and stored for the others. Without Redis, or when it
// fails, it is rendered here.
func (s *Site) sharedList(ctx context.Context, seq uint64, key string, render func() []byte) []byte {
	if s.o.Pages == nil || seq == 0 {
		return render()
	}
	rkey := s.o.Pages.ListKey(seq, key)
	ctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	if b, err := s.o.Pages.Get(ctx, rkey); err == nil {
		return b
	}
	body := render()
	if err := s.o.Pages.PutList(ctx, rkey, body); err != nil {
		s.log.Debug("listing not shared through Redis", "key", key, "err", err)
	}
	return body
}

// hash64 is FNV-1a, for listing ETags.
func hash64(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

// lastChange is the newest publication time the site knows.
func (s *Site) lastChange() time.Time {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var t time.Time
	for _, rec := range s.byArt {
		for _, pg := range rec.pages {
			if pg.published.After(t) {
				t = pg.published
			}
		}
	}
	return t
}

// latest returns a page of the newest articles of a locale (in a section
// and its subsections when given), and how many there are in all.
func (s *Site) latest(locale string, section []string, offset, limit int) ([]*page, int) {
	s.mu.RLock()
	var pages []*page
	for _, rec := range s.byArt {
		if pg := rec.pages[locale]; pg != nil && hasPrefix(pg.section, section) {
			pages = append(pages, pg)
		}
	}
	s.mu.RUnlock()
	slices.SortFunc(pages, func(a, b *page) int {
		if c := strings.Compare(b.date, a.date); c != 0 {
			return c
		}
		if c := b.first.Compare(a.first); c != 0 {
			return c
		}
		return strings.Compare(a.article, b.article)
	})
	total := len(pages)
	if offset >= total {
		return nil, total
	}
	return pages[offset:min(total, offset+limit)], total
}

// count is how many articles a listing has, without sorting them.
func (s *Site) count(locale string, section []string) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := 0
	for _, rec := range s.byArt {
		if pg := rec.pages[locale]; pg != nil && hasPrefix(pg.section, section) {
			n++
		}
	}
	return n
}

func hasPrefix(section, prefix []string) bool {
	return len(section) >= len(prefix) && slices.Equal(section[:len(prefix)], prefix)
}

func (s *Site) sitemap() []byte {
	s.mu.RLock()
	ids := make([]string, 0, len(s.byArt))
	for id := range s.byArt {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	articles := make([]map[string]*page, 0, len(ids))
	for _, id := range ids {
		if rec := s.byArt[id]; len(rec.pages) > 0 {
			articles = append(articles, rec.pages)
		}
	}
	s.mu.RUnlock()
	return s.renderSitemap(articles)
}

type listed struct{ Path, Title, Date string }

type alt struct{ Hreflang, Href, Label string }

type listData struct {
	Lang, SiteName, Motto, Address, Heading, Empty string
	Home, Feed, Atom, Prev, Next, PageLabel        string
	Alternates                                     []alt
	Sections                                       []listed
	Articles                                       []listed
}

// listing serves the latest articles of a locale or of a section, 20 a
// page (?page=2 for the next).
func (s *Site) listing(w http.ResponseWriter, r *http.Request, locale string, section []string) {
	n := 1
	if q := r.URL.Query().Get("page"); q != "" {
		v, err := strconv.Atoi(q)
		if err != nil || v < 1 {
			s.notFound(w, r, locale)
			return
		}
		n = v
	}
	key := "list:" + locale + ":" + strings.Join(section, "/") + ":" + strconv.Itoa(n)
	s.mu.RLock()
	_, cached := s.lists[key]
	s.mu.RUnlock()
	// Only an uncached page asks whether it is past the last one, so a
	// listing read does not sort the index on every request.
	if !cached && n > 1 && (n-1)*PageSize >= s.count(locale, section) {
		s.notFound(w, r, locale)
		return
	}
	s.serveList(w, r, key, "text/html; charset=utf-8", func() []byte { return s.renderListing(locale, section, n) })
}

func (s *Site) renderListing(locale string, section []string, n int) []byte {
	pages, total := s.latest(locale, section, (n-1)*PageSize, PageSize)
	site := s.o.Site
	home := listPath(locale, section)
	d := listData{
		Lang: locale, SiteName: site.Name[locale], Motto: site.Motto[locale], Address: site.Address[locale],
		Home: siteconfig.HomePath(locale), Feed: home + "feed.xml", Atom: home + "atom.xml",
		Heading: map[string]string{"zh-CN": "最新消息", "en": "Latest news"}[locale],
		Empty:   map[string]string{"zh-CN": "暂无文章。", "en": "Nothing published yet."}[locale],
	}
	if len(section) > 0 {
		d.Heading = site.SectionLabel(section, locale)
	}
	if n > 1 {
		d.Prev = home + "?page=" + strconv.Itoa(n-1)
		if n == 2 {
			d.Prev = home
		}
	}
	if n*PageSize < total {
		d.Next = home + "?page=" + strconv.Itoa(n+1)
	}
	if total > PageSize {
		d.PageLabel = map[string]string{"zh-CN": "第 %d 页，共 %d 页", "en": "Page %d of %d"}[locale]
		d.PageLabel = fmt.Sprintf(d.PageLabel, n, (total+PageSize-1)/PageSize)
	}
	for _, l := range siteconfig.Locales {
		d.Alternates = append(d.Alternates, alt{l, site.URL(listPath(l, section)), map[string]string{"zh-CN": "中文", "en": "English"}[l]})
	}
	for _, p := range site.SectionPaths() {
		parts := strings.Split(p, "/")
		if len(parts) == len(section)+1 && hasPrefix(parts, section) {
			d.Sections = append(d.Sections, listed{Path: listPath(locale, parts), Title: site.SectionLabel(parts, locale)})
		}
	}
	for _, pg := range pages {
		d.Articles = append(d.Articles, listed{Path: pg.path, Title: pg.title, Date: pg.date})
	}
	var buf bytes.Buffer
	if err := homeTemplate.Execute(&buf, d); err != nil {
		s.log.Error("listing", "err", err)
	}
	return buf.Bytes()
}

var statusTemplate = template.Must(template.New("status").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{.Title}} - {{.Site}}</title></head>
<body><main style="max-width:40rem;margin:3rem auto;font-family:system-ui,sans-serif"><h1>{{.Title}}</h1><p>{{.Text}}</p><p><a href="{{.Home}}">{{.HomeLabel}}</a></p></main></body></html>
`))

func (s *Site) status(w http.ResponseWriter, locale string, code int, title, text map[string]string, cacheControl string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", cacheControl)
	w.WriteHeader(code)
	_ = statusTemplate.Execute(w, map[string]string{
		"Lang": locale, "Site": s.o.Site.Name[locale], "Title": title[locale], "Text": text[locale],
		"Home": siteconfig.HomePath(locale), "HomeLabel": map[string]string{"zh-CN": "返回首页", "en": "Back to the front page"}[locale],
	})
}

func (s *Site) notFound(w http.ResponseWriter, _ *http.Request, locale string) {
	s.status(w, locale, http.StatusNotFound,
		map[string]string{"zh-CN": "页面不存在", "en": "Page not found"},
		map[string]string{"zh-CN": "您访问的页面不存在。", "en": "There is no page at this address."}, "public, max-age=60")
}

func (s *Site) goneAnswer(w http.ResponseWriter, _ *http.Request, locale string) {
	s.status(w, locale, http.StatusGone,
		map[string]string{"zh-CN": "文章已撤下", "en": "Article removed"},
		map[string]string{"zh-CN": "这篇文章已被撤下。", "en": "This article has been removed."}, cacheGone)
}
