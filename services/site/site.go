// Package site is the public, read-only website. It follows the PUBLIC
// stream with an ordered consumer of its own (every replica rebuilds its
// index from the last event of each article), and serves article pages
// from an in-process LRU, then Redis, then publishing's GetRendered.
//
// The index (which address serves which page version) lives in index/;
// the cache tiers in cache.go and tiers.go; the handlers in http.go and
// the files beside it, one per kind of response.
package site

import (
	"cmp"
	"context"
	"log/slog"
	"net/url"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/tandemnews/tandem/pkg/cache"
	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/siteconfig"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
	"github.com/tandemnews/tandem/services/site/index"
	"github.com/tandemnews/tandem/services/site/search"
)

// DefaultLRUBytes bounds the in-process page cache: 64 MiB.
const DefaultLRUBytes = 64 << 20

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

// Site serves the public pages.
type Site struct {
	bus   *events.Bus
	pubs  *events.Aggregate[*eventsv1.Publication]
	o     Options
	log   *slog.Logger
	index *index.Index
	tiers *tiers
	// lists caches rendered listings, feeds and the sitemap at the
	// index's stream position; every applied event empties it.
	lists *listCache
	// finder is each locale's search index.
	finder map[string]*search.Index
	// snippetReads bounds the page reads that search snippets start
	// (snippetReaders at once), so a busy search page cannot keep the
	// replica's cores rendering pages for results already answered.
	snippetReads chan struct{}
	// sitemapURLs and sitemapBytes bound a part of the sitemap:
	// SitemapURLs and SitemapBytes.
	sitemapURLs, sitemapBytes int
	// partCount is how many parts the sitemap has at the index's
	// position (sitemap.go).
	partCount partCount
	// shown and imgs serve the images live pages show (media.go).
	shown *shown
	imgs  *imageStore
	// host names the site in feed entry ids; started is when this site
	// started, the updated time of feeds before anything is published.
	host    string
	started time.Time

	ready chan struct{}
}

// New returns the site on bus.
func New(bus *events.Bus, o Options) *Site {
	o.Logger = cmp.Or(o.Logger, slog.Default())
	o.Site = cmp.Or(o.Site, siteconfig.Default())
	if o.LRUBytes == 0 {
		o.LRUBytes = DefaultLRUBytes
	}
	log := o.Logger.With("service", "site")
	finder := map[string]*search.Index{}
	for _, l := range siteconfig.Locales {
		finder[l] = search.New()
	}
	t := &tiers{lru: newPageLRU(o.LRUBytes), redis: o.Pages, publishing: o.Publishing, log: log}
	return &Site{
		finder:       finder,
		snippetReads: make(chan struct{}, snippetReaders),
		sitemapURLs:  SitemapURLs,
		sitemapBytes: SitemapBytes,
		bus:          bus,
		pubs:         publications(bus.Public),
		o:            o,
		log:          log,
		index:        index.New(),
		tiers:        t,
		lists:        newListCache(),
		shown:        newShown(),
		imgs:         newImageStore(bus, t),
		host:         siteHost(o.Site.BaseURL),
		// Whole seconds: feeds and Last-Modified carry no less.
		started: time.Now().UTC().Truncate(time.Second),
		ready:   make(chan struct{}),
	}
}

// siteHost is the host name of the site's base URL, or "localhost".
func siteHost(base string) string {
	if u, err := url.Parse(base); err == nil && u.Hostname() != "" {
		return strings.ToLower(u.Hostname())
	}
	return "localhost"
}

// catchUpGCPercent is the collector's target while a replica catches up
// at start, unless GOGC says otherwise. Catching up decodes every
// article's last event, page included, and keeps a few small fields of
// each: nearly everything it allocates is garbage at once, so a heap
// twice the size of what it keeps (the default of 100) would only set
// the replica's peak memory. At 50 the collector runs more often for a
// few seconds, and the peak falls by about a quarter of the live heap.
const catchUpGCPercent = 50

// Run follows the PUBLIC stream until ctx is done.
func (s *Site) Run(ctx context.Context) error {
	if os.Getenv("GOGC") == "" {
		s.lowerGCUntilReady(ctx)
	}
	return s.bus.Public.Follow(ctx, s.bus.Public.Wildcard(eventsv1.KindArticles), s.apply, s.ready)
}

// lowerGCUntilReady sets the collector's target to catchUpGCPercent
// and gives the process its own setting back once the site is ready (or
// ctx is done).
func (s *Site) lowerGCUntilReady(ctx context.Context) {
	prev := debug.SetGCPercent(catchUpGCPercent)
	go func() {
		select {
		case <-s.ready:
		case <-ctx.Done():
		}
		debug.SetGCPercent(prev)
	}()
}

// Ready is closed once the site has read every article published before
// it started.
func (s *Site) Ready() <-chan struct{} { return s.ready }
