package site

import (
	"time"

	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/metrics"
	"github.com/tandemnews/tandem/services/site/index"
)

// apply takes in one article event. It is idempotent: the event carries
// the article's whole public state, so applying it twice changes nothing.
func (s *Site) apply(ev *events.Event) {
	p, err := s.pubs.State(ev)
	if err != nil {
		s.log.Error("unreadable public event skipped", "event_id", ev.ID, "err", err)
		return
	}
	// The event carries the rendered pages: they go into the LRU before
	// the index sends any reader to them.
	for l, pl := range p.Locales {
		if len(pl.Html) > 0 {
			s.tiers.lru.Add(index.Key(l, p.ArticleId, index.Version(pl)), pl.Html)
		}
	}
	for _, key := range s.index.Apply(p, ev.Sequence) {
		s.tiers.drop(key) // an old version, or a page taken down
	}
	s.lists.clear()
	select {
	case <-s.ready:
		// Serving already: how long readers waited for this change.
		if !ev.Time.IsZero() {
			metrics.SiteApplyDelay.Observe(time.Since(ev.Time).Seconds())
		}
	default: // catching up at start: old events say nothing of the delay
	}
	s.log.Debug("public event applied", "article", p.ArticleId, "revision", ev.Sequence, "event_id", ev.ID)
}
