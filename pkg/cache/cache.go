// Package cache keeps rendered pages in Redis. Redis is a cache, never the
// record: everything here can be rebuilt from the PUBLIC stream.
//
// Layout (with the default prefix "tandem:"):
//
//	tandem:page:{locale}:{article}:{version}  the HTML of one rendered version; immutable
//	tandem:url:{path}                          the page key a public URL serves now
//
// A version is "{source revision}-{first 12 hex digits of the HTML's
// SHA-256}", so a key never changes meaning: a publish writes new page keys
// and then switches the URL pointers, and no reader can see a half-made
// page. Both kinds of key expire after TTL (30 days by default); a page
// read after that is fetched from publishing and written back.
package cache

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultTTL is how long page versions and pointers live in Redis.
const DefaultTTL = 30 * 24 * time.Hour

// ErrMiss means Redis does not hold the key.
var ErrMiss = errors.New("cache: miss")

// Pages is the page cache in Redis.
type Pages struct {
	rdb    redis.UniversalClient
	prefix string
	ttl    time.Duration
}

// New returns the page cache on rdb with keys under prefix ("tandem:" in
// production; tests use a prefix of their own).
func New(rdb redis.UniversalClient, prefix string) *Pages {
	return &Pages{rdb: rdb, prefix: prefix, ttl: DefaultTTL}
}

// PageKey is the key of one rendered version.
func (p *Pages) PageKey(locale, article, version string) string {
	return p.prefix + "page:" + locale + ":" + article + ":" + version
}

// URLKey is the pointer key of a public path.
func (p *Pages) URLKey(path string) string { return p.prefix + "url:" + path }

// Page is one rendered version to store.
type Page struct {
	Key  string
	HTML []byte
}

// PutPages stores rendered versions, all or none (one MULTI/EXEC).
func (p *Pages) PutPages(ctx context.Context, pages ...Page) error {
	_, err := p.rdb.TxPipelined(ctx, func(tx redis.Pipeliner) error {
		for _, pg := range pages {
			tx.Set(ctx, pg.Key, pg.HTML, p.ttl)
		}
		return nil
	})
	return err
}

// Pointer is a public path and the page key it serves.
type Pointer struct {
	Path string
	Key  string
}

// Point switches public paths to page keys, all at once.
func (p *Pages) Point(ctx context.Context, ptrs ...Pointer) error {
	_, err := p.rdb.TxPipelined(ctx, func(tx redis.Pipeliner) error {
		for _, ptr := range ptrs {
			tx.Set(ctx, p.URLKey(ptr.Path), ptr.Key, p.ttl)
		}
		return nil
	})
	return err
}

// Forget deletes public paths' pointers and page versions, all at once.
func (p *Pages) Forget(ctx context.Context, paths, pageKeys []string) error {
	keys := append([]string{}, pageKeys...)
	for _, path := range paths {
		keys = append(keys, p.URLKey(path))
	}
	if len(keys) == 0 {
		return nil
	}
	return p.rdb.Del(ctx, keys...).Err()
}

// Get returns the HTML stored under a page key.
func (p *Pages) Get(ctx context.Context, key string) ([]byte, error) {
	b, err := p.rdb.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, ErrMiss
	}
	return b, err
}

// Resolve returns the page key a public path serves.
func (p *Pages) Resolve(ctx context.Context, path string) (string, error) {
	k, err := p.rdb.Get(ctx, p.URLKey(path)).Result()
	if errors.Is(err, redis.Nil) {
		return "", ErrMiss
	}
	return k, err
}

// ListTTL is how long a rendered listing, feed or sitemap lives in Redis.
// Its key names the PUBLIC stream position it was rendered at, so a
// publish, correction or takedown moves readers to a new key at once; the
// old ones only wait to expire.
const ListTTL = time.Hour

// ListKey is the key of a listing, feed or sitemap rendered at a PUBLIC
// stream sequence.
func (p *Pages) ListKey(seq uint64, name string) string {
	return fmt.Sprintf("%slist:%d:%s", p.prefix, seq, name)
}

// PutList stores a rendered listing under key for ListTTL.
func (p *Pages) PutList(ctx context.Context, key string, body []byte) error {
	return p.rdb.Set(ctx, key, body, ListTTL).Err()
}

// Ping reports whether Redis answers.
func (p *Pages) Ping(ctx context.Context) error { return p.rdb.Ping(ctx).Err() }

// RouteClientLogs sends go-redis's own log lines (one per failed dial,
// and so on) to log at debug level, so an outage is reported once by
// Tandem instead of on every connection attempt.
func RouteClientLogs(log *slog.Logger) { redis.SetLogger(clientLog{log}) }

type clientLog struct{ log *slog.Logger }

func (l clientLog) Printf(ctx context.Context, format string, v ...any) {
	l.log.DebugContext(ctx, "redis client: "+fmt.Sprintf(format, v...))
}
