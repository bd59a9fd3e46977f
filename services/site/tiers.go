package site

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/tandemnews/tandem/pkg/cache"
	"github.com/tandemnews/tandem/pkg/metrics"
	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
	"github.com/tandemnews/tandem/services/site/index"
)

// lruReads is resolved once: it is counted on every cached read.
var lruReads = metrics.PageReads.WithLabelValues("lru")

// gzSuffix marks the gzip form of a cached body in the LRU.
const gzSuffix = "|gz"

// tiers finds the page versions the index names in the in-process LRU,
// then Redis (shared by every replica, checked against the version's
// content hash), then publishing, which renders them. It never decides
// which page an address serves: that is the index's alone.
type tiers struct {
	lru        *pageLRU
	group      singleflight.Group
	redis      *cache.Pages // nil without Redis
	publishing publishingv1.PublishingServiceClient
	log        *slog.Logger
	// redisDownUntil (Unix nanoseconds) is when Redis is tried again
	// after it failed: until then pages come from publishing at once.
	redisDownUntil atomic.Int64
}

// redisBudget bounds each read or write of a page in Redis, and
// redisRest is how long Redis is left alone after one failed: a reader
// waits for a hung Redis at most once every redisRest, and then for
// redisBudget, instead of on every request.
const (
	redisBudget = 100 * time.Millisecond
	redisRest   = 2 * time.Second
)

// redisUp reports whether Redis is worth asking.
func (t *tiers) redisUp() bool {
	return t.redis != nil && time.Now().UnixNano() >= t.redisDownUntil.Load()
}

// redisFailed leaves Redis alone for redisRest.
func (t *tiers) redisFailed(err error) {
	metrics.SiteRedisFailures.Inc()
	if t.redisDownUntil.Swap(time.Now().Add(redisRest).UnixNano()) < time.Now().UnixNano() {
		t.log.Warn("redis unavailable; pages come from publishing for a while", "retry_in", redisRest, "err", err)
	}
}

// drop forgets a page version and its gzip form.
func (t *tiers) drop(key string) {
	t.lru.Remove(key)
	t.lru.Remove(key + gzSuffix)
}

// body returns a page's HTML from the LRU, Redis or publishing, in that
// order; concurrent misses for one page make one fetch.
func (t *tiers) body(ctx context.Context, pg *index.Page) ([]byte, error) {
	if b, ok := t.lru.Get(pg.Key); ok {
		lruReads.Inc()
		return b, nil
	}
	v, err, _ := t.group.Do(pg.Key, func() (any, error) {
		// The fetch serves every reader waiting on this page, so it must
		// not end when the first of them hangs up.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if b, ok := t.lru.Get(pg.Key); ok {
			return b, nil
		}
		if b, ok := t.fromRedis(ctx, pg); ok {
			return b, nil
		}
		return t.fromPublishing(ctx, pg)
	})
	if err != nil {
		return nil, err
	}
	return v.([]byte), nil
}

// redisKey is the Redis key of a page version.
func (t *tiers) redisKey(pg *index.Page) string {
	return t.redis.PageKey(pg.Locale, pg.Article, pg.Version)
}

// fromRedis reads a page version from Redis into the LRU. What Redis
// holds is served only when its SHA-256 is the content hash the stream
// announced for the version: Redis is shared, and anyone who can write
// to it must not be able to put words on the site.
func (t *tiers) fromRedis(ctx context.Context, pg *index.Page) ([]byte, bool) {
	if !t.redisUp() || pg.Hash == "" {
		return nil, false
	}
	rctx, cancel := context.WithTimeout(ctx, redisBudget)
	defer cancel()
	b, err := t.redis.Get(rctx, t.redisKey(pg))
	if err == nil {
		if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != pg.Hash {
			metrics.SiteRedisMismatches.Inc()
			t.log.Warn("redis holds a page that is not the published version; asking publishing", "article", pg.Article, "locale", pg.Locale, "version", pg.Version)
			return nil, false
		}
		metrics.PageReads.WithLabelValues("redis").Inc()
		t.lru.Add(pg.Key, b)
		return b, true
	}
	if !errors.Is(err, cache.ErrMiss) {
		t.redisFailed(err)
	}
	return nil, false
}

// fromPublishing asks publishing for a page and, when it is the version
// the index expects, refills the LRU and Redis with it. Redis takes the
// refill only while the version is live (cache.Refill), so a refill
// racing a takedown cannot bring the page back.
func (t *tiers) fromPublishing(ctx context.Context, pg *index.Page) ([]byte, error) {
	res, err := t.publishing.GetRendered(ctx, &publishingv1.GetRenderedRequest{ArticleId: pg.Article, Locale: pg.Locale})
	if err != nil {
		return nil, err
	}
	metrics.PageReads.WithLabelValues("publishing").Inc()
	if res.ContentHash == pg.Hash {
		t.lru.Add(pg.Key, res.Html)
		if t.redisUp() {
			rctx, cancel := context.WithTimeout(ctx, redisBudget)
			err := t.redis.Refill(rctx, pg.Article, cache.Page{Key: t.redisKey(pg), HTML: res.Html})
			cancel()
			switch {
			case errors.Is(err, cache.ErrNotLive):
				t.log.Debug("redis refill not taken: the version is not live there", "article", pg.Article)
			case err != nil:
				t.redisFailed(err)
			}
		}
	}
	return res.Html, nil
}
