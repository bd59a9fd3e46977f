package publishing

import (
	"context"
	"errors"
	"fmt"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/metrics"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	"github.com/tandemnews/tandem/services/publishing/publication"
)

// order is a release of locales of an article, asked for by a publisher
// or fired by a schedule.
type order struct {
	article string
	locales []string
	by      *articlev1.Actor
	// correction, when set, is the public note of a correction of locales
	// already published; without it the locales are published.
	correction string
	// eventID, when set, makes the announcement once-only (a schedule
	// fired by two replicas is announced once).
	eventID string
}

// sources reads what a release of locales is chosen from: the draft, the
// article as it was submitted, and the translation job when a target
// locale is asked for.
func (s *Service) sources(ctx context.Context, id string, locales []string) (publication.Sources, error) {
	src := publication.Sources{ID: id}
	d, err := s.drafts.Get(ctx, id)
	if err != nil {
		return src, about("article "+id, err)
	}
	src.Submitted, src.Article = d.SubmittedRevision, d.Article
	if src.Submitted == 0 {
		return src, nil // Choose says why nothing can be released
	}
	if d.Revision != d.SubmittedRevision {
		sub, err := s.drafts.At(ctx, id, d.SubmittedRevision)
		if err != nil {
			return src, about(fmt.Sprintf("article %s at revision %d", id, d.SubmittedRevision), err)
		}
		src.Article = sub.Article
	}
	if src.NeedsTranslation(locales) {
		j, err := s.jobs.Get(ctx, id)
		if err != nil && !errors.Is(err, events.ErrNotFound) {
			return src, about("translation of "+id, err)
		}
		src.Job = j
	}
	return src, nil
}

// choose finds the content of each locale to release.
func (s *Service) choose(ctx context.Context, id string, locales []string) ([]publication.Release, error) {
	src, err := s.sources(ctx, id, locales)
	if err != nil {
		return nil, err
	}
	return src.Choose(locales)
}

// release renders and announces the locales of o: a publication, or a
// correction with its public note.
func (s *Service) release(ctx context.Context, o order) (*eventsv1.Publication, error) {
	rels, err := s.choose(ctx, o.article, o.locales)
	if err != nil {
		return nil, err
	}
	if err := s.attachImages(ctx, o.article, rels); err != nil {
		return nil, err
	}
	typ := eventsv1.ArticlePublished
	if o.correction != "" {
		typ = eventsv1.ArticleCorrected
	}
	if err := s.claim(ctx, o.article, rels, o.by); err != nil {
		return nil, about("publication of "+o.article, err)
	}
	pub, err := s.pubs.Upsert(ctx, o.article, func(p *eventsv1.Publication) (events.Change, error) {
		at := s.change(o.by)
		if o.correction == "" {
			publication.Publish(p, o.article, rels, at)
		} else if err := publication.Correct(p, o.article, rels, o.correction, at); err != nil {
			return events.Change{}, err
		}
		if err := s.renderAndStore(ctx, p); err != nil {
			return events.Change{}, err
		}
		return announce(typ, o.by, o.eventID, o.locales), nil
	})
	if err != nil {
		return nil, about("publication of "+o.article, err)
	}
	metrics.Announced.WithLabelValues(typ).Inc()
	s.log.Info("article released", "type", typ, "article", o.article, "revision", pub.Revision, "locales", o.locales, "actor", o.by.GetUserId())
	return pub, nil
}

// takeDown removes locales of an article from the site (their paths
// answer 410 Gone), renders the other locales again without links to
// them. The consumer of PUBLIC events then clears the cached pages out
// (pages.go).
func (s *Service) takeDown(ctx context.Context, id string, locales []string, reason string, by *articlev1.Actor) (*eventsv1.Publication, error) {
	var left []string
	pub, err := s.pubs.Update(ctx, id, 0, func(p *eventsv1.Publication) (events.Change, error) {
		left = leaving(p, locales)
		if _, err := publication.TakeDown(p, locales, reason, s.change(by)); err != nil {
			return events.Change{}, err
		}
		if err := s.renderAndStore(ctx, p); err != nil {
			return events.Change{}, err
		}
		return announce(eventsv1.ArticleUnpublished, by, "", locales), nil
	})
	if err != nil {
		return nil, about("publication of "+id, err)
	}
	metrics.Announced.WithLabelValues(eventsv1.ArticleUnpublished).Inc()
	s.vacate(ctx, id, left, by)
	s.log.Warn("article taken down", "article", id, "locales", locales, "reason", reason, "actor", by.GetUserId())
	return pub, nil
}

// renderAndStore renders the pages of the publication p about to be
// written, and writes them to Redis. The write sits inside the update,
// between reading the record and announcing its next state, because the
// pages must be in Redis before the event that announces them (DESIGN.md,
// principle 5: a site that follows the event may ask Redis at once), and
// what they hold depends on the record just read (which languages they
// link, the corrections they show). Page keys are versioned and
// immutable, so an update retried after a conflict only adds versions
// that nothing points to, which expire.
//
// The event carries the rendered pages only while it fits the server's
// max_payload: past it, the largest pages are left out (GetRendered
// renders them again from the record, and Redis holds them). The content
// itself always fits, because drafting and review keep an article to a
// quarter of max_payload.
func (s *Service) renderAndStore(ctx context.Context, p *eventsv1.Publication) error {
	if err := s.render.Publication(p); err != nil {
		return err
	}
	s.pages.store(ctx, p)
	s.fit(p)
	return nil
}

// fit leaves the largest rendered pages out of p until its event fits.
func (s *Service) fit(p *eventsv1.Publication) {
	max := s.bus.Public.MaxEventBytes()
	for s.pubs.Size(p) > max {
		var big *eventsv1.PublishedLocale
		for _, pl := range p.Locales {
			if len(pl.Html) > 0 && (big == nil || len(pl.Html) > len(big.Html)) {
				big = pl
			}
		}
		if big == nil {
			return // the store refuses it, saying how large it is
		}
		s.log.Info("page left out of the event: too large to carry", "article", p.ArticleId, "locale", big.Locale, "bytes", len(big.Html))
		big.Html = nil
	}
}

// change is a change made now by who.
func (s *Service) change(who *articlev1.Actor) *articlev1.Change {
	return &articlev1.Change{Actor: who, Time: timestamppb.New(s.now())}
}

// announce is the event of a change of the public record: typ, by who,
// once-only under id when id is set, naming the locales it changed.
func announce(typ string, by *articlev1.Actor, id string, locales []string) events.Change {
	return events.Change{
		Type:     typ,
		Actor:    by.GetUserId(),
		ID:       id,
		Annotate: func(m proto.Message) { m.(*eventsv1.ArticleEvent).ChangedLocales = locales },
	}
}
