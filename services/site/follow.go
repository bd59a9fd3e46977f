package site

import (
	"context"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/metrics"
	"github.com/tandemnews/tandem/services/site/index"
)

// apply takes in one article event. It is idempotent: the event carries
// the article's whole public state, so applying it twice changes nothing.
func (s *Site) apply(ev *events.Event) {
	serving := false
	select {
	case <-s.ready:
		serving = true
	default: // catching up at start
	}
	// A change that reaches a serving site ends the trace of the call that
	// made it; the events read while catching up at start belong to
	// traces long finished, and are not traced again.
	span := trace.SpanFromContext(context.Background())
	if serving {
		_, span = otel.Tracer("github.com/tandemnews/tandem/services/site").Start(ev.Context(context.Background()), "site apply "+ev.Type,
			trace.WithSpanKind(trace.SpanKindConsumer),
			trace.WithAttributes(
				attribute.String("messaging.system", "nats"),
				attribute.String("messaging.destination.name", ev.NATSSubject),
				attribute.String("messaging.message.id", ev.ID),
				attribute.String("tandem.article", ev.Subject),
				attribute.Int64("tandem.revision", int64(ev.Sequence)),
			))
	}
	defer span.End()
	p, err := s.pubs.State(ev)
	if err != nil {
		span.SetStatus(codes.Error, err.Error())
		s.log.Error("unreadable public event skipped", "event_id", ev.ID, "err", err)
		return
	}
	// The event carries the rendered pages: they go into the LRU before
	// the index sends any reader to them. Not while catching up at
	// start: the pages read then are the whole archive, oldest first,
	// and would fill the LRU with whichever came last, holding the event
	// buffers they came in; readers' first requests fill it instead.
	if serving {
		for l, pl := range p.Locales {
			if len(pl.Html) > 0 {
				s.tiers.lru.Add(index.Key(l, p.ArticleId, index.Version(pl)), pl.Html)
			}
		}
	}
	s.shown.apply(p)
	for _, key := range s.index.Apply(p, ev.Sequence) {
		s.tiers.drop(key) // an old version, or a page taken down
	}
	s.indexForSearch(p)
	s.lists.clear()
	// Serving already: how long readers waited for this change (old
	// events read while catching up say nothing of the delay).
	if serving && !ev.Time.IsZero() {
		metrics.SiteApplyDelay.Observe(time.Since(ev.Time).Seconds())
	}
	s.log.Debug("public event applied", "article", p.ArticleId, "revision", ev.Sequence, "event_id", ev.ID)
}
