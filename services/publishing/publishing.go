// Package publishing is the service where publishers release each
// language of an article to the public. It renders the pages, stores them
// in Redis, and announces them on the PUBLIC stream as
// public.articles.<id>, whose last event is the article's public record.
//
// The rules live in publication (what may be released, how the record
// changes) and schedule (planned publications); grpc.go and
// grpc_schedule.go are the transport, release.go writes the record,
// follow.go holds the consumers and the scheduler, pages.go the Redis
// writes and their clearing out.
package publishing

import (
	"cmp"
	"context"
	"log/slog"
	"time"

	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"

	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/cache"
	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/siteconfig"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
	"github.com/tandemnews/tandem/services/publishing/schedule"
)

// Service implements tandem.publishing.v1.PublishingService.
type Service struct {
	publishingv1.UnimplementedPublishingServiceServer
	bus    *events.Bus
	drafts *events.Aggregate[*draftingv1.Draft]
	jobs   *events.Aggregate[*reviewv1.Job]
	pubs   *events.Aggregate[*eventsv1.Publication]
	sched  *events.Aggregate[*eventsv1.Schedules]
	addrs  *events.Aggregate[*eventsv1.Address]
	media  *events.Aggregate[*eventsv1.MediaItem]
	// buckets are the media library's and the public images'.
	buckets *buckets
	plan    *schedule.Plan
	// Ready is closed once the schedules have been read from the stream.
	Ready  chan struct{}
	render *Renderer
	links  *linkKey
	pages  pages
	log    *slog.Logger
	now    func() time.Time
}

// Options configures the service.
type Options struct {
	// Pages is the Redis page cache; nil runs without Redis (pages then
	// reach the site through the events and GetRendered only).
	Pages *cache.Pages
	// Site is the site configuration used for rendering.
	Site *siteconfig.Config
	// Logger; default slog.Default().
	Logger *slog.Logger
}

// New returns the publishing service on bus.
func New(bus *events.Bus, o Options) *Service {
	o.Logger = cmp.Or(o.Logger, slog.Default())
	o.Site = cmp.Or(o.Site, siteconfig.Default())
	log := o.Logger.With("service", "publishing")
	return &Service{
		bus:     bus,
		drafts:  drafts(bus.Editorial),
		jobs:    jobs(bus.Editorial),
		pubs:    Publications(bus.Public),
		sched:   Schedules(bus.Editorial),
		addrs:   Addresses(bus.Editorial),
		media:   mediaItems(bus.Editorial),
		buckets: &buckets{bus: bus},
		plan:    schedule.NewPlan(),
		Ready:   make(chan struct{}),
		render:  &Renderer{Site: o.Site},
		links:   &linkKey{bus: bus},
		pages:   pages{cache: o.Pages, log: log},
		log:     log,
		now:     time.Now,
	}
}

// Register adds the service to a gRPC server.
func (s *Service) Register(r grpc.ServiceRegistrar) {
	publishingv1.RegisterPublishingServiceServer(r, s)
}

// Policy says who may call what. GetRendered serves only what is public
// already, so it needs no token; GetLinkedPreview and GetLinkedMedia need
// none either: their signed link is the permission.
func (s *Service) Policy() auth.Policy {
	return auth.Policy{
		publishingv1.PublishingService_PublishArticle_FullMethodName:    {auth.Publisher},
		publishingv1.PublishingService_GetPublication_FullMethodName:    {auth.Publisher, auth.Editor},
		publishingv1.PublishingService_GetRendered_FullMethodName:       auth.Public,
		publishingv1.PublishingService_CorrectArticle_FullMethodName:    {auth.Publisher},
		publishingv1.PublishingService_UnpublishArticle_FullMethodName:  {auth.Publisher},
		publishingv1.PublishingService_SchedulePublish_FullMethodName:   {auth.Publisher},
		publishingv1.PublishingService_CancelSchedule_FullMethodName:    {auth.Publisher},
		publishingv1.PublishingService_ListSchedules_FullMethodName:     {auth.Publisher, auth.Editor},
		publishingv1.PublishingService_PreviewArticle_FullMethodName:    {auth.Editor, auth.Translator, auth.Publisher},
		publishingv1.PublishingService_CreatePreviewLink_FullMethodName: {auth.Publisher},
		publishingv1.PublishingService_GetLinkedPreview_FullMethodName:  auth.Public,
		publishingv1.PublishingService_GetLinkedMedia_FullMethodName:    auth.Public,
	}
}

// Run follows the schedules (closing Ready once they are read), fires the
// due ones, takes purged articles down, clears out of Redis the pages no
// article serves any more, and out of the public bucket the images no live
// page shows, until ctx is done.
func (s *Service) Run(ctx context.Context) error {
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return s.followSchedules(ctx) })
	g.Go(func() error { return s.runScheduler(ctx) })
	g.Go(func() error { return s.consumeDrafts(ctx) })
	g.Go(func() error { return s.consumePages(ctx) })
	g.Go(func() error { return s.followImages(ctx) })
	return g.Wait()
}
