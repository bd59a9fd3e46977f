package publishing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/tandemnews/tandem/pkg/cache"
	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/metrics"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
)

// pages writes rendered pages to Redis and clears them out. Redis is a
// cache: a failed write is logged and counted, never returned, because
// the site checks what it reads there against the stream and fetches
// what Redis lacks from publishing. Clearing out is not optional: it is
// retried until Redis agrees (see consumePages). Every method does
// nothing without Redis (cache nil).
type pages struct {
	cache *cache.Pages
	log   *slog.Logger
}

// redisWriteTimeout bounds the write of a release's pages to Redis, so a
// stalled Redis delays a publish, correction or takedown by at most this
// much instead of holding the editor's request.
const redisWriteTimeout = 500 * time.Millisecond

// key is the Redis key of a published locale's rendered version:
// {source revision}-{first 12 hex digits of the content hash}.
func (c pages) key(article string, pl *eventsv1.PublishedLocale) string {
	return c.cache.PageKey(pl.Locale, article, fmt.Sprintf("%d-%s", pl.SourceRevision, pl.ContentHash[:min(12, len(pl.ContentHash))]))
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
	ctx, cancel := context.WithTimeout(ctx, redisWriteTimeout)
	defer cancel()
	if err := c.cache.Store(ctx, p.ArticleId, list...); err != nil {
		metrics.RedisFailures.WithLabelValues("pages").Inc()
		c.log.Warn("redis unavailable; publishing without caching the pages", "article", p.ArticleId, "err", err)
	}
}

// settle makes Redis hold only the page versions p serves: every other
// version of the article is deleted, the pages of locales taken down or
// purged among them.
func (c pages) settle(ctx context.Context, p *eventsv1.Publication) (int, error) {
	if c.cache == nil {
		return 0, nil
	}
	var live []string
	for _, pl := range p.GetLocales() {
		live = append(live, c.key(p.GetArticleId(), pl))
	}
	return c.cache.Settle(ctx, p.GetArticleId(), live...)
}

// pagesBackoff is how soon Redis is asked again to clear pages out: the
// work is small, and a page left behind is text that should be gone.
var pagesBackoff = []time.Duration{time.Second, 2 * time.Second, 5 * time.Second}

// consumePages follows PUBLIC with the durable consumer
// "publishing-pages", shared by every replica: after each change of an
// article's public record, Redis is made to hold only the page versions
// the article serves now. An event is acknowledged only once Redis has
// done it, and retried without end until then, so a takedown or a purge
// during a Redis outage is cleared out when Redis comes back.
func (s *Service) consumePages(ctx context.Context) error {
	if s.pages.cache == nil {
		return nil
	}
	return s.bus.Public.Consume(ctx, events.ConsumerConfig{
		Durable:       "publishing-pages",
		FilterSubject: s.bus.Public.Wildcard(eventsv1.KindArticles),
		MaxDeliver:    events.Unlimited,
		Backoff:       pagesBackoff,
		Logger:        s.log,
	}, s.HandlePublicEvent)
}

// HandlePublicEvent clears out of Redis the page versions an article no
// longer serves. It reads the article's record as it is now, not as the
// event says, so events handled late or twice never delete a live page
// nor keep a dead one.
func (s *Service) HandlePublicEvent(ctx context.Context, ev *events.Event) error {
	id := ev.Subject
	p, err := s.pubs.Get(ctx, id)
	if errors.Is(err, events.ErrNotFound) {
		p, err = &eventsv1.Publication{ArticleId: id}, nil // nothing of it is public
	}
	if err != nil {
		return err // read again on the next try
	}
	n, err := s.pages.settle(ctx, p)
	if err != nil {
		metrics.RedisFailures.WithLabelValues("settle").Inc()
		return fmt.Errorf("clear out pages of %s from redis: %w", id, err)
	}
	if n > 0 {
		s.log.Info("cached pages cleared out", "article", id, "deleted", n, "event_id", ev.ID)
	}
	return nil
}
