package publishing

import (
	"github.com/tandemnews/tandem/pkg/events"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

// Publications is the public record of each article,
// public.articles.<article id>: publishing alone writes it.
func Publications(s *events.Stream) *events.Aggregate[*eventsv1.Publication] {
	return events.Define(s, eventsv1.KindArticles, eventsv1.SourcePublishing,
		func(p *eventsv1.Publication) *eventsv1.ArticleEvent { return &eventsv1.ArticleEvent{Publication: p} },
		(*eventsv1.ArticleEvent).GetPublication, func(p *eventsv1.Publication, rev uint64) { p.Revision = rev })
}

// Schedules is the schedule aggregate, editorial.schedules.<article id>
// (not public: a plan to publish reveals nothing until it fires).
func Schedules(s *events.Stream) *events.Aggregate[*eventsv1.Schedules] {
	return events.Define(s, eventsv1.KindSchedules, eventsv1.SourcePublishing,
		func(x *eventsv1.Schedules) *eventsv1.ScheduleEvent { return &eventsv1.ScheduleEvent{Schedules: x} },
		(*eventsv1.ScheduleEvent).GetSchedules, func(x *eventsv1.Schedules, rev uint64) { x.Revision = rev })
}

// drafts reads drafting's drafts: what is submitted is what is published.
func drafts(s *events.Stream) *events.Aggregate[*draftingv1.Draft] {
	return events.Reader(s, eventsv1.KindDrafts, (*eventsv1.DraftEvent).GetDraft)
}

// jobs reads review's translation jobs: only an approved one is published.
func jobs(s *events.Stream) *events.Aggregate[*reviewv1.Job] {
	return events.Reader(s, eventsv1.KindReviews, (*eventsv1.ReviewEvent).GetJob)
}

// Addresses records which article holds each public address,
// editorial.addresses.<address key>: publishing alone writes it.
func Addresses(s *events.Stream) *events.Aggregate[*eventsv1.Address] {
	return events.Define(s, eventsv1.KindAddresses, eventsv1.SourcePublishing,
		func(a *eventsv1.Address) *eventsv1.AddressEvent { return &eventsv1.AddressEvent{Address: a} },
		(*eventsv1.AddressEvent).GetAddress, func(a *eventsv1.Address, rev uint64) { a.Revision = rev })
}

// LinkKeyBucket is the key-value bucket of the key that signs preview
// links, named after the editorial stream: publishing alone reads it, so
// that no other service (the desk least of all) can make a link that
// shows a draft.
func LinkKeyBucket(c events.Config) string { return c.EditorialStream + "_PREVIEW_KEY" }
