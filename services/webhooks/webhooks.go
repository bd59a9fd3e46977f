// Package webhooks is the service that delivers the public events
// (tandem.article.*) to HTTP endpoints that do not speak NATS, signed the
// Standard Webhooks way. Admins register the endpoints (grpc.go); each
// has a durable consumer on PUBLIC and a dispatcher that delivers in
// order per article, retries on a schedule and dead-letters what never
// gets through (dispatch.go, deliver.go). The endpoints and dead letters
// live in a key-value bucket of the service's own (store.go); the rules
// (URLs and addresses, signatures, the retry schedule) in hook/.
package webhooks

import (
	"cmp"
	"context"
	"log/slog"
	"net"
	"time"

	"google.golang.org/grpc"

	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/events"
	webhooksv1 "github.com/tandemnews/tandem/proto/tandem/webhooks/v1"
	"github.com/tandemnews/tandem/services/webhooks/hook"
)

// Options configures the service.
type Options struct {
	// Schedule is the delay before each retry. Default
	// hook.DefaultSchedule.
	Schedule hook.Schedule
	// Timeout bounds one try of a delivery. Default 15 seconds.
	Timeout time.Duration
	// Concurrency bounds the tries in flight to one endpoint. Default 4.
	Concurrency int
	// Resolver resolves the hosts of new endpoints. Default the
	// system's.
	Resolver *net.Resolver
	// Logger; default slog.Default().
	Logger *slog.Logger
}

// Service implements tandem.webhooks.v1.WebhooksService and delivers the
// webhooks.
type Service struct {
	webhooksv1.UnimplementedWebhooksServiceServer
	bus   *events.Bus
	o     Options
	log   *slog.Logger
	store *store
	// ready is closed once the store is open.
	ready chan struct{}
	now   func() time.Time
}

// New returns the service on bus. It needs only PUBLIC (bus may come
// from events.OpenPublic) and its own bucket.
func New(bus *events.Bus, o Options) *Service {
	o.Logger = cmp.Or(o.Logger, slog.Default())
	if len(o.Schedule) == 0 {
		o.Schedule = hook.DefaultSchedule
	}
	o.Timeout = cmp.Or(o.Timeout, 15*time.Second)
	o.Concurrency = cmp.Or(o.Concurrency, 4)
	return &Service{bus: bus, o: o, log: o.Logger.With("service", "webhooks"), ready: make(chan struct{}), now: time.Now}
}

// Register adds the service to a gRPC server.
func (s *Service) Register(r grpc.ServiceRegistrar) { webhooksv1.RegisterWebhooksServiceServer(r, s) }

// Policy: webhooks are the admins' alone (they can send public events
// anywhere, and read the secrets once).
func (s *Service) Policy() auth.Policy {
	admin := []auth.Role{auth.Admin}
	return auth.Policy{
		webhooksv1.WebhooksService_AddEndpoint_FullMethodName:     admin,
		webhooksv1.WebhooksService_ListEndpoints_FullMethodName:   admin,
		webhooksv1.WebhooksService_RemoveEndpoint_FullMethodName:  admin,
		webhooksv1.WebhooksService_RotateSecret_FullMethodName:    admin,
		webhooksv1.WebhooksService_ListDeadLetters_FullMethodName: admin,
		webhooksv1.WebhooksService_Redeliver_FullMethodName:       admin,
	}
}

// Run opens the store, closes Ready, and delivers until ctx is done.
func (s *Service) Run(ctx context.Context) error {
	for {
		st, err := openStore(ctx, s.bus)
		if err == nil {
			s.store = st
			break
		}
		if ctx.Err() != nil {
			return nil
		}
		s.log.Warn("webhook store could not open; retrying", "err", err)
		sleep(ctx, time.Second)
	}
	close(s.ready)
	return s.dispatch(ctx)
}

// Ready is closed once the service answers.
func (s *Service) Ready() <-chan struct{} { return s.ready }
