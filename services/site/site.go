// Package site is the public, read-only website. It follows the PUBLIC
// stream with an ordered consumer of its own (every replica rebuilds its
// index from the last event of each article), and serves article pages
// from an in-process LRU, then Redis, then publishing's GetRendered.
package site

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/tandemnews/tandem/pkg/cache"
	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/metrics"
	"github.com/tandemnews/tandem/pkg/siteconfig"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
)

// lruReads is resolved once: it is counted on every cached read.
var lruReads = metrics.PageReads.WithLabelValues("lru")

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
	// Fallback is what an English URL shows when only the Chinese page
	// exists. Default FallbackNotFound.
	Fallback Fallback
	// Logger; default slog.Default().
	Logger *slog.Logger
}

// page is one public article page the site knows of.
type page struct {
	article, locale, path string
	title, date           string
	section               []string
	description           string
	key                   string // LRU key: {locale}:{article}:{version}
	redisKey              string // "" without Redis
	hash                  string
	published             time.Time // this version
	first                 time.Time // first publication of the locale
}

// modified is when the page last changed for readers.
func (p *page) modified() time.Time { return p.published }

// record is what the site knows of one article: its live pages, the
// paths taken down (410) and the former paths (301).
type record struct {
	pages map[string]*page  // locale → page
	gone  map[string]string // path → locale
	moved map[string]string // former path → locale
}

// Site serves the public pages.
type Site struct {
	bus   *events.Bus
	pubs  *events.Aggregate[*eventsv1.Publication]
	o     Options
	log   *slog.Logger
	lru   *pageLRU
	group singleflight.Group

	mu     sync.RWMutex
	byPath map[string]*page
	byArt  map[string]*record
	gone   map[string]bool   // path → taken down
	moved  map[string]string // former path → article
	// lists caches rendered listings, feeds and the sitemap; every
	// applied event empties it.
	lists map[string]*rendered
	// seq is the PUBLIC sequence of the last event applied: the version of
	// the listings, shared through Redis with replicas at the same point.
	seq uint64

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
		pubs:   publications(bus.Public),
		o:      o,
		log:    o.Logger.With("service", "site"),
		lru:    newPageLRU(o.LRUBytes),
		byPath: map[string]*page{},
		byArt:  map[string]*record{},
		gone:   map[string]bool{},
		moved:  map[string]string{},
		lists:  map[string]*rendered{},
		ready:  make(chan struct{}),
	}
}

// Run follows the PUBLIC stream until ctx is done.
func (s *Site) Run(ctx context.Context) error {
	return s.bus.Public.Follow(ctx, s.bus.Public.Wildcard(eventsv1.KindArticles), s.apply, s.ready)
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
	next := &record{pages: map[string]*page{}, gone: map[string]string{}, moved: map[string]string{}}
	for l, pl := range p.Locales {
		version := fmt.Sprintf("%d-%s", pl.SourceRevision, short(pl.ContentHash))
		pg := &page{
			article: p.ArticleId, locale: l, path: pl.Path,
			title: pl.Title, date: pl.Date, hash: pl.ContentHash, section: pl.Section,
			description: pl.Description,
			key:         l + ":" + p.ArticleId + ":" + version,
			published:   pl.GetPublished().GetTime().AsTime(),
			first:       pl.GetFirstPublished().GetTime().AsTime(),
		}
		if pl.GetFirstPublished() == nil {
			pg.first = pg.published
		}
		if s.o.Pages != nil {
			pg.redisKey = s.o.Pages.PageKey(l, p.ArticleId, version)
		}
		if len(pl.Html) > 0 {
			s.lru.Add(pg.key, pl.Html)
		}
		next.pages[l] = pg
	}
	for l, td := range p.TakenDown {
		next.gone[td.Path] = l
	}
	for path, l := range p.Moved {
		next.moved[path] = l
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old := s.byArt[p.ArticleId]; old != nil {
		for l, pg := range old.pages {
			if s.byPath[pg.path] == pg {
				delete(s.byPath, pg.path)
			}
			if n := next.pages[l]; n == nil || n.key != pg.key {
				s.lru.Remove(pg.key) // an old version, or a page taken down
				s.lru.Remove(pg.key + gzSuffix)
			}
		}
		for path := range old.gone {
			delete(s.gone, path)
		}
		for path := range old.moved {
			delete(s.moved, path)
		}
	}
	for _, pg := range next.pages {
		s.byPath[pg.path] = pg
	}
	for path := range next.gone {
		if s.byPath[path] == nil {
			s.gone[path] = true
		}
	}
	for path := range next.moved {
		if s.byPath[path] == nil {
			s.moved[path] = p.ArticleId
		}
	}
	if len(next.pages)+len(next.gone)+len(next.moved) == 0 {
		delete(s.byArt, p.ArticleId) // purged: nothing remains
	} else {
		s.byArt[p.ArticleId] = next
	}
	clear(s.lists)
	if ev.Sequence > s.seq {
		s.seq = ev.Sequence
	}
	s.log.Debug("public event applied", "article", p.ArticleId, "revision", ev.Sequence, "event_id", ev.ID)
}

func short(hash string) string {
	if len(hash) > 12 {
		return hash[:12]
	}
	return hash
}

func (s *Site) health(w http.ResponseWriter) {
	select {
	case <-s.ready:
		fmt.Fprintln(w, "ok")
	default:
		http.Error(w, "catching up with the PUBLIC stream", http.StatusServiceUnavailable)
	}
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
		lruReads.Inc()
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
				metrics.PageReads.WithLabelValues("redis").Inc()
				s.lru.Add(pg.key, b)
				return b, nil
			}
			if !errors.Is(err, cache.ErrMiss) {
				metrics.SiteRedisFailures.Inc()
				s.log.Warn("redis unavailable; asking publishing", "article", pg.article, "err", err)
			}
		}
		res, err := s.o.Publishing.GetRendered(ctx, &publishingv1.GetRenderedRequest{ArticleId: pg.article, Locale: pg.locale})
		if err != nil {
			return nil, err
		}
		metrics.PageReads.WithLabelValues("publishing").Inc()
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
