package review

import (
	"context"
	"slices"
	"strings"
	"testing"

	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/testkit"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

func as(id string, roles ...auth.Role) context.Context {
	return auth.WithUser(context.Background(), auth.User{ID: id, Name: id, Roles: roles})
}

var (
	wang = as("wang", auth.Translator)
	zhao = as("zhao", auth.Translator)
	lead = as("lead", auth.Admin)
)

// submitArticle stores and submits a draft with the given Chinese and
// English paragraphs and returns the submission event.
func submitArticle(t *testing.T, bus *events.Bus, id string, minor bool, zh, en []string) *events.Event {
	t.Helper()
	ctx := context.Background()
	drafts := draftsOf(bus.Editorial)
	para := func(texts []string) []*articlev1.Block {
		var out []*articlev1.Block
		for i, tx := range texts {
			out = append(out, &articlev1.Block{Id: "blk" + string(rune('a'+i)), Kind: &articlev1.Block_Paragraph{Paragraph: &articlev1.Paragraph{Text: tx}}})
		}
		return out
	}
	a := &articlev1.Article{Id: id, SourceLocale: "zh-CN", Section: []string{"news"}, Date: "2024-01-02", Locales: map[string]*articlev1.LocalizedContent{
		"zh-CN": {Title: "图书馆开放", Blocks: para(zh)},
		"en":    {Title: "Library Opens", Blocks: para(en)},
	}}
	d, err := drafts.Upsert(ctx, id, func(d *draftingv1.Draft) (events.Change, error) {
		d.Article = a
		return events.Change{Type: eventsv1.DraftUpdated, Actor: "ed"}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rev := d.Revision
	d, err = drafts.Update(ctx, id, rev, func(d *draftingv1.Draft) (events.Change, error) {
		d.Status, d.SubmittedRevision, d.SubmittedMinor = draftingv1.DraftStatus_DRAFT_STATUS_SUBMITTED, rev, minor
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

func seg(j *reviewv1.Job, id string) *reviewv1.Segment { return findSegment(j, id) }

func reason(err error) string {
	st, _ := status.FromError(err)
	for _, d := range st.Details() {
		if e, ok := d.(*errdetails.ErrorInfo); ok {
			return e.Reason
		}
	}
	return ""
}

func TestResubmissionMarksChangedSegmentsForReviewAndKeepsTheRest(t *testing.T) {
	bus := testkit.Bus(t, testkit.StartNATS(t).URL())
	s := New(bus, nil)
	j := open(t, s, submitArticle(t, bus, "R1", false,
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
	j = open(t, s, submitArticle(t, bus, "R1", false,
		[]string{"图书馆9月2日开放。座位共300个。", "欢迎师生前来。"},
		[]string{"The Library opens on September 2. It has 280 seats.", "All are welcome."}))
	changed, same := seg(j, "b1.2"), seg(j, "b2.1")
	if changed.State != reviewv1.SegmentState_SEGMENT_STATE_NEEDS_REVIEW || changed.Target != "It has 280 seats." || changed.PreviousSource != "座位共280个。" || len(changed.SourceDiff) == 0 {
		t.Errorf("changed segment: %v", changed)
	}
	if !slices.ContainsFunc(changed.Findings, func(f *reviewv1.Finding) bool { return f.Check == CheckSourceChanged }) {
		t.Errorf("a stale segment has no %s finding: %v", CheckSourceChanged, changed.Findings)
	}
	if same.State != reviewv1.SegmentState_SEGMENT_STATE_REVIEWED {
		t.Errorf("unchanged segment lost its state: %v", same.State)
	}
	if j.PreviousSourceRevision == 0 || j.GetAssignee().GetUserId() != "wang" {
		t.Errorf("reopened job: previous %d, assignee %v", j.PreviousSourceRevision, j.Assignee)
	}
	// A minor resubmission keeps the states.
	j = open(t, s, submitArticle(t, bus, "R1", true,
		[]string{"图书馆9月2日开放。座位共300个。", "欢迎全校师生前来。"},
		[]string{"The Library opens on September 2. It has 280 seats.", "All are welcome."}))
	if got := seg(j, "b2.1"); !j.Minor || got.State != reviewv1.SegmentState_SEGMENT_STATE_REVIEWED || got.Source != "欢迎全校师生前来。" {
		t.Errorf("minor resubmission: minor=%v segment %v", j.Minor, got)
	}
}

func TestDismissalLastsUntilTheSegmentChanges(t *testing.T) {
	bus := testkit.Bus(t, testkit.StartNATS(t).URL())
	s := New(bus, nil)
	open(t, s, submitArticle(t, bus, "D1", false, []string{"座位共280个。", "欢迎。"}, []string{"It has  280 seats.", "Welcome."}))
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
	bus := testkit.Bus(t, testkit.StartNATS(t).URL())
	s := New(bus, nil)
	j := open(t, s, submitArticle(t, bus, "O1", false, []string{"中心面积达12000平方米。"}, []string{"It covers 1,200 square meters."}))
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
	h := history(t, bus, "O1")
	last := h[len(h)-1]
	if last.OverrideReason != res.Job.OverrideReason || last.Target.Blocks[0].GetParagraph().GetText() != "It covers 1,200 square meters." || last.Target.Blocks[0].Id != "blka" {
		t.Errorf("approval event: %v", last)
	}
	if seg(last, "b1.1").State != reviewv1.SegmentState_SEGMENT_STATE_FINAL {
		t.Errorf("approved segment state %v", seg(last, "b1.1").State)
	}
}

func TestRequestChangesSendsTheJobBackUntilResubmitted(t *testing.T) {
	bus := testkit.Bus(t, testkit.StartNATS(t).URL())
	s := New(bus, nil)
	j := open(t, s, submitArticle(t, bus, "C1", false, []string{"欢迎。"}, []string{"Welcome."}))
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
	j = open(t, s, submitArticle(t, bus, "C1", false, []string{"9月2日，欢迎。"}, []string{"Welcome on September 2."}))
	if j.Status != reviewv1.JobStatus_JOB_STATUS_OPEN {
		t.Errorf("resubmitted job is %v", j.Status)
	}
}

func TestGlossaryTermsDriveTheChecksAndSurviveARestart(t *testing.T) {
	srv := testkit.StartNATS(t)
	bus := testkit.Bus(t, srv.URL())
	s := New(bus, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Run(ctx)
	<-s.Ready
	imp, err := s.ImportGlossary(lead, &reviewv1.ImportGlossaryRequest{Data: []byte("zh\ten\tnote\n图书馆\tLibrary\t\n校长\tPresident\tvariants: university President\n")})
	if err != nil || imp.Added != 2 {
		t.Fatalf("import: %v %v", imp, err)
	}
	if _, err := s.ImportGlossary(lead, &reviewv1.ImportGlossaryRequest{Data: []byte("zh\ten\n图书馆\t\n")}); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("bad import: %v", err)
	}
	if _, err := s.PutTerm(lead, &reviewv1.PutTermRequest{Term: &reviewv1.Term{Source: "图书馆", Targets: []string{"Library"}}}); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("adding an existing term without its revision: %v", err)
	}
	j := open(t, s, submitArticle(t, bus, "G1", false, []string{"图书馆开放。"}, []string{"The reading room opens."}))
	if f := seg(j, "b1.1").Findings; len(f) != 1 || f[0].Check != "glossary-missing" {
		t.Fatalf("findings with the glossary: %v", f)
	}
	if _, err := s.DeleteTerm(lead, &reviewv1.DeleteTermRequest{Source: "图书馆"}); err != nil {
		t.Fatal(err)
	}
	// A new replica reads the glossary from the stream.
	s2 := New(bus, nil)
	go s2.Run(ctx)
	<-s2.Ready
	list, err := s2.ListTerms(wang, &reviewv1.ListTermsRequest{})
	if err != nil || len(list.Terms) != 1 || list.Terms[0].Source != "校长" || !slices.Equal(list.Terms[0].Targets, []string{"President", "university President"}) {
		t.Fatalf("terms on a new replica: %v %v", list, err)
	}
	out, err := s2.ExportGlossary(wang, &reviewv1.ExportGlossaryRequest{Format: reviewv1.GlossaryFormat_GLOSSARY_FORMAT_CSV})
	if err != nil || !strings.Contains(string(out.Data), "校长,President | university President") {
		t.Fatalf("export: %q %v", out.GetData(), err)
	}
	jobs, err := s2.ListJobs(wang, &reviewv1.ListJobsRequest{})
	if err != nil || len(jobs.Jobs) != 1 || jobs.Jobs[0].ArticleId != "G1" {
		t.Fatalf("jobs on a new replica: %v %v", jobs, err)
	}
}
