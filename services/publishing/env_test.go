package publishing

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"maps"
	"slices"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/cache"
	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/rpc"
	"github.com/tandemnews/tandem/pkg/testkit"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	errorsv1 "github.com/tandemnews/tandem/proto/tandem/errors/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// env is a publishing service on an in-process NATS server and the real
// Redis, with the drafts and jobs it reads written by the test.
type env struct {
	t     *testing.T
	bus   *events.Bus
	svc   *Service
	pages *cache.Pages
	// ctx carries the publisher "chief".
	ctx context.Context
}

func newEnv(t *testing.T) *env {
	t.Helper()
	bus := testkit.Bus(t, testkit.StartNATS(t).URL())
	rdb, prefix := testkit.Redis(t)
	pages := cache.New(rdb, prefix)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	ctx = auth.WithUser(ctx, auth.User{ID: "chief", Name: "Chief Editor", Roles: []auth.Role{auth.Publisher}})
	return &env{t: t, bus: bus, svc: New(bus, Options{Pages: pages, Logger: quiet}), pages: pages, ctx: ctx}
}

// run runs the service until the test ends, once it has read the
// schedules.
func (e *env) run() { e.runReplica(e.svc) }

// runReplica runs svc, a replica on the same bus, until the test ends,
// once it has read the schedules.
func (e *env) runReplica(svc *Service) {
	e.t.Helper()
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	e.t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			e.t.Errorf("run: %v", err)
		}
	})
	select {
	case <-svc.Ready:
	case <-time.After(10 * time.Second):
		e.t.Fatal("the schedules were not read")
	}
}

func sampleArticle(id string) *articlev1.Article {
	return &articlev1.Article{
		Id: id, Section: []string{"news-events", "news"}, SourceLocale: "zh-CN", Date: "2024-05-14", Slug: "forum",
		Locales: map[string]*articlev1.LocalizedContent{"zh-CN": content()},
	}
}

// submit stores the draft of a (as drafting would) and submits it; it
// returns the submitted revision.
func (e *env) submit(a *articlev1.Article) uint64 {
	e.t.Helper()
	drafts := draftWriter(e.bus.Editorial)
	d, err := drafts.Upsert(e.ctx, a.Id, func(d *draftingv1.Draft) (events.Change, error) {
		d.Article = a
		return events.Change{Type: eventsv1.DraftUpdated, Actor: "editor"}, nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	rev := d.Revision
	if _, err := drafts.Update(e.ctx, a.Id, rev, func(d *draftingv1.Draft) (events.Change, error) {
		d.SubmittedRevision = rev
		return events.Change{Type: eventsv1.DraftSubmitted, Actor: "editor"}, nil
	}); err != nil {
		e.t.Fatal(err)
	}
	return rev
}

// review stores the English translation job of article id, made from the
// source revision rev, in status st.
func (e *env) review(id string, rev uint64, st reviewv1.JobStatus, title string) {
	e.t.Helper()
	if _, err := jobWriter(e.bus.Editorial).Upsert(e.ctx, id, func(j *reviewv1.Job) (events.Change, error) {
		j.ArticleId, j.SourceRevision, j.SourceLocale, j.TargetLocale, j.Status = id, rev, "zh-CN", "en", st
		j.Target = content()
		j.Target.Title = title
		return events.Change{Type: eventsv1.TranslationUpdated, Actor: "translator"}, nil
	}); err != nil {
		e.t.Fatal(err)
	}
}

// ready submits the article id and approves its English translation.
func (e *env) ready(id string) uint64 {
	e.t.Helper()
	rev := e.submit(sampleArticle(id))
	e.review(id, rev, reviewv1.JobStatus_JOB_STATUS_APPROVED, "Forum in English")
	return rev
}

// record is the public record of id as stored, pages included.
func (e *env) record(id string) *eventsv1.Publication {
	e.t.Helper()
	p, err := e.svc.pubs.Get(e.ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// last is the last event on the public subject of id.
func (e *env) last(id string) *events.Event {
	e.t.Helper()
	subj, err := e.svc.pubs.Subject(id)
	if err != nil {
		e.t.Fatal(err)
	}
	ev, err := e.bus.Public.Last(e.ctx, subj)
	if err != nil {
		e.t.Fatal(err)
	}
	return ev
}

// cached is the HTML Redis holds for a published locale's version, nil
// when it holds none.
func (e *env) cached(article string, pl *eventsv1.PublishedLocale) []byte {
	e.t.Helper()
	html, err := e.pages.Get(e.ctx, pages{cache: e.pages}.key(article, pl))
	if errors.Is(err, cache.ErrMiss) {
		return nil
	}
	if err != nil {
		e.t.Fatal(err)
	}
	return html
}

// settle does what the consumer of PUBLIC events does after a change of
// the article's record: clear out of Redis what it no longer serves.
func (e *env) settle(article string) {
	e.t.Helper()
	if err := e.svc.HandlePublicEvent(e.ctx, &events.Event{Subject: article}); err != nil {
		e.t.Fatal(err)
	}
}

// wantReason fails unless err is code with the ErrorInfo reason and
// metadata.
func wantReason(t *testing.T, err error, code codes.Code, reason errorsv1.ErrorReason, meta map[string]string) {
	t.Helper()
	st := status.Convert(err)
	if st.Code() != code {
		t.Fatalf("got %v, want %v", err, code)
	}
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			if info.Reason != rpc.Reason(reason) || info.Domain != rpc.ErrorDomain || !maps.Equal(info.Metadata, meta) {
				t.Errorf("error info %v, want %s %v", info, rpc.Reason(reason), meta)
			}
			return
		}
	}
	t.Errorf("%v carries no error info", err)
}

// wantViolations fails unless err is InvalidArgument naming exactly the
// fields.
func wantViolations(t *testing.T, err error, fields ...string) {
	t.Helper()
	st := status.Convert(err)
	if st.Code() != codes.InvalidArgument {
		t.Fatalf("got %v, want InvalidArgument", err)
	}
	var got []string
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.FieldViolations {
				got = append(got, v.Field)
			}
		}
	}
	if !slices.Equal(got, fields) {
		t.Errorf("violations %v, want %v (%v)", got, fields, err)
	}
}

// The tests write drafts and jobs as drafting and review would; the
// service itself only reads them.
func draftWriter(s *events.Stream) *events.Aggregate[*draftingv1.Draft] {
	return events.Define(s, eventsv1.KindDrafts, eventsv1.SourceDrafting,
		func(d *draftingv1.Draft) *eventsv1.DraftEvent { return &eventsv1.DraftEvent{Draft: d} },
		(*eventsv1.DraftEvent).GetDraft, func(d *draftingv1.Draft, rev uint64) { d.Revision = rev })
}

func jobWriter(s *events.Stream) *events.Aggregate[*reviewv1.Job] {
	return events.Define(s, eventsv1.KindReviews, eventsv1.SourceReview,
		func(j *reviewv1.Job) *eventsv1.ReviewEvent { return &eventsv1.ReviewEvent{Job: j} },
		(*eventsv1.ReviewEvent).GetJob, func(j *reviewv1.Job, rev uint64) { j.Revision = rev })
}
