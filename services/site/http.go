package site

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tandemnews/tandem/pkg/metrics"
	"github.com/tandemnews/tandem/pkg/siteconfig"
)

// Cache-Control of each kind of response: articles change rarely and are
// validated with their ETag; listings and feeds change on every publish.
const (
	cacheArticle  = "public, max-age=300, stale-while-revalidate=3600"
	cacheList     = "public, max-age=60, stale-while-revalidate=600"
	cacheGone     = "public, max-age=3600"
	cacheNotFound = "public, max-age=60"
	// cacheRedirect is for the addresses that only lead elsewhere: the
	// root to the first locale, a locale without its slash to its home.
	cacheRedirect = "public, max-age=3600"
	// cacheNever is for answers about this replica alone (health, a page
	// it cannot produce right now), which no cache may keep.
	cacheNever = "no-store"
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
	case strings.HasPrefix(path, "/media/"):
		return "media"
	case strings.HasSuffix(path, ".xml") || path == "/robots.txt":
		return "feed"
	case strings.HasSuffix(path, "/"):
		return "listing"
	case strings.HasSuffix(path, "/search") && strings.Count(path, "/") == 2:
		return "search"
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
	secure(w.Header())
	rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
	start := time.Now()
	s.serve(rec, r)
	kind := kindOf(r.URL.Path)
	countResponse(kind, rec.code)
	observeDuration(kind, time.Since(start))
}

// durations caches the histogram of each kind of answer.
var durations sync.Map // kind → prometheus.Observer

func observeDuration(kind string, d time.Duration) {
	o, ok := durations.Load(kind)
	if !ok {
		o, _ = durations.LoadOrStore(kind, metrics.ResponseSeconds.WithLabelValues(kind))
	}
	o.(prometheus.Observer).Observe(d.Seconds())
}

// serve routes a request: the fixed addresses first, then, under a
// locale, listings, feeds and article pages.
func (s *Site) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		w.Header().Set("Cache-Control", cacheNever)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p := r.URL.Path
	switch p {
	case "/":
		redirect(w, r, siteconfig.HomePath(siteconfig.Locales[0]), http.StatusFound, cacheRedirect)
		return
	case "/healthz", "/readyz":
		s.health(w)
		return
	case "/livez":
		w.Header().Set("Cache-Control", cacheNever)
		fmt.Fprintln(w, "ok")
		return
	case "/robots.txt":
		s.serveList(w, r, "robots", "text/plain; charset=utf-8", s.renderRobots)
		return
	case "/sitemap.xml":
		s.sitemap(w, r, 0)
		return
	}
	if n := sitemapPartOf(p); n > 0 {
		s.sitemap(w, r, n)
		return
	}
	if name, ok := strings.CutPrefix(p, "/media/"); ok {
		s.image(w, r, name)
		return
	}
	if a, ok := siteconfig.Assets[p]; ok {
		a.ServeHTTP(w, r)
		return
	}
	segs := strings.Split(strings.Trim(p, "/"), "/")
	locale := siteconfig.LocaleOf(segs[0])
	if locale == "" {
		s.notFound(w, siteconfig.Locales[0])
		return
	}
	if len(segs) == 1 && !strings.HasSuffix(p, "/") {
		// "/en" is the English home, written without its slash.
		redirect(w, r, siteconfig.HomePath(locale), http.StatusMovedPermanently, cacheRedirect)
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
	case len(rest) == 1 && rest[0] == "search" && !strings.HasSuffix(p, "/"):
		s.searchPage(w, r, locale)
	case strings.HasSuffix(p, "/") && (len(rest) == 0 || s.o.Site.HasSection(rest)):
		s.listing(w, r, locale, rest)
	case (last == "feed.xml" || last == "atom.xml") && (len(rest) == 1 || s.o.Site.HasSection(rest[:len(rest)-1])):
		s.feed(w, r, locale, rest[:len(rest)-1], last)
	default:
		s.article(w, r, locale)
	}
}

// redirect sends the reader to path (keeping the query) with the headers
// of every cacheable answer.
func redirect(w http.ResponseWriter, r *http.Request, path string, code int, cacheControl string) {
	h := w.Header()
	h.Set("Cache-Control", cacheControl)
	h["Vary"] = varyGzip
	if r.URL.RawQuery != "" {
		path += "?" + r.URL.RawQuery
	}
	http.Redirect(w, r, path, code)
}
