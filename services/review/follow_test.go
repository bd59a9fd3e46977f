package review

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/testkit"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
	"github.com/tandemnews/tandem/services/review/job"
)

func TestHandleDraftEventTwiceOpensOneJob(t *testing.T) {
	s := fresh(t)
	ev := submitDraft(t, s.bus, "A1", "Title")
	for range 3 {
		if err := s.HandleDraftEvent(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	}
	h := history(t, s.bus, "A1")
	if len(h) != 1 {
		t.Fatalf("%d job events after three deliveries, want 1", len(h))
	}
	if h[0].Status != reviewv1.JobStatus_JOB_STATUS_OPEN || h[0].Target.GetTitle() != "Title" || h[0].SourceRevision == 0 {
		t.Fatalf("job = %v", h[0])
	}
}

func TestResubmissionOpensTheNewRevision(t *testing.T) {
	s := fresh(t)
	first := submitDraft(t, s.bus, "A2", "")
	second := submitDraft(t, s.bus, "A2", "Later English")
	for _, ev := range []*events.Event{first, second, first} { // the old one redelivered late
		if err := s.HandleDraftEvent(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	}
	h := history(t, s.bus, "A2")
	if len(h) != 2 {
		t.Fatalf("%d job events, want 2 (one per submitted revision)", len(h))
	}
	if last := h[1]; last.Target.GetTitle() != "Later English" || last.SourceRevision <= h[0].SourceRevision {
		t.Fatalf("latest job = %v", last)
	}
}

func TestRunOpensJobsFromTheStream(t *testing.T) {
	s := fresh(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()
	defer func() { cancel(); <-done }()
	submitDraft(t, s.bus, "A3", "Title")
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := Jobs(s.bus.Editorial).Get(ctx, "A3"); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("no job within 10s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// replica is a service with a connection of its own to the server at
// url, as another process would have.
func replica(t *testing.T, url string, cfg events.Config) (*Service, *nats.Conn) {
	t.Helper()
	nc := testkit.Connect(t, url)
	bus, err := events.Open(context.Background(), nc, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return New(bus, nil), nc
}

// within fails the test with msg unless c delivers within d.
func within(t *testing.T, c <-chan struct{}, d time.Duration, msg string) {
	t.Helper()
	select {
	case <-c:
	case <-time.After(d):
		t.Fatal(msg)
	}
}

// TestConsumerThatDiesBeforeAckingIsRedeliveredAndOpensOneJob kills the
// review consumer's connection after it opened the job and before it
// acknowledged the event; a new one gets the event again.
func TestConsumerThatDiesBeforeAckingIsRedeliveredAndOpensOneJob(t *testing.T) {
	n := testkit.StartNATS(t)
	bus := testkit.Bus(t, n.URL())
	ev := submitDraft(t, bus, "K1", "Title")
	// consume runs the shared drafts consumer of s until the test ends.
	consume := func(s *Service, h events.Handler) {
		cfg := events.ConsumerConfig{Durable: "review-drafts", FilterSubject: bus.Editorial.Wildcard("drafts"), AckWait: time.Second, Logger: s.log}
		go func() { _ = s.bus.Editorial.Consume(t.Context(), cfg, h) }()
	}

	// The first process handles the event, then dies: its connection is
	// gone before the acknowledgement.
	first, nc1 := replica(t, n.URL(), bus.Config())
	handled := make(chan struct{}, 10)
	consume(first, func(ctx context.Context, e *events.Event) error {
		if err := first.HandleDraftEvent(ctx, e); err != nil {
			return err
		}
		if e.ID == ev.ID {
			nc1.Close() // dies here
			handled <- struct{}{}
		}
		return nil
	})
	within(t, handled, 10*time.Second, "first consumer never got the event")
	t.Log("injected: consumer died after handling, before acknowledging")

	// The second process gets it again once the ack wait is over.
	second, _ := replica(t, n.URL(), bus.Config())
	again := make(chan struct{}, 10)
	consume(second, func(ctx context.Context, e *events.Event) error {
		err := second.HandleDraftEvent(ctx, e)
		if e.ID == ev.ID && err == nil {
			again <- struct{}{}
		}
		return err
	})
	within(t, again, 15*time.Second, "the unacknowledged event was not redelivered")
	if h := history(t, bus, "K1"); len(h) != 1 {
		t.Fatalf("%d job events after a redelivery, want 1", len(h))
	}
	t.Log("verified: event redelivered, handled twice, one job")
}

func TestResubmissionMarksChangedSegmentsForReviewAndKeepsTheRest(t *testing.T) {
	s := fresh(t)
	j := open(t, s, submitArticle(t, s.bus, "R1", false,
		[]string{"图书馆9月2日开放。座位共280个。", "欢迎师生前来。"},
		[]string{"The Library opens on September 2. It has 280 seats.", "All are welcome."}))
	if got := seg(j, "b1.2"); got == nil || got.Target != "It has 280 seats." || got.State != reviewv1.SegmentState_SEGMENT_STATE_TRANSLATED || got.Origin != reviewv1.TargetOrigin_TARGET_ORIGIN_EDITOR {
		t.Fatalf("editor's English not pre-filled: %v", got)
	}
	// A translator reviews two segments.
	for _, id := range []string{"b1.2", "b2.1"} {
		res, err := s.UpdateSegment(wang, &reviewv1.UpdateSegmentRequest{ArticleId: "R1", SegmentId: id, ExpectedRevision: j.Revision, Target: seg(j, id).Target, State: reviewv1.SegmentState_SEGMENT_STATE_REVIEWED})
		if err != nil {
			t.Fatal(err)
		}
		j = res.Job
	}
	// The editor changes the seat count and resubmits.
	j = open(t, s, submitArticle(t, s.bus, "R1", false,
		[]string{"图书馆9月2日开放。座位共300个。", "欢迎师生前来。"},
		[]string{"The Library opens on September 2. It has 280 seats.", "All are welcome."}))
	changed, same := seg(j, "b1.2"), seg(j, "b2.1")
	if changed.State != reviewv1.SegmentState_SEGMENT_STATE_NEEDS_REVIEW || changed.Target != "It has 280 seats." || changed.PreviousSource != "座位共280个。" || len(changed.SourceDiff) == 0 {
		t.Errorf("changed segment: %v", changed)
	}
	if !slices.ContainsFunc(changed.Findings, func(f *reviewv1.Finding) bool { return f.Check == job.CheckSourceChanged }) {
		t.Errorf("a stale segment has no %s finding: %v", job.CheckSourceChanged, changed.Findings)
	}
	if same.State != reviewv1.SegmentState_SEGMENT_STATE_REVIEWED {
		t.Errorf("unchanged segment lost its state: %v", same.State)
	}
	if j.PreviousSourceRevision == 0 || j.GetAssignee().GetUserId() != "wang" {
		t.Errorf("reopened job: previous %d, assignee %v", j.PreviousSourceRevision, j.Assignee)
	}
	// A minor resubmission keeps the states.
	j = open(t, s, submitArticle(t, s.bus, "R1", true,
		[]string{"图书馆9月2日开放。座位共300个。", "欢迎全校师生前来。"},
		[]string{"The Library opens on September 2. It has 280 seats.", "All are welcome."}))
	if got := seg(j, "b2.1"); !j.Minor || got.State != reviewv1.SegmentState_SEGMENT_STATE_REVIEWED || got.Source != "欢迎全校师生前来。" {
		t.Errorf("minor resubmission: minor=%v segment %v", j.Minor, got)
	}
}

func TestApprovedPairsPrefillTheNextJobAndSuggestNearMatches(t *testing.T) {
	s, start := running(t)
	j := open(t, s, submitArticle(t, s.bus, "M1", false,
		[]string{"图书馆9月2日起开放。座位共280个。"},
		[]string{"The Library opens on September 2. It has 280 seats."}))
	if _, err := s.ApproveJob(wang, &reviewv1.ApproveJobRequest{ArticleId: "M1", ExpectedRevision: j.Revision}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the approval in the memory", func() bool { return s.tm.mem.Len() >= 3 })

	// A new article with one sentence the same and one close: no English.
	j2 := open(t, s, submitArticle(t, s.bus, "M2", false, []string{"图书馆9月2日起开放。座位共300个。"}, nil))
	exact, near := seg(j2, "b1.1"), seg(j2, "b1.2")
	if exact.Target != "The Library opens on September 2." || exact.Origin != reviewv1.TargetOrigin_TARGET_ORIGIN_MEMORY || exact.State != reviewv1.SegmentState_SEGMENT_STATE_TRANSLATED {
		t.Errorf("exact match not filled: %v", exact)
	}
	if near.Target != "" || len(near.Suggestions) != 1 || near.Suggestions[0].Score < 75 || near.Suggestions[0].Unit.Target != "It has 280 seats." || len(near.Suggestions[0].Diff) < 2 {
		t.Errorf("near match: target %q, suggestions %v", near.Target, near.Suggestions)
	}

	// A new replica rebuilds the memory from the stream.
	s2 := start()
	res, err := s2.SearchMemory(wang, &reviewv1.SearchMemoryRequest{Text: "座位共300个。"})
	if err != nil || len(res.Matches) != 1 || res.Size < 3 || res.Matches[0].Unit.ArticleId != "M1" || res.Matches[0].Unit.Translator != "wang" {
		t.Fatalf("search on a new replica: %v %v", res, err)
	}
	// English finds the translations.
	res, err = s2.SearchMemory(wang, &reviewv1.SearchMemoryRequest{Text: "It has 300 seats."})
	if err != nil || len(res.Matches) != 1 || res.Matches[0].Unit.Target != "It has 280 seats." || res.Matches[0].Score != 75 || len(res.Matches[0].Diff) < 2 {
		t.Fatalf("search in English: %v %v", res, err)
	}
	if _, err := s2.SearchMemory(wang, &reviewv1.SearchMemoryRequest{Text: "x", MinScore: 20}); status.Code(err) != codes.InvalidArgument {
		t.Errorf("min_score 20: %v", err)
	}
}

func TestPurgedArticleLeavesTheMemory(t *testing.T) {
	s, start := running(t)
	j := open(t, s, submitArticle(t, s.bus, "P1", false, []string{"图书馆9月2日起开放。"}, []string{"The Library opens on September 2."}))
	if _, err := s.ApproveJob(wang, &reviewv1.ApproveJobRequest{ArticleId: "P1", ExpectedRevision: j.Revision}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the approval in the memory", func() bool { return len(s.tm.mem.Exact("图书馆9月2日起开放。")) == 1 })
	if err := s.HandleDraftEvent(context.Background(), &events.Event{Type: eventsv1.DraftPurged, Subject: "P1", ID: "purge-1"}); err != nil {
		t.Fatal(err)
	}
	if n := len(s.tm.mem.Exact("图书馆9月2日起开放。")); n != 0 {
		t.Fatalf("%d memory entries of a purged article", n)
	}
	subjects, err := s.bus.Editorial.Subjects(context.Background(), s.bus.Editorial.Wildcard(eventsv1.KindMemory))
	if err != nil || len(subjects) != 0 {
		t.Fatalf("memory subjects after purge: %v %v", subjects, err)
	}
	// A replica started afterwards does not see them either.
	if s2 := start(); s2.tm.mem.Len() != 0 {
		t.Fatalf("new replica holds %d entries", s2.tm.mem.Len())
	}
}
