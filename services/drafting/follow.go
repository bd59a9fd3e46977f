package drafting

import (
	"context"
	"log/slog"

	"google.golang.org/protobuf/proto"

	"github.com/tandemnews/tandem/pkg/events"
)

// follow fills the catalog from the drafts, review's jobs and
// publishing's publications and schedules, closes s.ready once it holds what the
// streams held at start, and keeps it current until ctx is done.
func (s *Service) follow(ctx context.Context) error {
	return events.FollowAll(ctx, s.ready,
		view(s.drafts, s.cat.PutDraft, s.log),
		view(jobs(s.bus.Editorial), s.cat.PutJob, s.log),
		view(publications(s.bus.Public), s.cat.PutPublication, s.log),
		view(schedules(s.bus.Editorial), s.cat.PutSchedules, s.log),
	)
}

// view puts the state each event of agg carries; an event that carries
// none is logged and skipped.
func view[T proto.Message](agg *events.Aggregate[T], put func(T), log *slog.Logger) events.View {
	return events.View{Stream: agg.Stream, Filter: agg.Stream.Wildcard(agg.Kind), Apply: func(ev *events.Event) {
		st, err := agg.State(ev)
		if err != nil {
			log.Warn("event skipped in the draft list", "event_id", ev.ID, "err", err)
			return
		}
		put(st)
	}}
}
