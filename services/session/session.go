// Package session is the service that signs people in with a username and
// password (tandem.auth.v1.SessionService). A sign-in opens a session: a
// random token whose SHA-256 is kept in a JetStream key-value bucket, and
// which every Tandem service accepts as a bearer token for its user (see
// Store.Lookup and auth.Store.UseSessions). The bucket's age limit is the
// idle timeout, and a session in use is renewed at most once a minute, so
// it ends when it has not been used for that long. Because the sessions
// live in JetStream, they survive a restart and hold across replicas of
// the desk and of the services.
//
// grpc.go is the transport, store.go the two buckets: the sessions, and
// the failed sign-ins of each account, which lock it for a while after
// too many.
package session

import (
	"cmp"
	"context"
	"log/slog"
	"time"

	"google.golang.org/grpc"

	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/events"
	authv1 "github.com/tandemnews/tandem/proto/tandem/auth/v1"
)

// Defaults of Options.
const (
	DefaultIdleTimeout = 30 * time.Minute
	DefaultMaxFailures = 5
	DefaultLockout     = 15 * time.Minute
)

// Options configures the service.
type Options struct {
	// IdleTimeout ends a session not used for this long; default
	// DefaultIdleTimeout. At least two minutes: sessions are renewed at
	// most once a minute.
	IdleTimeout time.Duration
	// MaxFailures failed sign-ins in a row lock an account for Lockout
	// (counted from the last failure); defaults DefaultMaxFailures and
	// DefaultLockout.
	MaxFailures int
	Lockout     time.Duration
	Logger      *slog.Logger
}

// Service implements tandem.auth.v1.SessionService.
type Service struct {
	authv1.UnimplementedSessionServiceServer
	users *auth.Store
	store *Store
	max   int
	log   *slog.Logger
}

// New returns the service checking passwords against users and keeping
// sessions on bus's server.
func New(bus *events.Bus, users *auth.Store, o Options) *Service {
	o.IdleTimeout = max(cmp.Or(o.IdleTimeout, DefaultIdleTimeout), 2*time.Minute)
	o.MaxFailures = cmp.Or(o.MaxFailures, DefaultMaxFailures)
	o.Lockout = cmp.Or(o.Lockout, DefaultLockout)
	log := cmp.Or(o.Logger, slog.Default()).With("service", "session")
	return &Service{users: users, store: newStore(bus, o.IdleTimeout, o.Lockout, log), max: o.MaxFailures, log: log}
}

// Sessions is what the other services ask whether a token is a live
// session.
func (s *Service) Sessions() auth.Sessions { return s.store }

// Register adds the service to a gRPC server.
func (s *Service) Register(r grpc.ServiceRegistrar) { authv1.RegisterSessionServiceServer(r, s) }

// Policy: anyone may try to sign in; only a signed-in caller can sign out
// or ask who they are.
func (s *Service) Policy() auth.Policy {
	return auth.Policy{
		authv1.SessionService_SignIn_FullMethodName:  auth.Public,
		authv1.SessionService_SignOut_FullMethodName: auth.Anyone,
		authv1.SessionService_WhoAmI_FullMethodName:  auth.Anyone,
	}
}

// Run creates or updates the buckets, retrying while NATS does not
// answer, and returns when ctx is done.
func (s *Service) Run(ctx context.Context) error {
	for {
		err := s.store.open(ctx)
		if err == nil {
			break
		}
		s.log.Warn("session buckets not ready; sign-in waits for them", "err", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(time.Second):
		}
	}
	<-ctx.Done()
	return nil
}
