package cache

import (
	"time"

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
	opt.ContextTimeoutEnabled = true
	if opt.DialTimeout == 0 {
		opt.DialTimeout = DialTimeout
	}
	if opt.ReadTimeout == 0 {
		opt.ReadTimeout = IOTimeout
	}
	if opt.WriteTimeout == 0 {
		opt.WriteTimeout = IOTimeout
	}
	if opt.PoolTimeout == 0 {
		opt.PoolTimeout = PoolTimeout
	}
	if opt.MaxRetries == 0 {
		opt.MaxRetries = 1
	}
	return opt, nil
}
