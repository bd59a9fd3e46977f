package site

import (
	"github.com/tandemnews/tandem/pkg/events"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
)

// publications reads the public record of each article, the only
// aggregate the site may see.
func publications(s *events.Stream) *events.Aggregate[*eventsv1.Publication] {
	return events.Define(s, eventsv1.KindArticles, eventsv1.SourcePublishing,
		func(p *eventsv1.Publication) *eventsv1.ArticleEvent { return &eventsv1.ArticleEvent{Publication: p} },
		(*eventsv1.ArticleEvent).GetPublication, func(p *eventsv1.Publication, rev uint64) { p.Revision = rev })
}
