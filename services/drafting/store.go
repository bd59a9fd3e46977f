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
	return events.Reader(s, eventsv1.KindReviews, (*eventsv1.ReviewEvent).GetJob)
}

// publications reads publishing's public records, for the article list.
func publications(s *events.Stream) *events.Aggregate[*eventsv1.Publication] {
	return events.Reader(s, eventsv1.KindArticles, (*eventsv1.ArticleEvent).GetPublication)
}

// schedules reads publishing's schedules, for the article list.
func schedules(s *events.Stream) *events.Aggregate[*eventsv1.Schedules] {
	return events.Reader(s, eventsv1.KindSchedules, (*eventsv1.ScheduleEvent).GetSchedules)
}
