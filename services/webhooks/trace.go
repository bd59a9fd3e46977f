package webhooks

import (
	"context"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/tandemnews/tandem/pkg/events"
)

// deliver delivers one event to the endpoint (deliverTries) under a span
// that continues the event's trace: the trace of a publish runs on to
// every endpoint it reached, with each failed try an event of the span.
// The endpoint is outside Tandem, so the trace context is not sent to it.
func (d *dispatcher) deliver(ctx context.Context, ev *events.Event) bool {
	_, span := otel.Tracer("github.com/tandemnews/tandem/services/webhooks").Start(ev.Context(ctx), ev.Type+" deliver webhooks",
		trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(
			attribute.String("messaging.system", "nats"),
			attribute.String("messaging.destination.name", ev.NATSSubject),
			attribute.String("messaging.message.id", ev.ID),
			attribute.String("tandem.article", ev.Subject),
			attribute.Int64("tandem.revision", int64(ev.Sequence)),
			attribute.String("tandem.webhooks.endpoint", d.ep.Load().Id),
		))
	defer span.End()
	done := d.deliverTries(ctx, ev, span)
	if !done {
		span.SetStatus(codes.Error, "stopped before the event was delivered")
	}
	return done
}
