package publishing

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/tandemnews/tandem/pkg/cache"
	"github.com/tandemnews/tandem/pkg/metrics"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
)

// pages writes rendered pages to Redis. Redis is a cache: a failure is
// logged and counted, never returned, because the events carry the pages
// and the site fetches what Redis lacks from publishing. Every method does
// nothing without Redis (cache nil).
type pages struct {
	cache *cache.Pages
	log   *slog.Logger
}

// redisWriteTimeout bounds each write of a publish, correction or
// takedown to Redis, so a stalled Redis delays it by at most this much
// per step instead of holding the editor's request.
const redisWriteTimeout = 500 * time.Millisecond

// bounded is ctx limited to redisWriteTimeout.
func bounded(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, redisWriteTimeout)
}

// key is the Redis key of a published locale's rendered version:
// {source revision}-{first 12 hex digits of the content hash}.
func (c pages) key(article string, pl *eventsv1.PublishedLocale) string {
	return c.cache.PageKey(pl.Locale, article, fmt.Sprintf("%d-%s", pl.SourceRevision, pl.ContentHash[:12]))
}

// store writes the rendered version of every locale of p, before the
// event announces them.
func (c pages) store(ctx context.Context, p *eventsv1.Publication) {
	if c.cache == nil || len(p.Locales) == 0 {
		return
	}
	var list []cache.Page
	for _, pl := range p.Locales {
		list = append(list, cache.Page{Key: c.key(p.ArticleId, pl), HTML: pl.Html})
	}
	ctx, cancel := bounded(ctx)
	defer cancel()
	if err := c.cache.PutPages(ctx, list...); err != nil {
		metrics.RedisFailures.WithLabelValues("pages").Inc()
		c.log.Warn("redis unavailable; publishing without caching the pages", "article", p.ArticleId, "err", err)
	}
}

// point switches the public URLs to the new versions, after the event.
func (c pages) point(ctx context.Context, p *eventsv1.Publication) {
	if c.cache == nil {
		return
	}
	var ptrs []cache.Pointer
	for _, pl := range p.Locales {
		ptrs = append(ptrs, cache.Pointer{Path: pl.Path, Key: c.key(p.ArticleId, pl)})
	}
	ctx, cancel := bounded(ctx)
	defer cancel()
	if err := c.cache.Point(ctx, ptrs...); err != nil {
		metrics.RedisFailures.WithLabelValues("pointers").Inc()
		c.log.Warn("redis unavailable; URL pointers not switched", "article", p.ArticleId, "err", err)
	}
}

// forget deletes the URL pointers and page versions of locales that left
// the site; failing, it logs warning.
func (c pages) forget(ctx context.Context, article string, gone []*eventsv1.PublishedLocale, warning string) {
	if c.cache == nil || len(gone) == 0 {
		return
	}
	var paths, keys []string
	for _, pl := range gone {
		paths = append(paths, pl.Path)
		keys = append(keys, c.key(article, pl))
	}
	ctx, cancel := bounded(ctx)
	defer cancel()
	if err := c.cache.Forget(ctx, paths, keys); err != nil {
		metrics.RedisFailures.WithLabelValues("forget").Inc()
		c.log.Warn(warning, "article", article, "err", err)
	}
}
