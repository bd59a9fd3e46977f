// Package review is the service where translators review the English
// against the Chinese, segment by segment, with the glossary, the
// translation memory and the quality checks. A job opens for each
// submitted draft revision; its state is stored as events on
// editorial.reviews.<article id>, the glossary on
// editorial.glossary.<term>, the memory on editorial.memory.<batch>.
//
// The rules of a job are in package job; this package wires them to the
// event store (store.go, follow.go) and to gRPC (grpc*.go).
package review

import (
	"cmp"
	"context"
	"log/slog"
	"time"

	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"

	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/events"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
	"github.com/tandemnews/tandem/services/review/job"
	"github.com/tandemnews/tandem/services/review/qa"
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
	// Ready is closed once the glossary, the memory and the job list have
	// been read from the stream.
	Ready chan struct{}
}

// New returns the review service on bus.
func New(bus *events.Bus, log *slog.Logger) *Service {
	log = cmp.Or(log, slog.Default())
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
	readers := []auth.Role{auth.Translator, auth.Editor, auth.Publisher}
	return auth.Policy{
		reviewv1.ReviewService_GetJob_FullMethodName:         readers,
		reviewv1.ReviewService_ListJobs_FullMethodName:       readers,
		reviewv1.ReviewService_CheckJob_FullMethodName:       readers,
		reviewv1.ReviewService_ListTerms_FullMethodName:      readers,
		reviewv1.ReviewService_ExportGlossary_FullMethodName: readers,
		reviewv1.ReviewService_ClaimJob_FullMethodName:       {auth.Translator},
		reviewv1.ReviewService_UnclaimJob_FullMethodName:     {auth.Translator},
		reviewv1.ReviewService_AssignJob_FullMethodName:      {auth.Admin},
		reviewv1.ReviewService_UpdateSegment_FullMethodName:  {auth.Translator},
		reviewv1.ReviewService_CommentSegment_FullMethodName: {auth.Translator, auth.Editor},
		reviewv1.ReviewService_DismissFinding_FullMethodName: {auth.Translator},
		reviewv1.ReviewService_RequestChanges_FullMethodName: {auth.Translator},
		reviewv1.ReviewService_ApproveJob_FullMethodName:     {auth.Translator},
		reviewv1.ReviewService_SearchMemory_FullMethodName:   readers,
		reviewv1.ReviewService_ExportMemory_FullMethodName:   {auth.Translator},
		reviewv1.ReviewService_ImportMemory_FullMethodName:   {auth.Admin},
		reviewv1.ReviewService_ExportXliff_FullMethodName:    {auth.Translator},
		reviewv1.ReviewService_ImportXliff_FullMethodName:    {auth.Translator},
		reviewv1.ReviewService_PutTerm_FullMethodName:        {auth.Admin},
		reviewv1.ReviewService_DeleteTerm_FullMethodName:     {auth.Admin},
		reviewv1.ReviewService_ImportGlossary_FullMethodName: {auth.Admin},
	}
}

// Run follows submitted drafts with the durable consumer "review-drafts"
// and approvals with "review-memory", both shared by every replica, and
// follows the glossary, the memory and the jobs for this replica's views
// (closing Ready once they are read), until ctx is done.
func (s *Service) Run(ctx context.Context) error {
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return events.FollowAll(ctx, s.Ready, s.views()...) })
	g.Go(func() error { return s.consume(ctx, "review-memory", eventsv1.KindReviews, s.HandleReviewEvent) })
	g.Go(func() error { return s.consume(ctx, "review-drafts", eventsv1.KindDrafts, s.HandleDraftEvent) })
	return g.Wait()
}

// consume hands the events of kind to h with the durable consumer named
// durable, which every replica shares.
func (s *Service) consume(ctx context.Context, durable, kind string, h events.Handler) error {
	return s.bus.Editorial.Consume(ctx, events.ConsumerConfig{
		Durable:       durable,
		FilterSubject: s.bus.Editorial.Wildcard(kind),
		Logger:        s.log,
	}, h)
}

// checks are the checks with this replica's glossary and memory as they
// are now.
func (s *Service) checks() job.Checks {
	return job.Checks{Checker: &qa.Checker{Glossary: s.terms.glossary(), Ratio: s.tm.lengthRatio()}, Memory: s.tm}
}
