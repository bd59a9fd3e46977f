package rpc

import (
	"context"
	"log/slog"
	"net"
	"sort"
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

// Wrong tokens each client address may present: a person who mistypes a
// token, or a test that tries every method with one, never comes near
// it; a script guessing tokens does. Past it, a call whose token does
// not authenticate is ResourceExhausted with RetryInfo. A known token
// always passes, so one bad client behind a shared address (the desk, a
// proxy) locks nobody else out; a call without a token guesses nothing
// and is only counted for the log.
const (
	FailureRate  = 5 // wrong tokens per second, per address
	FailureBurst = 100
)

// DefaultLogEvery is how often the failed authentications and the
// refused calls of each caller are summarised in the log.
const DefaultLogEvery = time.Minute

// tally counts events per key between two summaries, so a flood of
// failures is one log line per key and interval instead of one per call.
type tally struct {
	mu sync.Mutex
	m  map[string]*count
}

type count struct {
	n, refused int
	method     string
	err        string
}

func newTally() *tally { return &tally{m: map[string]*count{}} }

// add counts one event of key; refused says the call was turned away.
func (t *tally) add(key, method string, err error, refused bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	c := t.m[key]
	if c == nil {
		if len(t.m) >= maxCallers {
			return // not counted until the next summary empties the map
		}
		c = &count{}
		t.m[key] = c
	}
	c.n++
	if refused {
		c.refused++
	}
	c.method, c.err = method, status.Convert(err).Message()
}

// flush logs one WARN line per key counted since the last flush, and
// starts counting afresh.
func (t *tally) flush(log *slog.Logger, msg, keyName string) {
	t.mu.Lock()
	m := t.m
	t.m = map[string]*count{}
	t.mu.Unlock()
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		c := m[k]
		log.Warn(msg, keyName, k, "count", c.n, "refused", c.refused, "last_method", c.method, "last_err", c.err)
	}
}

// guard authorizes calls and limits the failed authentications of each
// client address.
type guard struct {
	auth     *auth.Store
	policy   auth.Policy
	mu       sync.Mutex
	by       map[string]*rate.Limiter
	failures *tally
}

func newGuard(a *auth.Store, p auth.Policy) *guard {
	return &guard{auth: a, policy: p, by: map[string]*rate.Limiter{}, failures: newTally()}
}

// authorize is auth.Store.Authorize with the failures counted: a wrong
// token costs its address one failure, and past the limit the answer is
// ResourceExhausted.
func (g *guard) authorize(ctx context.Context, method string) (context.Context, error) {
	actx, err := g.auth.Authorize(ctx, method, g.policy)
	if status.Code(err) != codes.Unauthenticated {
		return actx, err
	}
	addr := clientAddr(ctx)
	var wait time.Duration
	if auth.Presented(ctx) {
		wait = g.fail(addr)
	}
	g.failures.add(addr, method, err, wait > 0)
	if wait > 0 {
		return nil, exhausted("too many failed authentications from this address; retry later", wait)
	}
	return nil, err
}

// fail counts a failure of addr and returns how long it must wait before
// its next failure is answered, or 0 when it is within its limit.
func (g *guard) fail(addr string) time.Duration {
	g.mu.Lock()
	b, ok := g.by[addr]
	if !ok {
		if len(g.by) >= maxCallers {
			g.by = map[string]*rate.Limiter{}
		}
		b = rate.NewLimiter(FailureRate, FailureBurst)
		g.by[addr] = b
	}
	g.mu.Unlock()
	r := b.Reserve()
	if d := r.Delay(); d > 0 {
		r.Cancel()
		return d
	}
	return 0
}

func (g *guard) unary() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		ctx, err := g.authorize(ctx, info.FullMethod)
		if err != nil {
			return nil, err
		}
		return handler(ctx, req)
	}
}

func (g *guard) stream() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		ctx, err := g.authorize(ss.Context(), info.FullMethod)
		if err != nil {
			return err
		}
		return handler(srv, &authorized{ServerStream: ss, ctx: ctx})
	}
}

type authorized struct {
	grpc.ServerStream
	ctx context.Context
}

func (a *authorized) Context() context.Context { return a.ctx }

// exhausted is ResourceExhausted with the RetryInfo of wait.
func exhausted(msg string, wait time.Duration) error {
	st := status.New(codes.ResourceExhausted, msg)
	if withd, err := st.WithDetails(&errdetails.RetryInfo{RetryDelay: durationpb.New(wait)}); err == nil {
		st = withd
	}
	return st.Err()
}

// clientAddr is the host the call came from.
func clientAddr(ctx context.Context) string {
	if p, ok := peer.FromContext(ctx); ok && p.Addr != nil {
		host, _, err := net.SplitHostPort(p.Addr.String())
		if err != nil {
			host = p.Addr.String()
		}
		return host
	}
	return "unknown"
}
