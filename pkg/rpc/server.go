// Package rpc sets up Tandem's gRPC servers the one way they all run:
// health, reflection, panic recovery, request logging, bearer-token
// authorization and graceful shutdown. It also builds the error statuses
// the services return, with their standard details.
package rpc

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"runtime/debug"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"
	"google.golang.org/grpc/status"

	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/metrics"
)

// MaxMessageBytes is the largest request or response a Tandem server
// accepts: 4 MiB, the gRPC default, stated here so it is documented and
// enforced in one place.
const MaxMessageBytes = 4 << 20

// Options configures a server.
type Options struct {
	// Logger receives one line per call. Default slog.Default().
	Logger *slog.Logger
	// Auth authenticates callers. Required.
	Auth *auth.Store
	// Policy says which roles may call which method. Health is added as
	// public, reflection as open to every authenticated caller.
	Policy auth.Policy
	// Rate is the requests per second each caller may make (a user, or the
	// client address of public calls), with Burst on top; past it a call is
	// ResourceExhausted with RetryInfo. 0 means DefaultRate and
	// DefaultBurst; a negative Rate turns the limit off.
	Rate  float64
	Burst int
	// TLS, when set, serves every call over TLS with this configuration
	// (its certificate); nil serves plaintext, for loopback and for a
	// network that TLS-terminating proxies guard.
	TLS *tls.Config
	// LogEvery is how often failed authentications and refused calls are
	// summarised in the log, one line per caller. Default
	// DefaultLogEvery.
	LogEvery time.Duration
}

// Server is a gRPC server with health and reflection registered.
type Server struct {
	*grpc.Server
	Health *health.Server
	log    *slog.Logger
	every  time.Duration
	// flush logs the summaries of failures and refusals.
	flush func()
}

// New returns a server whose every call is recovered, logged and
// authorized, in that order from the outside in.
func New(o Options) *Server {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	p := auth.Policy{}
	for m, r := range o.Policy {
		p[m] = r
	}
	for _, m := range []string{
		"/grpc.health.v1.Health/Check",
		"/grpc.health.v1.Health/Watch",
		"/grpc.health.v1.Health/List",
	} {
		p[m] = auth.Public
	}
	// Reflection describes every method and message; only a caller who
	// holds a token may read that map.
	for _, m := range []string{
		"/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
		"/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
	} {
		p[m] = auth.Anyone
	}
	g := newGuard(o.Auth, p)
	// Metrics first: refused calls count too.
	unary := []grpc.UnaryServerInterceptor{metrics.GRPC.UnaryServerInterceptor(), recoverUnary(o.Logger), logUnary(o.Logger), g.unary()}
	flush := func() { g.failures.flush(o.Logger, "failed authentications", "addr") }
	if o.Rate >= 0 {
		if o.Rate == 0 {
			o.Rate, o.Burst = DefaultRate, DefaultBurst
		}
		if o.Burst <= 0 {
			o.Burst = int(o.Rate) + 1
		}
		l := newLimiter(o.Rate, o.Burst)
		unary = append(unary, l.unary())
		flush = func() {
			g.failures.flush(o.Logger, "failed authentications", "addr")
			l.refused.flush(o.Logger, "calls over the rate limit", "caller")
		}
	}
	opts := []grpc.ServerOption{
		// Every call continues the caller's trace (or starts one).
		grpc.StatsHandler(otelgrpc.NewServerHandler()),
		grpc.MaxRecvMsgSize(MaxMessageBytes),
		grpc.MaxSendMsgSize(MaxMessageBytes),
		grpc.ChainUnaryInterceptor(unary...),
		grpc.ChainStreamInterceptor(metrics.GRPC.StreamServerInterceptor(), recoverStream(o.Logger), g.stream()),
	}
	if o.TLS != nil {
		opts = append(opts, grpc.Creds(credentials.NewTLS(o.TLS)))
	}
	opts = append(opts, checkUTF8...)
	s := grpc.NewServer(opts...)
	h := health.NewServer()
	healthpb.RegisterHealthServer(s, h)
	reflection.Register(s)
	return &Server{Server: s, Health: h, log: o.Logger, every: cmp.Or(o.LogEvery, DefaultLogEvery), flush: flush}
}

// Serve serves on lis until ctx is done, then stops accepting calls, lets
// the running ones finish for up to grace, and returns.
func (s *Server) Serve(ctx context.Context, lis net.Listener, grace time.Duration) error {
	errc := make(chan error, 1)
	go func() { errc <- s.Server.Serve(lis) }()
	sctx, stop := context.WithCancel(ctx)
	summaries := make(chan struct{})
	go func() { defer close(summaries); s.summarise(sctx) }()
	defer func() { stop(); <-summaries }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.Health.Shutdown()
	done := make(chan struct{})
	go func() { s.GracefulStop(); close(done) }()
	select {
	case <-done:
	case <-time.After(grace):
		s.log.Warn("grpc calls still running after the grace period; stopping them", "grace", grace)
		s.Stop()
		<-done
	}
	if err := <-errc; err != nil && !errors.Is(err, grpc.ErrServerStopped) {
		return err
	}
	return nil
}

// summarise logs the failures and refusals of each caller every
// interval until ctx is done, and once more then.
func (s *Server) summarise(ctx context.Context) {
	t := time.NewTicker(s.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			s.flush()
			return
		case <-t.C:
			s.flush()
		}
	}
}

func recoverUnary(log *slog.Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
		defer func() {
			if r := recover(); r != nil {
				log.Error("panic in handler", "method", info.FullMethod, "panic", r, "stack", string(debug.Stack()))
				err = status.Error(codes.Internal, "internal error")
			}
		}()
		return handler(ctx, req)
	}
}

func recoverStream(log *slog.Logger) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) (err error) {
		defer func() {
			if r := recover(); r != nil {
				log.Error("panic in handler", "method", info.FullMethod, "panic", r, "stack", string(debug.Stack()))
				err = status.Error(codes.Internal, "internal error")
			}
		}()
		return handler(srv, ss)
	}
}

func logUnary(log *slog.Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		start := time.Now()
		resp, err := handler(ctx, req)
		code := status.Code(err)
		attrs := []any{"method", info.FullMethod, "code", code.String(), "duration", time.Since(start)}
		switch code {
		case codes.OK:
			log.Debug("rpc", attrs...)
		case codes.Unauthenticated, codes.ResourceExhausted:
			// Summarised per caller every interval: a flood of them
			// would bury every other line.
			log.Debug("rpc", append(attrs, "err", err)...)
		case codes.Internal, codes.Unknown, codes.DataLoss, codes.Unavailable:
			log.Error("rpc", append(attrs, "err", err)...)
		default:
			log.Info("rpc", append(attrs, "err", err)...)
		}
		return resp, err
	}
}
