package e2e

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/cache"
	"github.com/tandemnews/tandem/pkg/telemetry"
	"github.com/tandemnews/tandem/pkg/testkit"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

var traceOnce sync.Mutex

// recordSpans installs an in-memory span recorder as the global tracer
// provider for the rest of the test.
func recordSpans(t *testing.T) *tracetest.SpanRecorder {
	traceOnce.Lock()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	telemetry.Use(tp)
	t.Cleanup(func() {
		telemetry.Use(noop.NewTracerProvider())
		_ = tp.Shutdown(context.Background())
		traceOnce.Unlock()
	})
	return rec
}

// traceOf returns the ended spans of one trace.
func traceOf(rec *tracetest.SpanRecorder, id trace.TraceID) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range rec.Ended() {
		if s.SpanContext().TraceID() == id {
			out = append(out, s)
		}
	}
	return out
}

// clientSpan finds the ended client span of a gRPC method.
func clientSpan(t *testing.T, rec *tracetest.SpanRecorder, method string) sdktrace.ReadOnlySpan {
	t.Helper()
	for _, s := range rec.Ended() {
		if s.SpanKind() == trace.SpanKindClient && strings.HasSuffix(s.Name(), "/"+method) {
			return s
		}
	}
	t.Fatalf("no client span of %s among %d spans", method, len(rec.Ended()))
	return nil
}

func names(spans []sdktrace.ReadOnlySpan) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.SpanKind().String()+" "+s.Name())
	}
	slices.Sort(out)
	return out
}

// TestOnePublishIsOneTrace pins the tracing promise: the trace of a
// publisher's call runs through the publishing service, its event and
// Redis, to the site applying the event, and a submit's trace continues
// in review's consumer opening the job.
func TestOnePublishIsOneTrace(t *testing.T) {
	rec := recordSpans(t)
	// Pages in a Redis client from cache.Connect, as the commands make
	// it, under the test's own prefix (cleaned up by testkit).
	_, prefix := testkit.Redis(t)
	rdb, err := cache.Connect(testkit.RedisURL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rdb.Close() })
	e := stacktest.StartWith(t, testkit.StartNATS(t).URL(), cache.New(rdb, prefix))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	drafting := draftingv1.NewDraftingServiceClient(e.Conn)
	review := reviewv1.NewReviewServiceClient(e.Conn)
	publishing := publishingv1.NewPublishingServiceClient(e.Conn)

	created, err := drafting.CreateDraft(ctx, &draftingv1.CreateDraftRequest{Article: stacktest.SampleArticle()}, e.As(auth.Editor))
	if err != nil {
		t.Fatal(err)
	}
	id := created.Draft.Article.Id
	if _, err := drafting.SubmitDraft(ctx, &draftingv1.SubmitDraftRequest{Id: id, ExpectedRevision: created.Draft.Revision}, e.As(auth.Editor)); err != nil {
		t.Fatal(err)
	}
	submit := clientSpan(t, rec, "SubmitDraft")
	stacktest.Eventually(t, "review job opens", func() bool {
		_, err := review.GetJob(ctx, &reviewv1.GetJobRequest{ArticleId: id}, e.As(auth.Translator))
		if err != nil && status.Code(err) != codes.NotFound {
			t.Fatalf("get job: %v", err)
		}
		return err == nil
	})
	stacktest.Eventually(t, "review's consumer span ends in the submit's trace", func() bool {
		for _, s := range traceOf(rec, submit.SpanContext().TraceID()) {
			if s.SpanKind() == trace.SpanKindConsumer && strings.HasPrefix(s.Name(), eventsv1.DraftSubmitted+" ") {
				return s.Parent().IsRemote()
			}
		}
		return false
	})

	if _, err := publishing.PublishArticle(ctx, &publishingv1.PublishArticleRequest{ArticleId: id, Locales: []string{"zh-CN"}}, e.As(auth.Publisher)); err != nil {
		t.Fatal(err)
	}
	publish := clientSpan(t, rec, "PublishArticle")
	tid := publish.SpanContext().TraceID()
	if publish.Parent().IsValid() {
		t.Fatalf("the publish call's span has a parent %v: the caller's span should start the trace", publish.Parent())
	}
	// The client's span may end before the server's: wait for the site's
	// apply and for every parent in the trace to have ended.
	var apply sdktrace.ReadOnlySpan
	stacktest.Eventually(t, "the site applies the publication in the publish's trace", func() bool {
		apply = nil
		spans := traceOf(rec, tid)
		ended := map[trace.SpanID]bool{}
		for _, s := range spans {
			ended[s.SpanContext().SpanID()] = true
			if s.Name() == "site apply "+eventsv1.ArticlePublished {
				apply = s
			}
		}
		for _, s := range spans {
			if s.Parent().IsValid() && !ended[s.Parent().SpanID()] {
				return false
			}
		}
		return apply != nil
	})
	if !apply.Parent().IsRemote() {
		t.Fatalf("the site's apply span's parent %v is not the event's remote context", apply.Parent())
	}

	spans := traceOf(rec, tid)
	byID := map[trace.SpanID]sdktrace.ReadOnlySpan{}
	for _, s := range spans {
		byID[s.SpanContext().SpanID()] = s
	}
	// Every span of the trace leads back to the publisher's call.
	for _, s := range spans {
		cur := s
		for cur.Parent().IsValid() {
			p, ok := byID[cur.Parent().SpanID()]
			if !ok {
				t.Fatalf("span %q has parent %s outside the trace's ended spans %v", cur.Name(), cur.Parent().SpanID(), names(spans))
			}
			cur = p
		}
		if cur != publish {
			t.Fatalf("span %q leads back to %q, not the publish call", s.Name(), cur.Name())
		}
	}
	want := []func(sdktrace.ReadOnlySpan) bool{
		func(s sdktrace.ReadOnlySpan) bool {
			return s.SpanKind() == trace.SpanKindServer && strings.HasSuffix(s.Name(), "/PublishArticle")
		},
		func(s sdktrace.ReadOnlySpan) bool {
			return s.SpanKind() == trace.SpanKindProducer && s.Name() == eventsv1.ArticlePublished+" publish"
		},
		func(s sdktrace.ReadOnlySpan) bool { return s.SpanKind() == trace.SpanKindClient && isRedis(s) },
	}
	for i, ok := range want {
		if !slices.ContainsFunc(spans, ok) {
			t.Fatalf("the publish's trace lacks span %d of [server call, event publish, Redis]: %v", i, names(spans))
		}
	}

	// The stored event carries the trace as CloudEvents headers.
	subject, err := e.Bus.Public.Subject(eventsv1.KindArticles, id)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := e.Bus.Public.Last(ctx, subject)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ev.TraceParent, tid.String()) {
		t.Fatalf("the published event's traceparent %q is not of trace %s", ev.TraceParent, tid)
	}
	if got := trace.SpanContextFromContext(ev.Context(ctx)).TraceID(); got != tid {
		t.Fatalf("the event's context is of trace %s, want %s", got, tid)
	}
}

func isRedis(s sdktrace.ReadOnlySpan) bool {
	for _, a := range s.Attributes() {
		if a.Key == "db.system" || a.Key == "db.system.name" {
			return a.Value.AsString() == "redis"
		}
	}
	return false
}
