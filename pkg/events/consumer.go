package events

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// Handler handles one event. Returning nil acknowledges it; returning an
// error wrapping ErrInvalidEvent (see Permanent) terminates it; any other
// error redelivers it after a delay, up to the consumer's MaxDeliver.
// Handlers must be idempotent: an event can arrive more than once.
type Handler func(ctx context.Context, ev *Event) error

// Permanent marks err as one that no retry can fix, so the event is
// terminated instead of redelivered.
func Permanent(err error) error { return fmt.Errorf("%w: %w", ErrInvalidEvent, err) }

// ConsumerConfig describes a durable pull consumer.
type ConsumerConfig struct {
	// Durable is the consumer name, shared by every replica of a service
	// (work-queue style).
	Durable string
	// FilterSubject selects the events, e.g. the result of Wildcard.
	FilterSubject string
	// MaxDeliver bounds delivery attempts. Default 5; Unlimited retries
	// an event until its handler succeeds (or calls it Permanent).
	MaxDeliver int
	// Backoff is the delay before each redelivery; the last entry repeats.
	// Default 1s, 5s, 15s, 30s.
	Backoff []time.Duration
	// AckWait is how long the server waits for an acknowledgement before it
	// redelivers; it is also how late an event in flight during a crash or
	// an outage is handed out again. A handler gets half of it to finish,
	// so a redelivery never overlaps a handler still running. Default 10s.
	AckWait time.Duration
	// Logger receives consumer errors. Default slog.Default().
	Logger *slog.Logger
}

// Unlimited is a MaxDeliver without bound.
const Unlimited = -1

func (c *ConsumerConfig) defaults() {
	if c.MaxDeliver == 0 {
		c.MaxDeliver = 5
	}
	if len(c.Backoff) == 0 {
		c.Backoff = []time.Duration{time.Second, 5 * time.Second, 15 * time.Second, 30 * time.Second}
	}
	if c.AckWait == 0 {
		c.AckWait = 10 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}

func (c *ConsumerConfig) delay(attempt uint64) time.Duration {
	i := int(attempt) - 1
	if i < 0 {
		i = 0
	}
	if i >= len(c.Backoff) {
		i = len(c.Backoff) - 1
	}
	return c.Backoff[i]
}

// Consume creates or updates the durable consumer and hands its events to
// h one at a time until ctx is done. It returns nil when ctx is cancelled,
// or the error that kept the consumer from starting.
func (s *Stream) Consume(ctx context.Context, cfg ConsumerConfig, h Handler) error {
	cfg.defaults()
	// A server that does not answer while the consumer starts is waited
	// for, as the fetch loop below waits for it later; a stream that does
	// not exist is an error.
	var cons jetstream.Consumer
	for {
		var err error
		cons, err = s.s.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
			Durable:       cfg.Durable,
			FilterSubject: cfg.FilterSubject,
			AckPolicy:     jetstream.AckExplicitPolicy,
			DeliverPolicy: jetstream.DeliverAllPolicy,
			AckWait:       cfg.AckWait,
			MaxDeliver:    cfg.MaxDeliver,
			MaxAckPending: 1000,
		})
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return nil // stopped while starting: not a failure
		}
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			return fmt.Errorf("events: consumer %s on %s: %w", cfg.Durable, s.name, err)
		}
		cfg.Logger.Warn("consumer could not start; retrying", "consumer", cfg.Durable, "stream", s.name, "err", err)
		pause(ctx)
	}
	log := cfg.Logger.With("consumer", cfg.Durable, "stream", s.name)
	// Each round is a fresh pull request that lives a few seconds. A
	// long-lived pull subscription can wait forever on requests a
	// restarted server no longer knows; a fetch loop cannot.
	for ctx.Err() == nil {
		fctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		batch, err := cons.Fetch(64, jetstream.FetchContext(fctx))
		if err != nil {
			cancel()
			if ctx.Err() != nil {
				return nil
			}
			log.Warn("consumer pull failed", "err", err)
			pause(ctx)
			continue
		}
		for msg := range batch.Messages() {
			s.handle(ctx, log, &cfg, msg, h)
		}
		cancel()
		if err := batch.Error(); err != nil && ctx.Err() == nil && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, nats.ErrTimeout) {
			log.Warn("consumer pull ended early", "err", err)
			pause(ctx)
		}
	}
	return nil
}

func (s *Stream) handle(ctx context.Context, log *slog.Logger, cfg *ConsumerConfig, msg jetstream.Msg, h Handler) {
	md, _ := msg.Metadata()
	var attempt uint64 = 1
	if md != nil {
		attempt = md.NumDelivered
	}
	ev, err := decodeMsg(msg)
	if err == nil {
		hctx, cancel := context.WithTimeout(ctx, cfg.AckWait/2)
		var span trace.Span
		hctx, span = startConsumerSpan(hctx, ev, "process "+cfg.Durable)
		span.SetAttributes(attribute.Int64("messaging.nats.delivery_attempt", int64(attempt)))
		err = h(hctx, ev)
		endSpan(span, err)
		cancel()
	}
	id := msg.Headers().Get(HeaderID)
	switch {
	case err == nil:
		if aerr := msg.Ack(); aerr != nil {
			log.Warn("ack failed; the event will be redelivered", "event_id", id, "err", aerr)
		}
	case errors.Is(err, ErrInvalidEvent):
		log.Error("poison event terminated", "event_id", id, "subject", msg.Subject(), "err", err)
		_ = msg.TermWithReason(err.Error())
	case cfg.MaxDeliver > 0 && attempt >= uint64(cfg.MaxDeliver):
		log.Error("event failed on its last attempt; terminated", "event_id", id, "subject", msg.Subject(), "attempt", attempt, "err", err)
		_ = msg.TermWithReason(err.Error())
	default:
		d := cfg.delay(attempt)
		log.Warn("event failed; will retry", "event_id", id, "subject", msg.Subject(), "attempt", attempt, "retry_in", d, "err", err)
		_ = msg.NakWithDelay(d)
	}
}

// Follow delivers the last event of every subject matching filter, then
// every new one, to fn, in stream order, until ctx is done. It uses an
// ordered consumer of its own, so every caller sees the whole stream (the
// site's replicas each rebuild their index this way). ready is closed once
// the events that existed at the start have been delivered.
func (s *Stream) Follow(ctx context.Context, filter string, fn func(*Event), ready chan<- struct{}) error {
	var (
		info *jetstream.StreamInfo
		it   jetstream.MessagesContext
	)
	// A server that does not answer while the follower starts (stalled,
	// restarting, electing a leader) is waited for, as the loop below
	// waits for it later; a stream that does not exist is an error.
	for {
		var err error
		if it, info, err = s.startFollow(ctx, filter); err == nil {
			break
		}
		if ctx.Err() != nil {
			return nil // stopped while starting: not a failure
		}
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			return fmt.Errorf("events: follow %s: %w", filter, err)
		}
		slog.Warn("follow could not start; retrying", "filter", filter, "err", err)
		pause(ctx)
	}
	pending := len(info.State.Subjects)
	lastSeq := info.State.LastSeq
	stop := context.AfterFunc(ctx, it.Stop)
	defer stop()
	defer it.Stop()
	signal := func() {
		if ready != nil {
			close(ready)
			ready = nil
		}
	}
	if pending == 0 {
		signal()
	}
	for {
		// With ctx as well as Stop: an ordered consumer that is
		// resetting (after missed heartbeats) when Stop comes starts a
		// subscription Stop never reaches, and only ctx ends its wait.
		msg, err := it.Next(jetstream.NextContext(ctx))
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, jetstream.ErrMsgIteratorClosed) {
				return nil
			}
			slog.Warn("follow pull failed", "filter", filter, "err", err)
			pause(ctx)
			continue
		}
		ev, err := decodeMsg(msg)
		if err != nil {
			slog.Error("poison event skipped", "event_id", msg.Headers().Get(HeaderID), "subject", msg.Subject(), "err", err)
		} else {
			fn(ev)
		}
		if md, err := msg.Metadata(); err == nil && (md.NumPending == 0 || md.Sequence.Stream >= lastSeq) {
			signal()
		}
	}
}

// startFollow reads where the stream stands and starts an ordered
// consumer of the last event per subject of filter.
func (s *Stream) startFollow(ctx context.Context, filter string) (jetstream.MessagesContext, *jetstream.StreamInfo, error) {
	info, err := s.s.Info(ctx, jetstream.WithSubjectFilter(filter))
	if err != nil {
		return nil, nil, err
	}
	cons, err := s.s.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{filter},
		DeliverPolicy:  jetstream.DeliverLastPerSubjectPolicy,
	})
	if err != nil {
		return nil, nil, err
	}
	it, err := cons.Messages()
	return it, info, err
}

// pause waits a moment after a failed pull, so an iterator that keeps
// failing (the server gone for a while) does not spin.
func pause(ctx context.Context) {
	t := time.NewTimer(250 * time.Millisecond)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
