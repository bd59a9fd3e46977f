package publishing

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/tandemnews/tandem/pkg/events"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	"github.com/tandemnews/tandem/services/publishing/publication"
)

// PublicMediaBucket is the object store bucket the site serves images
// from, named after the public stream: PUBLIC_MEDIA by default (stream
// OBJ_PUBLIC_MEDIA). It holds the variants of the images live pages
// show, as <id>-<width>.<ext>, and nothing else: publishing copies an
// image's variants into it from the media library's private bucket
// before it announces the page that shows it, and removes them once no
// live page does (mediaUse).
func PublicMediaBucket(c events.Config) string { return c.PublicStream + "_MEDIA" }

// libraryBucket is the media library's own bucket (services/media
// creates it): EDITORIAL_MEDIA by default.
func libraryBucket(c events.Config) string { return c.EditorialStream + "_MEDIA" }

// mediaItems reads the media service's library.
func mediaItems(s *events.Stream) *events.Aggregate[*eventsv1.MediaItem] {
	return events.Reader(s, eventsv1.KindMedia, (*eventsv1.MediaEvent).GetItem)
}

// buckets opens the two media buckets on first use.
type buckets struct {
	bus *events.Bus
	mu  sync.Mutex
	lib jetstream.ObjectStore
	pub jetstream.ObjectStore
}

func (b *buckets) open(ctx context.Context) (lib, pub jetstream.ObjectStore, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	cfg := b.bus.Config()
	if b.pub == nil {
		b.pub, err = b.bus.JetStream().CreateOrUpdateObjectStore(ctx, jetstream.ObjectStoreConfig{
			Bucket:      PublicMediaBucket(cfg),
			Description: "Tandem published images: the variants of every image a live page shows",
			Storage:     jetstream.FileStorage,
			Replicas:    max(cfg.Replicas, 1),
		})
		if err != nil {
			return nil, nil, fmt.Errorf("media: open bucket %s: %w", PublicMediaBucket(cfg), err)
		}
	}
	if b.lib == nil {
		b.lib, err = b.bus.JetStream().ObjectStore(ctx, libraryBucket(cfg))
		if err != nil {
			return nil, nil, fmt.Errorf("media: open bucket %s: %w", libraryBucket(cfg), err)
		}
	}
	return b.lib, b.pub, nil
}

// attachImages finds in the library the images each release shows,
// refusing figures whose image is missing or lacks its alternative text,
// and copies their variants into the public bucket.
func (s *Service) attachImages(ctx context.Context, article string, rels []publication.Release) error {
	items := map[string]*eventsv1.MediaItem{}
	for _, r := range rels {
		for _, id := range publication.MediaIDs(r.Content) {
			if _, ok := items[id]; ok {
				continue
			}
			it, err := s.media.Get(ctx, id)
			if errors.Is(err, events.ErrNotFound) {
				items[id] = nil
				continue
			}
			if err != nil {
				return about("media item "+id, err)
			}
			items[id] = it
		}
	}
	for i, r := range rels {
		imgs, err := publication.Images(article, r.Locale, r.Content, items)
		if err != nil {
			return err
		}
		rels[i].Images = imgs
	}
	if len(items) == 0 {
		return nil
	}
	for i := range rels {
		for _, img := range rels[i].Images {
			if err := s.showImage(ctx, img); err != nil {
				return about("image "+img.Media, err)
			}
		}
	}
	return nil
}

// showImage copies every variant of img into the public bucket, unless it
// is there already.
func (s *Service) showImage(ctx context.Context, img *eventsv1.PublishedImage) error {
	lib, pub, err := s.buckets.open(ctx)
	if err != nil {
		return err
	}
	for _, w := range img.Widths {
		name := fmt.Sprintf("%s-%d.%s", img.Media, w, img.Ext)
		if _, err := pub.GetInfo(ctx, name); err == nil {
			continue
		} else if !errors.Is(err, jetstream.ErrObjectNotFound) {
			return err
		}
		data, err := lib.GetBytes(ctx, fmt.Sprintf("%s/%d.%s", img.Media, w, img.Ext))
		if err != nil {
			return fmt.Errorf("media: read %s/%d.%s: %w", img.Media, w, img.Ext, err)
		}
		if _, err := pub.PutBytes(ctx, name, data); err != nil {
			return fmt.Errorf("media: publish %s: %w", name, err)
		}
	}
	return nil
}

// hideImage removes every variant of img from the public bucket.
func (s *Service) hideImage(ctx context.Context, img *eventsv1.PublishedImage) error {
	_, pub, err := s.buckets.open(ctx)
	if err != nil {
		return err
	}
	for _, w := range img.Widths {
		name := fmt.Sprintf("%s-%d.%s", img.Media, w, img.Ext)
		if err := pub.Delete(ctx, name); err != nil && !errors.Is(err, jetstream.ErrObjectNotFound) {
			return err
		}
	}
	return nil
}
