package faults

import (
	"context"
	"net/http"
	"testing"
	"time"

	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/cache"
	"github.com/tandemnews/tandem/pkg/testkit"
)

// TestGRPCHealthFollowsTheNATSOutage stops NATS under a running stack:
// the gRPC health says NOT_SERVING while it is gone and SERVING once it is
// back, and the site stays live and ready (it serves what it knows).
func TestGRPCHealthFollowsTheNATSOutage(t *testing.T) {
	n := testkit.StartNATS(t)
	rdb, prefix := testkit.Redis(t)
	e := stacktest.StartWith(t, n.URL(), cache.New(rdb, prefix))
	health := healthpb.NewHealthClient(e.Conn)
	status := func() healthpb.HealthCheckResponse_ServingStatus {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		res, err := health.Check(ctx, &healthpb.HealthCheckRequest{})
		if err != nil {
			return healthpb.HealthCheckResponse_UNKNOWN
		}
		return res.Status
	}
	stacktest.Eventually(t, "SERVING at start", func() bool { return status() == healthpb.HealthCheckResponse_SERVING })
	n.Stop()
	t.Log("injected: NATS stopped")
	stacktest.EventuallyWithin(t, "NOT_SERVING while NATS is gone", 10*time.Second, func() bool { return status() == healthpb.HealthCheckResponse_NOT_SERVING })
	for _, probe := range []string{"/livez", "/readyz"} {
		if code, _ := stacktest.Fetch(t, e.SiteURL+probe); code != http.StatusOK {
			t.Errorf("site %s answers %d while NATS is gone, want 200: it serves what it knows", probe, code)
		}
	}
	n.Start()
	t.Log("injected: NATS back")
	stacktest.EventuallyWithin(t, "SERVING once NATS is back", 15*time.Second, func() bool { return status() == healthpb.HealthCheckResponse_SERVING })
	t.Log("verified: NOT_SERVING during the outage, SERVING after it")
}
