// Package schedule holds the rules of planned publications: when one may
// be planned, how many may wait, which may be cancelled, and how a fired
// one is recorded; and Plan, a replica's view of the schedules that wait.
// It does no I/O.
package schedule

import (
	"errors"
	"slices"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/tandemnews/tandem/pkg/field"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
)

// Limits of schedules.
const (
	// MaxAhead is how far ahead a publication may be planned.
	MaxAhead = 366 * 24 * time.Hour
	// MaxPending is how many schedules of one article may wait at once.
	MaxPending = 20
)

// ErrNotPending: a schedule that fired, failed or was cancelled cannot be
// cancelled.
var ErrNotPending = errors.New("the schedule is no longer pending")

// NotPendingError is ErrNotPending for a schedule in Status.
type NotPendingError struct {
	Status eventsv1.ScheduleStatus
}

func (e *NotPendingError) Error() string { return "the schedule is " + e.Status.String() }

// Is makes errors.Is(err, ErrNotPending) true.
func (e *NotPendingError) Is(target error) bool { return target == ErrNotPending }

// Metadata is the schedule's status, for the caller to branch on.
func (e *NotPendingError) Metadata() map[string]string {
	return map[string]string{"status": e.Status.String()}
}

// CheckAt validates the time of a new schedule, in the request field "at":
// after now and at most MaxAhead later.
func CheckAt(v *field.Violations, at *timestamppb.Timestamp, now time.Time) {
	if at == nil {
		v.Add("at", "is required")
	} else if t := at.AsTime(); !t.After(now) {
		v.Add("at", "%s is not in the future", t.Format(time.RFC3339))
	} else if t.After(now.Add(MaxAhead)) {
		v.Add("at", "is more than a year ahead")
	}
}

// New is a pending schedule, id, to publish locales at at, planned by
// change.
func New(id string, locales []string, at *timestamppb.Timestamp, change *articlev1.Change) *eventsv1.Schedule {
	return &eventsv1.Schedule{
		Id:        id,
		Locales:   locales,
		At:        at,
		Scheduled: change,
		Status:    eventsv1.ScheduleStatus_SCHEDULE_STATUS_PENDING,
	}
}

// Pending lists the schedules of x that wait to fire.
func Pending(x *eventsv1.Schedules) []*eventsv1.Schedule {
	var out []*eventsv1.Schedule
	for _, it := range x.GetItems() {
		if it.GetStatus() == eventsv1.ScheduleStatus_SCHEDULE_STATUS_PENDING {
			out = append(out, it)
		}
	}
	return out
}

// Add adds s to the schedules of the article id, unless MaxPending of
// them wait already.
func Add(x *eventsv1.Schedules, id string, s *eventsv1.Schedule) error {
	if len(Pending(x)) >= MaxPending {
		return field.Invalid("article_id", "has %d pending schedules, the limit", MaxPending)
	}
	x.ArticleId = id
	x.Items = append(x.Items, s)
	return nil
}

// find is the index of the schedule id in x, or -1.
func find(x *eventsv1.Schedules, id string) int {
	return slices.IndexFunc(x.GetItems(), func(it *eventsv1.Schedule) bool { return it.GetId() == id })
}

// Cancel cancels the pending schedule id at change and returns it. A
// schedule x does not hold is a field error of schedule_id; one that is
// not pending, a *NotPendingError.
func Cancel(x *eventsv1.Schedules, id string, change *articlev1.Change) (*eventsv1.Schedule, error) {
	i := find(x, id)
	if i < 0 {
		return nil, field.Invalid("schedule_id", "%q is not a schedule of %s", id, x.GetArticleId())
	}
	it := x.Items[i]
	if it.Status != eventsv1.ScheduleStatus_SCHEDULE_STATUS_PENDING {
		return nil, &NotPendingError{Status: it.Status}
	}
	it.Status = eventsv1.ScheduleStatus_SCHEDULE_STATUS_CANCELLED
	it.Ended = change
	return it, nil
}

// Fired records that the pending schedule id published its locales. It
// reports false, changing nothing, when the schedule is not pending any
// more (another replica recorded it first).
func Fired(x *eventsv1.Schedules, id string, change *articlev1.Change) bool {
	return end(x, id, eventsv1.ScheduleStatus_SCHEDULE_STATUS_DONE, "", change)
}

// Failed records that the pending schedule id cannot publish, for reason
// (the translation is no longer approved, ...). It reports false, changing
// nothing, when the schedule is not pending any more.
func Failed(x *eventsv1.Schedules, id, reason string, change *articlev1.Change) bool {
	return end(x, id, eventsv1.ScheduleStatus_SCHEDULE_STATUS_FAILED, reason, change)
}

func end(x *eventsv1.Schedules, id string, st eventsv1.ScheduleStatus, reason string, change *articlev1.Change) bool {
	i := find(x, id)
	if i < 0 || x.Items[i].Status != eventsv1.ScheduleStatus_SCHEDULE_STATUS_PENDING {
		return false
	}
	it := x.Items[i]
	it.Status, it.Reason, it.Ended = st, reason, change
	return true
}
