package metrics

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestServeExposesTandemMetrics(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go Serve(ctx, addr, slog.New(slog.NewTextHandler(io.Discard, nil)))
	Announced.WithLabelValues("tandem.article.published").Inc()
	var body string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		res, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			continue
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		body = string(b)
		break
	}
	for _, want := range []string{`tandem_publishing_announced_total{type="tandem.article.published"}`, "go_goroutines"} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func TestNamesListsEveryMetricBeforeItHasAValue(t *testing.T) {
	names := Names()
	for _, want := range []string{"tandem_consumer_pending_events", "tandem_redis_errors_total", "tandem_site_apply_delay_seconds",
		"tandem_desk_requests_total", "tandem_webhooks_tries_total", "grpc_server_handled_total", "go_build_info", "go_goroutines", "process_start_time_seconds"} {
		if !slices.Contains(names, want) {
			t.Errorf("Names lacks %s", want)
		}
	}
}
