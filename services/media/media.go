// Package media is the service that keeps the media library
// (tandem.media.v1.MediaService). An upload is checked and made safe in
// photo/ (type from content, size and pixel limits, orientation,
// re-encoding without metadata, variants); its variants go to the object
// store bucket EDITORIAL_MEDIA under its SHA-256, and its record (texts,
// sizes, uploader) to editorial.media.<id> on the editorial stream, which
// stays the record (store.go). Each replica follows the library and the
// drafts (follow.go): it lists the library from memory, and when an
// article is purged it removes the media no other article uses.
package media

import (
	"cmp"
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"

	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/events"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	mediav1 "github.com/tandemnews/tandem/proto/tandem/media/v1"
)

// MaxDecoding is how many uploads a replica decodes and resizes at once;
// the others wait their turn (within their deadline).
const MaxDecoding = 2

// Options configures the service.
type Options struct {
	Logger *slog.Logger
}

// Service implements tandem.media.v1.MediaService.
type Service struct {
	mediav1.UnimplementedMediaServiceServer
	bus    *events.Bus
	log    *slog.Logger
	items  *events.Aggregate[*eventsv1.MediaItem]
	drafts *events.Aggregate[*draftingv1.Draft]
	now    func() time.Time

	// work bounds the uploads decoded at once: a 40-megapixel image
	// takes some 160 MB while it is resized.
	work chan struct{}

	// obs is the bucket, set before ready is closed.
	obs   jetstream.ObjectStore
	ready chan struct{}

	mu sync.Mutex
	// library holds every live item by id.
	library map[string]*eventsv1.MediaItem
	// uses holds, per article, the media its draft's figures name.
	uses map[string]map[string]bool
}

// New returns the service on bus.
func New(bus *events.Bus, o Options) *Service {
	log := cmp.Or(o.Logger, slog.Default()).With("service", "media")
	return &Service{
		bus: bus, log: log, items: Items(bus.Editorial), drafts: drafts(bus.Editorial), now: time.Now,
		ready: make(chan struct{}), library: map[string]*eventsv1.MediaItem{}, uses: map[string]map[string]bool{},
		work: make(chan struct{}, MaxDecoding),
	}
}

// Register adds the service to a gRPC server.
func (s *Service) Register(r grpc.ServiceRegistrar) { mediav1.RegisterMediaServiceServer(r, s) }

// Policy: editors and publishers add photos and change their texts;
// everyone in the newsroom may look.
func (s *Service) Policy() auth.Policy {
	write := []auth.Role{auth.Editor, auth.Publisher, auth.Admin}
	read := []auth.Role{auth.Editor, auth.Translator, auth.Publisher, auth.Admin}
	return auth.Policy{
		mediav1.MediaService_UploadMedia_FullMethodName:      write,
		mediav1.MediaService_UpdateMediaTexts_FullMethodName: write,
		mediav1.MediaService_GetMedia_FullMethodName:         read,
		mediav1.MediaService_ListMedia_FullMethodName:        read,
	}
}

// Run opens the bucket, follows the library and the drafts (closing
// Ready once both are read), and removes the media of purged articles,
// until ctx is done.
func (s *Service) Run(ctx context.Context) error {
	for {
		obs, err := openBucket(ctx, s.bus)
		if err == nil {
			s.obs = obs
			break
		}
		if ctx.Err() != nil {
			return nil
		}
		s.log.Warn("media bucket could not open; retrying", "err", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(time.Second):
		}
	}
	g, ctx := errgroup.WithContext(ctx)
	purged := make(chan purge, 64)
	g.Go(func() error { return s.follow(ctx, purged) })
	g.Go(func() error { s.removeUnused(ctx, purged); return nil })
	return g.Wait()
}

// Ready is closed once the service answers from a complete view.
func (s *Service) Ready() <-chan struct{} { return s.ready }
