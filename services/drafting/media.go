package drafting

import (
	"context"
	"errors"

	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/rpc"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	"github.com/tandemnews/tandem/services/drafting/draft"
)

// mediaItems reads the media service's library: a figure may only name
// an item it holds.
func mediaItems(s *events.Stream) *events.Aggregate[*eventsv1.MediaItem] {
	return events.Reader(s, eventsv1.KindMedia, (*eventsv1.MediaEvent).GetItem)
}

// checkMedia adds a violation for each figure of a naming a media item
// the library does not hold (never uploaded, or removed). It reads the
// record itself, not a projection, so an image uploaded a moment ago is
// found.
func (s *Service) checkMedia(ctx context.Context, a *articlev1.Article, path string, v *rpc.Violations) error {
	ids, paths := draft.MediaPaths(a, path)
	held := map[string]bool{}
	for i, id := range ids {
		ok, seen := held[id]
		if !seen {
			item, err := s.media.Get(ctx, id)
			if err != nil && !errors.Is(err, events.ErrNotFound) {
				return rpc.Store(err, "media item "+id)
			}
			ok = err == nil && !item.GetDeleted()
			held[id] = ok
		}
		if !ok {
			v.Add(paths[i], "names the media item %s, which the library does not hold (tandem media add uploads one; tandem media list shows them)", id)
		}
	}
	return nil
}
