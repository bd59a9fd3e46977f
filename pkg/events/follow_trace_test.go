package events_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/testkit"
)

func TestViewsContinueTheTraceOfEventsAfterCatchingUp(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	prev := otel.GetTracerProvider()
	otel.SetTracerProvider(tp)
	t.Cleanup(func() { otel.SetTracerProvider(prev); _ = tp.Shutdown(context.Background()) })

	b := testkit.Bus(t, testkit.StartNATS(t).URL())
	old, oldRoot := tp.Tracer("test").Start(ctx(t), "an edit before the view started")
	subj, _ := b.Editorial.Subject("drafts", "V1")
	if _, err := b.Editorial.Publish(old, subj, draftEvent("V1", "旧")); err != nil {
		t.Fatal(err)
	}
	oldRoot.End()

	fctx, cancel := context.WithCancel(ctx(t))
	defer cancel()
	var applied atomic.Int32
	ready := make(chan struct{})
	done := make(chan error, 1)
	filter := b.Editorial.Wildcard("drafts")
	go func() {
		done <- events.FollowAll(fctx, ready, events.View{Stream: b.Editorial, Filter: filter, Apply: func(*events.Event) { applied.Add(1) }})
	}()
	select {
	case <-ready:
	case <-time.After(10 * time.Second):
		t.Fatal("the view did not catch up")
	}

	live, root := tp.Tracer("test").Start(ctx(t), "an edit while the view follows")
	if _, err := b.Editorial.Publish(live, subj, draftEvent("V1", "新")); err != nil {
		t.Fatal(err)
	}
	root.End()
	deadline := time.Now().Add(10 * time.Second)
	var follows []sdktrace.ReadOnlySpan
	for len(follows) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		for _, s := range rec.Ended() {
			if s.SpanKind() == trace.SpanKindConsumer && s.Name() == draftEvent("V1", "").Type+" follow "+filter {
				follows = append(follows, s)
			}
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if applied.Load() != 2 {
		t.Fatalf("the view applied %d events, want 2", applied.Load())
	}
	if len(follows) != 1 {
		t.Fatalf("%d follow spans, want 1: the event read while catching up is not traced again", len(follows))
	}
	if got := follows[0].SpanContext().TraceID(); got != root.SpanContext().TraceID() {
		t.Errorf("the view's span is in trace %s, the live edit in %s", got, root.SpanContext().TraceID())
	}
	if !follows[0].Parent().IsRemote() {
		t.Errorf("the view's span's parent %v is not the event's (remote) context", follows[0].Parent())
	}
}
