package media

import (
	"context"
	"errors"
	"maps"
	"slices"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/tandemnews/tandem/pkg/events"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
)

// purge is an article erased by an admin, with the media its draft used.
type purge struct {
	article string
	event   string
	media   map[string]bool
}

// follow keeps the library and each article's media in memory, closes
// ready once both are read, and hands each purge seen after that to
// purged.
func (s *Service) follow(ctx context.Context, purged chan<- purge) error {
	views := make(chan struct{})
	caughtUp := false
	go func() {
		select {
		case <-views:
			s.mu.Lock()
			caughtUp = true
			s.mu.Unlock()
			close(s.ready)
		case <-ctx.Done():
		}
	}()
	return events.FollowAll(ctx, views,
		events.View{Stream: s.bus.Editorial, Filter: s.bus.Editorial.Wildcard(eventsv1.KindMedia), Apply: func(ev *events.Event) {
			item, err := s.items.State(ev)
			if err != nil {
				s.log.Warn("media event not understood; skipped", "event_id", ev.ID, "err", err)
				return
			}
			s.remember(item)
		}},
		events.View{Stream: s.bus.Editorial, Filter: s.bus.Editorial.Wildcard(eventsv1.KindDrafts), Apply: func(ev *events.Event) {
			d, err := s.drafts.State(ev)
			if err != nil {
				s.log.Warn("draft event not understood; skipped", "event_id", ev.ID, "err", err)
				return
			}
			s.mu.Lock()
			before := s.uses[ev.Subject]
			if ev.Type == eventsv1.DraftPurged {
				delete(s.uses, ev.Subject)
			} else {
				s.uses[ev.Subject] = MediaOf(d)
			}
			live := caughtUp
			s.mu.Unlock()
			if ev.Type == eventsv1.DraftPurged && live && len(before) > 0 {
				select {
				case purged <- purge{article: ev.Subject, event: ev.ID, media: before}:
				case <-ctx.Done():
				}
			}
		}},
	)
}

// remember puts an item into the in-memory library (or takes a deleted
// one out).
func (s *Service) remember(item *eventsv1.MediaItem) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if item.Deleted {
		delete(s.library, item.Id)
		return
	}
	if old, ok := s.library[item.Id]; ok && old.Revision > item.Revision {
		return
	}
	s.library[item.Id] = item
}

// usedElsewhere reports whether an article other than article names m.
func (s *Service) usedElsewhere(m, article string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for a, set := range s.uses {
		if a != article && set[m] {
			return true
		}
	}
	return false
}

// removeUnused removes, after each purge, the media the purged article
// used and no other article does: its record is marked deleted (and its
// history purged), and its variants leave the bucket. Each removal is
// retried until it is done.
func (s *Service) removeUnused(ctx context.Context, purged <-chan purge) {
	for {
		var p purge
		select {
		case <-ctx.Done():
			return
		case p = <-purged:
		}
		for _, m := range sortedIDs(p.media) {
			for delay := time.Second; ; delay = min(2*delay, 30*time.Second) {
				if s.usedElsewhere(m, p.article) {
					break
				}
				err := s.remove(ctx, m, p)
				if err == nil {
					break
				}
				s.log.Warn("media of a purged article not removed yet; retrying", "media", m, "article", p.article, "err", err, "retry_in", delay)
				select {
				case <-ctx.Done():
					return
				case <-time.After(delay):
				}
			}
		}
	}
}

// remove deletes one media item; one already deleted is done.
func (s *Service) remove(ctx context.Context, m string, p purge) error {
	item, err := s.items.Get(ctx, m)
	if errors.Is(err, events.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if !item.Deleted {
		if err := deleteVariants(ctx, s.obs, item); err != nil {
			return err
		}
		written, err := s.items.Update(ctx, m, 0, func(cur *eventsv1.MediaItem) (events.Change, error) {
			if cur.Deleted {
				return events.Change{}, nil
			}
			proto.Reset(cur)
			cur.Id, cur.Deleted = m, true
			return events.Change{Type: eventsv1.MediaDeleted, Actor: "media", ID: "media-delete-" + m + "-" + p.event}, nil
		})
		if err != nil {
			return err
		}
		s.remember(written)
		s.log.Info("media removed: the last article using it was purged", "media", m, "article", p.article)
	}
	return s.items.Purge(ctx, m, 1)
}

func sortedIDs(m map[string]bool) []string { return slices.Sorted(maps.Keys(m)) }
