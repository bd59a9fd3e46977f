package site

import (
	"github.com/tandemnews/tandem/pkg/events"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
)

// publications reads the public record of each article, the only
// aggregate the site may see.
func publications(s *events.Stream) *events.Aggregate[*eventsv1.Publication] {
	return events.Reader(s, eventsv1.KindArticles, (*eventsv1.ArticleEvent).GetPublication)
}
