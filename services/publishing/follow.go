package publishing

import (
	"context"
	"errors"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/metrics"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	"github.com/tandemnews/tandem/services/publishing/publication"
	"github.com/tandemnews/tandem/services/publishing/schedule"
)

// schedulerTick is how often due schedules are looked for: they fire
// within a second of their time.
const schedulerTick = 200 * time.Millisecond

// consumeDrafts follows the drafts with the durable consumer
// "publishing-drafts", shared by every replica, to take purged articles
// down.
func (s *Service) consumeDrafts(ctx context.Context) error {
	return s.bus.Editorial.Consume(ctx, events.ConsumerConfig{
		Durable:       "publishing-drafts",
		FilterSubject: s.bus.Editorial.Wildcard(eventsv1.KindDrafts),
		Logger:        s.log,
	}, s.HandleDraftEvent)
}

// HandleDraftEvent takes a purged article down: it announces the empty
// publication on PUBLIC (so every site replica drops the pages), erases
// everything before that announcement; the consumer of PUBLIC events
// then clears the cached pages out (pages.go).
// Running it twice changes nothing.
func (s *Service) HandleDraftEvent(ctx context.Context, ev *events.Event) error {
	if ev.Type != eventsv1.DraftPurged {
		return nil
	}
	id := ev.Subject
	var left []string
	_, err := s.pubs.Update(ctx, id, 0, func(p *eventsv1.Publication) (events.Change, error) {
		left = leaving(p, allLocales(p))
		if gone := publication.Clear(p); len(gone) == 0 {
			return events.Change{}, nil
		}
		return events.Change{Type: eventsv1.ArticleUnpublished, Actor: ev.Actor, ID: "purge-" + id}, nil
	})
	if errors.Is(err, events.ErrNotFound) {
		return nil // never published
	}
	if err != nil {
		return err
	}
	if err := s.pubs.Purge(ctx, id, 1); err != nil {
		return err
	}
	s.vacate(ctx, id, left, &articlev1.Actor{UserId: ev.Actor})
	s.log.Warn("purged article taken down", "article", id, "event_id", ev.ID)
	return nil
}

// followSchedules keeps the plan from editorial.schedules.*, closing Ready
// once it holds every schedule stored before it started.
func (s *Service) followSchedules(ctx context.Context) error {
	return events.FollowAll(ctx, s.Ready, events.View{
		Stream: s.bus.Editorial,
		Filter: s.bus.Editorial.Wildcard(eventsv1.KindSchedules),
		Apply: func(ev *events.Event) {
			x, err := s.sched.State(ev)
			if err != nil {
				s.log.Error("schedule event skipped", "event_id", ev.ID, "err", err)
				return
			}
			s.plan.Put(x)
		},
	})
}

// runScheduler fires due schedules until ctx is done. A schedule whose
// time passed while no replica ran fires as soon as one starts.
func (s *Service) runScheduler(ctx context.Context) error {
	select {
	case <-s.Ready:
	case <-ctx.Done():
		return nil
	}
	t := time.NewTicker(schedulerTick)
	defer t.Stop()
	for {
		for _, d := range s.plan.Due(s.now()) {
			s.fire(ctx, d.Article, d.Schedule)
			s.plan.Done(d.Schedule.Id)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// fire publishes a due schedule as the publisher who planned it, once: the
// announcement carries the schedule's id, so two replicas firing together
// announce it once. A failure that retrying cannot fix (the translation is
// no longer approved) is recorded on the schedule, with the message the
// publisher would have received; a transient one is retried at the next
// tick.
func (s *Service) fire(ctx context.Context, article string, sch *eventsv1.Schedule) {
	by := sch.GetScheduled().GetActor()
	who := &articlev1.Actor{UserId: by.GetUserId(), Name: by.GetName()}
	_, err := s.release(ctx, order{article: article, locales: sch.Locales, by: who, eventID: "schedule-" + sch.Id})
	failed, reason := err != nil, ""
	if failed {
		switch st := status.Convert(toStatus(err)); st.Code() {
		case codes.FailedPrecondition, codes.NotFound, codes.InvalidArgument:
			reason = st.Message()
		default:
			s.log.Warn("scheduled publication failed; retrying", "article", article, "schedule", sch.Id, "err", err)
			return
		}
	}
	typ := eventsv1.ScheduleDone
	if failed {
		typ = eventsv1.ScheduleFailed
	}
	x, err := s.sched.Update(ctx, article, 0, func(x *eventsv1.Schedules) (events.Change, error) {
		end := s.change(by)
		var recorded bool
		if failed {
			recorded = schedule.Failed(x, sch.Id, reason, end)
		} else {
			recorded = schedule.Fired(x, sch.Id, end)
		}
		if !recorded {
			return events.Change{}, nil // another replica recorded it
		}
		return events.Change{Type: typ, Actor: by.GetUserId(), ID: "schedule-end-" + sch.Id}, nil
	})
	if err != nil {
		s.log.Warn("scheduled publication not recorded; it will be checked again", "article", article, "schedule", sch.Id, "err", err)
		return
	}
	s.plan.Put(x)
	if failed {
		metrics.Schedules.WithLabelValues("failed").Inc()
		s.log.Error("scheduled publication failed", "article", article, "schedule", sch.Id, "reason", reason)
		return
	}
	late := s.now().Sub(sch.GetAt().AsTime())
	metrics.Schedules.WithLabelValues("done").Inc()
	metrics.ScheduleLateness.Observe(late.Seconds())
	s.log.Info("scheduled publication done", "article", article, "schedule", sch.Id, "late", late)
}
