package webhooks

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/tandemnews/tandem/pkg/events"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
)

func TestDeliveriesContinueTheTraceOfTheEvent(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	prev := otel.GetTracerProvider()
	otel.SetTracerProvider(tp)
	t.Cleanup(func() { otel.SetTracerProvider(prev); _ = tp.Shutdown(context.Background()) })

	bus := newBus(t)
	s, _ := start(t, bus, Options{Schedule: fast})
	rc := newReceiver(t)
	failed := false
	rc.setDecide(func(w http.ResponseWriter, r *http.Request) int {
		if !failed { // the first try fails, the second is delivered
			failed = true
			return http.StatusServiceUnavailable
		}
		return 0
	})
	add(t, s, rc)

	ctx, root := tp.Tracer("test").Start(context.Background(), "a publisher's call")
	subj, err := bus.Public.Subject(eventsv1.KindArticles, "01TRACEDARTICLE")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bus.Public.Publish(ctx, subj, &events.Event{
		Type: eventsv1.ArticlePublished, Source: eventsv1.SourcePublishing, Subject: "01TRACEDARTICLE", Actor: "test-publisher",
		Data: &eventsv1.ArticleEvent{Publication: &eventsv1.Publication{ArticleId: "01TRACEDARTICLE"}, ChangedLocales: []string{"zh-CN"}},
	}); err != nil {
		t.Fatal(err)
	}
	root.End()
	eventually(t, "the delivery", 10*time.Second, func() bool { return len(rc.deliveries()) == 1 })

	var span sdktrace.ReadOnlySpan
	eventually(t, "the delivery's span ends", 5*time.Second, func() bool {
		for _, sp := range rec.Ended() {
			if sp.Name() == eventsv1.ArticlePublished+" deliver webhooks" {
				span = sp
				return true
			}
		}
		return false
	})
	if span.SpanContext().TraceID() != root.SpanContext().TraceID() {
		t.Errorf("the delivery is in trace %s, the publish in %s: want one trace", span.SpanContext().TraceID(), root.SpanContext().TraceID())
	}
	if !span.Parent().IsValid() || span.Parent().SpanID() == root.SpanContext().SpanID() {
		t.Errorf("the delivery's parent is %v; want the event's publish span", span.Parent())
	}
	var tries, outcome string
	for _, a := range span.Attributes() {
		switch a.Key {
		case "tandem.webhooks.tries":
			tries = a.Value.String()
		case "tandem.webhooks.outcome":
			outcome = a.Value.String()
		}
	}
	if tries != "2" || outcome != "delivered" {
		t.Errorf("span says %s tries, %q; want 2, delivered", tries, outcome)
	}
	if n := len(span.Events()); n != 1 || !strings.Contains(span.Events()[0].Name, "try failed") {
		t.Errorf("span events %v; want the one failed try", span.Events())
	}
}
