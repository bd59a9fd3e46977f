// Package review is the service where translators review the English
// against the Chinese, segment by segment, with the glossary and the
// quality checks. A job opens for each submitted draft revision; its state
// is stored as events on editorial.reviews.<article id>, the glossary on
// editorial.glossary.<term>.
package review

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/metrics"
	"github.com/tandemnews/tandem/pkg/rpc"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	errorsv1 "github.com/tandemnews/tandem/proto/tandem/errors/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
	"github.com/tandemnews/tandem/services/review/qa"
)

// TargetLocale is the language translators review into.
const TargetLocale = "en"

// Limits of what a translator writes. docs/limits.md lists them.
const (
	MaxTargetRunes  = 10000
	MaxCommentRunes = 2000
	MaxReasonRunes  = 500
	MaxComments     = 200
)

// Service implements tandem.review.v1.ReviewService.
type Service struct {
	reviewv1.UnimplementedReviewServiceServer
	bus      *events.Bus
	jobs     *events.Aggregate[*reviewv1.Job]
	glossary *events.Aggregate[*eventsv1.GlossaryEvent]
	memory   *events.Aggregate[*eventsv1.MemoryEvent]
	terms    *termIndex
	tm       *tm
	list     *jobList
	log      *slog.Logger
	now      func() time.Time
	// Ready is closed once the glossary and the job list have been read
	// from the stream.
	Ready chan struct{}
}

// New returns the review service on bus.
func New(bus *events.Bus, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{
		bus:      bus,
		jobs:     Jobs(bus.Editorial),
		glossary: glossaryTerms(bus.Editorial),
		memory:   memoryBatches(bus.Editorial),
		terms:    newTermIndex(),
		tm:       newTM(),
		list:     newJobList(),
		log:      log.With("service", "review"),
		now:      time.Now,
		Ready:    make(chan struct{}),
	}
}

// Register adds the service to a gRPC server.
func (s *Service) Register(r grpc.ServiceRegistrar) { reviewv1.RegisterReviewServiceServer(r, s) }

// Policy says who may call what. Admins (translator leads among them) may
// call everything.
func (s *Service) Policy() auth.Policy {
	const p = "/tandem.review.v1.ReviewService/"
	readers := []auth.Role{auth.Translator, auth.Editor, auth.Publisher}
	return auth.Policy{
		p + "GetJob":         readers,
		p + "ListJobs":       readers,
		p + "CheckJob":       readers,
		p + "ListTerms":      readers,
		p + "ExportGlossary": readers,
		p + "ClaimJob":       {auth.Translator},
		p + "UnclaimJob":     {auth.Translator},
		p + "AssignJob":      {auth.Admin},
		p + "UpdateSegment":  {auth.Translator},
		p + "CommentSegment": {auth.Translator, auth.Editor},
		p + "DismissFinding": {auth.Translator},
		p + "RequestChanges": {auth.Translator},
		p + "ApproveJob":     {auth.Translator},
		p + "SearchMemory":   readers,
		p + "ExportMemory":   {auth.Translator},
		p + "ImportMemory":   {auth.Admin},
		p + "ExportXliff":    {auth.Translator},
		p + "ImportXliff":    {auth.Translator},
		p + "PutTerm":        {auth.Admin},
		p + "DeleteTerm":     {auth.Admin},
		p + "ImportGlossary": {auth.Admin},
	}
}

// Run follows submitted drafts with the durable consumer "review-drafts"
// and approvals with "review-memory", both shared by every replica, and
// follows the glossary, the memory and the jobs for this replica's views,
// until ctx is done.
func (s *Service) Run(ctx context.Context) error {
	g, ctx := errgroup.WithContext(ctx)
	views := []func(context.Context, chan<- struct{}) error{s.followGlossary, s.followMemory, s.followJobs}
	ready := make([]chan struct{}, len(views))
	for i, follow := range views {
		ready[i] = make(chan struct{})
		g.Go(func() error { return follow(ctx, ready[i]) })
	}
	g.Go(func() error {
		for _, r := range ready {
			select {
			case <-r:
			case <-ctx.Done():
				return nil
			}
		}
		close(s.Ready)
		return nil
	})
	g.Go(func() error {
		return s.bus.Editorial.Consume(ctx, events.ConsumerConfig{
			Durable:       "review-memory",
			FilterSubject: s.bus.Editorial.Wildcard(eventsv1.KindReviews),
			Logger:        s.log,
		}, s.HandleReviewEvent)
	})
	g.Go(func() error {
		return s.bus.Editorial.Consume(ctx, events.ConsumerConfig{
			Durable:       "review-drafts",
			FilterSubject: s.bus.Editorial.Wildcard("drafts"),
			Logger:        s.log,
		}, s.HandleDraftEvent)
	})
	return g.Wait()
}

func (s *Service) checker() *qa.Checker {
	return &qa.Checker{Glossary: s.terms.glossary(), Ratio: s.tm.lengthRatio()}
}

// HandleDraftEvent opens a job when a draft is submitted, refreshes it when
// the draft is resubmitted, and erases it when the article is purged. It is
// idempotent on article id and source revision: a redelivered or replayed
// event changes nothing.
func (s *Service) HandleDraftEvent(ctx context.Context, ev *events.Event) error {
	if ev.Type == eventsv1.DraftPurged {
		// Legal removal: the translation goes with the article.
		if err := s.jobs.Purge(ctx, ev.Subject, 0); err != nil {
			return err
		}
		s.list.remove(ev.Subject)
		if err := s.purgeMemory(ctx, ev.Subject); err != nil {
			return err
		}
		s.log.Warn("translation purged with its article", "article", ev.Subject, "event_id", ev.ID)
		return nil
	}
	if ev.Type != eventsv1.DraftSubmitted {
		return nil
	}
	de, ok := ev.Data.(*eventsv1.DraftEvent)
	if !ok || de.Draft.GetArticle() == nil {
		return events.Permanent(fmt.Errorf("%s carries %T", ev.Type, ev.Data))
	}
	next := openJob(de.Draft, ev)
	if next == nil {
		return nil // nothing to translate
	}
	checker := s.checker()
	var reopened bool
	job, err := s.jobs.Upsert(ctx, next.ArticleId, func(cur *reviewv1.Job) (events.Change, error) {
		if cur.SourceRevision >= next.SourceRevision {
			return events.Change{}, nil // this revision (or a newer one) is open already
		}
		typ := eventsv1.TranslationOpened
		if cur.SourceRevision != 0 {
			typ, reopened = eventsv1.TranslationReopened, true
			carryOver(next.Units, cur.Units, next.SourceLocale, next.Minor)
			next.PreviousSourceRevision = cur.SourceRevision
			next.Assignee = cur.Assignee
		}
		s.prefill(next)
		checkJob(checker, next, s.tm.targets)
		next.Target = assemble(next.Source, next.Units, next.TargetLocale)
		proto.Reset(cur)
		proto.Merge(cur, next)
		// One id per article and source revision: a second attempt is a
		// duplicate the server drops.
		return events.Change{Type: typ, Actor: ev.Actor, ID: fmt.Sprintf("review-open-%s-%d", next.ArticleId, next.SourceRevision)}, nil
	})
	if err != nil {
		return err
	}
	s.list.put(job)
	s.log.Info("translation job opened", "article", next.ArticleId, "source_revision", next.SourceRevision, "reopened", reopened, "minor", next.Minor, "event_id", ev.ID)
	return nil
}

// openJob builds the job for a submitted draft, or nil when the article is
// written in the target language already.
func openJob(d *draftingv1.Draft, ev *events.Event) *reviewv1.Job {
	a := d.Article
	if a.SourceLocale == TargetLocale {
		return nil
	}
	opener := &articlev1.Actor{UserId: ev.Actor}
	if u := d.GetUpdated().GetActor(); u.GetUserId() == ev.Actor {
		opener = u
	}
	src := a.Locales[a.SourceLocale]
	j := &reviewv1.Job{
		ArticleId:      a.Id,
		SourceRevision: d.SubmittedRevision,
		SourceLocale:   a.SourceLocale,
		TargetLocale:   TargetLocale,
		Status:         reviewv1.JobStatus_JOB_STATUS_OPEN,
		Source:         src,
		Opened:         &articlev1.Change{Actor: opener, Time: timestamppb.New(ev.Time)},
		Minor:          d.SubmittedMinor,
	}
	j.Units = buildUnits(textsOf(src, a.Locales[TargetLocale]), j.SourceLocale, j.TargetLocale)
	return j
}

func authUser(ctx context.Context) (*articlev1.Actor, bool) {
	u, ok := auth.FromContext(ctx)
	return &articlev1.Actor{UserId: u.ID, Name: u.Name}, ok
}

func (s *Service) change(ctx context.Context) (*articlev1.Actor, *articlev1.Change) {
	a, _ := authUser(ctx)
	return a, &articlev1.Change{Actor: a, Time: timestamppb.New(s.now())}
}

func jobErr(err error, id string) error { return rpc.Store(err, "translation job for "+id) }

// needArticle checks the article id and, when pinned, the revision.
func needArticle(id string, rev uint64, pinned bool) *rpc.Violations {
	var v rpc.Violations
	if strings.TrimSpace(id) == "" {
		v.Add("article_id", "is required")
	}
	if pinned && rev == 0 {
		v.Add("expected_revision", "is required: the job revision you read")
	}
	return &v
}

func mustBeOpen(j *reviewv1.Job) error {
	if j.Status != reviewv1.JobStatus_JOB_STATUS_OPEN {
		return rpc.Precondition(errorsv1.ErrorReason_ERROR_REASON_JOB_NOT_OPEN,
			fmt.Sprintf("the job is %s, not open", statusName(j.Status)), "status", j.Status.String())
	}
	return nil
}

func statusName(st reviewv1.JobStatus) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(st.String(), "JOB_STATUS_"), "_", " "))
}

// mayWork checks that the caller may change the job: it is unclaimed, or
// claimed by the caller, or the caller is an admin.
func mayWork(ctx context.Context, j *reviewv1.Job) error {
	u, _ := auth.FromContext(ctx)
	if a := j.GetAssignee().GetUserId(); a != "" && a != u.ID && !u.Has(auth.Admin) {
		return rpc.Precondition(errorsv1.ErrorReason_ERROR_REASON_JOB_CLAIMED,
			fmt.Sprintf("the job is claimed by %s; ask a lead to reassign it", a), "assignee", a)
	}
	return nil
}

// GetJob implements ReviewService.
func (s *Service) GetJob(ctx context.Context, req *reviewv1.GetJobRequest) (*reviewv1.GetJobResponse, error) {
	if err := needArticle(req.GetArticleId(), 0, false).Err(); err != nil {
		return nil, err
	}
	j, err := s.jobs.Get(ctx, req.GetArticleId())
	if err != nil {
		return nil, jobErr(err, req.GetArticleId())
	}
	return &reviewv1.GetJobResponse{Job: j}, nil
}

// ClaimJob implements ReviewService.
func (s *Service) ClaimJob(ctx context.Context, req *reviewv1.ClaimJobRequest) (*reviewv1.ClaimJobResponse, error) {
	if err := needArticle(req.GetArticleId(), req.GetExpectedRevision(), true).Err(); err != nil {
		return nil, err
	}
	who, _ := s.change(ctx)
	j, err := s.update(ctx, req.GetArticleId(), req.GetExpectedRevision(), func(j *reviewv1.Job) (string, error) {
		if err := mustBeOpen(j); err != nil {
			return "", err
		}
		if err := mayWork(ctx, j); err != nil {
			return "", err
		}
		if j.GetAssignee().GetUserId() == who.UserId {
			return "", nil
		}
		j.Assignee = who
		return eventsv1.TranslationUpdated, nil
	})
	if err != nil {
		return nil, err
	}
	return &reviewv1.ClaimJobResponse{Job: j}, nil
}

// UnclaimJob implements ReviewService.
func (s *Service) UnclaimJob(ctx context.Context, req *reviewv1.UnclaimJobRequest) (*reviewv1.UnclaimJobResponse, error) {
	if err := needArticle(req.GetArticleId(), req.GetExpectedRevision(), true).Err(); err != nil {
		return nil, err
	}
	j, err := s.update(ctx, req.GetArticleId(), req.GetExpectedRevision(), func(j *reviewv1.Job) (string, error) {
		if j.Assignee == nil {
			return "", nil
		}
		if err := mayWork(ctx, j); err != nil {
			return "", err
		}
		j.Assignee = nil
		return eventsv1.TranslationUpdated, nil
	})
	if err != nil {
		return nil, err
	}
	return &reviewv1.UnclaimJobResponse{Job: j}, nil
}

// AssignJob implements ReviewService.
func (s *Service) AssignJob(ctx context.Context, req *reviewv1.AssignJobRequest) (*reviewv1.AssignJobResponse, error) {
	v := needArticle(req.GetArticleId(), req.GetExpectedRevision(), true)
	if utf8.RuneCountInString(req.GetAssignee()) > 100 {
		v.Add("assignee", "is longer than 100 characters")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	j, err := s.update(ctx, req.GetArticleId(), req.GetExpectedRevision(), func(j *reviewv1.Job) (string, error) {
		if err := mustBeOpen(j); err != nil {
			return "", err
		}
		if req.GetAssignee() == "" {
			j.Assignee = nil
		} else {
			j.Assignee = &articlev1.Actor{UserId: req.GetAssignee(), Name: req.GetAssigneeName()}
		}
		return eventsv1.TranslationUpdated, nil
	})
	if err != nil {
		return nil, err
	}
	return &reviewv1.AssignJobResponse{Job: j}, nil
}

// update applies fn to the job at expected (0: the latest, retried on a
// conflict), writes the event type fn returns (none when empty), keeps the
// assembled English current, and updates this replica's list.
func (s *Service) update(ctx context.Context, id string, expected uint64, fn func(*reviewv1.Job) (string, error)) (*reviewv1.Job, error) {
	who, _ := authUser(ctx)
	j, err := s.jobs.Update(ctx, id, expected, func(j *reviewv1.Job) (events.Change, error) {
		typ, err := fn(j)
		if err != nil || typ == "" {
			return events.Change{}, err
		}
		j.Target = assemble(j.Source, j.Units, j.TargetLocale)
		return events.Change{Type: typ, Actor: who.UserId}, nil
	})
	if err != nil {
		return nil, jobErr(err, id)
	}
	s.list.put(j)
	return j, nil
}

// segmentOf finds a segment or answers with a field violation.
func segmentOf(j *reviewv1.Job, id string) (*reviewv1.Segment, error) {
	seg := findSegment(j, id)
	if seg == nil {
		return nil, rpc.InvalidField("segment_id", "%q is not a segment of this job", id)
	}
	return seg, nil
}

// UpdateSegment implements ReviewService.
func (s *Service) UpdateSegment(ctx context.Context, req *reviewv1.UpdateSegmentRequest) (*reviewv1.UpdateSegmentResponse, error) {
	v := needArticle(req.GetArticleId(), req.GetExpectedRevision(), true)
	if req.GetSegmentId() == "" {
		v.Add("segment_id", "is required")
	}
	if n := utf8.RuneCountInString(req.GetTarget()); n > MaxTargetRunes {
		v.Add("target", "is %d characters; at most %d", n, MaxTargetRunes)
	}
	if !utf8.ValidString(req.GetTarget()) {
		v.Add("target", "is not valid UTF-8")
	}
	switch req.GetState() {
	case reviewv1.SegmentState_SEGMENT_STATE_NEEDS_REVIEW:
		v.Add("state", "needs-review is set by a source change, not by hand")
	case reviewv1.SegmentState_SEGMENT_STATE_UNSPECIFIED, reviewv1.SegmentState_SEGMENT_STATE_INITIAL,
		reviewv1.SegmentState_SEGMENT_STATE_TRANSLATED, reviewv1.SegmentState_SEGMENT_STATE_REVIEWED, reviewv1.SegmentState_SEGMENT_STATE_FINAL:
	default:
		v.Add("state", "%d is not a segment state", req.GetState())
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	who, when := s.change(ctx)
	checker := s.checker()
	var findings []*reviewv1.Finding
	j, err := s.update(ctx, req.GetArticleId(), req.GetExpectedRevision(), func(j *reviewv1.Job) (string, error) {
		if err := mustBeOpen(j); err != nil {
			return "", err
		}
		if err := mayWork(ctx, j); err != nil {
			return "", err
		}
		seg, err := segmentOf(j, req.GetSegmentId())
		if err != nil {
			return "", err
		}
		state := req.GetState()
		if state == reviewv1.SegmentState_SEGMENT_STATE_UNSPECIFIED {
			state = reviewv1.SegmentState_SEGMENT_STATE_TRANSLATED
		}
		if strings.TrimSpace(req.GetTarget()) == "" {
			state = reviewv1.SegmentState_SEGMENT_STATE_INITIAL
		}
		if seg.Target != req.GetTarget() {
			seg.Origin = reviewv1.TargetOrigin_TARGET_ORIGIN_TRANSLATOR
		}
		seg.Target = req.GetTarget()
		seg.State = state
		seg.PreviousSource, seg.SourceDiff = "", nil // reviewed against the new source
		seg.Changed = when
		pruneDismissals(seg)
		if j.Assignee == nil {
			j.Assignee = who // the first save claims an unclaimed job
		}
		findings = checkSegment(checker, j, seg, others(j), s.tm.targets)
		for _, f := range findings {
			metrics.Findings.WithLabelValues(f.Check, strings.ToLower(strings.TrimPrefix(f.Severity.String(), "SEVERITY_"))).Inc()
		}
		return eventsv1.TranslationUpdated, nil
	})
	if err != nil {
		return nil, err
	}
	return &reviewv1.UpdateSegmentResponse{Job: j, Findings: findings}, nil
}

// CommentSegment implements ReviewService.
func (s *Service) CommentSegment(ctx context.Context, req *reviewv1.CommentSegmentRequest) (*reviewv1.CommentSegmentResponse, error) {
	v := needArticle(req.GetArticleId(), 0, false)
	if req.GetSegmentId() == "" {
		v.Add("segment_id", "is required")
	}
	text := strings.TrimSpace(req.GetText())
	switch n := utf8.RuneCountInString(text); {
	case n == 0:
		v.Add("text", "is required")
	case n > MaxCommentRunes:
		v.Add("text", "is %d characters; at most %d", n, MaxCommentRunes)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	_, when := s.change(ctx)
	j, err := s.update(ctx, req.GetArticleId(), 0, func(j *reviewv1.Job) (string, error) {
		seg, err := segmentOf(j, req.GetSegmentId())
		if err != nil {
			return "", err
		}
		if len(seg.Comments) >= MaxComments {
			return "", rpc.InvalidField("segment_id", "the segment's thread has %d comments, its limit", MaxComments)
		}
		seg.Comments = append(seg.Comments, &reviewv1.Comment{By: when, Text: text})
		return eventsv1.TranslationUpdated, nil
	})
	if err != nil {
		return nil, err
	}
	return &reviewv1.CommentSegmentResponse{Job: j}, nil
}

// DismissFinding implements ReviewService.
func (s *Service) DismissFinding(ctx context.Context, req *reviewv1.DismissFindingRequest) (*reviewv1.DismissFindingResponse, error) {
	v := needArticle(req.GetArticleId(), 0, false)
	if req.GetSegmentId() == "" {
		v.Add("segment_id", "is required")
	}
	if req.GetCheck() == "" {
		v.Add("check", "is required")
	}
	reason := strings.TrimSpace(req.GetReason())
	switch n := utf8.RuneCountInString(reason); {
	case n == 0:
		v.Add("reason", "is required: say why the finding does not apply")
	case n > MaxReasonRunes:
		v.Add("reason", "is %d characters; at most %d", n, MaxReasonRunes)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	_, when := s.change(ctx)
	checker := s.checker()
	j, err := s.update(ctx, req.GetArticleId(), 0, func(j *reviewv1.Job) (string, error) {
		if err := mustBeOpen(j); err != nil {
			return "", err
		}
		seg, err := segmentOf(j, req.GetSegmentId())
		if err != nil {
			return "", err
		}
		current := checkSegment(checker, j, seg, others(j), s.tm.targets)
		found := false
		for _, f := range current {
			found = found || f.Check == req.GetCheck()
		}
		if !found {
			return "", rpc.InvalidField("check", "segment %s has no %q finding", seg.Id, req.GetCheck())
		}
		pruneDismissals(seg)
		seg.Dismissals = append(seg.Dismissals, &reviewv1.Dismissal{Check: req.GetCheck(), Reason: reason, By: when, TextHash: textHash(seg)})
		checkSegment(checker, j, seg, others(j), s.tm.targets)
		return eventsv1.TranslationUpdated, nil
	})
	if err != nil {
		return nil, err
	}
	return &reviewv1.DismissFindingResponse{Job: j}, nil
}

// CheckJob implements ReviewService.
func (s *Service) CheckJob(ctx context.Context, req *reviewv1.CheckJobRequest) (*reviewv1.CheckJobResponse, error) {
	if err := needArticle(req.GetArticleId(), 0, false).Err(); err != nil {
		return nil, err
	}
	j, err := s.jobs.Get(ctx, req.GetArticleId())
	if err != nil {
		return nil, jobErr(err, req.GetArticleId())
	}
	checkJob(s.checker(), j, s.tm.targets)
	res := &reviewv1.CheckJobResponse{Revision: j.Revision}
	eachSegment(j, func(_ *reviewv1.Unit, seg *reviewv1.Segment) {
		if len(seg.Findings) == 0 {
			return
		}
		res.Segments = append(res.Segments, &reviewv1.SegmentFindings{SegmentId: seg.Id, Findings: seg.Findings})
		for _, f := range seg.Findings {
			switch {
			case f.Dismissed:
			case f.Severity == reviewv1.Severity_SEVERITY_ERROR:
				res.Errors++
			case f.Severity == reviewv1.Severity_SEVERITY_WARNING:
				res.Warnings++
			}
		}
	})
	return res, nil
}

// RequestChanges implements ReviewService.
func (s *Service) RequestChanges(ctx context.Context, req *reviewv1.RequestChangesRequest) (*reviewv1.RequestChangesResponse, error) {
	v := needArticle(req.GetArticleId(), req.GetExpectedRevision(), true)
	comment := strings.TrimSpace(req.GetComment())
	switch n := utf8.RuneCountInString(comment); {
	case n == 0:
		v.Add("comment", "is required: tell the editor what to change")
	case n > MaxCommentRunes:
		v.Add("comment", "is %d characters; at most %d", n, MaxCommentRunes)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	_, when := s.change(ctx)
	j, err := s.update(ctx, req.GetArticleId(), req.GetExpectedRevision(), func(j *reviewv1.Job) (string, error) {
		if err := mustBeOpen(j); err != nil {
			return "", err
		}
		if err := mayWork(ctx, j); err != nil {
			return "", err
		}
		j.Status = reviewv1.JobStatus_JOB_STATUS_CHANGES_REQUESTED
		j.ChangesRequested = &reviewv1.Comment{By: when, Text: comment}
		return eventsv1.TranslationChangesRequested, nil
	})
	if err != nil {
		return nil, err
	}
	s.log.Info("translation sent back", "article", j.ArticleId, "revision", j.Revision, "actor", when.Actor.GetUserId())
	return &reviewv1.RequestChangesResponse{Job: j}, nil
}

// ApproveJob implements ReviewService. It runs every check first: error
// findings nobody dismissed block the approval unless the approver gives
// an override reason, which the approval event records with the findings
// it overrode. Approved segments become final.
func (s *Service) ApproveJob(ctx context.Context, req *reviewv1.ApproveJobRequest) (*reviewv1.ApproveJobResponse, error) {
	v := needArticle(req.GetArticleId(), req.GetExpectedRevision(), true)
	reason := strings.TrimSpace(req.GetOverrideReason())
	if n := utf8.RuneCountInString(reason); n > MaxReasonRunes {
		v.Add("override_reason", "is %d characters; at most %d", n, MaxReasonRunes)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	_, when := s.change(ctx)
	checker := s.checker()
	j, err := s.update(ctx, req.GetArticleId(), req.GetExpectedRevision(), func(j *reviewv1.Job) (string, error) {
		if err := mustBeOpen(j); err != nil {
			return "", err
		}
		if err := mayWork(ctx, j); err != nil {
			return "", err
		}
		checkJob(checker, j, s.tm.targets)
		blocking := openErrors(j)
		if len(blocking) > 0 && reason == "" {
			return "", rpc.Precondition(errorsv1.ErrorReason_ERROR_REASON_FINDINGS_BLOCK_APPROVAL,
				fmt.Sprintf("%d error finding(s) block approval (%s); fix or dismiss them, or approve with an override reason", len(blocking), summarize(blocking)),
				"errors", fmt.Sprint(len(blocking)))
		}
		target := assemble(j.Source, j.Units, j.TargetLocale)
		if strings.TrimSpace(target.GetTitle()) == "" || !hasBody(target) {
			return "", rpc.Precondition(errorsv1.ErrorReason_ERROR_REASON_TRANSLATION_INCOMPLETE,
				"the English has no title or no body yet; it cannot be approved")
		}
		if len(blocking) > 0 {
			j.OverrideReason, j.Overridden = reason, blocking
		} else {
			j.OverrideReason, j.Overridden = "", nil
		}
		eachSegment(j, func(_ *reviewv1.Unit, seg *reviewv1.Segment) {
			if seg.Target != "" {
				seg.State = reviewv1.SegmentState_SEGMENT_STATE_FINAL
			}
		})
		j.Status = reviewv1.JobStatus_JOB_STATUS_APPROVED
		j.Approved = when
		return eventsv1.TranslationApproved, nil
	})
	if err != nil {
		return nil, err
	}
	s.log.Info("translation approved", "article", j.ArticleId, "revision", j.Revision, "source_revision", j.SourceRevision,
		"actor", when.Actor.GetUserId(), "overridden", len(j.Overridden))
	return &reviewv1.ApproveJobResponse{Job: j}, nil
}

func hasBody(c *articlev1.LocalizedContent) bool {
	for _, b := range c.GetBlocks() {
		if strings.TrimSpace(b.GetParagraph().GetText()+b.GetHeading().GetText()+b.GetQuote().GetText()+b.GetFigure().GetCaption()+strings.Join(b.GetList().GetItems(), "")) != "" {
			return true
		}
	}
	return false
}

// summarize lists the first few blocking findings for a message.
func summarize(list []string) string {
	if len(list) > 5 {
		return strings.Join(list[:5], ", ") + fmt.Sprintf(" and %d more", len(list)-5)
	}
	return strings.Join(list, ", ")
}
