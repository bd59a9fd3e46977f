package review

import (
	"context"
	"testing"
	"time"

	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"

	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/testkit"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

// submitDraft stores a draft and its submission the way drafting does and
// returns the submission event as a consumer receives it.
func submitDraft(t *testing.T, bus *events.Bus, id string, en string) *events.Event {
	t.Helper()
	ctx := context.Background()
	drafts := draftsOf(bus.Editorial)
	a := &articlev1.Article{Id: id, SourceLocale: "zh-CN", Section: []string{"news"}, Date: "2024-01-02", Locales: map[string]*articlev1.LocalizedContent{
		"zh-CN": {Title: "标题"},
	}}
	if en != "" {
		a.Locales["en"] = &articlev1.LocalizedContent{Title: en}
	}
	d, err := drafts.Upsert(ctx, id, func(d *draftingv1.Draft) (events.Change, error) {
		d.Article = a
		return events.Change{Type: eventsv1.DraftUpdated, Actor: "ed"}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rev := d.Revision
	d, err = drafts.Update(ctx, id, rev, func(d *draftingv1.Draft) (events.Change, error) {
		d.Status, d.SubmittedRevision = draftingv1.DraftStatus_DRAFT_STATUS_SUBMITTED, rev
		return events.Change{Type: eventsv1.DraftSubmitted, Actor: "ed"}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	subj, _ := drafts.Subject(id)
	ev, err := bus.Editorial.At(ctx, subj, d.Revision)
	if err != nil {
		t.Fatal(err)
	}
	return ev
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

func TestHandleDraftEventTwiceOpensOneJob(t *testing.T) {
	bus := testkit.Bus(t, testkit.StartNATS(t).URL())
	s := New(bus, nil)
	ev := submitDraft(t, bus, "A1", "Title")
	for range 3 {
		if err := s.HandleDraftEvent(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	}
	h := history(t, bus, "A1")
	if len(h) != 1 {
		t.Fatalf("%d job events after three deliveries, want 1", len(h))
	}
	if h[0].Status != reviewv1.JobStatus_JOB_STATUS_OPEN || h[0].Target.GetTitle() != "Title" || h[0].SourceRevision == 0 {
		t.Fatalf("job = %v", h[0])
	}
}

func TestResubmissionOpensTheNewRevision(t *testing.T) {
	bus := testkit.Bus(t, testkit.StartNATS(t).URL())
	s := New(bus, nil)
	first := submitDraft(t, bus, "A2", "")
	second := submitDraft(t, bus, "A2", "Later English")
	for _, ev := range []*events.Event{first, second, first} { // the old one redelivered late
		if err := s.HandleDraftEvent(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	}
	h := history(t, bus, "A2")
	if len(h) != 2 {
		t.Fatalf("%d job events, want 2 (one per submitted revision)", len(h))
	}
	if last := h[1]; last.Target.GetTitle() != "Later English" || last.SourceRevision <= h[0].SourceRevision {
		t.Fatalf("latest job = %v", last)
	}
}

func TestRunOpensJobsFromTheStream(t *testing.T) {
	bus := testkit.Bus(t, testkit.StartNATS(t).URL())
	s := New(bus, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()
	defer func() { cancel(); <-done }()
	submitDraft(t, bus, "A3", "Title")
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := Jobs(bus.Editorial).Get(ctx, "A3"); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("no job within 10s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestConsumerThatDiesBeforeAckingIsRedeliveredAndOpensOneJob kills the
// review consumer's connection after it opened the job and before it
// acknowledged the event; a new one gets the event again.
func TestConsumerThatDiesBeforeAckingIsRedeliveredAndOpensOneJob(t *testing.T) {
	n := testkit.StartNATS(t)
	bus := testkit.Bus(t, n.URL())
	ev := submitDraft(t, bus, "K1", "Title")
	cfg := func(s *Service) events.ConsumerConfig {
		return events.ConsumerConfig{Durable: "review-drafts", FilterSubject: bus.Editorial.Wildcard("drafts"), AckWait: time.Second, Logger: s.log}
	}

	// The first process handles the event, then dies: its connection is
	// gone before the acknowledgement.
	nc1 := testkit.Connect(t, n.URL())
	bus1, err := events.Open(context.Background(), nc1, bus.Config())
	if err != nil {
		t.Fatal(err)
	}
	first := New(bus1, nil)
	handled := make(chan struct{}, 10)
	ctx1, cancel1 := context.WithCancel(context.Background())
	defer cancel1()
	go func() {
		_ = bus1.Editorial.Consume(ctx1, cfg(first), func(ctx context.Context, e *events.Event) error {
			if err := first.HandleDraftEvent(ctx, e); err != nil {
				return err
			}
			if e.ID == ev.ID {
				nc1.Close() // dies here
				handled <- struct{}{}
			}
			return nil
		})
	}()
	select {
	case <-handled:
	case <-time.After(10 * time.Second):
		t.Fatal("first consumer never got the event")
	}
	t.Log("injected: consumer died after handling, before acknowledging")

	// The second process gets it again once the ack wait is over.
	nc2 := testkit.Connect(t, n.URL())
	bus2, err := events.Open(context.Background(), nc2, bus.Config())
	if err != nil {
		t.Fatal(err)
	}
	second := New(bus2, nil)
	again := make(chan struct{}, 10)
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	go func() {
		_ = bus2.Editorial.Consume(ctx2, cfg(second), func(ctx context.Context, e *events.Event) error {
			err := second.HandleDraftEvent(ctx, e)
			if e.ID == ev.ID && err == nil {
				again <- struct{}{}
			}
			return err
		})
	}()
	select {
	case <-again:
	case <-time.After(15 * time.Second):
		t.Fatal("the unacknowledged event was not redelivered")
	}
	if h := history(t, bus, "K1"); len(h) != 1 {
		t.Fatalf("%d job events after a redelivery, want 1", len(h))
	}
	t.Log("verified: event redelivered, handled twice, one job")
}

// draftsOf writes drafts as drafting would, for tests that submit one.
func draftsOf(s *events.Stream) *events.Aggregate[*draftingv1.Draft] {
	return events.Define(s, eventsv1.KindDrafts, eventsv1.SourceDrafting,
		func(d *draftingv1.Draft) *eventsv1.DraftEvent { return &eventsv1.DraftEvent{Draft: d} },
		(*eventsv1.DraftEvent).GetDraft, func(d *draftingv1.Draft, rev uint64) { d.Revision = rev })
}
