package metrics

import (
	"context"
	"errors"
	"net"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
)

// Redis.
var (
	// RedisSeconds is how long each Redis command (or pipeline, or
	// MULTI/EXEC) took, by command, errors included.
	RedisSeconds = factory.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "tandem_redis_command_seconds",
		Help:    "Time Redis commands took, by command (pipeline and multi for batches), failed ones included.",
		Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1},
	}, []string{"command"})
	// RedisErrors counts Redis commands that failed (a missing key is not
	// a failure), by command.
	RedisErrors = factory.NewCounterVec(prometheus.CounterOpts{
		Name: "tandem_redis_errors_total",
		Help: "Redis commands that failed (timeouts, refused or lost connections, server errors), by command; a missing key is not counted.",
	}, []string{"command"})
)

// InstrumentRedis records the time and the failures of every command of
// rdb in tandem_redis_command_seconds and tandem_redis_errors_total.
func InstrumentRedis(rdb redis.UniversalClient) {
	rdb.AddHook(redisHook{})
}

type redisHook struct{}

func (redisHook) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := next(ctx, network, addr)
		if err != nil {
			RedisErrors.WithLabelValues("dial").Inc()
		}
		return c, err
	}
}

func (redisHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		start := time.Now()
		err := next(ctx, cmd)
		observeRedis(commandName(cmd), start, err)
		return err
	}
}

func (redisHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		start := time.Now()
		err := next(ctx, cmds)
		name := "pipeline"
		if len(cmds) > 0 && commandName(cmds[0]) == "multi" {
			name = "multi"
		}
		if err == nil {
			for _, c := range cmds {
				if e := c.Err(); failed(e) {
					err = e
					break
				}
			}
		}
		observeRedis(name, start, err)
		return err
	}
}

func observeRedis(name string, start time.Time, err error) {
	RedisSeconds.WithLabelValues(name).Observe(time.Since(start).Seconds())
	if failed(err) {
		RedisErrors.WithLabelValues(name).Inc()
	}
}

// failed says whether err is a failure of Redis: a missing key is not,
// nor is the NOSCRIPT answer after which a script is sent whole.
func failed(err error) bool {
	return err != nil && !errors.Is(err, redis.Nil) && !strings.HasPrefix(err.Error(), "NOSCRIPT")
}

// commandName is a command's name in lower case, with the few commands
// Tandem sends; anything else is "other", so that no caller can grow the
// label set without bound.
func commandName(cmd redis.Cmder) string {
	name := strings.ToLower(cmd.Name())
	switch name {
	case "get", "set", "mget", "mset", "del", "unlink", "exists", "expire", "pexpire", "ttl",
		"sadd", "srem", "smembers", "sismember", "scard", "incr", "eval", "evalsha", "script", "ping",
		"multi", "exec", "watch", "unwatch", "scan", "info", "cluster", "hello", "client", "select", "auth":
		return name
	}
	return "other"
}
