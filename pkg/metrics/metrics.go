// Package metrics holds Tandem's Prometheus metrics, registered on one
// registry that a process serves at /metrics on its metrics address.
package metrics

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"slices"
	"sync"
	"time"

	grpcprom "github.com/grpc-ecosystem/go-grpc-middleware/providers/prometheus"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Registry holds every Tandem metric and the Go runtime's.
var Registry = prometheus.NewRegistry()

var factory = promauto.With(registered)

func init() {
	registered.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), collectors.NewBuildInfoCollector(), GRPC)
}

// registered registers on Registry and keeps each collector, so that Names
// can list every metric before any has a value.
var registered = &recorder{Registerer: Registry}

type recorder struct {
	prometheus.Registerer
	mu         sync.Mutex
	collectors []prometheus.Collector
}

func (r *recorder) Register(c prometheus.Collector) error {
	if err := r.Registerer.Register(c); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.collectors = append(r.collectors, c)
	return nil
}

func (r *recorder) MustRegister(cs ...prometheus.Collector) {
	for _, c := range cs {
		if err := r.Register(c); err != nil {
			panic(err)
		}
	}
}

var fqName = regexp.MustCompile(`fqName: "([^"]+)"`)

// Names lists the name of every metric a process exports, sorted: the
// names alert rules and dashboards may use (a histogram's series add
// _bucket, _sum and _count to its name).
func Names() []string {
	registered.mu.Lock()
	cs := slices.Clone(registered.collectors)
	registered.mu.Unlock()
	ch := make(chan *prometheus.Desc)
	go func() {
		for _, c := range cs {
			c.Describe(ch)
		}
		close(ch)
	}()
	var names []string
	for d := range ch {
		if m := fqName.FindStringSubmatch(d.String()); m != nil {
			names = append(names, m[1])
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// GRPC counts the calls of every gRPC server of the process, by service,
// method and code, with a histogram of their handling time
// (grpc_server_started_total, grpc_server_handled_total,
// grpc_server_handling_seconds, ...).
var GRPC = grpcprom.NewServerMetrics(grpcprom.WithServerHandlingTimeHistogram(
	grpcprom.WithHistogramBuckets([]float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}),
))

// Publishing.
var (
	// Announced counts events publishing put on PUBLIC, by type.
	Announced = factory.NewCounterVec(prometheus.CounterOpts{
		Name: "tandem_publishing_announced_total",
		Help: "Events announced on PUBLIC, by event type.",
	}, []string{"type"})
	// RedisFailures counts Redis steps publishing skipped because Redis
	// failed: pages (before the event, skipped) and settle (clearing out,
	// retried until done).
	RedisFailures = factory.NewCounterVec(prometheus.CounterOpts{
		Name: "tandem_publishing_redis_failures_total",
		Help: "Redis steps that failed: pages (skipped before the event; the publish went on) and settle (clearing out pages no article serves; retried until done).",
	}, []string{"step"})
	// Schedules counts fired schedules by outcome: done, failed.
	Schedules = factory.NewCounterVec(prometheus.CounterOpts{
		Name: "tandem_publishing_schedules_total",
		Help: "Scheduled publications fired, by outcome.",
	}, []string{"outcome"})
	// ScheduleLateness is how long after its time a schedule fired.
	ScheduleLateness = factory.NewHistogram(prometheus.HistogramOpts{
		Name:    "tandem_publishing_schedule_lateness_seconds",
		Help:    "How long after its time a schedule fired.",
		Buckets: []float64{.05, .1, .2, .3, .5, .75, 1, 2, 5, 30},
	})
)

// Site.
var (
	// PageReads counts article page bodies by where they came from: lru,
	// redis, publishing.
	PageReads = factory.NewCounterVec(prometheus.CounterOpts{
		Name: "tandem_site_page_reads_total",
		Help: "Article page bodies served, by the cache tier they came from.",
	}, []string{"tier"})
	// ImageReads counts image variants read into a replica's LRU by
	// where they came from: redis, bucket.
	ImageReads = factory.NewCounterVec(prometheus.CounterOpts{
		Name: "tandem_site_image_reads_total",
		Help: "Image variants read into the site's in-process cache, by the tier they came from (redis, bucket).",
	}, []string{"tier"})
	// SiteRedisFailures counts Redis reads the site fell back from.
	SiteRedisFailures = factory.NewCounter(prometheus.CounterOpts{
		Name: "tandem_site_redis_failures_total",
		Help: "Redis reads that failed; the page was asked of publishing instead.",
	})
	// AddressReleaseFailures counts addresses publishing could not release
	// after a takedown or purge.
	AddressReleaseFailures = factory.NewCounter(prometheus.CounterOpts{
		Name: "tandem_publishing_address_release_failures_total",
		Help: "Addresses not released after a takedown or purge; the next article that claims one takes it over.",
	})
	// SiteRedisMismatches counts pages (and images) Redis held that were
	// not the version the stream announced (the object the store holds).
	SiteRedisMismatches = factory.NewCounter(prometheus.CounterOpts{
		Name: "tandem_site_redis_mismatches_total",
		Help: "Pages read from Redis whose content hash was not the published version's, or images whose SHA-256 was not the stored object's; they were read from publishing or the bucket instead and not served.",
	})
	// SiteApplyDelay is how long after publishing wrote an event a site
	// replica applied it.
	SiteApplyDelay = factory.NewHistogram(prometheus.HistogramOpts{
		Name:    "tandem_site_apply_delay_seconds",
		Help:    "Time from an event's publish (ce-time) to this site replica applying it, for events that arrive while it serves (not its catch-up at start).",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
	})
	// ResponseSeconds is how long the site took to answer, by kind.
	ResponseSeconds = factory.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "tandem_site_response_seconds",
		Help:    "Time the site took to answer a request, by kind (article, listing, feed, search, other).",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, []string{"kind"})
	// Responses counts site responses by status code class and kind.
	Responses = factory.NewCounterVec(prometheus.CounterOpts{
		Name: "tandem_site_responses_total",
		Help: "Site responses by kind (article, listing, feed, search, other) and status code.",
	}, []string{"kind", "code"})
)

// Webhooks.
var (
	// WebhookTries counts tries of webhook deliveries by outcome:
	// delivered, failed (to be tried again), dead (the last try failed).
	WebhookTries = factory.NewCounterVec(prometheus.CounterOpts{
		Name: "tandem_webhooks_tries_total",
		Help: "Tries of webhook deliveries, by outcome: delivered, failed (tried again later), dead (dead-lettered).",
	}, []string{"outcome"})
)

// Review.
var (
	// Findings counts findings of the quality checks at each save, by
	// check and severity.
	Findings = factory.NewCounterVec(prometheus.CounterOpts{
		Name: "tandem_review_findings_total",
		Help: "Quality-check findings on saved segments, by check and severity.",
	}, []string{"check", "severity"})
)

// Serve serves /metrics on addr until ctx is done. An empty addr serves
// nothing.
func Serve(ctx context.Context, addr string, log *slog.Logger) error {
	if addr == "" {
		return nil
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(Registry, promhttp.HandlerOpts{Registry: Registry}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	log.Info("metrics", "addr", "http://"+l.Addr().String()+"/metrics")
	if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
