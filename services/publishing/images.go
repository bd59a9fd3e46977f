package publishing

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/tandemnews/tandem/pkg/events"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
)

// imageUse is which images each article's live pages show, kept by
// following PUBLIC, so that an image leaves the public bucket once no
// live page shows it: after a takedown or a purge, or an edit that
// dropped it.
type imageUse struct {
	mu    sync.Mutex
	shows map[string]map[string]*eventsv1.PublishedImage // article → media → image
}

// set records what article shows now and returns the images it no longer
// shows that no other article shows either.
func (u *imageUse) set(article string, now map[string]*eventsv1.PublishedImage) (gone []*eventsv1.PublishedImage) {
	u.mu.Lock()
	defer u.mu.Unlock()
	before := u.shows[article]
	if len(now) == 0 {
		delete(u.shows, article)
	} else {
		u.shows[article] = now
	}
	for id, img := range before {
		if now[id] != nil || u.shownElsewhere(id, article) {
			continue
		}
		gone = append(gone, img)
	}
	return gone
}

func (u *imageUse) shownElsewhere(id, article string) bool {
	for a, m := range u.shows {
		if a != article && m[id] != nil {
			return true
		}
	}
	return false
}

// shownBy lists the images the live locales of p show.
func shownBy(p *eventsv1.Publication) map[string]*eventsv1.PublishedImage {
	out := map[string]*eventsv1.PublishedImage{}
	for _, pl := range p.GetLocales() {
		for _, img := range pl.GetImages() {
			out[img.Media] = img
		}
	}
	return out
}

// followImages follows every article's public record. Once it has read
// them all, after each change it removes from the public bucket the
// images no live page shows any more, and puts back any a live page
// shows that is missing (a removal that raced a publish of another
// article showing the same image). Each is retried until it is done.
func (s *Service) followImages(ctx context.Context) error {
	u := &imageUse{shows: map[string]map[string]*eventsv1.PublishedImage{}}
	ready := make(chan struct{})
	work := make(chan func(context.Context) error, 256)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case job := <-work:
				for delay := time.Second; job(ctx) != nil && ctx.Err() == nil; delay = min(2*delay, 30*time.Second) {
					select {
					case <-ctx.Done():
					case <-time.After(delay):
					}
				}
			}
		}
	}()
	// enqueue hands a job to the worker, or gives up once ctx is done
	// (the worker has stopped, and nothing would ever take it).
	enqueue := func(job func(context.Context) error) {
		select {
		case work <- job:
		case <-ctx.Done():
		}
	}
	caughtUp := func() bool {
		select {
		case <-ready:
			return true
		default:
			return false
		}
	}
	return s.bus.Public.Follow(ctx, s.bus.Public.Wildcard(eventsv1.KindArticles), func(ev *events.Event) {
		p, err := s.pubs.State(ev)
		if err != nil {
			s.log.Warn("public event not understood; its images are not tracked", "event_id", ev.ID, "err", err)
			return
		}
		now := shownBy(p)
		gone := u.set(ev.Subject, now)
		if !caughtUp() {
			return
		}
		for _, img := range gone {
			enqueue(func(ctx context.Context) error {
				err := s.hideImage(ctx, img)
				if err != nil {
					s.log.Warn("image no page shows not removed yet; retrying", "media", img.Media, "err", err)
				} else {
					s.log.Info("image removed from the public bucket: no live page shows it", "media", img.Media, "article", ev.Subject)
				}
				return err
			})
		}
		for _, img := range now {
			enqueue(func(ctx context.Context) error {
				err := s.showImage(ctx, img)
				if errors.Is(err, jetstream.ErrObjectNotFound) {
					s.log.Warn("a live page shows an image the library no longer holds", "media", img.Media, "article", ev.Subject)
					return nil
				}
				return err
			})
		}
	}, ready)
}
