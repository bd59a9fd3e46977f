package review

import (
	"context"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/status"

	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/testkit"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
	"github.com/tandemnews/tandem/services/review/job"
)

func as(id string, roles ...auth.Role) context.Context {
	return auth.WithUser(context.Background(), auth.User{ID: id, Name: id, Roles: roles})
}

var (
	wang = as("wang", auth.Translator)
	zhao = as("zhao", auth.Translator)
	lead = as("lead", auth.Admin)
)

// submit stores a and submits it the way drafting does, and returns the
// submission event as a consumer receives it.
func submit(t *testing.T, bus *events.Bus, a *articlev1.Article, minor bool) *events.Event {
	t.Helper()
	ctx := context.Background()
	drafts := draftsOf(bus.Editorial)
	d, err := drafts.Upsert(ctx, a.Id, func(d *draftingv1.Draft) (events.Change, error) {
		d.Article = a
		return events.Change{Type: eventsv1.DraftUpdated, Actor: "ed"}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rev := d.Revision
	d, err = drafts.Update(ctx, a.Id, rev, func(d *draftingv1.Draft) (events.Change, error) {
		d.Status, d.SubmittedRevision, d.SubmittedMinor = draftingv1.DraftStatus_DRAFT_STATUS_SUBMITTED, rev, minor
		return events.Change{Type: eventsv1.DraftSubmitted, Actor: "ed"}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	subj, _ := drafts.Subject(a.Id)
	ev, err := bus.Editorial.At(ctx, subj, d.Revision)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// submitDraft submits an article with a Chinese title and, unless en is
// empty, an English one.
func submitDraft(t *testing.T, bus *events.Bus, id string, en string) *events.Event {
	t.Helper()
	a := &articlev1.Article{Id: id, SourceLocale: "zh-CN", Section: []string{"news"}, Date: "2024-01-02", Locales: map[string]*articlev1.LocalizedContent{
		"zh-CN": {Title: "标题"},
	}}
	if en != "" {
		a.Locales["en"] = &articlev1.LocalizedContent{Title: en}
	}
	return submit(t, bus, a, false)
}

// submitArticle submits an article with the given Chinese and English
// paragraphs.
func submitArticle(t *testing.T, bus *events.Bus, id string, minor bool, zh, en []string) *events.Event {
	t.Helper()
	para := func(texts []string) []*articlev1.Block {
		var out []*articlev1.Block
		for i, tx := range texts {
			out = append(out, &articlev1.Block{Id: "blk" + string(rune('a'+i)), Kind: &articlev1.Block_Paragraph{Paragraph: &articlev1.Paragraph{Text: tx}}})
		}
		return out
	}
	return submit(t, bus, &articlev1.Article{Id: id, SourceLocale: "zh-CN", Section: []string{"news"}, Date: "2024-01-02", Locales: map[string]*articlev1.LocalizedContent{
		"zh-CN": {Title: "图书馆开放", Blocks: para(zh)},
		"en":    {Title: "Library Opens", Blocks: para(en)},
	}}, minor)
}

// draftsOf writes drafts as drafting would, for tests that submit one.
func draftsOf(s *events.Stream) *events.Aggregate[*draftingv1.Draft] {
	return events.Define(s, eventsv1.KindDrafts, eventsv1.SourceDrafting,
		func(d *draftingv1.Draft) *eventsv1.DraftEvent { return &eventsv1.DraftEvent{Draft: d} },
		(*eventsv1.DraftEvent).GetDraft, func(d *draftingv1.Draft, rev uint64) { d.Revision = rev })
}

// open hands ev to the service and returns the job it opened.
func open(t *testing.T, s *Service, ev *events.Event) *reviewv1.Job {
	t.Helper()
	if err := s.HandleDraftEvent(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	res, err := s.GetJob(wang, &reviewv1.GetJobRequest{ArticleId: ev.Subject})
	if err != nil {
		t.Fatal(err)
	}
	return res.Job
}

func history(t *testing.T, bus *events.Bus, id string) []*reviewv1.Job {
	t.Helper()
	jobs := Jobs(bus.Editorial)
	subj, _ := jobs.Subject(id)
	var out []*reviewv1.Job
	err := bus.Editorial.History(context.Background(), subj, func(ev *events.Event) error {
		j, err := jobs.State(ev)
		out = append(out, j)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func seg(j *reviewv1.Job, id string) *reviewv1.Segment { return job.Find(j, id) }

func reason(err error) string {
	st, _ := status.FromError(err)
	for _, d := range st.Details() {
		if e, ok := d.(*errdetails.ErrorInfo); ok {
			return e.Reason
		}
	}
	return ""
}

// fresh is a service on a server of its own, not following the stream:
// a test hands it the events.
func fresh(t *testing.T) *Service {
	t.Helper()
	return New(testkit.Bus(t, testkit.StartNATS(t).URL()), nil)
}

// running starts a service that follows the stream; start starts another
// replica on the same bus.
func running(t *testing.T) (s *Service, start func() *Service) {
	t.Helper()
	bus := testkit.Bus(t, testkit.StartNATS(t).URL())
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	start = func() *Service {
		s := New(bus, nil)
		go s.Run(ctx)
		<-s.Ready
		return s
	}
	return start(), start
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
