package metrics

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// ConsumerState is what the server says of one durable consumer.
type ConsumerState struct {
	Stream, Consumer string
	// Pending is how many events the consumer has not been handed yet.
	Pending uint64
	// AckPending is how many it was handed and has not acknowledged.
	AckPending int
	// Redelivered is how many of those were handed out more than once.
	Redelivered int
}

var (
	consumerPending = prometheus.NewDesc("tandem_consumer_pending_events",
		"Events a durable consumer has not been handed yet: a number that keeps growing is a consumer stuck or too slow.",
		[]string{"stream", "consumer"}, nil)
	consumerAckPending = prometheus.NewDesc("tandem_consumer_ack_pending_events",
		"Events handed to a durable consumer and not acknowledged yet.",
		[]string{"stream", "consumer"}, nil)
	consumerRedelivered = prometheus.NewDesc("tandem_consumer_redelivered_events",
		"Unacknowledged events a durable consumer was handed more than once: failures being retried.",
		[]string{"stream", "consumer"}, nil)
)

// consumerSource lists the durable consumers at each scrape; nil until a
// process starts its services.
var consumerSource atomic.Pointer[func(ctx context.Context) ([]ConsumerState, error)]

func init() { registered.MustRegister(consumers{}) }

// consumers collects the state of the durable consumers at each scrape.
type consumers struct{}

func (c consumers) Describe(ch chan<- *prometheus.Desc) {
	ch <- consumerPending
	ch <- consumerAckPending
	ch <- consumerRedelivered
}

func (c consumers) Collect(ch chan<- prometheus.Metric) {
	src := consumerSource.Load()
	if src == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	list, err := (*src)(ctx)
	if err != nil {
		return // NATS away: no figures rather than stale ones
	}
	for _, s := range list {
		ch <- prometheus.MustNewConstMetric(consumerPending, prometheus.GaugeValue, float64(s.Pending), s.Stream, s.Consumer)
		ch <- prometheus.MustNewConstMetric(consumerAckPending, prometheus.GaugeValue, float64(s.AckPending), s.Stream, s.Consumer)
		ch <- prometheus.MustNewConstMetric(consumerRedelivered, prometheus.GaugeValue, float64(s.Redelivered), s.Stream, s.Consumer)
	}
}

// WatchConsumers reports, at each scrape, the durable consumers that list
// returns, in place of any list given before.
func WatchConsumers(list func(ctx context.Context) ([]ConsumerState, error)) {
	consumerSource.Store(&list)
}
