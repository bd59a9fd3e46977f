package site

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"

	"github.com/tandemnews/tandem/pkg/siteconfig"
	"github.com/tandemnews/tandem/services/site/index"
)

// article serves an article page, or says where it went. The index alone
// says what an address is: an address it does not know is not found,
// whatever a cache holds.
func (s *Site) article(w http.ResponseWriter, r *http.Request, locale string) {
	path := r.URL.Path
	found := s.index.Resolve(path)
	var pg *index.Page
	switch found.Status {
	case index.Live:
		pg = found.Page
	case index.Moved:
		redirect(w, r, found.To, http.StatusMovedPermanently, cacheGone)
		return
	case index.Gone:
		s.goneAnswer(w, locale)
		return
	}
	if pg == nil {
		if fb := s.fallback(path, locale); fb != nil {
			s.servePage(w, r, fb, true)
			return
		}
		s.notFound(w, locale)
		return
	}
	s.servePage(w, r, pg, false)
}

// fallback finds the source-language page for an English path whose page
// does not exist, when the site is configured to show it.
func (s *Site) fallback(path, locale string) *index.Page {
	if s.o.Fallback != FallbackSource || locale == siteconfig.Locales[0] {
		return nil
	}
	src := siteconfig.HomePath(siteconfig.Locales[0]) + strings.TrimPrefix(path, siteconfig.HomePath(locale))
	return s.index.Resolve(src).Page
}

var (
	fallbackNotice = []byte(`<main><p class="fallback-notice" lang="en">This article is not yet available in English. Below is the Chinese original.</p>`)
	// fallbackStyle styles the notice from the head, where the page's
	// Content-Security-Policy allows it by its hash.
	fallbackStyle = []byte("<style>.fallback-notice{background:#eef4ff;border-left:4px solid #3b6fd8;padding:.5rem 1rem}</style>\n</head>")
)

// servePage writes a page with its validators, gzip-compressed when the
// client accepts it (compressed once, then kept beside the page).
func (s *Site) servePage(w http.ResponseWriter, r *http.Request, pg *index.Page, fallback bool) {
	html, err := s.tiers.body(r.Context(), pg)
	if err != nil {
		s.log.Error("page unavailable", "article", pg.Article, "locale", pg.Locale, "err", err)
		w.Header().Set("Cache-Control", cacheNever)
		http.Error(w, "this page is unavailable right now; try again shortly", http.StatusServiceUnavailable)
		return
	}
	key, etag := pg.Key, index.ShortHash(pg.Hash)
	if fallback {
		// The Chinese page with a notice: its own cache entry, never the
		// English one.
		key, etag = "fallback:"+pg.Key, "fb-"+etag
		html = s.withNotice(key, html)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", pg.Locale)
	h.Set("Cache-Control", cacheArticle)
	pageCSP(h, html)
	if etag == "" {
		etag = strconv.FormatInt(pg.Published.UnixNano(), 36)
	}
	s.write(w, r, key, html, `"`+etag+`"`, pg.Published)
}

// withNotice is the source page with the fallback notice, kept in the
// LRU under key.
func (s *Site) withNotice(key string, html []byte) []byte {
	if b, ok := s.tiers.lru.Get(key); ok {
		return b
	}
	html = bytes.Replace(html, []byte("<main>"), fallbackNotice, 1)
	html = bytes.Replace(html, []byte("</head>"), fallbackStyle, 1)
	s.tiers.lru.Add(key, html)
	return html
}
