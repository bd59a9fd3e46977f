package publishing

import (
	"context"
	"errors"

	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/rpc"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
	"github.com/tandemnews/tandem/services/publishing/publication"
	"github.com/tandemnews/tandem/services/publishing/schedule"
)

// SchedulePublish implements PublishingService.
func (s *Service) SchedulePublish(ctx context.Context, req *publishingv1.SchedulePublishRequest) (*publishingv1.SchedulePublishResponse, error) {
	id := req.GetArticleId()
	now := s.now()
	v := publication.Check(id, req.GetLocales(), "schedule")
	schedule.CheckAt(v, req.GetAt(), now)
	if err := v.Err(); err != nil {
		return nil, toStatus(err)
	}
	// What could not be published now is refused now, not when it fires.
	if _, err := s.choose(ctx, id, req.GetLocales()); err != nil {
		return nil, toStatus(err)
	}
	by := auth.Actor(ctx)
	sch := schedule.New(events.NewID(), req.GetLocales(), req.GetAt(), s.change(by))
	x, err := s.sched.Upsert(ctx, id, func(x *eventsv1.Schedules) (events.Change, error) {
		if err := schedule.Add(x, id, sch); err != nil {
			return events.Change{}, err
		}
		return events.Change{Type: eventsv1.ScheduleAdded, Actor: by.GetUserId()}, nil
	})
	if err != nil {
		return nil, errorTable.Status(err, "schedules of "+id)
	}
	s.plan.Put(x)
	s.log.Info("publication scheduled", "article", id, "schedule", sch.Id, "at", sch.At.AsTime(), "locales", sch.Locales, "actor", by.GetUserId())
	return &publishingv1.SchedulePublishResponse{Schedule: sch}, nil
}

// CancelSchedule implements PublishingService.
func (s *Service) CancelSchedule(ctx context.Context, req *publishingv1.CancelScheduleRequest) (*publishingv1.CancelScheduleResponse, error) {
	var v rpc.Violations
	if req.GetArticleId() == "" {
		v.Add("article_id", "is required")
	}
	if req.GetScheduleId() == "" {
		v.Add("schedule_id", "is required")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	by := auth.Actor(ctx)
	var out *eventsv1.Schedule
	x, err := s.sched.Update(ctx, req.GetArticleId(), 0, func(x *eventsv1.Schedules) (events.Change, error) {
		var err error
		if out, err = schedule.Cancel(x, req.GetScheduleId(), s.change(by)); err != nil {
			return events.Change{}, err
		}
		return events.Change{Type: eventsv1.ScheduleCancelled, Actor: by.GetUserId()}, nil
	})
	if err != nil {
		return nil, errorTable.Status(err, "schedules of "+req.GetArticleId())
	}
	s.plan.Put(x)
	return &publishingv1.CancelScheduleResponse{Schedule: out}, nil
}

// ListSchedules implements PublishingService.
func (s *Service) ListSchedules(ctx context.Context, req *publishingv1.ListSchedulesRequest) (*publishingv1.ListSchedulesResponse, error) {
	if req.GetArticleId() == "" {
		return nil, rpc.InvalidField("article_id", "is required")
	}
	id := req.GetArticleId()
	x, err := s.sched.Get(ctx, id)
	if errors.Is(err, events.ErrNotFound) {
		// An article nobody has planned anything for has no schedules;
		// only an article that does not exist is not found.
		d, err := s.drafts.Get(ctx, id)
		if err == nil && d.GetStatus() == draftingv1.DraftStatus_DRAFT_STATUS_PURGED {
			err = events.ErrNotFound
		}
		if err != nil {
			return nil, errorTable.Status(err, "article "+id)
		}
		return &publishingv1.ListSchedulesResponse{}, nil
	}
	if err != nil {
		return nil, errorTable.Status(err, "schedules of "+id)
	}
	return &publishingv1.ListSchedulesResponse{Schedules: x.Items}, nil
}
