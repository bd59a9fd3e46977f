package events

import (
	"context"

	"github.com/nats-io/nats.go"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// Trace context travels in every event as the CloudEvents
// distributed-tracing extension: the W3C traceparent and tracestate,
// under the binding's ce- prefix. A consumer continues the trace of the
// call that wrote the event.
const (
	HeaderTraceParent = "ce-traceparent"
	HeaderTraceState  = "ce-tracestate"
)

const tracerName = "github.com/tandemnews/tandem/pkg/events"

func tracer() trace.Tracer { return otel.Tracer(tracerName) }

// w3c reads and writes traceparent and tracestate, whatever propagator
// the process installed: the headers are part of the event's contract.
var w3c propagation.TraceContext

// injectTrace writes ctx's span context into h, if ctx carries one.
func injectTrace(ctx context.Context, h nats.Header) {
	if !trace.SpanContextFromContext(ctx).IsValid() {
		return
	}
	c := propagation.MapCarrier{}
	w3c.Inject(ctx, c)
	if v := c.Get("traceparent"); v != "" {
		h.Set(HeaderTraceParent, encodeHeader(v))
	}
	if v := c.Get("tracestate"); v != "" {
		h.Set(HeaderTraceState, encodeHeader(v))
	}
}

// Context returns ctx carrying the event's trace context as its remote
// parent, so a span started from it continues the trace of the call that
// wrote the event. Without a (valid) traceparent it returns ctx.
func (e *Event) Context(ctx context.Context) context.Context {
	if e.TraceParent == "" {
		return ctx
	}
	c := propagation.MapCarrier{"traceparent": e.TraceParent}
	if e.TraceState != "" {
		c["tracestate"] = e.TraceState
	}
	return w3c.Extract(ctx, c)
}

// startConsumerSpan starts the span of one delivery of ev to a handler
// or follower, a child of the event's trace context.
func startConsumerSpan(ctx context.Context, ev *Event, name string) (context.Context, trace.Span) {
	return tracer().Start(ev.Context(ctx), ev.Type+" "+name,
		trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(
			attribute.String("messaging.system", "nats"),
			attribute.String("messaging.destination.name", ev.NATSSubject),
			attribute.String("messaging.message.id", ev.ID),
			attribute.String("cloudevents.event_type", ev.Type),
			attribute.String("cloudevents.event_subject", ev.Subject),
			attribute.Int64("messaging.nats.stream_sequence", int64(ev.Sequence)),
		))
}

// endSpan records err, if any, and ends span.
func endSpan(span trace.Span, err error) {
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
}
