package events

import (
	"google.golang.org/protobuf/proto"

	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

// The three aggregates and the services that own them. Only the owner
// writes an aggregate; any service may read one, because the events are
// the contract between services.
const (
	SourceDrafting   = "/tandem/drafting"
	SourceReview     = "/tandem/review"
	SourcePublishing = "/tandem/publishing"

	KindDrafts   = "drafts"   // editorial.drafts.<article id>
	KindReviews  = "reviews"  // editorial.reviews.<article id>
	KindArticles = "articles" // public.articles.<article id>
)

// Drafts is the draft aggregate on the editorial stream.
func Drafts(s *Stream) *Aggregate[*draftingv1.Draft] {
	return &Aggregate[*draftingv1.Draft]{
		Stream: s, Kind: KindDrafts, Source: SourceDrafting,
		Wrap: func(d *draftingv1.Draft) proto.Message { return &eventsv1.DraftEvent{Draft: d} },
		Unwrap: func(m proto.Message) (*draftingv1.Draft, bool) {
			e, ok := m.(*eventsv1.DraftEvent)
			return e.GetDraft(), ok && e.GetDraft().GetArticle() != nil
		},
		SetRevision: func(d *draftingv1.Draft, rev uint64) { d.Revision = rev },
		New:         func() *draftingv1.Draft { return &draftingv1.Draft{} },
	}
}

// Jobs is the translation job aggregate on the editorial stream.
func Jobs(s *Stream) *Aggregate[*reviewv1.Job] {
	return &Aggregate[*reviewv1.Job]{
		Stream: s, Kind: KindReviews, Source: SourceReview,
		Wrap: func(j *reviewv1.Job) proto.Message { return &eventsv1.ReviewEvent{Job: j} },
		Unwrap: func(m proto.Message) (*reviewv1.Job, bool) {
			e, ok := m.(*eventsv1.ReviewEvent)
			return e.GetJob(), ok && e.GetJob() != nil
		},
		SetRevision: func(j *reviewv1.Job, rev uint64) { j.Revision = rev },
		New:         func() *reviewv1.Job { return &reviewv1.Job{} },
	}
}

// Publications is the public record of each article on the public stream.
func Publications(s *Stream) *Aggregate[*eventsv1.Publication] {
	return &Aggregate[*eventsv1.Publication]{
		Stream: s, Kind: KindArticles, Source: SourcePublishing,
		Wrap: func(p *eventsv1.Publication) proto.Message { return &eventsv1.ArticleEvent{Publication: p} },
		Unwrap: func(m proto.Message) (*eventsv1.Publication, bool) {
			e, ok := m.(*eventsv1.ArticleEvent)
			return e.GetPublication(), ok && e.GetPublication() != nil
		},
		SetRevision: func(p *eventsv1.Publication, rev uint64) { p.Revision = rev },
		New:         func() *eventsv1.Publication { return &eventsv1.Publication{} },
	}
}

// KindGlossary holds glossary terms: editorial.glossary.<term key hash>.
const KindGlossary = "glossary"

// Glossary is the glossary term aggregate on the editorial stream. A
// deleted term keeps its subject with a last event marked deleted, so the
// deletion is in the history like any change.
func Glossary(s *Stream) *Aggregate[*eventsv1.GlossaryEvent] {
	return &Aggregate[*eventsv1.GlossaryEvent]{
		Stream: s, Kind: KindGlossary, Source: SourceReview,
		Wrap: func(e *eventsv1.GlossaryEvent) proto.Message { return e },
		Unwrap: func(m proto.Message) (*eventsv1.GlossaryEvent, bool) {
			e, ok := m.(*eventsv1.GlossaryEvent)
			return e, ok && e.GetTerm() != nil
		},
		SetRevision: func(e *eventsv1.GlossaryEvent, rev uint64) { e.Term.Revision = rev },
		New:         func() *eventsv1.GlossaryEvent { return &eventsv1.GlossaryEvent{Term: &reviewv1.Term{}} },
	}
}

// KindMemory holds translation memory batches: editorial.memory.<batch id>.
const KindMemory = "memory"

// Memory is the translation memory on the editorial stream: each subject
// is one batch of units written once.
func Memory(s *Stream) *Aggregate[*eventsv1.MemoryEvent] {
	return &Aggregate[*eventsv1.MemoryEvent]{
		Stream: s, Kind: KindMemory, Source: SourceReview,
		Wrap: func(e *eventsv1.MemoryEvent) proto.Message { return e },
		Unwrap: func(m proto.Message) (*eventsv1.MemoryEvent, bool) {
			e, ok := m.(*eventsv1.MemoryEvent)
			return e, ok
		},
		SetRevision: func(*eventsv1.MemoryEvent, uint64) {},
		New:         func() *eventsv1.MemoryEvent { return &eventsv1.MemoryEvent{} },
	}
}

// KindSchedules holds planned publications: editorial.schedules.<article id>.
const KindSchedules = "schedules"

// Schedules is the schedule aggregate on the editorial stream (not public:
// a plan to publish reveals nothing until it fires).
func Schedules(s *Stream) *Aggregate[*eventsv1.Schedules] {
	return &Aggregate[*eventsv1.Schedules]{
		Stream: s, Kind: KindSchedules, Source: SourcePublishing,
		Wrap: func(x *eventsv1.Schedules) proto.Message { return &eventsv1.ScheduleEvent{Schedules: x} },
		Unwrap: func(m proto.Message) (*eventsv1.Schedules, bool) {
			e, ok := m.(*eventsv1.ScheduleEvent)
			return e.GetSchedules(), ok && e.GetSchedules() != nil
		},
		SetRevision: func(x *eventsv1.Schedules, rev uint64) { x.Revision = rev },
		New:         func() *eventsv1.Schedules { return &eventsv1.Schedules{} },
	}
}
