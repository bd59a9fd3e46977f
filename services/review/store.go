package review

import (
	"github.com/tandemnews/tandem/pkg/events"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

// Jobs is the translation job aggregate, editorial.reviews.<article id>:
// review alone writes it.
func Jobs(s *events.Stream) *events.Aggregate[*reviewv1.Job] {
	return events.Define(s, eventsv1.KindReviews, eventsv1.SourceReview,
		func(j *reviewv1.Job) *eventsv1.ReviewEvent { return &eventsv1.ReviewEvent{Job: j} },
		(*eventsv1.ReviewEvent).GetJob, func(j *reviewv1.Job, rev uint64) { j.Revision = rev })
}

// glossaryTerms is the glossary, one aggregate per term on
// editorial.glossary.<term key hash>. A deleted term keeps its subject
// with a last event marked deleted, so the deletion is in the history like
// any change.
func glossaryTerms(s *events.Stream) *events.Aggregate[*eventsv1.GlossaryEvent] {
	return events.Define(s, eventsv1.KindGlossary, eventsv1.SourceReview,
		func(e *eventsv1.GlossaryEvent) *eventsv1.GlossaryEvent { return e },
		func(e *eventsv1.GlossaryEvent) *eventsv1.GlossaryEvent {
			if e.GetTerm() == nil {
				return nil
			}
			return e
		},
		func(e *eventsv1.GlossaryEvent, rev uint64) { e.Term.Revision = rev })
}

// memoryBatches is the translation memory: each subject of
// editorial.memory.<batch id> is one batch of units, written once.
func memoryBatches(s *events.Stream) *events.Aggregate[*eventsv1.MemoryEvent] {
	return events.Define(s, eventsv1.KindMemory, eventsv1.SourceReview,
		func(e *eventsv1.MemoryEvent) *eventsv1.MemoryEvent { return e },
		func(e *eventsv1.MemoryEvent) *eventsv1.MemoryEvent { return e },
		func(*eventsv1.MemoryEvent, uint64) {})
}
