package site

import (
	"context"
	"errors"
	"log/slog"
	"strings"
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

// tiers finds pages in the in-process LRU, then Redis (shared by every
// replica), then publishing, which renders them.
type tiers struct {
	lru        *pageLRU
	group      singleflight.Group
	redis      *cache.Pages // nil without Redis
	publishing publishingv1.PublishingServiceClient
	log        *slog.Logger
}

// drop forgets a page version and its gzip form.
func (t *tiers) drop(key string) {
	t.lru.Remove(key)
	t.lru.Remove(key + gzSuffix)
}

// pointer asks Redis which page a path serves, for a replica that has not
// caught up with the stream yet.
func (t *tiers) pointer(ctx context.Context, path string) *index.Page {
	if t.redis == nil {
		return nil
	}
	key, err := t.redis.Resolve(ctx, path)
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
	return &index.Page{Locale: parts[0], Article: parts[1], Path: path, Version: parts[2], Key: index.Key(parts[0], parts[1], parts[2])}
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

// fromRedis reads a page version from Redis into the LRU.
func (t *tiers) fromRedis(ctx context.Context, pg *index.Page) ([]byte, bool) {
	if t.redis == nil {
		return nil, false
	}
	b, err := t.redis.Get(ctx, t.redisKey(pg))
	if err == nil {
		metrics.PageReads.WithLabelValues("redis").Inc()
		t.lru.Add(pg.Key, b)
		return b, true
	}
	if !errors.Is(err, cache.ErrMiss) {
		metrics.SiteRedisFailures.Inc()
		t.log.Warn("redis unavailable; asking publishing", "article", pg.Article, "err", err)
	}
	return nil, false
}

// fromPublishing asks publishing for a page and, when it is the version
// the index expects (or the index knows no hash), refills the LRU and
// Redis with it.
func (t *tiers) fromPublishing(ctx context.Context, pg *index.Page) ([]byte, error) {
	res, err := t.publishing.GetRendered(ctx, &publishingv1.GetRenderedRequest{ArticleId: pg.Article, Locale: pg.Locale})
	if err != nil {
		return nil, err
	}
	metrics.PageReads.WithLabelValues("publishing").Inc()
	if pg.Hash == "" || res.ContentHash == pg.Hash {
		t.lru.Add(pg.Key, res.Html)
		if t.redis != nil {
			if err := t.redis.PutPages(ctx, cache.Page{Key: t.redisKey(pg), HTML: res.Html}); err != nil {
				t.log.Debug("redis refill failed", "err", err)
			}
		}
	}
	return res.Html, nil
}

// list returns a listing rendered at stream position seq: from Redis when
// a replica at the same position rendered it already, otherwise rendered
// here and stored for the others. Without Redis, or when it fails, it is
// rendered here.
func (t *tiers) list(ctx context.Context, seq uint64, key string, render func() []byte) []byte {
	if t.redis == nil || seq == 0 {
		return render()
	}
	rkey := t.redis.ListKey(seq, key)
	ctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	if b, err := t.redis.Get(ctx, rkey); err == nil {
		return b
	}
	body := render()
	if err := t.redis.PutList(ctx, rkey, body); err != nil {
		t.log.Debug("listing not shared through Redis", "key", key, "err", err)
	}
	return body
}
