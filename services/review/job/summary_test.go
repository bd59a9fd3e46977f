package job

import (
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

func TestSummarizeCountsWhatIsLeftAndTheLastChange(t *testing.T) {
	j := paragraphs([]string{"一。", "二。", "三。"}, []string{"One.", "", ""})
	j.Revision, j.Assignee = 4, wang.Actor
	Find(j, "b3.1").State = needsReview
	row := Summarize(j)
	if row.ArticleId != "A1" || row.Revision != 4 || row.Status != reviewv1.JobStatus_JOB_STATUS_OPEN || row.Title != "标题" ||
		row.Assignee.GetUserId() != "wang" || row.Segments != 4 || row.Todo != 2 || !row.Updated.AsTime().Equal(opened) {
		t.Fatalf("row %v", row)
	}
	at := func(d time.Duration) *articlev1.Change {
		return &articlev1.Change{Time: timestamppb.New(opened.Add(d))}
	}
	Find(j, "b1.1").Changed, Find(j, "b2.1").Changed = at(2*time.Hour), at(time.Hour)
	if row := Summarize(j); !row.Updated.AsTime().Equal(opened.Add(2 * time.Hour)) {
		t.Errorf("updated %v", row.Updated.AsTime())
	}
	j.Approved = at(3 * time.Hour)
	if row := Summarize(j); !row.Updated.AsTime().Equal(opened.Add(3 * time.Hour)) {
		t.Errorf("updated after approval %v", row.Updated.AsTime())
	}
	j.Approved = at(-time.Hour)
	if row := Summarize(j); !row.Updated.AsTime().Equal(opened.Add(2 * time.Hour)) {
		t.Errorf("an earlier approval time moved it back: %v", row.Updated.AsTime())
	}
}

func TestDescribeSaysWhatAnEventChanged(t *testing.T) {
	first := paragraphs([]string{"一。", "二。"}, []string{"One.", ""})
	if got := Describe(eventsv1.TranslationOpened, nil, first); got != "opened for source revision 3" {
		t.Errorf("opened: %q", got)
	}
	reopened := proto.Clone(first).(*reviewv1.Job)
	reopened.SourceRevision, reopened.Minor = 5, true
	Find(reopened, "b1.1").State = needsReview
	if got := Describe(eventsv1.TranslationReopened, first, reopened); got != "opened for source revision 5, 1 segment(s) need review (minor change)" {
		t.Errorf("reopened: %q", got)
	}
	after := proto.Clone(first).(*reviewv1.Job)
	after.Assignee = wang.Actor
	Find(after, "b1.1").State = reviewed
	s2 := Find(after, "b2.1")
	s2.Target = "Two."
	s2.Comments = []*reviewv1.Comment{{Text: "ok?"}}
	s2.Dismissals = []*reviewv1.Dismissal{{Check: "numbers", Reason: "fine"}}
	want := `assigned to wang; b1.1: reviewed; b2.1: "Two."; b2.1 comment: "ok?"; b2.1 dismissed numbers: "fine"`
	if got := Describe(eventsv1.TranslationUpdated, first, after); got != want {
		t.Errorf("updated:\n got %q\nwant %q", got, want)
	}
	unassigned := proto.Clone(after).(*reviewv1.Job)
	unassigned.Assignee = nil
	if got := Describe(eventsv1.TranslationUpdated, after, unassigned); got != "unassigned wang" {
		t.Errorf("unassigned: %q", got)
	}
	if got := Describe(eventsv1.TranslationUpdated, after, after); got != "no visible change" {
		t.Errorf("nothing: %q", got)
	}
	sent := proto.Clone(after).(*reviewv1.Job)
	sent.Status, sent.ChangesRequested = reviewv1.JobStatus_JOB_STATUS_CHANGES_REQUESTED, &reviewv1.Comment{Text: "date?"}
	if got := Describe(eventsv1.TranslationChangesRequested, after, sent); got != `changes requested; asked: "date?"` {
		t.Errorf("sent back: %q", got)
	}
	approved := proto.Clone(after).(*reviewv1.Job)
	approved.Status, approved.OverrideReason, approved.Overridden = reviewv1.JobStatus_JOB_STATUS_APPROVED, "checked", []string{"b1.1: numbers", "b2.1: numbers"}
	for s := range Segments(approved) {
		s.State = final
	}
	if got := Describe(eventsv1.TranslationApproved, after, approved); got != `approved; overriding b1.1: numbers, b2.1: numbers because "checked"` {
		t.Errorf("approved: %q", got)
	}
	// A segment the older state did not have is not described.
	fewer := proto.Clone(after).(*reviewv1.Job)
	fewer.Units = fewer.Units[:1]
	if got := Describe(eventsv1.TranslationUpdated, fewer, after); got != "no visible change" {
		t.Errorf("new segments: %q", got)
	}
}
