package job

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/tandemnews/tandem/pkg/field"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
	"github.com/tandemnews/tandem/services/review/qa"
)

var (
	wang   = By{Actor: &articlev1.Actor{UserId: "wang", Name: "Wang"}, Time: opened}
	zhao   = By{Actor: &articlev1.Actor{UserId: "zhao"}, Time: opened}
	lead   = By{Actor: &articlev1.Actor{UserId: "lead"}, Time: opened, Admin: true}
	checks = Checks{Checker: &qa.Checker{}}
)

// paragraphs is an open job on a title and one paragraph per text, with
// the English given.
func paragraphs(zh, en []string) *reviewv1.Job {
	j := Open(draft(3, zh, en), "ed", opened)
	Check(j, checks)
	return j
}

func claimedBy(j *reviewv1.Job, who By) *reviewv1.Job {
	j.Assignee = who.Actor
	return j
}

func closed(j *reviewv1.Job) *reviewv1.Job {
	j.Status = reviewv1.JobStatus_JOB_STATUS_CHANGES_REQUESTED
	return j
}

// mustRefuse checks that err breaks rule, with the message and metadata.
func mustRefuse(t *testing.T, err, rule error, msg string, md map[string]string) {
	t.Helper()
	if !errors.Is(err, rule) || err.Error() != msg {
		t.Fatalf("err %v, want %v: %q", err, rule, msg)
	}
	var m interface{ Metadata() map[string]string }
	if errors.As(err, &m) != (md != nil) || (md != nil && !maps.Equal(m.Metadata(), md)) {
		t.Errorf("metadata of %v, want %v", err, md)
	}
}

// mustViolate checks that err breaks rule as a violation of path.
func mustViolate(t *testing.T, err, rule error, path, description string) {
	t.Helper()
	var fe *field.Error
	if !errors.Is(err, rule) || !errors.As(err, &fe) || len(fe.Violations) != 1 || fe.Violations[0].Field != path || fe.Violations[0].Description != description {
		t.Fatalf("err %v, want %v on %s: %s", err, rule, path, description)
	}
}

func violations(in interface{ Validate(*field.Violations) }) []string {
	var v field.Violations
	in.Validate(&v)
	var out []string
	if fe, ok := v.Err().(*field.Error); ok {
		for _, f := range fe.Violations {
			out = append(out, f.Field+": "+f.Description)
		}
	}
	return out
}

func TestClaimTakesAnOpenJobNobodyElseHas(t *testing.T) {
	j := paragraphs([]string{"欢迎。"}, nil)
	if typ, err := Claim(j, wang); err != nil || typ != eventsv1.TranslationUpdated || j.Assignee.GetName() != "Wang" {
		t.Fatalf("claim: %q %v, assignee %v", typ, err, j.Assignee)
	}
	if typ, err := Claim(j, wang); err != nil || typ != "" {
		t.Errorf("claiming one's own job: %q %v", typ, err)
	}
	_, err := Claim(j, zhao)
	mustRefuse(t, err, ErrClaimed, "the job is claimed by wang; ask a lead to reassign it", map[string]string{"assignee": "wang"})
	if typ, err := Claim(j, lead); err != nil || typ == "" || j.Assignee.GetUserId() != "lead" {
		t.Errorf("a lead takes it over: %q %v", typ, err)
	}
	_, err = Claim(closed(j), lead)
	mustRefuse(t, err, ErrNotOpen, "the job is changes requested, not open", map[string]string{"status": "JOB_STATUS_CHANGES_REQUESTED"})
}

func TestUnclaimGivesUpOnesOwnClaimOnly(t *testing.T) {
	j := closed(claimedBy(paragraphs([]string{"欢迎。"}, nil), wang))
	_, err := Unclaim(j, zhao)
	mustRefuse(t, err, ErrClaimed, "the job is claimed by wang; ask a lead to reassign it", map[string]string{"assignee": "wang"})
	if typ, err := Unclaim(j, wang); err != nil || typ != eventsv1.TranslationUpdated || j.Assignee != nil {
		t.Fatalf("unclaim of a sent back job: %q %v", typ, err)
	}
	if typ, err := Unclaim(j, zhao); err != nil || typ != "" {
		t.Errorf("unclaiming an unclaimed job: %q %v", typ, err)
	}
	if typ, err := Unclaim(claimedBy(j, zhao), lead); err != nil || typ == "" || j.Assignee != nil {
		t.Errorf("a lead unclaims another's job: %q %v", typ, err)
	}
}

func TestAssignHandsAnOpenJobOver(t *testing.T) {
	j := claimedBy(paragraphs([]string{"欢迎。"}, nil), wang)
	if typ, err := Assign(j, Assignment{Assignee: "zhao", Name: "Zhao"}); err != nil || typ != eventsv1.TranslationUpdated ||
		j.Assignee.GetUserId() != "zhao" || j.Assignee.GetName() != "Zhao" {
		t.Fatalf("assign: %q %v %v", typ, err, j.Assignee)
	}
	if typ, err := Assign(j, Assignment{}); err != nil || typ == "" || j.Assignee != nil {
		t.Errorf("unassign: %q %v %v", typ, err, j.Assignee)
	}
	if _, err := Assign(closed(j), Assignment{Assignee: "zhao"}); !errors.Is(err, ErrNotOpen) || j.Assignee != nil {
		t.Errorf("assigning a closed job: %v", err)
	}
	if v := violations(Assignment{Assignee: strings.Repeat("名", MaxAssigneeRunes)}); v != nil {
		t.Errorf("longest assignee: %v", v)
	}
	if v := violations(Assignment{Assignee: strings.Repeat("名", MaxAssigneeRunes+1)}); !slices.Equal(v, []string{"assignee: is longer than 100 characters"}) {
		t.Errorf("too long an assignee: %v", v)
	}
}

func TestEditValidatesEveryField(t *testing.T) {
	if v := violations(Edit{Segment: "b1.1", Target: strings.Repeat("a", MaxTargetRunes), State: final}); v != nil {
		t.Errorf("a valid edit: %v", v)
	}
	for _, st := range []reviewv1.SegmentState{0, initial, translated, reviewed, final} {
		if v := violations(Edit{Segment: "b1.1", State: st}); v != nil {
			t.Errorf("state %v: %v", st, v)
		}
	}
	got := violations(Edit{Target: strings.Repeat("a", MaxTargetRunes) + "\xff", State: needsReview})
	want := []string{
		"segment_id: is required",
		"target: is 10001 characters; at most 10000",
		"target: is not valid UTF-8",
		"state: needs-review is set by a source change, not by hand",
	}
	if !slices.Equal(got, want) {
		t.Errorf("violations %q", got)
	}
	if v := violations(Edit{Segment: "b1.1", State: 42}); !slices.Equal(v, []string{"state: 42 is not a segment state"}) {
		t.Errorf("unknown state: %v", v)
	}
}

func TestSaveWritesTheSegmentAndChecksIt(t *testing.T) {
	j := paragraphs([]string{"座位共280个。", "欢迎。"}, []string{"", "Welcome."})
	s := Find(j, "b1.1")
	s.State, s.PreviousSource, s.SourceDiff = needsReview, "座位共250个。", []*draftingv1.TextSpan{{}}
	s.Dismissals = []*reviewv1.Dismissal{{Check: "x", TextHash: "old"}}
	typ, err := Save(j, Edit{Segment: "b1.1", Target: "It has 28 seats."}, wang, checks)
	if err != nil || typ != eventsv1.TranslationUpdated {
		t.Fatalf("save: %q %v", typ, err)
	}
	if s.Target != "It has 28 seats." || s.State != translated || s.Origin != translator || s.PreviousSource != "" || s.SourceDiff != nil ||
		len(s.Dismissals) != 0 || s.Changed.GetActor().GetUserId() != "wang" || !s.Changed.GetTime().AsTime().Equal(opened) {
		t.Errorf("saved segment %v", s)
	}
	if len(s.Findings) != 1 || s.Findings[0].Check != qa.CheckNumbers {
		t.Errorf("findings %v", s.Findings)
	}
	if j.Assignee.GetUserId() != "wang" {
		t.Errorf("the first save did not claim the job: %v", j.Assignee)
	}
	// The same English with another state: the origin stays.
	s.Origin = editor
	if _, err := Save(j, Edit{Segment: "b1.1", Target: "It has 28 seats.", State: reviewed}, lead, checks); err != nil || s.State != reviewed || s.Origin != editor {
		t.Errorf("state change: %v %v", err, s)
	}
	if j.Assignee.GetUserId() != "wang" {
		t.Errorf("a save took the claim: %v", j.Assignee)
	}
	if _, err := Save(j, Edit{Segment: "b1.1", Target: "  ", State: final}, wang, checks); err != nil || s.State != initial {
		t.Errorf("blank English: %v %v", err, s)
	}
	_, err = Save(j, Edit{Segment: "b1.1", Target: "x"}, zhao, checks)
	mustRefuse(t, err, ErrClaimed, "the job is claimed by wang; ask a lead to reassign it", map[string]string{"assignee": "wang"})
	_, err = Save(j, Edit{Segment: "b7.1", Target: "x"}, wang, checks)
	mustViolate(t, err, ErrSegmentNotFound, "segment_id", `"b7.1" is not a segment of this job`)
	if _, err := Save(closed(j), Edit{Segment: "b1.1", Target: "x"}, wang, checks); !errors.Is(err, ErrNotOpen) || s.Target == "x" {
		t.Errorf("save on a closed job: %v", err)
	}
}

func TestCommentAddsToTheThreadUpToItsLimit(t *testing.T) {
	if v := violations(Note{Text: " \n"}); !slices.Equal(v, []string{"segment_id: is required", "text: is required"}) {
		t.Errorf("empty note: %v", v)
	}
	if v := violations(Note{Segment: "b1.1", Text: strings.Repeat("字", MaxCommentRunes+1)}); !slices.Equal(v, []string{"text: is 2001 characters; at most 2000"}) {
		t.Errorf("long note: %v", v)
	}
	if v := violations(Note{Segment: "b1.1", Text: " " + strings.Repeat("字", MaxCommentRunes) + " "}); v != nil {
		t.Errorf("longest note: %v", v)
	}
	j := closed(claimedBy(paragraphs([]string{"欢迎。"}, nil), wang))
	for i := range MaxComments {
		if typ, err := Comment(j, Note{Segment: "b1.1", Text: " why? "}, zhao); err != nil || typ != eventsv1.TranslationUpdated {
			t.Fatalf("comment %d: %q %v", i, typ, err)
		}
	}
	c := Find(j, "b1.1").Comments
	if len(c) != MaxComments || c[0].Text != "why?" || c[0].By.GetActor().GetUserId() != "zhao" {
		t.Fatalf("thread %v", c[0])
	}
	_, err := Comment(j, Note{Segment: "b1.1", Text: "more"}, zhao)
	mustViolate(t, err, ErrThreadFull, "segment_id", "the segment's thread has 200 comments, its limit")
	_, err = Comment(j, Note{Segment: "b2.1", Text: "more"}, zhao)
	mustViolate(t, err, ErrSegmentNotFound, "segment_id", `"b2.1" is not a segment of this job`)
}

func TestDismissRecordsWhyAFindingDoesNotApply(t *testing.T) {
	if v := violations(Dismissal{Reason: " "}); !slices.Equal(v, []string{"segment_id: is required", "check: is required", "reason: is required: say why the finding does not apply"}) {
		t.Errorf("empty dismissal: %v", v)
	}
	if v := violations(Dismissal{Segment: "b1.1", Check: "x", Reason: strings.Repeat("因", MaxReasonRunes+1)}); !slices.Equal(v, []string{"reason: is 501 characters; at most 500"}) {
		t.Errorf("long reason: %v", v)
	}
	if v := violations(Dismissal{Segment: "b1.1", Check: "x", Reason: strings.Repeat("因", MaxReasonRunes)}); v != nil {
		t.Errorf("longest reason: %v", v)
	}
	j := claimedBy(paragraphs([]string{"座位共280个。"}, []string{"It has  280 seats."}), wang)
	s := Find(j, "b1.1")
	s.Dismissals = []*reviewv1.Dismissal{{Check: "edge-space", TextHash: "another text"}}
	_, err := Dismiss(j, Dismissal{Segment: "b1.1", Check: qa.CheckNumbers, Reason: "r"}, zhao, checks)
	mustViolate(t, err, ErrNoFinding, "check", `segment b1.1 has no "numbers" finding`)
	// Anyone may dismiss, not only the translator who claimed the job.
	typ, err := Dismiss(j, Dismissal{Segment: "b1.1", Check: qa.CheckDoubleSpace, Reason: " house style "}, zhao, checks)
	if err != nil || typ != eventsv1.TranslationUpdated {
		t.Fatalf("dismiss: %q %v", typ, err)
	}
	if len(s.Dismissals) != 1 || s.Dismissals[0].Reason != "house style" || s.Dismissals[0].By.GetActor().GetUserId() != "zhao" || s.Dismissals[0].TextHash != textHash(s) {
		t.Errorf("dismissals %v", s.Dismissals)
	}
	if len(s.Findings) != 1 || !s.Findings[0].Dismissed {
		t.Errorf("findings %v", s.Findings)
	}
	_, err = Dismiss(j, Dismissal{Segment: "b9.1", Check: "x", Reason: "r"}, zhao, checks)
	mustViolate(t, err, ErrSegmentNotFound, "segment_id", `"b9.1" is not a segment of this job`)
	if _, err := Dismiss(closed(j), Dismissal{Segment: "b1.1", Check: qa.CheckDoubleSpace, Reason: "r"}, wang, checks); !errors.Is(err, ErrNotOpen) {
		t.Errorf("dismissal on a closed job: %v", err)
	}
}

func TestRequestChangesSendsTheJobBack(t *testing.T) {
	if v := violations(ChangeRequest{Comment: " "}); !slices.Equal(v, []string{"comment: is required: tell the editor what to change"}) {
		t.Errorf("no comment: %v", v)
	}
	if v := violations(ChangeRequest{Comment: strings.Repeat("改", MaxCommentRunes+1)}); !slices.Equal(v, []string{"comment: is 2001 characters; at most 2000"}) {
		t.Errorf("long comment: %v", v)
	}
	j := claimedBy(paragraphs([]string{"欢迎。"}, nil), wang)
	if _, err := RequestChanges(j, ChangeRequest{Comment: "x"}, zhao); !errors.Is(err, ErrClaimed) {
		t.Errorf("another's job: %v", err)
	}
	typ, err := RequestChanges(j, ChangeRequest{Comment: " The date is missing. "}, wang)
	if err != nil || typ != eventsv1.TranslationChangesRequested || j.Status != reviewv1.JobStatus_JOB_STATUS_CHANGES_REQUESTED ||
		j.ChangesRequested.GetText() != "The date is missing." || j.ChangesRequested.GetBy().GetActor().GetUserId() != "wang" {
		t.Fatalf("request: %q %v %v", typ, err, j)
	}
	if _, err := RequestChanges(j, ChangeRequest{Comment: "again"}, wang); !errors.Is(err, ErrNotOpen) {
		t.Errorf("a job sent back twice: %v", err)
	}
}
