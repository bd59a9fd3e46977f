package rpc

import (
	"context"
	"net"
	"sync"
	"time"

	"golang.org/x/time/rate"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

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
}

// maxCallers bounds the buckets kept; past it they start afresh, which
// only ever lets a caller through.
const maxCallers = 10000

func newLimiter(r float64, burst int) *limiter {
	return &limiter{rate: rate.Limit(r), burst: burst, by: map[string]*rate.Limiter{}}
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
	if p, ok := peer.FromContext(ctx); ok && p.Addr != nil {
		host, _, err := net.SplitHostPort(p.Addr.String())
		if err != nil {
			host = p.Addr.String()
		}
		return "addr:" + host
	}
	return "anonymous"
}

func (l *limiter) unary() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		if ok, wait := l.allow(callerKey(ctx)); !ok {
			st := status.New(codes.ResourceExhausted, "too many requests from this caller; slow down and retry")
			if withd, err := st.WithDetails(&errdetails.RetryInfo{RetryDelay: durationpb.New(wait)}); err == nil {
				st = withd
			}
			return nil, st.Err()
		}
		return handler(ctx, req)
	}
}
