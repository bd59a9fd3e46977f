// Package cache keeps rendered pages in Redis. Redis is a cache, never the
// record: everything here can be rebuilt from the PUBLIC stream, and the
// site serves nothing from it that the stream does not name.
//
// Layout (with the default prefix "tandem:"; {…} are Redis Cluster hash
// tags, so one article's keys share a slot):
//
//	tandem:page:{locale}:{{article}}:{version}  the HTML of one rendered version; immutable
//	tandem:pages:{{article}}                    every page key written for the article (a set)
//	tandem:live:{{article}}                     the page keys the article serves now (a set)
//	tandem:media:{media}-{width}.{ext}         the bytes of one image variant (its object name); MediaTTL
//
// A version is "{source revision}-{first 12 hex digits of the HTML's
// SHA-256}", so a key never changes meaning and a reader can check what
// it read against the hash the event carries. There are no URL pointers
// and no listings here: which address serves which version is the site's
// index, built from the stream alone.
//
// Publishing stores the pages of a release before announcing it (Store),
// and after each PUBLIC event Settle makes Redis hold only what the
// article serves now, deleting every other version it ever wrote there:
// a takedown or a purge leaves no text behind. Readers that fetched a page
// elsewhere write it back with Refill, which Redis refuses unless the
// version is live, so a refill racing a takedown cannot bring a page back.
// Page versions expire after TTL (30 days by default).
//
// Image variants are kept by object name alone, with no per-article
// bookkeeping: a name is the SHA-256 of the image and a width, so it never
// changes meaning; the site serves one only while its index says a live
// page shows it, and only when its SHA-256 is the one the object store
// records. A variant no page shows any more is left to expire (MediaTTL):
// Redis holds it, no one is served it.
package cache

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultTTL is how long page versions live in Redis.
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
	return p.prefix + "page:" + locale + ":{" + article + "}:" + version
}

// written is the set of every page key stored for an article.
func (p *Pages) written(article string) string { return p.prefix + "pages:{" + article + "}" }

// live is the set of the page keys an article serves now.
func (p *Pages) live(article string) string { return p.prefix + "live:{" + article + "}" }

// Page is one rendered version to store.
type Page struct {
	Key  string
	HTML []byte
}

// Store writes rendered versions of an article, all or none (one
// MULTI/EXEC), and records their keys so that Settle can delete them
// once the article no longer serves them.
func (p *Pages) Store(ctx context.Context, article string, pages ...Page) error {
	if len(pages) == 0 {
		return nil
	}
	_, err := p.rdb.TxPipelined(ctx, func(tx redis.Pipeliner) error {
		for _, pg := range pages {
			tx.Set(ctx, pg.Key, pg.HTML, p.ttl)
			tx.SAdd(ctx, p.written(article), pg.Key)
		}
		tx.Expire(ctx, p.written(article), p.ttl)
		return nil
	})
	return err
}

// refill writes a page only while the article's live set names it.
var refill = redis.NewScript(`
if redis.call('SISMEMBER', KEYS[2], KEYS[1]) == 0 then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SADD', KEYS[3], KEYS[1])
redis.call('PEXPIRE', KEYS[3], ARGV[2])
return 1`)

// ErrNotLive means Refill was refused: the article does not serve that
// version now (it was taken down, replaced, or is not settled yet).
var ErrNotLive = errors.New("cache: page version is not live")

// Refill writes back a page version read from elsewhere, only when the
// article serves it now (ErrNotLive otherwise).
func (p *Pages) Refill(ctx context.Context, article string, pg Page) error {
	n, err := refill.Run(ctx, p.rdb, []string{pg.Key, p.live(article), p.written(article)}, pg.HTML, p.ttl.Milliseconds()).Int()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotLive
	}
	return nil
}

// settle makes the live set exactly ARGV and deletes every page key the
// article ever wrote that ARGV does not name. It returns how many page
// keys it deleted.
var settle = redis.NewScript(`
local keep = {}
for i = 2, #ARGV do keep[ARGV[i]] = true end
local deleted = 0
for _, k in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if not keep[k] then
    deleted = deleted + redis.call('DEL', k)
    redis.call('SREM', KEYS[1], k)
  end
end
redis.call('DEL', KEYS[2])
if #ARGV > 1 then
  redis.call('SADD', KEYS[2], unpack(ARGV, 2))
  redis.call('PEXPIRE', KEYS[2], ARGV[1])
end
if redis.call('SCARD', KEYS[1]) == 0 then redis.call('DEL', KEYS[1]) end
return deleted`)

// Settle makes Redis hold, of an article, only the page versions in live
// (the versions it serves now; none after a takedown of every locale or
// a purge): every other version ever stored is deleted, and only live
// versions can be refilled from then on. It is idempotent and atomic,
// and returns how many page versions it deleted.
func (p *Pages) Settle(ctx context.Context, article string, live ...string) (int, error) {
	args := []any{p.ttl.Milliseconds()}
	for _, k := range live {
		args = append(args, k)
	}
	return settle.Run(ctx, p.rdb, []string{p.written(article), p.live(article)}, args...).Int()
}

// MediaTTL is how long an image variant stays in Redis after it was
// last written there.
const MediaTTL = 7 * 24 * time.Hour

// MediaKey is the key of an image variant, by its object name
// (<media>-<width>.<ext>).
func (p *Pages) MediaKey(name string) string { return p.prefix + "media:" + name }

// PutMedia stores the bytes of an image variant for MediaTTL.
func (p *Pages) PutMedia(ctx context.Context, name string, b []byte) error {
	return p.rdb.Set(ctx, p.MediaKey(name), b, MediaTTL).Err()
}

// Get returns the HTML stored under a page key.
func (p *Pages) Get(ctx context.Context, key string) ([]byte, error) {
	b, err := p.rdb.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, ErrMiss
	}
	return b, err
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
