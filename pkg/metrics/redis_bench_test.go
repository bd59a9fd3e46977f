package metrics_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tandemnews/tandem/pkg/metrics"
	"github.com/tandemnews/tandem/pkg/testkit"
)

// The cost of the metrics hook on a Redis GET against the real Redis of
// REDIS_URL: compare the two.
func BenchmarkRedisGet(b *testing.B) {
	for _, instrumented := range []bool{false, true} {
		name := "plain"
		if instrumented {
			name = "instrumented"
		}
		b.Run(name, func(b *testing.B) {
			rdb, prefix := testkit.Redis(b)
			if instrumented {
				metrics.InstrumentRedis(rdb)
			}
			ctx := context.Background()
			rdb.Set(ctx, prefix+"k", "v", time.Minute)
			b.ResetTimer()
			for b.Loop() {
				if err := rdb.Get(ctx, prefix+"k").Err(); err != nil && err != redis.Nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// The hook's own cost, without the network: what it adds to each command.
func BenchmarkRedisHookAlone(b *testing.B) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:0"})
	defer rdb.Close()
	metrics.InstrumentRedis(rdb)
	rdb.AddHook(shortCircuit{})
	ctx := context.Background()
	for b.Loop() {
		_ = rdb.Get(ctx, "k").Err()
	}
}

// shortCircuit answers every command itself, so only the hooks before it run.
type shortCircuit struct{}

func (shortCircuit) DialHook(next redis.DialHook) redis.DialHook { return next }
func (shortCircuit) ProcessHook(redis.ProcessHook) redis.ProcessHook {
	return func(context.Context, redis.Cmder) error { return nil }
}
func (shortCircuit) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
