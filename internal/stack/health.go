package stack

import (
	"context"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/metrics"
)

// reportNATS keeps the gRPC health of the services in step with their
// NATS connection until ctx is done: SERVING while connected, NOT_SERVING
// while the connection is down or reconnecting, so that a load balancer
// or an orchestrator stops sending calls that could only fail. It also
// checks once a second, in case a change of status is missed.
func reportNATS(ctx context.Context, nc *nats.Conn, h *health.Server, log *slog.Logger) {
	changed := nc.StatusChanged()
	defer nc.RemoveStatusListener(changed)
	last := healthpb.HealthCheckResponse_UNKNOWN
	set := func() {
		now := healthpb.HealthCheckResponse_NOT_SERVING
		if nc.IsConnected() {
			now = healthpb.HealthCheckResponse_SERVING
		}
		if now == last {
			return
		}
		if last != healthpb.HealthCheckResponse_UNKNOWN {
			log.Warn("grpc health changed with the NATS connection", "status", now.String(), "nats", nc.Status().String())
		}
		last = now
		h.SetServingStatus("", now)
	}
	set()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-changed:
			set()
		case <-tick.C:
			set()
		}
	}
}

// durableConsumers lists the durable consumers of Tandem's streams, with
// what the server says each has pending, for the metrics.
func durableConsumers(bus *events.Bus) func(ctx context.Context) ([]metrics.ConsumerState, error) {
	return func(ctx context.Context) ([]metrics.ConsumerState, error) {
		var out []metrics.ConsumerState
		cfg := bus.Config()
		for _, name := range []string{cfg.EditorialStream, cfg.PublicStream} {
			s, err := bus.JetStream().Stream(ctx, name)
			if err != nil {
				return nil, err
			}
			infos := s.ListConsumers(ctx)
			for ci := range infos.Info() {
				if ci.Config.Durable == "" {
					continue // the ordered consumers of followers
				}
				out = append(out, metrics.ConsumerState{Stream: name, Consumer: ci.Name, Pending: ci.NumPending, AckPending: ci.NumAckPending, Redelivered: ci.NumRedelivered})
			}
			if err := infos.Err(); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
}
