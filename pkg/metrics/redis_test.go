package metrics_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/redis/go-redis/v9"

	"github.com/tandemnews/tandem/pkg/cache"
	"github.com/tandemnews/tandem/pkg/metrics"
	"github.com/tandemnews/tandem/pkg/testkit"
)

// sampleCount is how many observations the histogram of one label value holds.
func sampleCount(t *testing.T, name, label, value string) uint64 {
	t.Helper()
	families, err := metrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == label && l.GetValue() == value {
					return m.GetHistogram().GetSampleCount()
				}
			}
		}
	}
	return 0
}

func TestRedisCommandsAreTimedAndFailuresCounted(t *testing.T) {
	rdb, prefix := testkit.Redis(t)
	metrics.InstrumentRedis(rdb)
	ctx := context.Background()

	gets, getErrs := sampleCount(t, "tandem_redis_command_seconds", "command", "get"), testutil.ToFloat64(metrics.RedisErrors.WithLabelValues("get"))
	if err := rdb.Get(ctx, prefix+"missing").Err(); err != redis.Nil {
		t.Fatalf("get of a missing key: %v", err)
	}
	rdb.Set(ctx, prefix+"k", "v", time.Minute)
	rdb.Get(ctx, prefix+"k")
	if n := sampleCount(t, "tandem_redis_command_seconds", "command", "get") - gets; n != 2 {
		t.Errorf("timed %d gets, want 2", n)
	}
	if n := testutil.ToFloat64(metrics.RedisErrors.WithLabelValues("get")) - getErrs; n != 0 {
		t.Errorf("counted %v get errors, want 0 (a missing key is no failure)", n)
	}
	multis := sampleCount(t, "tandem_redis_command_seconds", "command", "multi")
	if _, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, prefix+"a", "1", time.Minute)
		p.Expire(ctx, prefix+"a", time.Minute)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n := sampleCount(t, "tandem_redis_command_seconds", "command", "multi") - multis; n != 1 {
		t.Errorf("timed %d MULTI/EXEC, want 1", n)
	}

	// A Redis that is gone: nothing listens on the port any more.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	down, err := cache.Connect("redis://"+addr+"/0", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer down.Close()
	metrics.InstrumentRedis(down)
	before := testutil.ToFloat64(metrics.RedisErrors.WithLabelValues("get"))
	if err := down.Get(ctx, "x").Err(); err == nil {
		t.Fatal("a get from a Redis that is gone succeeded")
	}
	if n := testutil.ToFloat64(metrics.RedisErrors.WithLabelValues("get")) - before; n != 1 {
		t.Errorf("counted %v get errors against a Redis that is gone, want 1", n)
	}
}

func TestDeskRequestsAreCountedByCode(t *testing.T) {
	h := metrics.Desk(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
		}
	}))
	ok, missing := testutil.ToFloat64(metrics.DeskRequests.WithLabelValues("get", "200")), testutil.ToFloat64(metrics.DeskRequests.WithLabelValues("get", "404"))
	for _, p := range []string{"/", "/", "/missing"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", p, nil))
	}
	if n := testutil.ToFloat64(metrics.DeskRequests.WithLabelValues("get", "200")) - ok; n != 2 {
		t.Errorf("counted %v answers 200, want 2", n)
	}
	if n := testutil.ToFloat64(metrics.DeskRequests.WithLabelValues("get", "404")) - missing; n != 1 {
		t.Errorf("counted %v answers 404, want 1", n)
	}
	if n := sampleCount(t, "tandem_desk_request_seconds", "method", "get"); n < 3 {
		t.Errorf("timed %d desk requests, want at least 3", n)
	}
	// A stream of live updates is counted, not timed.
	timed := sampleCount(t, "tandem_desk_request_seconds", "method", "get")
	req := httptest.NewRequest("GET", "/events", nil)
	req.Header.Set("Accept", "text/event-stream")
	h.ServeHTTP(httptest.NewRecorder(), req)
	if n := testutil.ToFloat64(metrics.DeskRequests.WithLabelValues("get", "200")) - ok; n != 3 {
		t.Errorf("counted %v answers 200 with the stream, want 3", n)
	}
	if n := sampleCount(t, "tandem_desk_request_seconds", "method", "get") - timed; n != 0 {
		t.Errorf("timed the stream of live updates (%d samples)", n)
	}
}
