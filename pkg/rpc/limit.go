package rpc

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
	"google.golang.org/grpc"

	"github.com/tandemnews/tandem/pkg/auth"
)

// Default request rate per caller: a person never comes near it; a script
// that runs away does.
const (
	DefaultRate  = 100 // requests per second
	DefaultBurst = 200
)

// limiter hands out one token bucket per caller: the user for
// authenticated calls, the client address for public ones.
type limiter struct {
	rate  rate.Limit
	burst int
	mu    sync.Mutex
	by    map[string]*rate.Limiter
	// refused counts the calls turned away, for the log's summary.
	refused *tally
}

// maxCallers bounds the buckets kept; past it they start afresh, which
// only ever lets a caller through.
const maxCallers = 10000

func newLimiter(r float64, burst int) *limiter {
	return &limiter{rate: rate.Limit(r), burst: burst, by: map[string]*rate.Limiter{}, refused: newTally()}
}

func (l *limiter) allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	b, ok := l.by[key]
	if !ok {
		if len(l.by) >= maxCallers {
			l.by = map[string]*rate.Limiter{}
		}
		b = rate.NewLimiter(l.rate, l.burst)
		l.by[key] = b
	}
	l.mu.Unlock()
	r := b.Reserve()
	if d := r.Delay(); d > 0 {
		r.Cancel()
		return false, d
	}
	return true, 0
}

func callerKey(ctx context.Context) string {
	if u, ok := auth.FromContext(ctx); ok {
		return "user:" + u.ID
	}
	return "addr:" + clientAddr(ctx)
}

func (l *limiter) unary() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		key := callerKey(ctx)
		if ok, wait := l.allow(key); !ok {
			err := exhausted("too many requests from this caller; slow down and retry", wait)
			l.refused.add(key, info.FullMethod, err, true)
			return nil, err
		}
		return handler(ctx, req)
	}
}
