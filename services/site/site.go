// Package site is the public, read-only website. It follows the PUBLIC
// stream with an ordered consumer of its own (every replica rebuilds its
// index from the last event of each article), and serves article pages
// from an in-process LRU, then Redis, then publishing's GetRendered.
package site

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/tandemnews/tandem/pkg/cache"
	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/siteconfig"
	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
)

// DefaultLRUBytes bounds the in-process page cache: 64 MiB.
const DefaultLRUBytes = 64 << 20

//go:embed home.html
var homeHTML string

var homeTemplate = template.Must(template.New("home").Parse(homeHTML))

// Options configures the site.
type Options struct {
	// Pages is the Redis page cache; nil runs on the LRU alone.
	Pages *cache.Pages
	// Publishing answers cache misses. Required.
	Publishing publishingv1.PublishingServiceClient
	// Site is the site configuration.
	Site *siteconfig.Config
	// LRUBytes bounds the in-process cache. Default DefaultLRUBytes.
	LRUBytes int64
	// Logger; default slog.Default().
	Logger *slog.Logger
}

// page is one public article page the site knows of.
type page struct {
	article, locale, path string
	title, date           string
	key                   string // LRU key: {locale}:{article}:{version}
	redisKey              string // "" without Redis
	hash                  string
	published             time.Time
}

// Site serves the public pages.
type Site struct {
	bus   *events.Bus
	pubs  *events.Aggregate[*publishingv1.Publication]
	o     Options
	log   *slog.Logger
	lru   *pageLRU
	group singleflight.Group

	mu     sync.RWMutex
	byPath map[string]*page
	byArt  map[string]map[string]*page // article → locale → page

	ready chan struct{}
}

// New returns the site on bus.
func New(bus *events.Bus, o Options) *Site {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Site == nil {
		o.Site = siteconfig.Default()
	}
	if o.LRUBytes == 0 {
		o.LRUBytes = DefaultLRUBytes
	}
	return &Site{
		bus:    bus,
		pubs:   events.Publications(bus.Public),
		o:      o,
		log:    o.Logger.With("service", "site"),
		lru:    newPageLRU(o.LRUBytes),
		byPath: map[string]*page{},
		byArt:  map[string]map[string]*page{},
		ready:  make(chan struct{}),
	}
}

// Run follows the PUBLIC stream until ctx is done.
func (s *Site) Run(ctx context.Context) error {
	return s.bus.Public.Follow(ctx, s.bus.Public.Wildcard(events.KindArticles), s.apply, s.ready)
}

// Ready is closed once the site has read every article published before
// it started.
func (s *Site) Ready() <-chan struct{} { return s.ready }

// apply takes in one article event. It is idempotent: the event carries
// the article's whole public state, so applying it twice changes nothing.
func (s *Site) apply(ev *events.Event) {
	p, err := s.pubs.State(ev)
	if err != nil {
		s.log.Error("unreadable public event skipped", "event_id", ev.ID, "err", err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.byArt[p.ArticleId]
	next := map[string]*page{}
	for l, pl := range p.Locales {
		version := fmt.Sprintf("%d-%s", pl.SourceRevision, short(pl.ContentHash))
		pg := &page{
			article: p.ArticleId, locale: l, path: pl.Path,
			title: pl.Title, date: pl.Date, hash: pl.ContentHash,
			key:       l + ":" + p.ArticleId + ":" + version,
			published: pl.GetPublished().GetTime().AsTime(),
		}
		if s.o.Pages != nil {
			pg.redisKey = s.o.Pages.PageKey(l, p.ArticleId, version)
		}
		if len(pl.Html) > 0 {
			s.lru.Add(pg.key, pl.Html)
		}
		next[l] = pg
	}
	for l, pg := range old {
		if s.byPath[pg.path] == pg {
			delete(s.byPath, pg.path)
		}
		if n := next[l]; n == nil || n.key != pg.key {
			s.lru.Remove(pg.key) // an old version, or a page taken down
		}
	}
	for _, pg := range next {
		s.byPath[pg.path] = pg
	}
	s.byArt[p.ArticleId] = next
	s.log.Debug("public event applied", "article", p.ArticleId, "revision", ev.Sequence, "event_id", ev.ID)
}

func short(hash string) string {
	if len(hash) > 12 {
		return hash[:12]
	}
	return hash
}

// ServeHTTP serves the public site.
func (s *Site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	switch p := r.URL.Path; {
	case p == "/":
		http.Redirect(w, r, siteconfig.HomePath(siteconfig.Locales[0]), http.StatusFound)
	case p == "/healthz":
		s.health(w)
	case siteconfig.LocaleOf(strings.Trim(p, "/")) != "" && strings.HasSuffix(p, "/"):
		s.home(w, r, siteconfig.LocaleOf(strings.Trim(p, "/")))
	default:
		s.article(w, r)
	}
}

func (s *Site) health(w http.ResponseWriter) {
	select {
	case <-s.ready:
		fmt.Fprintln(w, "ok")
	default:
		http.Error(w, "catching up with the PUBLIC stream", http.StatusServiceUnavailable)
	}
}

func (s *Site) article(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	s.mu.RLock()
	pg := s.byPath[r.URL.Path]
	s.mu.RUnlock()
	if pg == nil {
		pg = s.resolve(ctx, r.URL.Path)
	}
	if pg == nil {
		http.NotFound(w, r)
		return
	}
	html, err := s.body(ctx, pg)
	if err != nil {
		s.log.Error("page unavailable", "article", pg.article, "locale", pg.locale, "err", err)
		http.Error(w, "this page is unavailable right now; try again shortly", http.StatusServiceUnavailable)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", pg.locale)
	h.Set("Cache-Control", "public, max-age=60")
	if pg.hash != "" {
		h.Set("ETag", `"`+short(pg.hash)+`"`) // ServeContent answers If-None-Match with 304
	}
	http.ServeContent(w, r, "", pg.published, bytes.NewReader(html))
}

// resolve asks Redis which page a path serves, for a replica that has not
// caught up with the stream yet.
func (s *Site) resolve(ctx context.Context, path string) *page {
	if s.o.Pages == nil {
		return nil
	}
	key, err := s.o.Pages.Resolve(ctx, path)
	if err != nil {
		return nil
	}
	// key: {prefix}page:{locale}:{article}:{version}
	i := strings.LastIndex(key, "page:")
	if i < 0 {
		return nil
	}
	parts := strings.Split(key[i+len("page:"):], ":")
	if len(parts) != 3 {
		return nil
	}
	return &page{locale: parts[0], article: parts[1], path: path, key: strings.Join(parts, ":"), redisKey: key}
}

// body returns a page's HTML from the LRU, Redis or publishing, in that
// order; concurrent misses for one page make one fetch.
func (s *Site) body(ctx context.Context, pg *page) ([]byte, error) {
	if b, ok := s.lru.Get(pg.key); ok {
		return b, nil
	}
	v, err, _ := s.group.Do(pg.key, func() (any, error) {
		// The fetch serves every reader waiting on this page, so it must
		// not end when the first of them hangs up.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if b, ok := s.lru.Get(pg.key); ok {
			return b, nil
		}
		if s.o.Pages != nil && pg.redisKey != "" {
			b, err := s.o.Pages.Get(ctx, pg.redisKey)
			if err == nil {
				s.lru.Add(pg.key, b)
				return b, nil
			}
			if !errors.Is(err, cache.ErrMiss) {
				s.log.Warn("redis unavailable; asking publishing", "article", pg.article, "err", err)
			}
		}
		res, err := s.o.Publishing.GetRendered(ctx, &publishingv1.GetRenderedRequest{ArticleId: pg.article, Locale: pg.locale})
		if err != nil {
			return nil, err
		}
		if pg.hash == "" || res.ContentHash == pg.hash {
			s.lru.Add(pg.key, res.Html)
			if s.o.Pages != nil && pg.redisKey != "" {
				if err := s.o.Pages.PutPages(ctx, cache.Page{Key: pg.redisKey, HTML: res.Html}); err != nil {
					s.log.Debug("redis refill failed", "err", err)
				}
			}
		}
		return res.Html, nil
	})
	if err != nil {
		return nil, err
	}
	return v.([]byte), nil
}

type listed struct{ Path, Title, Date string }

// home lists the latest articles of a locale.
func (s *Site) home(w http.ResponseWriter, r *http.Request, locale string) {
	s.mu.RLock()
	var pages []*page
	for _, byLocale := range s.byArt {
		if pg := byLocale[locale]; pg != nil {
			pages = append(pages, pg)
		}
	}
	s.mu.RUnlock()
	slices.SortFunc(pages, func(a, b *page) int {
		if c := strings.Compare(b.date, a.date); c != 0 {
			return c
		}
		return b.published.Compare(a.published)
	})
	if len(pages) > 50 {
		pages = pages[:50]
	}
	site := s.o.Site
	type alt struct{ Hreflang, Href, Label string }
	data := struct {
		Lang, SiteName, Motto, Address, Heading, Empty string
		Alternates                                     []alt
		Articles                                       []listed
	}{
		Lang: locale, SiteName: site.Name[locale], Motto: site.Motto[locale], Address: site.Address[locale],
		Heading: map[string]string{"zh-CN": "最新消息", "en": "Latest news"}[locale],
		Empty:   map[string]string{"zh-CN": "暂无文章。", "en": "Nothing published yet."}[locale],
	}
	for _, l := range siteconfig.Locales {
		data.Alternates = append(data.Alternates, alt{l, site.URL(siteconfig.HomePath(l)), map[string]string{"zh-CN": "中文", "en": "English"}[l]})
	}
	for _, pg := range pages {
		data.Articles = append(data.Articles, listed{Path: pg.path, Title: pg.title, Date: pg.date})
	}
	var buf bytes.Buffer
	if err := homeTemplate.Execute(&buf, data); err != nil {
		s.log.Error("home page", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=30")
	_, _ = w.Write(buf.Bytes())
}
