// Package review is the service where translators review the English
// against the Chinese. A job opens for each submitted draft revision; its
// state is stored as events on editorial.reviews.<article id>.
package review

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/rpc"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	errorsv1 "github.com/tandemnews/tandem/proto/tandem/errors/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

// TargetLocale is the language translators review into.
const TargetLocale = "en"

// Service implements tandem.review.v1.ReviewService.
type Service struct {
	reviewv1.UnimplementedReviewServiceServer
	bus  *events.Bus
	jobs *events.Aggregate[*reviewv1.Job]
	log  *slog.Logger
	now  func() time.Time
}

// New returns the review service on bus.
func New(bus *events.Bus, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{bus: bus, jobs: events.Jobs(bus.Editorial), log: log.With("service", "review"), now: time.Now}
}

// Register adds the service to a gRPC server.
func (s *Service) Register(r grpc.ServiceRegistrar) { reviewv1.RegisterReviewServiceServer(r, s) }

// Policy says who may call what.
func (s *Service) Policy() auth.Policy {
	const p = "/tandem.review.v1.ReviewService/"
	return auth.Policy{
		p + "GetJob":     {auth.Translator, auth.Editor, auth.Publisher},
		p + "ApproveJob": {auth.Translator},
	}
}

// Run follows submitted drafts with the durable consumer "review-drafts",
// shared by every replica, until ctx is done.
func (s *Service) Run(ctx context.Context) error {
	return s.bus.Editorial.Consume(ctx, events.ConsumerConfig{
		Durable:       "review-drafts",
		FilterSubject: s.bus.Editorial.Wildcard("drafts"),
		Logger:        s.log,
	}, s.HandleDraftEvent)
}

// HandleDraftEvent opens a job when a draft is submitted, and erases the
// job when the article is purged. It is idempotent on article id and
// source revision: a redelivered or replayed event changes nothing.
func (s *Service) HandleDraftEvent(ctx context.Context, ev *events.Event) error {
	if ev.Type == events.DraftPurged {
		// Legal removal: the translation goes with the article.
		if err := s.jobs.Purge(ctx, ev.Subject, 0); err != nil {
			return err
		}
		s.log.Warn("translation purged with its article", "article", ev.Subject, "event_id", ev.ID)
		return nil
	}
	if ev.Type != events.DraftSubmitted {
		return nil
	}
	de, ok := ev.Data.(*eventsv1.DraftEvent)
	if !ok || de.Draft.GetArticle() == nil {
		return events.Permanent(fmt.Errorf("%s carries %T", ev.Type, ev.Data))
	}
	job := openJob(de.Draft, ev)
	if job == nil {
		return nil // nothing to translate
	}
	change := events.Change{
		Type:  events.TranslationOpened,
		Actor: ev.Actor,
		// One id per article and source revision: a second attempt is a
		// duplicate the server drops.
		ID: fmt.Sprintf("review-open-%s-%d", job.ArticleId, job.SourceRevision),
	}
	_, err := s.jobs.Upsert(ctx, job.ArticleId, func(cur *reviewv1.Job) (events.Change, error) {
		if cur.SourceRevision >= job.SourceRevision {
			return events.Change{}, nil // this revision (or a newer one) is open already
		}
		proto.Reset(cur)
		proto.Merge(cur, job)
		return change, nil
	})
	if err != nil {
		return err
	}
	s.log.Info("translation job opened", "article", job.ArticleId, "source_revision", job.SourceRevision, "event_id", ev.ID)
	return nil
}

// openJob builds the job for a submitted draft, or nil when the article is
// written in the target language already.
func openJob(d *draftingv1.Draft, ev *events.Event) *reviewv1.Job {
	a := d.Article
	if a.SourceLocale == TargetLocale {
		return nil
	}
	target := proto.Clone(a.Locales[TargetLocale]).(*articlev1.LocalizedContent)
	if target == nil {
		target = &articlev1.LocalizedContent{}
	}
	opener := &articlev1.Actor{UserId: ev.Actor}
	if u := d.GetUpdated().GetActor(); u.GetUserId() == ev.Actor {
		opener = u
	}
	return &reviewv1.Job{
		ArticleId:      a.Id,
		SourceRevision: d.SubmittedRevision,
		SourceLocale:   a.SourceLocale,
		TargetLocale:   TargetLocale,
		Status:         reviewv1.JobStatus_JOB_STATUS_OPEN,
		Source:         a.Locales[a.SourceLocale],
		Target:         target,
		Opened:         &articlev1.Change{Actor: opener, Time: timestamppb.New(ev.Time)},
	}
}

// GetJob implements ReviewService.
func (s *Service) GetJob(ctx context.Context, req *reviewv1.GetJobRequest) (*reviewv1.GetJobResponse, error) {
	if strings.TrimSpace(req.GetArticleId()) == "" {
		return nil, rpc.InvalidField("article_id", "is required")
	}
	j, err := s.jobs.Get(ctx, req.GetArticleId())
	if err != nil {
		return nil, rpc.Store(err, "translation job for "+req.GetArticleId())
	}
	return &reviewv1.GetJobResponse{Job: j}, nil
}

// ApproveJob implements ReviewService.
func (s *Service) ApproveJob(ctx context.Context, req *reviewv1.ApproveJobRequest) (*reviewv1.ApproveJobResponse, error) {
	var v rpc.Violations
	if req.GetArticleId() == "" {
		v.Add("article_id", "is required")
	}
	if req.GetExpectedRevision() == 0 {
		v.Add("expected_revision", "is required: the job revision you reviewed")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	u, _ := auth.FromContext(ctx)
	j, err := s.jobs.Update(ctx, req.GetArticleId(), req.GetExpectedRevision(), func(j *reviewv1.Job) (events.Change, error) {
		if j.Status != reviewv1.JobStatus_JOB_STATUS_OPEN {
			return events.Change{}, rpc.Precondition(errorsv1.ErrorReason_ERROR_REASON_JOB_NOT_OPEN,
				fmt.Sprintf("the job is %s, not open", strings.TrimPrefix(j.Status.String(), "JOB_STATUS_")), "status", j.Status.String())
		}
		if strings.TrimSpace(j.Target.GetTitle()) == "" || len(j.Target.GetBlocks()) == 0 {
			return events.Change{}, rpc.Precondition(errorsv1.ErrorReason_ERROR_REASON_TRANSLATION_INCOMPLETE,
				"the English has no title or no body yet; it cannot be approved")
		}
		j.Status = reviewv1.JobStatus_JOB_STATUS_APPROVED
		j.Approved = &articlev1.Change{Actor: &articlev1.Actor{UserId: u.ID, Name: u.Name}, Time: timestamppb.New(s.now())}
		return events.Change{Type: events.TranslationApproved, Actor: u.ID}, nil
	})
	if err != nil {
		return nil, rpc.Store(err, "translation job for "+req.GetArticleId())
	}
	s.log.Info("translation approved", "article", j.ArticleId, "revision", j.Revision, "source_revision", j.SourceRevision, "actor", u.ID)
	return &reviewv1.ApproveJobResponse{Job: j}, nil
}
