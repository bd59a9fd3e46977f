// Package drafting is the service where editors write, revise and submit
// articles. Its one aggregate is the draft, stored as events on
// editorial.drafts.<id>; its rules are in draft/, and the article list it
// answers from is in catalog/.
package drafting

import (
	"cmp"
	"context"
	"log/slog"
	"time"

	"google.golang.org/grpc"

	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/siteconfig"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	"github.com/tandemnews/tandem/services/drafting/catalog"
	"github.com/tandemnews/tandem/services/drafting/draft"
)

// Service implements tandem.drafting.v1.DraftingService.
type Service struct {
	draftingv1.UnimplementedDraftingServiceServer
	bus    *events.Bus
	drafts *events.Aggregate[*draftingv1.Draft]
	media  *events.Aggregate[*eventsv1.MediaItem]
	cat    *catalog.Catalog
	ready  chan struct{} // closed once cat holds what the streams held at start
	rules  draft.Rules
	log    *slog.Logger
	now    func() time.Time
}

// Options configures the service.
type Options struct {
	// Site holds the sections an article may be filed under. Default
	// siteconfig.Default().
	Site *siteconfig.Config
	// Logger; default slog.Default().
	Logger *slog.Logger
}

// New returns the drafting service on bus.
func New(bus *events.Bus, o Options) *Service {
	o.Logger = cmp.Or(o.Logger, slog.Default())
	o.Site = cmp.Or(o.Site, siteconfig.Default())
	cat := catalog.New()
	return &Service{
		bus:    bus,
		drafts: Drafts(bus.Editorial),
		media:  mediaItems(bus.Editorial),
		cat:    cat,
		ready:  make(chan struct{}),
		rules:  draft.Rules{Site: o.Site, SlugOwner: cat.SlugOwner, MaxPayload: bus.Editorial.MaxPayload()},
		log:    o.Logger.With("service", "drafting"),
		now:    time.Now,
	}
}

// Register adds the service to a gRPC server.
func (s *Service) Register(r grpc.ServiceRegistrar) { draftingv1.RegisterDraftingServiceServer(r, s) }

// Policy says who may call what.
func (s *Service) Policy() auth.Policy {
	all := []auth.Role{auth.Editor, auth.Translator, auth.Publisher}
	return auth.Policy{
		draftingv1.DraftingService_CreateDraft_FullMethodName:      {auth.Editor},
		draftingv1.DraftingService_GetDraft_FullMethodName:         all,
		draftingv1.DraftingService_UpdateDraft_FullMethodName:      {auth.Editor},
		draftingv1.DraftingService_SubmitDraft_FullMethodName:      {auth.Editor},
		draftingv1.DraftingService_GetDraftHistory_FullMethodName:  all,
		draftingv1.DraftingService_GetDraftRevision_FullMethodName: all,
		draftingv1.DraftingService_DiffRevisions_FullMethodName:    all,
		draftingv1.DraftingService_ListDrafts_FullMethodName:       all,
		draftingv1.DraftingService_WatchDrafts_FullMethodName:      all,
		draftingv1.DraftingService_WithdrawDraft_FullMethodName:    {auth.Editor},
		draftingv1.DraftingService_PurgeArticle_FullMethodName:     {auth.Admin},
	}
}

// Run rebuilds the article list from the streams and keeps it current
// until ctx is done.
func (s *Service) Run(ctx context.Context) error { return s.follow(ctx) }
