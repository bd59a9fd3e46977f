package webhooks

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/metrics"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	webhooksv1 "github.com/tandemnews/tandem/proto/tandem/webhooks/v1"
	"github.com/tandemnews/tandem/services/webhooks/hook"
)

// How deliveries follow PUBLIC.
//
// Each endpoint has a durable consumer of its own on public.articles.*
// (webhooks-<endpoint id>) and a dispatcher that reads it, so a slow or
// failing endpoint holds up nobody else. Within an endpoint each article
// has a queue: its events are delivered one after another in stream
// order, each retried on the schedule until it succeeds or is
// dead-lettered, while other articles' events go on. An event is
// acknowledged once delivered or dead-lettered.
//
// Acknowledgements then come out of order, so after a restart the
// consumer's ack floor (every event at or below it acknowledged) is where
// delivery resumes: the dispatcher recreates its consumer to start right
// after the floor, and every article's events arrive again in order. An
// event above the floor that had been delivered is delivered again, with
// the same webhook-id; receivers deduplicate on it.

// maxInFlight bounds the events one dispatcher holds unacknowledged.
const maxInFlight = 256

// dispatcher delivers the events of one endpoint.
type dispatcher struct {
	s   *Service
	ep  atomic.Pointer[webhooksv1.Endpoint]
	hc  *http.Client
	log *slog.Logger
	sem chan struct{} // deliveries at once

	mu     sync.Mutex
	queues map[string][]*item // by article, in stream order
	held   map[uint64]*item   // by stream sequence
	slot   chan struct{}      // signalled when an item is done
}

// item is one event waiting for delivery, with the message to
// acknowledge (the latest delivery of it).
type item struct {
	ev  *events.Event
	msg jetstream.Msg
}

func newDispatcher(s *Service, ep *webhooksv1.Endpoint) *dispatcher {
	d := &dispatcher{
		s:      s,
		hc:     client(hook.Guard{Allow: ep.AllowPrivateAddress}, s.o.Timeout),
		log:    s.log.With("endpoint", ep.Id),
		sem:    make(chan struct{}, s.o.Concurrency),
		queues: map[string][]*item{},
		held:   map[uint64]*item{},
		slot:   make(chan struct{}, 1),
	}
	d.ep.Store(ep)
	return d
}

func consumerName(endpoint string) string { return "webhooks-" + endpoint }

// consumer returns the endpoint's durable consumer, created to start
// after the endpoint's start, or recreated to start after its ack floor
// when it holds events unacknowledged from before.
func (d *dispatcher) consumer(ctx context.Context) (jetstream.Consumer, error) {
	ep := d.ep.Load()
	stream, err := d.s.bus.JetStream().Stream(ctx, d.s.bus.Config().PublicStream)
	if err != nil {
		return nil, err
	}
	name := consumerName(ep.Id)
	start := ep.StartAfter
	c, err := stream.Consumer(ctx, name)
	switch {
	case err == nil:
		info := c.CachedInfo()
		if info.NumAckPending == 0 && info.NumRedelivered == 0 {
			return c, nil
		}
		start = max(start, info.AckFloor.Stream)
		d.log.Info("resuming after the last event every earlier one was delivered up to", "revision", start, "unacknowledged", info.NumAckPending)
		if err := stream.DeleteConsumer(ctx, name); err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) {
			return nil, err
		}
	case !errors.Is(err, jetstream.ErrConsumerNotFound):
		return nil, err
	}
	return stream.CreateConsumer(ctx, jetstream.ConsumerConfig{
		Durable: name,
		// Not the URL: whoever may read PUBLIC may read this, and a URL
		// can carry a token of the receiver's.
		Description:   "webhook deliveries to endpoint " + ep.Id,
		FilterSubject: d.s.bus.Public.Wildcard(eventsv1.KindArticles),
		DeliverPolicy: jetstream.DeliverByStartSequencePolicy,
		OptStartSeq:   start + 1,
		AckPolicy:     jetstream.AckExplicitPolicy,
		// Retries are the dispatcher's, on its own schedule; a
		// redelivery the server makes meanwhile is recognised and
		// dropped.
		AckWait:       time.Minute,
		MaxDeliver:    -1,
		MaxAckPending: maxInFlight,
	})
}

// run delivers until ctx is done.
func (d *dispatcher) run(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	var cons jetstream.Consumer
	for {
		var err error
		if cons, err = d.consumer(ctx); err == nil {
			break
		}
		if ctx.Err() != nil {
			return
		}
		d.log.Warn("webhook consumer could not start; retrying", "err", err)
		sleep(ctx, time.Second)
	}
	for ctx.Err() == nil {
		n := maxInFlight - d.inFlight()
		if n <= 0 {
			select {
			case <-ctx.Done():
			case <-d.slot:
			}
			continue
		}
		fctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		batch, err := cons.Fetch(n, jetstream.FetchContext(fctx))
		if err != nil {
			cancel()
			if ctx.Err() == nil {
				d.log.Warn("webhook consumer pull failed", "err", err)
				sleep(ctx, 250*time.Millisecond)
			}
			continue
		}
		for msg := range batch.Messages() {
			d.accept(ctx, &wg, msg)
		}
		cancel()
		if err := batch.Error(); err != nil && ctx.Err() == nil && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, nats.ErrTimeout) {
			d.log.Warn("webhook consumer pull ended early", "err", err)
			sleep(ctx, 250*time.Millisecond)
		}
	}
}

func (d *dispatcher) inFlight() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.held)
}

// accept queues one event behind the earlier ones of its article.
func (d *dispatcher) accept(ctx context.Context, wg *sync.WaitGroup, msg jetstream.Msg) {
	ev, err := events.Decode(msg)
	if err != nil {
		d.log.Error("poison event skipped", "event_id", msg.Headers().Get(events.HeaderID), "err", err)
		_ = msg.TermWithReason(err.Error())
		return
	}
	if !hook.Wants(d.ep.Load().EventTypes, ev.Type) {
		_ = msg.Ack()
		return
	}
	d.mu.Lock()
	if it, ok := d.held[ev.Sequence]; ok {
		it.msg = msg // the server's redelivery of an event still queued
		d.mu.Unlock()
		return
	}
	it := &item{ev: ev, msg: msg}
	d.held[ev.Sequence] = it
	q := d.queues[ev.Subject]
	d.queues[ev.Subject] = append(q, it)
	d.mu.Unlock()
	if len(q) == 0 {
		wg.Add(1)
		go func() { defer wg.Done(); d.drain(ctx, ev.Subject) }()
	}
}

// drain delivers an article's queue in order until it is empty.
func (d *dispatcher) drain(ctx context.Context, article string) {
	for {
		d.mu.Lock()
		q := d.queues[article]
		if len(q) == 0 {
			delete(d.queues, article)
			d.mu.Unlock()
			return
		}
		it := q[0]
		d.mu.Unlock()
		if !d.deliver(ctx, it.ev) {
			return // stopping: the event stays unacknowledged
		}
		d.mu.Lock()
		d.queues[article] = d.queues[article][1:]
		delete(d.held, it.ev.Sequence)
		msg := it.msg
		d.mu.Unlock()
		if err := msg.Ack(); err != nil {
			d.log.Warn("ack failed; the event may be delivered again", "event_id", it.ev.ID, "err", err)
		}
		select {
		case d.slot <- struct{}{}:
		default:
		}
	}
}

// deliverTries tries one event on the schedule until it is delivered or
// dead-lettered (true), or ctx is done (false), noting each try on span.
func (d *dispatcher) deliverTries(ctx context.Context, ev *events.Event, span trace.Span) bool {
	payload, err := encode(ev)
	if err != nil {
		d.log.Error("event not encodable; dead-lettered", "event_id", ev.ID, "err", err)
		return d.deadLetter(ctx, ev, 0, err)
	}
	for try := 1; ; try++ {
		select {
		case d.sem <- struct{}{}:
		case <-ctx.Done():
			return false
		}
		err := post(ctx, d.hc, d.ep.Load(), ev.ID, payload, d.s.now())
		<-d.sem
		if err == nil {
			span.SetAttributes(attribute.Int("tandem.webhooks.tries", try), attribute.String("tandem.webhooks.outcome", "delivered"))
			metrics.WebhookTries.WithLabelValues("delivered").Inc()
			d.log.Debug("webhook delivered", "event_id", ev.ID, "article", ev.Subject, "revision", ev.Sequence, "try", try)
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		wait, again := d.s.o.Schedule.Next(try)
		span.AddEvent("try failed", trace.WithAttributes(attribute.Int("tandem.webhooks.try", try), attribute.String("error", err.Error())))
		if !again {
			span.SetAttributes(attribute.Int("tandem.webhooks.tries", try), attribute.String("tandem.webhooks.outcome", "dead"))
			span.SetStatus(codes.Error, err.Error())
			metrics.WebhookTries.WithLabelValues("dead").Inc()
			return d.deadLetter(ctx, ev, try, err)
		}
		metrics.WebhookTries.WithLabelValues("failed").Inc()
		d.log.Warn("webhook delivery failed; will retry", "event_id", ev.ID, "article", ev.Subject, "try", try, "retry_in", wait, "err", err)
		if !sleep(ctx, wait) {
			return false
		}
	}
}

// deadLetter records an event that failed its last try. It reports
// whether the record was stored (and the event may be acknowledged).
func (d *dispatcher) deadLetter(ctx context.Context, ev *events.Event, tries int, cause error) bool {
	dl := &webhooksv1.DeadLetter{
		EndpointId: d.ep.Load().Id, WebhookId: ev.ID, EventType: ev.Type, ArticleId: ev.Subject,
		Revision: ev.Sequence, Attempts: uint32(tries), Reason: cause.Error(), Failed: timestamppb.New(d.s.now()),
	}
	for {
		err := d.s.store.putDeadLetter(ctx, dl)
		if err == nil {
			d.log.Error("webhook dead-lettered after its last try", "event_id", ev.ID, "article", ev.Subject, "revision", ev.Sequence, "tries", tries, "err", cause)
			return true
		}
		d.log.Warn("dead letter not stored; retrying", "event_id", ev.ID, "err", err)
		if !sleep(ctx, time.Second) {
			return false
		}
	}
}

// sleep waits for d or ctx, and reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// dispatch runs a dispatcher per endpoint, starting and stopping them as
// endpoints are added and removed, until ctx is done.
func (s *Service) dispatch(ctx context.Context) error {
	type running struct {
		d      *dispatcher
		cancel context.CancelFunc
		done   chan struct{}
	}
	workers := map[string]*running{}
	stop := func(r *running) { r.cancel(); <-r.done }
	defer func() {
		for _, r := range workers {
			stop(r)
		}
	}()
	s.store.watchEndpoints(ctx, s.log, func(ep *webhooksv1.Endpoint) {
		if r, ok := workers[ep.Id]; ok {
			r.d.ep.Store(ep) // a rotated secret, a changed list of types
			return
		}
		wctx, cancel := context.WithCancel(ctx)
		r := &running{d: newDispatcher(s, ep), cancel: cancel, done: make(chan struct{})}
		workers[ep.Id] = r
		go func() { defer close(r.done); r.d.run(wctx) }()
	}, func(id string) {
		r, ok := workers[id]
		if !ok {
			return
		}
		stop(r)
		delete(workers, id)
		// A dead letter the dispatcher stored while the endpoint was
		// being removed would outlive it.
		if err := s.store.purgeDeadLetters(ctx, id); err != nil && ctx.Err() == nil {
			s.log.Warn("dead letters of a removed endpoint not purged", "endpoint", id, "err", err)
		}
		if stream, err := s.bus.JetStream().Stream(ctx, s.bus.Config().PublicStream); err == nil {
			if err := stream.DeleteConsumer(ctx, consumerName(id)); err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) {
				s.log.Warn("consumer of a removed endpoint not deleted", "endpoint", id, "err", err)
			}
		}
	})
	return nil
}
