package review

import (
	"slices"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

func TestDismissalLastsUntilTheSegmentChanges(t *testing.T) {
	s := fresh(t)
	open(t, s, submitArticle(t, s.bus, "D1", false, []string{"座位共280个。", "欢迎。"}, []string{"It has  280 seats.", "Welcome."}))
	if _, err := s.DismissFinding(wang, &reviewv1.DismissFindingRequest{ArticleId: "D1", SegmentId: "b1.1", Check: "double-space"}); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("dismissal without a reason: %v", err)
	}
	res, err := s.DismissFinding(wang, &reviewv1.DismissFindingRequest{ArticleId: "D1", SegmentId: "b1.1", Check: "double-space", Reason: "house style for this table"})
	if err != nil {
		t.Fatal(err)
	}
	j := res.Job
	d := seg(j, "b1.1").Dismissals
	if len(d) != 1 || d[0].By.Actor.UserId != "wang" || !seg(j, "b1.1").Findings[0].Dismissed {
		t.Fatalf("dismissal not recorded: %v / %v", d, seg(j, "b1.1").Findings)
	}
	// Another segment changes: the dismissal holds.
	up, err := s.UpdateSegment(wang, &reviewv1.UpdateSegmentRequest{ArticleId: "D1", SegmentId: "b2.1", ExpectedRevision: j.Revision, Target: "Welcome!"})
	if err != nil {
		t.Fatal(err)
	}
	check, err := s.CheckJob(wang, &reviewv1.CheckJobRequest{ArticleId: "D1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, sf := range check.Segments {
		for _, f := range sf.Findings {
			if sf.SegmentId == "b1.1" && f.Check == "double-space" && !f.Dismissed {
				t.Errorf("dismissal lost after another segment changed")
			}
		}
	}
	// The segment itself changes: the finding is back.
	up, err = s.UpdateSegment(wang, &reviewv1.UpdateSegmentRequest{ArticleId: "D1", SegmentId: "b1.1", ExpectedRevision: up.Job.Revision, Target: "It has  280 seats in all."})
	if err != nil {
		t.Fatal(err)
	}
	if len(up.Findings) == 0 || up.Findings[0].Check != "double-space" || up.Findings[0].Dismissed || len(seg(up.Job, "b1.1").Dismissals) != 0 {
		t.Errorf("after the segment changed: %v", up.Findings)
	}
	// A stale revision is refused.
	if _, err := s.UpdateSegment(wang, &reviewv1.UpdateSegmentRequest{ArticleId: "D1", SegmentId: "b1.1", ExpectedRevision: j.Revision, Target: "x"}); status.Code(err) != codes.Aborted {
		t.Errorf("stale revision: %v", err)
	}
}

func TestErrorFindingsBlockApprovalUnlessOverriddenWithAReason(t *testing.T) {
	s := fresh(t)
	j := open(t, s, submitArticle(t, s.bus, "O1", false, []string{"中心面积达12000平方米。"}, []string{"It covers 1,200 square meters."}))
	_, err := s.ApproveJob(wang, &reviewv1.ApproveJobRequest{ArticleId: "O1", ExpectedRevision: j.Revision})
	if status.Code(err) != codes.FailedPrecondition || reason(err) != "FINDINGS_BLOCK_APPROVAL" || !strings.Contains(err.Error(), "b1.1: numbers") {
		t.Fatalf("approval with an error finding: %v", err)
	}
	// Someone else's claim blocks a second translator.
	cl, err := s.ClaimJob(wang, &reviewv1.ClaimJobRequest{ArticleId: "O1", ExpectedRevision: j.Revision})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ApproveJob(zhao, &reviewv1.ApproveJobRequest{ArticleId: "O1", ExpectedRevision: cl.Job.Revision, OverrideReason: "x"}); reason(err) != "JOB_CLAIMED" {
		t.Fatalf("approval by another translator: %v", err)
	}
	res, err := s.ApproveJob(wang, &reviewv1.ApproveJobRequest{ArticleId: "O1", ExpectedRevision: cl.Job.Revision, OverrideReason: "the source figure is wrong; corrected with the office"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Job.Status != reviewv1.JobStatus_JOB_STATUS_APPROVED || res.Job.OverrideReason == "" || !slices.Equal(res.Job.Overridden, []string{"b1.1: numbers"}) {
		t.Fatalf("approved job: %v", res.Job)
	}
	// The approval event carries the override.
	h := history(t, s.bus, "O1")
	last := h[len(h)-1]
	if last.OverrideReason != res.Job.OverrideReason || last.Target.Blocks[0].GetParagraph().GetText() != "It covers 1,200 square meters." || last.Target.Blocks[0].Id != "blka" {
		t.Errorf("approval event: %v", last)
	}
	if seg(last, "b1.1").State != reviewv1.SegmentState_SEGMENT_STATE_FINAL {
		t.Errorf("approved segment state %v", seg(last, "b1.1").State)
	}
}

func TestRequestChangesSendsTheJobBackUntilResubmitted(t *testing.T) {
	s := fresh(t)
	j := open(t, s, submitArticle(t, s.bus, "C1", false, []string{"欢迎。"}, []string{"Welcome."}))
	if _, err := s.RequestChanges(wang, &reviewv1.RequestChangesRequest{ArticleId: "C1", ExpectedRevision: j.Revision}); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("no comment: %v", err)
	}
	res, err := s.RequestChanges(wang, &reviewv1.RequestChangesRequest{ArticleId: "C1", ExpectedRevision: j.Revision, Comment: "The date is missing."})
	if err != nil {
		t.Fatal(err)
	}
	if res.Job.Status != reviewv1.JobStatus_JOB_STATUS_CHANGES_REQUESTED || res.Job.ChangesRequested.GetText() != "The date is missing." {
		t.Fatalf("job %v", res.Job)
	}
	if _, err := s.UpdateSegment(wang, &reviewv1.UpdateSegmentRequest{ArticleId: "C1", SegmentId: "b1.1", ExpectedRevision: res.Job.Revision, Target: "Hi."}); reason(err) != "JOB_NOT_OPEN" {
		t.Fatalf("edit while sent back: %v", err)
	}
	j = open(t, s, submitArticle(t, s.bus, "C1", false, []string{"9月2日，欢迎。"}, []string{"Welcome on September 2."}))
	if j.Status != reviewv1.JobStatus_JOB_STATUS_OPEN {
		t.Errorf("resubmitted job is %v", j.Status)
	}
}
