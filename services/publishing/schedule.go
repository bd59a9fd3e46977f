package publishing

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/metrics"
	"github.com/tandemnews/tandem/pkg/rpc"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	errorsv1 "github.com/tandemnews/tandem/proto/tandem/errors/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
)

// Limits of schedules.
const (
	MaxScheduleAhead   = 366 * 24 * time.Hour
	MaxPendingSchedule = 20
	// schedulerTick is how often due schedules are looked for: they fire
	// within a second of their time.
	schedulerTick = 200 * time.Millisecond
)

// plan is this replica's view of the pending schedules, kept by following
// editorial.schedules.* and by its own writes.
type plan struct {
	mu      sync.Mutex
	pending map[string][]*eventsv1.Schedule // article → pending schedules
	firing  map[string]bool                 // schedule ids being fired here
}

func (p *plan) put(x *eventsv1.Schedules) {
	var pending []*eventsv1.Schedule
	for _, it := range x.GetItems() {
		if it.Status == eventsv1.ScheduleStatus_SCHEDULE_STATUS_PENDING {
			pending = append(pending, it)
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(pending) == 0 {
		delete(p.pending, x.GetArticleId())
	} else {
		p.pending[x.GetArticleId()] = pending
	}
}

type due struct {
	article string
	s       *eventsv1.Schedule
}

// due returns the schedules whose time has come and that are not being
// fired here already, marking them as firing.
func (p *plan) due(now time.Time) []due {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []due
	for article, list := range p.pending {
		for _, s := range list {
			if !s.GetAt().AsTime().After(now) && !p.firing[s.Id] {
				p.firing[s.Id] = true
				out = append(out, due{article, s})
			}
		}
	}
	return out
}

func (p *plan) done(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.firing, id)
}

func (s *Service) followSchedules(ctx context.Context, ready chan<- struct{}) error {
	return s.bus.Editorial.Follow(ctx, s.bus.Editorial.Wildcard(eventsv1.KindSchedules), func(ev *events.Event) {
		x, err := s.sched.State(ev)
		if err != nil {
			s.log.Error("schedule event skipped", "event_id", ev.ID, "err", err)
			return
		}
		s.plan.put(x)
	}, ready)
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
		for _, d := range s.plan.due(s.now()) {
			s.fire(ctx, d.article, d.s)
			s.plan.done(d.s.Id)
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
// no longer approved) is recorded on the schedule; a transient one is
// retried at the next tick.
func (s *Service) fire(ctx context.Context, article string, sch *eventsv1.Schedule) {
	by := sch.GetScheduled().GetActor()
	actx := auth.WithUser(ctx, auth.User{ID: by.GetUserId(), Name: by.GetName(), Roles: []auth.Role{auth.Publisher}})
	_, err := s.release(actx, article, sch.Locales, eventsv1.ArticlePublished, "", "schedule-"+sch.Id)
	st, reason := eventsv1.ScheduleStatus_SCHEDULE_STATUS_DONE, ""
	if err != nil {
		switch status.Code(err) {
		case codes.FailedPrecondition, codes.NotFound, codes.InvalidArgument:
			st, reason = eventsv1.ScheduleStatus_SCHEDULE_STATUS_FAILED, status.Convert(err).Message()
		default:
			s.log.Warn("scheduled publication failed; retrying", "article", article, "schedule", sch.Id, "err", err)
			return
		}
	}
	typ := eventsv1.ScheduleDone
	if st == eventsv1.ScheduleStatus_SCHEDULE_STATUS_FAILED {
		typ = eventsv1.ScheduleFailed
	}
	x, err := s.sched.Update(ctx, article, 0, func(x *eventsv1.Schedules) (events.Change, error) {
		i := slices.IndexFunc(x.Items, func(it *eventsv1.Schedule) bool { return it.Id == sch.Id })
		if i < 0 || x.Items[i].Status != eventsv1.ScheduleStatus_SCHEDULE_STATUS_PENDING {
			return events.Change{}, nil // another replica recorded it
		}
		x.Items[i].Status, x.Items[i].Reason = st, reason
		x.Items[i].Ended = &articlev1.Change{Actor: by, Time: timestamppb.New(s.now())}
		return events.Change{Type: typ, Actor: by.GetUserId(), ID: "schedule-end-" + sch.Id}, nil
	})
	if err != nil {
		s.log.Warn("scheduled publication not recorded; it will be checked again", "article", article, "schedule", sch.Id, "err", err)
		return
	}
	s.plan.put(x)
	if reason != "" {
		metrics.Schedules.WithLabelValues("failed").Inc()
		s.log.Error("scheduled publication failed", "article", article, "schedule", sch.Id, "reason", reason)
		return
	}
	late := s.now().Sub(sch.GetAt().AsTime())
	metrics.Schedules.WithLabelValues("done").Inc()
	metrics.ScheduleLateness.Observe(late.Seconds())
	s.log.Info("scheduled publication done", "article", article, "schedule", sch.Id, "late", late)
}

// SchedulePublish implements PublishingService.
func (s *Service) SchedulePublish(ctx context.Context, req *publishingv1.SchedulePublishRequest) (*publishingv1.SchedulePublishResponse, error) {
	id := req.GetArticleId()
	v := checkRequest(id, req.GetLocales(), "schedule")
	now := s.now()
	switch at := req.GetAt(); {
	case at == nil:
		v.Add("at", "is required")
	case !at.AsTime().After(now):
		v.Add("at", "%s is not in the future", at.AsTime().Format(time.RFC3339))
	case at.AsTime().After(now.Add(MaxScheduleAhead)):
		v.Add("at", "is more than a year ahead")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	// What could not be published now is refused now, not when it fires.
	if _, err := s.releases(ctx, id, req.GetLocales()); err != nil {
		return nil, err
	}
	u, _ := auth.FromContext(ctx)
	sch := &eventsv1.Schedule{
		Id:        events.NewID(),
		Locales:   req.GetLocales(),
		At:        req.GetAt(),
		Scheduled: &articlev1.Change{Actor: &articlev1.Actor{UserId: u.ID, Name: u.Name}, Time: timestamppb.New(now)},
		Status:    eventsv1.ScheduleStatus_SCHEDULE_STATUS_PENDING,
	}
	x, err := s.sched.Upsert(ctx, id, func(x *eventsv1.Schedules) (events.Change, error) {
		pending := 0
		for _, it := range x.Items {
			if it.Status == eventsv1.ScheduleStatus_SCHEDULE_STATUS_PENDING {
				pending++
			}
		}
		if pending >= MaxPendingSchedule {
			return events.Change{}, rpc.InvalidField("article_id", "has %d pending schedules, the limit", MaxPendingSchedule)
		}
		x.ArticleId = id
		x.Items = append(x.Items, sch)
		return events.Change{Type: eventsv1.ScheduleAdded, Actor: u.ID}, nil
	})
	if err != nil {
		return nil, rpc.Store(err, "schedules of "+id)
	}
	s.plan.put(x)
	s.log.Info("publication scheduled", "article", id, "schedule", sch.Id, "at", sch.At.AsTime(), "locales", sch.Locales, "actor", u.ID)
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
	u, _ := auth.FromContext(ctx)
	var out *eventsv1.Schedule
	x, err := s.sched.Update(ctx, req.GetArticleId(), 0, func(x *eventsv1.Schedules) (events.Change, error) {
		i := slices.IndexFunc(x.Items, func(it *eventsv1.Schedule) bool { return it.Id == req.GetScheduleId() })
		if i < 0 {
			return events.Change{}, rpc.InvalidField("schedule_id", "%q is not a schedule of %s", req.GetScheduleId(), req.GetArticleId())
		}
		it := x.Items[i]
		if it.Status != eventsv1.ScheduleStatus_SCHEDULE_STATUS_PENDING {
			return events.Change{}, rpc.Precondition(errorsv1.ErrorReason_ERROR_REASON_SCHEDULE_NOT_PENDING,
				fmt.Sprintf("the schedule is %s", it.Status), "status", it.Status.String())
		}
		it.Status = eventsv1.ScheduleStatus_SCHEDULE_STATUS_CANCELLED
		it.Ended = &articlev1.Change{Actor: &articlev1.Actor{UserId: u.ID, Name: u.Name}, Time: timestamppb.New(s.now())}
		out = it
		return events.Change{Type: eventsv1.ScheduleCancelled, Actor: u.ID}, nil
	})
	if err != nil {
		return nil, rpc.Store(err, "schedules of "+req.GetArticleId())
	}
	s.plan.put(x)
	return &publishingv1.CancelScheduleResponse{Schedule: out}, nil
}

// ListSchedules implements PublishingService.
func (s *Service) ListSchedules(ctx context.Context, req *publishingv1.ListSchedulesRequest) (*publishingv1.ListSchedulesResponse, error) {
	if req.GetArticleId() == "" {
		return nil, rpc.InvalidField("article_id", "is required")
	}
	x, err := s.sched.Get(ctx, req.GetArticleId())
	if err != nil {
		return nil, rpc.Store(err, "schedules of "+req.GetArticleId())
	}
	return &publishingv1.ListSchedulesResponse{Schedules: x.Items}, nil
}
