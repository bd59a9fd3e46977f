package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/tandemnews/tandem/pkg/events"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	"github.com/tandemnews/tandem/services/media/photo"
)

// Bucket is the object store bucket holding every media item's variants,
// named after the editorial stream: EDITORIAL_MEDIA by default (stream
// OBJ_EDITORIAL_MEDIA). Object names are <id>/<width>.<ext>. It is
// private: the site never reads it; publishing copies what a published
// page shows into the public bucket (services/publishing/media.go).
func Bucket(c events.Config) string { return c.EditorialStream + "_MEDIA" }

// Items is the media library's record, editorial.media.<id>: the media
// service alone writes it.
func Items(s *events.Stream) *events.Aggregate[*eventsv1.MediaItem] {
	return events.Define(s, eventsv1.KindMedia, eventsv1.SourceMedia,
		func(m *eventsv1.MediaItem) *eventsv1.MediaEvent { return &eventsv1.MediaEvent{Item: m} },
		(*eventsv1.MediaEvent).GetItem, func(m *eventsv1.MediaItem, rev uint64) { m.Revision = rev })
}

// drafts reads drafting's drafts: which articles use which media.
func drafts(s *events.Stream) *events.Aggregate[*draftingv1.Draft] {
	return events.Reader(s, eventsv1.KindDrafts, (*eventsv1.DraftEvent).GetDraft)
}

// openBucket creates or updates the library's bucket, replicated like
// the streams.
func openBucket(ctx context.Context, bus *events.Bus) (jetstream.ObjectStore, error) {
	cfg := bus.Config()
	obs, err := bus.JetStream().CreateOrUpdateObjectStore(ctx, jetstream.ObjectStoreConfig{
		Bucket:      Bucket(cfg),
		Description: "Tandem media library: every image's variants, named by SHA-256 (private)",
		Storage:     jetstream.FileStorage,
		Replicas:    max(cfg.Replicas, 1),
	})
	if err != nil {
		return nil, fmt.Errorf("media: open bucket %s: %w", Bucket(cfg), err)
	}
	return obs, nil
}

// putVariants stores each variant of p that is not stored yet.
func putVariants(ctx context.Context, obs jetstream.ObjectStore, p *photo.Photo) error {
	for _, v := range p.Variants {
		name := photo.ObjectName(p.ID, v.Width, p.Ext)
		if _, err := obs.GetInfo(ctx, name); err == nil {
			continue
		} else if !errors.Is(err, jetstream.ErrObjectNotFound) {
			return fmt.Errorf("media: %s: %w", name, err)
		}
		meta := jetstream.ObjectMeta{Name: name, Headers: map[string][]string{"Content-Type": {p.ContentType}}}
		if _, err := obs.Put(ctx, meta, bytes.NewReader(v.Data)); err != nil {
			return fmt.Errorf("media: store %s: %w", name, err)
		}
	}
	return nil
}

// deleteVariants removes every variant of item; those already gone are
// fine.
func deleteVariants(ctx context.Context, obs jetstream.ObjectStore, item *eventsv1.MediaItem) error {
	for _, w := range item.Widths {
		name := photo.ObjectName(item.Id, int(w), item.Ext)
		if err := obs.Delete(ctx, name); err != nil && !errors.Is(err, jetstream.ErrObjectNotFound) {
			return fmt.Errorf("media: delete %s: %w", name, err)
		}
	}
	return nil
}

// MediaOf lists the media ids the figures of a draft name, in every
// locale.
func MediaOf(d *draftingv1.Draft) map[string]bool {
	out := map[string]bool{}
	for _, lc := range d.GetArticle().GetLocales() {
		for _, b := range lc.GetBlocks() {
			if m := b.GetFigure().GetMedia(); m != "" {
				out[m] = true
			}
		}
	}
	return out
}
