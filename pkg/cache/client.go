package cache

import (
	"cmp"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/redis/go-redis/extra/redisotel/v9"
	"github.com/redis/go-redis/v9"
)

// The Redis client's time limits. Redis is a cache: an answer that comes
// later than a fetch from publishing is worth nothing, so a stalled Redis
// is given up on quickly and the caller carries on without it.
const (
	// IOTimeout bounds each read and write on a connection.
	IOTimeout = 500 * time.Millisecond
	// DialTimeout bounds opening a connection.
	DialTimeout = time.Second
	// PoolTimeout bounds the wait for a free connection when every one is
	// busy.
	PoolTimeout = time.Second
)

// ParseURL reads a Redis URL (redis://user:password@host:port/db, rediss://
// for TLS) into client options under which every call ends by its
// context's deadline, which go-redis otherwise ignores, and within the
// limits above unless the URL's query sets its own (dial_timeout,
// read_timeout, write_timeout, pool_timeout, max_retries). A call is tried
// at most twice.
func ParseURL(raw string) (*redis.Options, error) {
	opt, err := redis.ParseURL(raw)
	if err != nil {
		return nil, err
	}
	limit(&opt.ContextTimeoutEnabled, &opt.DialTimeout, &opt.ReadTimeout, &opt.WriteTimeout, &opt.PoolTimeout, &opt.MaxRetries)
	return opt, nil
}

// limit sets the time limits above on client options (of one server, a
// cluster or a failover client) where the URL set none, and makes every
// call end by its context's deadline. A call is tried at most twice.
func limit(ctxDeadline *bool, dial, read, write, pool *time.Duration, retries *int) {
	*ctxDeadline = true
	*dial = cmp.Or(*dial, DialTimeout)
	*read = cmp.Or(*read, IOTimeout)
	*write = cmp.Or(*write, IOTimeout)
	*pool = cmp.Or(*pool, PoolTimeout)
	*retries = cmp.Or(*retries, 1)
}

// Connect returns a client for the Redis that raw names, with the time
// limits above:
//
//   - redis://[user:password@]host:port/db (rediss:// for TLS): one server;
//   - the same with ?addr=host2:port&addr=host3:port, or ?cluster=true
//     with a single seed: a Redis Cluster, seeded with every address
//     given;
//   - redis://[user:password@]sentinel:port?master_name=NAME&addr=sentinel2:port:
//     a primary found, and followed across failovers, through Sentinel
//     (the user and password are the sentinels'; password=... in the
//     query is the primary's).
//
// rootCAs, when set, is the private CA a rediss:// server's certificate
// is checked against. Every key an article has carries its id as a hash
// tag, so each MULTI/EXEC and script of the cache stays on one slot of a
// cluster.
//
// Every command is traced (OpenTelemetry, through the global tracer
// provider: spans cost nothing until tracing is configured).
func Connect(raw string, rootCAs *x509.CertPool) (redis.UniversalClient, error) {
	rdb, err := connect(raw, rootCAs)
	if err != nil {
		return nil, err
	}
	if err := redisotel.InstrumentTracing(rdb); err != nil {
		_ = rdb.Close()
		return nil, fmt.Errorf("redis tracing: %w", err)
	}
	return rdb, nil
}

func connect(raw string, rootCAs *x509.CertPool) (redis.UniversalClient, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	q := u.Query()
	secure := func(t *tls.Config) error {
		if rootCAs == nil {
			return nil
		}
		if t == nil {
			return errors.New("a CA is given but the URL does not use TLS: write rediss://")
		}
		t.RootCAs = rootCAs
		return nil
	}
	switch {
	case q.Has("master_name"):
		opt, err := redis.ParseFailoverURL(raw)
		if err != nil {
			return nil, err
		}
		limit(&opt.ContextTimeoutEnabled, &opt.DialTimeout, &opt.ReadTimeout, &opt.WriteTimeout, &opt.PoolTimeout, &opt.MaxRetries)
		if err := secure(opt.TLSConfig); err != nil {
			return nil, err
		}
		return redis.NewFailoverClient(opt), nil
	case q.Has("addr") || q.Has("cluster"):
		cluster := q.Get("cluster")
		if cluster != "" && cluster != "true" {
			return nil, fmt.Errorf("cluster=%q: write cluster=true, or leave it out", cluster)
		}
		q.Del("cluster")
		u.RawQuery = q.Encode()
		opt, err := redis.ParseClusterURL(u.String())
		if err != nil {
			return nil, err
		}
		limit(&opt.ContextTimeoutEnabled, &opt.DialTimeout, &opt.ReadTimeout, &opt.WriteTimeout, &opt.PoolTimeout, &opt.MaxRetries)
		if err := secure(opt.TLSConfig); err != nil {
			return nil, err
		}
		return redis.NewClusterClient(opt), nil
	default:
		opt, err := ParseURL(raw)
		if err != nil {
			return nil, err
		}
		if err := secure(opt.TLSConfig); err != nil {
			return nil, err
		}
		return redis.NewClient(opt), nil
	}
}
