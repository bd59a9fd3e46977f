// Package rpc sets up Tandem's gRPC servers the one way they all run:
// health, reflection, panic recovery, request logging, bearer-token
// authorization and graceful shutdown. It also builds the error statuses
// the services return, with their standard details.
package rpc

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"runtime/debug"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"
	"google.golang.org/grpc/status"

	"github.com/tandemnews/tandem/pkg/auth"
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
	// Policy says which roles may call which method. Health and reflection
	// are added as public.
	Policy auth.Policy
	// Rate is the requests per second each caller may make (a user, or the
	// client address of public calls), with Burst on top; past it a call is
	// ResourceExhausted with RetryInfo. 0 means DefaultRate and
	// DefaultBurst; a negative Rate turns the limit off.
	Rate  float64
	Burst int
}

// Server is a gRPC server with health and reflection registered.
type Server struct {
	*grpc.Server
	Health *health.Server
	log    *slog.Logger
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
		"/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
		"/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
	} {
		p[m] = auth.Public
	}
	unary := []grpc.UnaryServerInterceptor{recoverUnary(o.Logger), logUnary(o.Logger), o.Auth.UnaryInterceptor(p)}
	if o.Rate >= 0 {
		if o.Rate == 0 {
			o.Rate, o.Burst = DefaultRate, DefaultBurst
		}
		if o.Burst <= 0 {
			o.Burst = int(o.Rate) + 1
		}
		unary = append(unary, newLimiter(o.Rate, o.Burst).unary())
	}
	s := grpc.NewServer(
		grpc.MaxRecvMsgSize(MaxMessageBytes),
		grpc.MaxSendMsgSize(MaxMessageBytes),
		grpc.ChainUnaryInterceptor(unary...),
		grpc.ChainStreamInterceptor(recoverStream(o.Logger), o.Auth.StreamInterceptor(p)),
	)
	h := health.NewServer()
	healthpb.RegisterHealthServer(s, h)
	reflection.Register(s)
	return &Server{Server: s, Health: h, log: o.Logger}
}

// Serve serves on lis until ctx is done, then stops accepting calls, lets
// the running ones finish for up to grace, and returns.
func (s *Server) Serve(ctx context.Context, lis net.Listener, grace time.Duration) error {
	errc := make(chan error, 1)
	go func() { errc <- s.Server.Serve(lis) }()
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
		case codes.Internal, codes.Unknown, codes.DataLoss, codes.Unavailable:
			log.Error("rpc", append(attrs, "err", err)...)
		default:
			log.Info("rpc", append(attrs, "err", err)...)
		}
		return resp, err
	}
}
