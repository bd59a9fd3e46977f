package job

import (
	"errors"
	"slices"
	"strings"
	"testing"

	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

func TestApprovalValidatesItsReason(t *testing.T) {
	if v := violations(Approval{OverrideReason: " " + strings.Repeat("因", MaxReasonRunes) + " "}); v != nil {
		t.Errorf("longest reason: %v", v)
	}
	if v := violations(Approval{OverrideReason: strings.Repeat("因", MaxReasonRunes+1)}); !slices.Equal(v, []string{"override_reason: is 501 characters; at most 500"}) {
		t.Errorf("long reason: %v", v)
	}
	if v := violations(Approval{}); v != nil {
		t.Errorf("no reason: %v", v)
	}
}

func TestApproveMakesTheTranslationFinal(t *testing.T) {
	j := claimedBy(paragraphs([]string{"欢迎。", "再见。"}, []string{"Welcome.", "Goodbye."}), wang)
	Find(j, "b2.1").Findings = []*reviewv1.Finding{{Check: "stale", Severity: reviewv1.Severity_SEVERITY_ERROR}}
	j.OverrideReason, j.Overridden = "old", []string{"old"}
	if _, err := Approve(j, Approval{}, zhao, checks); !errors.Is(err, ErrClaimed) || j.Status != reviewv1.JobStatus_JOB_STATUS_OPEN {
		t.Fatalf("approval by another: %v", err)
	}
	typ, err := Approve(j, Approval{}, wang, checks)
	if err != nil || typ != eventsv1.TranslationApproved {
		t.Fatalf("approve: %q %v", typ, err)
	}
	if j.Status != reviewv1.JobStatus_JOB_STATUS_APPROVED || j.Approved.GetActor().GetUserId() != "wang" || !j.Approved.GetTime().AsTime().Equal(opened) {
		t.Errorf("job %v", j)
	}
	if j.OverrideReason != "" || j.Overridden != nil {
		t.Errorf("nothing was overridden, yet: %q %v", j.OverrideReason, j.Overridden)
	}
	for s := range Segments(j) {
		if s.State != final {
			t.Errorf("%s is %v", s.Id, s.State)
		}
	}
	if _, err := Approve(j, Approval{}, wang, checks); !errors.Is(err, ErrNotOpen) {
		t.Errorf("approved twice: %v", err)
	}
	// A reason with nothing to override is not recorded.
	j = paragraphs([]string{"欢迎。"}, []string{"Welcome."})
	if _, err := Approve(j, Approval{OverrideReason: "not needed"}, wang, checks); err != nil || j.OverrideReason != "" || j.Overridden != nil {
		t.Errorf("approval with a needless reason: %v %q %v", err, j.OverrideReason, j.Overridden)
	}
}

func TestErrorFindingsBlockApprovalUnlessOverridden(t *testing.T) {
	zh := []string{"有280人。", "有281人。", "有282人。", "有283人。", "有284人。", "有285人。", "有286人。"}
	en := []string{"28 came.", "28 came.", "28 came.", "28 came.", "28 came.", "28 came.", "286 came."}
	j := paragraphs(zh, en)
	_, err := Approve(j, Approval{OverrideReason: " "}, wang, checks)
	mustRefuse(t, err, ErrFindingsBlockApproval,
		"6 error finding(s) block approval (b1.1: numbers, b2.1: numbers, b3.1: numbers, b4.1: numbers, b5.1: numbers and 1 more); fix or dismiss them, or approve with an override reason",
		map[string]string{"errors": "6"})
	if j.Status != reviewv1.JobStatus_JOB_STATUS_OPEN {
		t.Fatal("a refused approval changed the status")
	}
	if _, err := Approve(j, Approval{OverrideReason: " figures checked "}, wang, checks); err != nil {
		t.Fatal(err)
	}
	if j.OverrideReason != "figures checked" || len(j.Overridden) != 6 || j.Overridden[5] != "b6.1: numbers" {
		t.Errorf("override %q %v", j.OverrideReason, j.Overridden)
	}
	if abridge([]string{"a", "b", "c", "d", "e"}) != "a, b, c, d, e" {
		t.Errorf("five findings: %q", abridge([]string{"a", "b", "c", "d", "e"}))
	}
}

func TestApprovalNeedsATitleAndABody(t *testing.T) {
	noTitle := paragraphs([]string{"欢迎。"}, []string{"Welcome."})
	Find(noTitle, "title.1").Target = ""
	noBody := paragraphs([]string{"欢迎。"}, nil)
	for name, j := range map[string]*reviewv1.Job{"no title": noTitle, "no body": noBody} {
		_, err := Approve(j, Approval{OverrideReason: "r"}, wang, checks)
		mustRefuse(t, err, ErrIncomplete, "the English has no title or no body yet; it cannot be approved", nil)
		if j.Status != reviewv1.JobStatus_JOB_STATUS_OPEN {
			t.Errorf("%s: approved", name)
		}
	}
}

func TestHasBodyCountsEveryKindOfText(t *testing.T) {
	for _, b := range []*articlev1.Block{para("p", "x"), heading("h", "x"), quote("q", "x", ""), figure("f", "x", "", ""), list("l", "", "x")} {
		if !hasBody(&articlev1.LocalizedContent{Blocks: []*articlev1.Block{para("e", " "), b}}) {
			t.Errorf("%v is a body", b)
		}
	}
	if hasBody(&articlev1.LocalizedContent{Blocks: []*articlev1.Block{para("e", " "), figure("f", "", "alt", "credit"), list("l", " ")}}) {
		t.Error("blank blocks are a body")
	}
}
