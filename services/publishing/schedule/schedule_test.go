package schedule

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/tandemnews/tandem/pkg/field"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
)

var now = time.Date(2024, 5, 14, 9, 0, 0, 0, time.UTC)

func change(who string) *articlev1.Change {
	return &articlev1.Change{Actor: &articlev1.Actor{UserId: who}, Time: timestamppb.New(now)}
}

func checkAt(at *timestamppb.Timestamp) error {
	var v field.Violations
	CheckAt(&v, at, now)
	return v.Err()
}

func TestCheckAtNeedsAFutureTimeWithinAYear(t *testing.T) {
	for _, c := range []struct {
		at   *timestamppb.Timestamp
		want string
	}{
		{nil, "at: is required"},
		{timestamppb.New(now), "at: 2024-05-14T09:00:00Z is not in the future"},
		{timestamppb.New(now.Add(-time.Hour)), "at: 2024-05-14T08:00:00Z is not in the future"},
		{timestamppb.New(now.Add(MaxAhead + time.Second)), "at: is more than a year ahead"},
		{timestamppb.New(now.AddDate(0, 0, 367)), "at: is more than a year ahead"},
	} {
		err := checkAt(c.at)
		var fe *field.Error
		if !errors.As(err, &fe) || len(fe.Violations) != 1 || fe.Violations[0].Field+": "+fe.Violations[0].Description != c.want {
			t.Errorf("%v: %v, want %s", c.at, err, c.want)
		}
	}
	for _, ok := range []time.Time{now.Add(time.Nanosecond), now.Add(time.Minute), now.Add(MaxAhead), now.AddDate(0, 0, 366)} {
		if err := checkAt(timestamppb.New(ok)); err != nil {
			t.Errorf("%v: %v", ok, err)
		}
	}
}

func TestNewIsPending(t *testing.T) {
	at, by := timestamppb.New(now.Add(time.Hour)), change("pub")
	s := New("S1", []string{"en"}, at, by)
	if s.Id != "S1" || !slices.Equal(s.Locales, []string{"en"}) || s.At != at || s.Scheduled != by ||
		s.Status != eventsv1.ScheduleStatus_SCHEDULE_STATUS_PENDING || s.Ended != nil || s.Reason != "" {
		t.Errorf("schedule = %v", s)
	}
}

func item(id string, st eventsv1.ScheduleStatus) *eventsv1.Schedule {
	return &eventsv1.Schedule{Id: id, Status: st, At: timestamppb.New(now)}
}

const (
	pending   = eventsv1.ScheduleStatus_SCHEDULE_STATUS_PENDING
	done      = eventsv1.ScheduleStatus_SCHEDULE_STATUS_DONE
	failed    = eventsv1.ScheduleStatus_SCHEDULE_STATUS_FAILED
	cancelled = eventsv1.ScheduleStatus_SCHEDULE_STATUS_CANCELLED
)

func TestPendingLeavesOutEndedSchedules(t *testing.T) {
	x := &eventsv1.Schedules{Items: []*eventsv1.Schedule{item("a", pending), item("b", done), item("c", cancelled), item("d", failed), item("e", pending)}}
	var ids []string
	for _, s := range Pending(x) {
		ids = append(ids, s.Id)
	}
	if !slices.Equal(ids, []string{"a", "e"}) {
		t.Errorf("pending = %v", ids)
	}
	if Pending(nil) != nil {
		t.Error("no schedules have nothing pending")
	}
}

func TestAddStopsAtTheLimitOfPendingSchedules(t *testing.T) {
	x := &eventsv1.Schedules{}
	for i := range MaxPending - 1 {
		if err := Add(x, "A1", item(fmt.Sprint(i), pending)); err != nil {
			t.Fatal(err)
		}
	}
	x.Items = append(x.Items, item("ended", done))
	if err := Add(x, "A1", item("last", pending)); err != nil {
		t.Fatalf("an ended schedule counted against the limit: %v", err)
	}
	if x.ArticleId != "A1" || len(x.Items) != MaxPending+1 || x.Items[MaxPending].Id != "last" {
		t.Fatalf("schedules = %v", x)
	}
	err := Add(x, "A1", item("over", pending))
	var fe *field.Error
	if !errors.As(err, &fe) || fe.Violations[0].Field != "article_id" || fe.Violations[0].Description != "has 20 pending schedules, the limit" {
		t.Fatalf("over the limit: %v", err)
	}
	if len(x.Items) != MaxPending+1 {
		t.Error("a refused schedule was added")
	}
}

func TestCancelEndsOnlyAPendingSchedule(t *testing.T) {
	x := &eventsv1.Schedules{ArticleId: "A1", Items: []*eventsv1.Schedule{item("a", pending), item("b", done)}}
	by := change("pub")
	got, err := Cancel(x, "a", by)
	if err != nil {
		t.Fatal(err)
	}
	if got != x.Items[0] || got.Status != cancelled || got.Ended != by {
		t.Errorf("cancelled = %v", got)
	}
	_, err = Cancel(x, "a", by)
	var np *NotPendingError
	if !errors.Is(err, ErrNotPending) || !errors.As(err, &np) || err.Error() != "the schedule is SCHEDULE_STATUS_CANCELLED" {
		t.Fatalf("cancelling twice: %v", err)
	}
	if !maps.Equal(np.Metadata(), map[string]string{"status": "SCHEDULE_STATUS_CANCELLED"}) {
		t.Errorf("metadata = %v", np.Metadata())
	}
	if _, err := Cancel(x, "b", by); !errors.Is(err, ErrNotPending) {
		t.Errorf("cancelling a done schedule: %v", err)
	}
	if x.Items[1].Status != done || x.Items[1].Ended != nil {
		t.Errorf("a refused cancel changed %v", x.Items[1])
	}
	_, err = Cancel(x, "zz", by)
	var fe *field.Error
	if !errors.As(err, &fe) || fe.Violations[0].Field != "schedule_id" || fe.Violations[0].Description != `"zz" is not a schedule of A1` {
		t.Errorf("an unknown schedule: %v", err)
	}
	if errors.Is(err, ErrNotPending) {
		t.Error("an unknown schedule is not a wrong state")
	}
}

func TestFiredAndFailedRecordThePendingScheduleOnce(t *testing.T) {
	x := &eventsv1.Schedules{Items: []*eventsv1.Schedule{item("a", pending), item("b", pending)}}
	end := change("pub")
	if !Fired(x, "a", end) {
		t.Fatal("a pending schedule was not recorded")
	}
	if a := x.Items[0]; a.Status != done || a.Reason != "" || a.Ended != end {
		t.Errorf("fired = %v", a)
	}
	if !Failed(x, "b", "no translation", end) {
		t.Fatal("a pending schedule was not recorded")
	}
	if b := x.Items[1]; b.Status != failed || b.Reason != "no translation" || b.Ended != end {
		t.Errorf("failed = %v", b)
	}
	later := change("other")
	if Fired(x, "b", later) || Failed(x, "a", "x", later) || Fired(x, "zz", later) {
		t.Error("an ended or unknown schedule was recorded again")
	}
	if x.Items[0].Status != done || x.Items[0].Ended != end || x.Items[1].Status != failed || x.Items[1].Reason != "no translation" {
		t.Errorf("recording again changed %v", x.Items)
	}
}

func TestPlanReturnsDueSchedulesOnceUntilDone(t *testing.T) {
	p := NewPlan()
	soon := &eventsv1.Schedule{Id: "soon", Status: pending, At: timestamppb.New(now.Add(time.Minute))}
	due := &eventsv1.Schedule{Id: "due", Status: pending, At: timestamppb.New(now)}
	p.Put(&eventsv1.Schedules{ArticleId: "A1", Items: []*eventsv1.Schedule{due, soon, item("old", done)}})
	got := p.Due(now)
	if len(got) != 1 || got[0].Article != "A1" || got[0].Schedule != due {
		t.Fatalf("due = %v", got)
	}
	if again := p.Due(now); len(again) != 0 {
		t.Errorf("a schedule being fired is due again: %v", again)
	}
	p.Done("due")
	if again := p.Due(now); len(again) != 1 || again[0].Schedule != due {
		t.Errorf("after Done, a schedule still pending is due again: %v", again)
	}
	p.Done("due")
	later := p.Due(now.Add(time.Minute))
	if len(later) != 2 {
		t.Errorf("at its time: %v", later)
	}
}

func TestPlanForgetsAnArticleWithNothingPending(t *testing.T) {
	p := NewPlan()
	s := &eventsv1.Schedule{Id: "s", Status: pending, At: timestamppb.New(now)}
	p.Put(&eventsv1.Schedules{ArticleId: "A1", Items: []*eventsv1.Schedule{s}})
	p.Put(&eventsv1.Schedules{ArticleId: "A2", Items: []*eventsv1.Schedule{{Id: "t", Status: pending, At: timestamppb.New(now)}}})
	p.Put(&eventsv1.Schedules{ArticleId: "A1", Items: []*eventsv1.Schedule{item("s", cancelled)}})
	got := p.Due(now.Add(time.Hour))
	if len(got) != 1 || got[0].Article != "A2" {
		t.Errorf("due = %v", got)
	}
	if len(p.pending) != 1 {
		t.Errorf("the plan kept %d articles", len(p.pending))
	}
}
