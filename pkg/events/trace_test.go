package events_test

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/testkit"
)

func traced(t *testing.T) (context.Context, trace.SpanContext) {
	ts, err := trace.ParseTraceState("tandem=edit")
	if err != nil {
		t.Fatal(err)
	}
	sc := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID:    trace.TraceID{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36},
		SpanID:     trace.SpanID{0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7},
		TraceFlags: trace.FlagsSampled,
		TraceState: ts,
	})
	return trace.ContextWithSpanContext(ctx(t), sc), sc
}

func TestPublishCarriesTheTraceAsCloudEventsHeaders(t *testing.T) {
	b := testkit.Bus(t, testkit.StartNATS(t).URL())
	tctx, sc := traced(t)
	subj, _ := b.Editorial.Subject("drafts", "T1")
	if _, err := b.Editorial.Publish(tctx, subj, draftEvent("T1", "标题")); err != nil {
		t.Fatal(err)
	}
	s, err := b.JetStream().Stream(ctx(t), b.Config().EditorialStream)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := s.GetLastMsgForSubject(ctx(t), subj)
	if err != nil {
		t.Fatal(err)
	}
	tp := raw.Header.Get(events.HeaderTraceParent)
	if len(tp) != 55 || tp[:36] != "00-"+sc.TraceID().String()+"-" || tp[len(tp)-3:] != "-01" {
		t.Fatalf("ce-traceparent = %q, want a W3C traceparent of trace %s, sampled", tp, sc.TraceID())
	}
	if ts := raw.Header.Get(events.HeaderTraceState); ts != "tandem=edit" {
		t.Fatalf("ce-tracestate = %q, want tandem=edit", ts)
	}
	ev, err := b.Editorial.Last(ctx(t), subj)
	if err != nil {
		t.Fatal(err)
	}
	if ev.TraceParent != tp || ev.TraceState != "tandem=edit" {
		t.Fatalf("decoded trace %q %q, want %q tandem=edit", ev.TraceParent, ev.TraceState, tp)
	}
	got := trace.SpanContextFromContext(ev.Context(context.Background()))
	if !got.IsRemote() || got.TraceID() != sc.TraceID() || !got.IsSampled() || got.TraceState().Get("tandem") != "edit" {
		t.Fatalf("event context = %+v, want a remote span context of trace %s", got, sc.TraceID())
	}

	// An untraced write carries no trace, and its context is the one given.
	subj2, _ := b.Editorial.Subject("drafts", "T2")
	if _, err := b.Editorial.Publish(ctx(t), subj2, draftEvent("T2", "标题")); err != nil {
		t.Fatal(err)
	}
	ev2, err := b.Editorial.Last(ctx(t), subj2)
	if err != nil {
		t.Fatal(err)
	}
	if ev2.TraceParent != "" || trace.SpanContextFromContext(ev2.Context(context.Background())).IsValid() {
		t.Fatalf("untraced event has trace %q", ev2.TraceParent)
	}
}

func TestConsumerContinuesTheEventsTrace(t *testing.T) {
	b := testkit.Bus(t, testkit.StartNATS(t).URL())
	tctx, sc := traced(t)
	subj, _ := b.Editorial.Subject("drafts", "T3")
	if _, err := b.Editorial.Publish(tctx, subj, draftEvent("T3", "标题")); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithTimeout(ctx(t), 10*time.Second)
	defer cancel()
	got := make(chan trace.SpanContext, 1)
	err := b.Editorial.Consume(cctx, events.ConsumerConfig{Durable: "trace-test", FilterSubject: subj}, func(hctx context.Context, ev *events.Event) error {
		select {
		case got <- trace.SpanContextFromContext(hctx):
		default:
		}
		cancel()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case h := <-got:
		if h.TraceID() != sc.TraceID() {
			t.Fatalf("handler's trace %s, want %s", h.TraceID(), sc.TraceID())
		}
	default:
		t.Fatal("the handler never ran")
	}
}
