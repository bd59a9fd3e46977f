package publishing

import (
	"errors"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/tandemnews/tandem/pkg/events"
	errorsv1 "github.com/tandemnews/tandem/proto/tandem/errors/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

func purged(id string) *events.Event {
	return &events.Event{ID: "purge-event-" + id, Type: eventsv1.DraftPurged, Source: eventsv1.SourceDrafting, Subject: id, Actor: "admin", Data: &eventsv1.DraftEvent{}}
}

// eventually fails unless ok becomes true within 10 seconds.
func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !ok(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10s", what)
		}
	}
}

func TestHandleDraftEventTakesAPurgedArticleDownOnce(t *testing.T) {
	e := newEnv(t)
	e.ready("A1")
	pub := e.publish("A1", "zh-CN", "en")
	if err := e.svc.HandleDraftEvent(e.ctx, &events.Event{Type: eventsv1.DraftSubmitted, Subject: "A1"}); err != nil {
		t.Fatal(err)
	}
	if e.record("A1").Revision != pub.Revision {
		t.Fatal("an event other than a purge changed the record")
	}
	if err := e.svc.HandleDraftEvent(e.ctx, purged("A1")); err != nil {
		t.Fatal(err)
	}
	p := e.record("A1")
	if len(p.Locales) != 0 || p.ArticleId != "A1" {
		t.Errorf("after the purge: %v", p)
	}
	ev := e.last("A1")
	if ev.Type != eventsv1.ArticleUnpublished || ev.ID != "purge-A1" || ev.Actor != "admin" {
		t.Errorf("event %s %s by %s", ev.Type, ev.ID, ev.Actor)
	}
	var kept int
	if err := e.svc.pubs.History(e.ctx, "A1", func(*events.Event, *eventsv1.Publication) error { kept++; return nil }); err != nil || kept != 1 {
		t.Errorf("history keeps %d events (%v), want only the takedown", kept, err)
	}
	e.settle("A1")
	for _, pl := range pub.Locales {
		if e.cached("A1", pl) != nil {
			t.Errorf("Redis still holds the page of %s", pl.Path)
		}
	}
	if err := e.svc.HandleDraftEvent(e.ctx, purged("A1")); err != nil {
		t.Fatal(err)
	}
	if again := e.record("A1"); again.Revision != p.Revision {
		t.Error("a second purge wrote again")
	}
	if err := e.svc.HandleDraftEvent(e.ctx, purged("NEVER")); err != nil {
		t.Errorf("purging an article never published: %v", err)
	}
}

func TestRunTakesDownWhatTheDraftsStreamPurges(t *testing.T) {
	e := newEnv(t)
	e.ready("A1")
	e.publish("A1", "zh-CN")
	e.run()
	subj, err := draftWriter(e.bus.Editorial).Subject("A1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.bus.Editorial.Publish(e.ctx, subj, purged("A1")); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the purged article is taken down", func() bool { return len(e.record("A1").Locales) == 0 })
}

func (e *env) schedule(id string, at time.Time, locales ...string) *eventsv1.Schedule {
	e.t.Helper()
	res, err := e.svc.SchedulePublish(e.ctx, &publishingv1.SchedulePublishRequest{ArticleId: id, Locales: locales, At: timestamppb.New(at)})
	if err != nil {
		e.t.Fatal(err)
	}
	return res.Schedule
}

// statusOf is the status of the schedule sid of article id as stored.
func (e *env) statusOf(id, sid string) *eventsv1.Schedule {
	e.t.Helper()
	res, err := e.svc.ListSchedules(e.ctx, &publishingv1.ListSchedulesRequest{ArticleId: id})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, s := range res.Schedules {
		if s.Id == sid {
			return s
		}
	}
	e.t.Fatalf("no schedule %s in %v", sid, res.Schedules)
	return nil
}

func TestAScheduleFiresOnceAtItsTime(t *testing.T) {
	e := newEnv(t)
	e.ready("A1")
	e.run()
	e.runReplica(New(e.bus, Options{Pages: e.pages, Logger: quiet}))
	at := time.Now().Add(400 * time.Millisecond)
	s := e.schedule("A1", at, "zh-CN")
	if s.Status != eventsv1.ScheduleStatus_SCHEDULE_STATUS_PENDING || s.GetScheduled().GetActor().GetUserId() != "chief" {
		t.Fatalf("schedule = %v", s)
	}
	eventually(t, "the schedule is done", func() bool {
		return e.statusOf("A1", s.Id).Status == eventsv1.ScheduleStatus_SCHEDULE_STATUS_DONE
	})
	zh := e.record("A1").Locales["zh-CN"]
	if zh == nil || zh.GetPublished().GetTime().AsTime().Before(at) || zh.GetPublished().GetActor().GetName() != "Chief Editor" {
		t.Fatalf("published %v", zh)
	}
	if ev := e.last("A1"); ev.ID != "schedule-"+s.Id || ev.Actor != "chief" {
		t.Errorf("announced as %s by %s", ev.ID, ev.Actor)
	}
	if ended := e.statusOf("A1", s.Id); ended.GetEnded().GetActor().GetUserId() != "chief" || ended.Reason != "" {
		t.Errorf("ended = %v", ended)
	}
	var announced int
	if err := e.svc.pubs.History(e.ctx, "A1", func(*events.Event, *eventsv1.Publication) error { announced++; return nil }); err != nil || announced != 1 {
		t.Errorf("two replicas announced the schedule %d times (%v)", announced, err)
	}
}

func TestAScheduleThatCannotPublishIsRecordedAsFailed(t *testing.T) {
	e := newEnv(t)
	rev := e.ready("A1")
	e.run()
	s := e.schedule("A1", time.Now().Add(400*time.Millisecond), "en")
	e.review("A1", rev, reviewv1.JobStatus_JOB_STATUS_OPEN, "Reopened")
	eventually(t, "the schedule failed", func() bool {
		return e.statusOf("A1", s.Id).Status == eventsv1.ScheduleStatus_SCHEDULE_STATUS_FAILED
	})
	if got := e.statusOf("A1", s.Id).Reason; got != "A1 cannot be published: no translation into en is approved" {
		t.Errorf("reason %q", got)
	}
	if _, err := e.svc.pubs.Get(e.ctx, "A1"); !errors.Is(err, events.ErrNotFound) {
		t.Errorf("a failed schedule published: %v", err)
	}
}

func TestScheduleRefusals(t *testing.T) {
	e := newEnv(t)
	soon := time.Now().Add(time.Hour)
	_, err := e.svc.SchedulePublish(e.ctx, &publishingv1.SchedulePublishRequest{ArticleId: "A1", Locales: []string{"zh-CN"}, At: timestamppb.New(time.Now().Add(-time.Second))})
	wantViolations(t, err, "at")
	_, err = e.svc.SchedulePublish(e.ctx, &publishingv1.SchedulePublishRequest{Locales: []string{"zh-CN"}})
	wantViolations(t, err, "article_id", "at")
	e.submit(sampleArticle("A1"))
	_, err = e.svc.SchedulePublish(e.ctx, &publishingv1.SchedulePublishRequest{ArticleId: "A1", Locales: []string{"en"}, At: timestamppb.New(soon)})
	wantReason(t, err, codes.FailedPrecondition, errorsv1.ErrorReason_ERROR_REASON_TRANSLATION_NOT_APPROVED, map[string]string{"locale": "en"})
	// An article with no schedules has an empty list; one that does not
	// exist is not found.
	if res, err := e.svc.ListSchedules(e.ctx, &publishingv1.ListSchedulesRequest{ArticleId: "A1"}); err != nil || len(res.Schedules) != 0 {
		t.Errorf("schedules of an article with none: %v, %v", res, err)
	}
	_, err = e.svc.ListSchedules(e.ctx, &publishingv1.ListSchedulesRequest{ArticleId: "NOSUCH"})
	if st := status.Convert(err); st.Code() != codes.NotFound || st.Message() != "article NOSUCH not found" {
		t.Errorf("schedules of an article that does not exist: %v", err)
	}

	var first *eventsv1.Schedule
	for i := range 20 {
		s := e.schedule("A1", soon.Add(time.Duration(i)*time.Minute), "zh-CN")
		if first == nil {
			first = s
		}
	}
	_, err = e.svc.SchedulePublish(e.ctx, &publishingv1.SchedulePublishRequest{ArticleId: "A1", Locales: []string{"zh-CN"}, At: timestamppb.New(soon)})
	wantViolations(t, err, "article_id")

	_, err = e.svc.CancelSchedule(e.ctx, &publishingv1.CancelScheduleRequest{})
	wantViolations(t, err, "article_id", "schedule_id")
	_, err = e.svc.CancelSchedule(e.ctx, &publishingv1.CancelScheduleRequest{ArticleId: "A1", ScheduleId: "nope"})
	wantViolations(t, err, "schedule_id")
	res, err := e.svc.CancelSchedule(e.ctx, &publishingv1.CancelScheduleRequest{ArticleId: "A1", ScheduleId: first.Id})
	if err != nil || res.Schedule.Status != eventsv1.ScheduleStatus_SCHEDULE_STATUS_CANCELLED || res.Schedule.GetEnded().GetActor().GetUserId() != "chief" {
		t.Fatalf("cancel: %v %v", res, err)
	}
	_, err = e.svc.CancelSchedule(e.ctx, &publishingv1.CancelScheduleRequest{ArticleId: "A1", ScheduleId: first.Id})
	wantReason(t, err, codes.FailedPrecondition, errorsv1.ErrorReason_ERROR_REASON_SCHEDULE_NOT_PENDING, map[string]string{"status": "SCHEDULE_STATUS_CANCELLED"})
	// The cancelled one frees a place.
	e.schedule("A1", soon, "zh-CN")
	_, err = e.svc.ListSchedules(e.ctx, &publishingv1.ListSchedulesRequest{})
	wantViolations(t, err, "article_id")
}
