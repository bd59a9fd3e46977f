package drafting

import (
	"github.com/tandemnews/tandem/pkg/events"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

// Drafts is the draft aggregate, editorial.drafts.<article id>: drafting
// alone writes it.
func Drafts(s *events.Stream) *events.Aggregate[*draftingv1.Draft] {
	return events.Define(s, eventsv1.KindDrafts, eventsv1.SourceDrafting,
		func(d *draftingv1.Draft) *eventsv1.DraftEvent { return &eventsv1.DraftEvent{Draft: d} },
		(*eventsv1.DraftEvent).GetDraft, func(d *draftingv1.Draft, rev uint64) { d.Revision = rev })
}

// jobs reads review's translation jobs, for the article list.
func jobs(s *events.Stream) *events.Aggregate[*reviewv1.Job] {
	return events.Define(s, eventsv1.KindReviews, eventsv1.SourceReview,
		func(j *reviewv1.Job) *eventsv1.ReviewEvent { return &eventsv1.ReviewEvent{Job: j} },
		(*eventsv1.ReviewEvent).GetJob, func(j *reviewv1.Job, rev uint64) { j.Revision = rev })
}

// publications reads publishing's public records, for the article list.
func publications(s *events.Stream) *events.Aggregate[*eventsv1.Publication] {
	return events.Define(s, eventsv1.KindArticles, eventsv1.SourcePublishing,
		func(p *eventsv1.Publication) *eventsv1.ArticleEvent { return &eventsv1.ArticleEvent{Publication: p} },
		(*eventsv1.ArticleEvent).GetPublication, func(p *eventsv1.Publication, rev uint64) { p.Revision = rev })
}
