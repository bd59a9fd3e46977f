package e2e

import (
	"context"
	"errors"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/tandemnews/tandem/internal/stack"
	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/cache"
	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/testkit"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
	"github.com/tandemnews/tandem/services/publishing"
)

// TestScheduleFiresAfterARestartAndCancelHolds plans two publications on a
// publishing replica, cancels one, stops the replica, and starts another:
// the new one rebuilds the plan from the stream and fires the remaining
// schedule at its time; the cancelled one never fires.
func TestScheduleFiresAfterARestartAndCancelHolds(t *testing.T) {
	// Drafting and review only: the publishing replicas are the test's.
	rdb, prefix := testkit.Redis(t)
	e := stacktest.StartWith(t, testkit.StartNATS(t).URL(), cache.New(rdb, prefix), func(c *stack.Config) { c.Services = []string{"drafting", "review", "site"} })
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cl := e.Client(t)
	id, err := cl.Approve(ctx, stacktest.SampleArticle(), e.Tokens)
	if err != nil {
		t.Fatal(err)
	}
	pub := auth.WithUser(ctx, auth.User{ID: "test-publisher", Roles: []auth.Role{auth.Publisher}})

	start := func() (*publishing.Service, context.CancelFunc) {
		rctx, stop := context.WithCancel(ctx)
		s := publishing.New(e.Bus, publishing.Options{})
		go s.Run(rctx)
		select {
		case <-s.Ready:
		case <-time.After(10 * time.Second):
			t.Fatal("publishing did not read the schedules")
		}
		return s, stop
	}
	first, stopFirst := start()
	if _, err := first.SchedulePublish(pub, &publishingv1.SchedulePublishRequest{ArticleId: id, Locales: []string{"zh-CN"}, At: timestamppb.New(time.Now().Add(-time.Second))}); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("a schedule in the past: %v", err)
	}
	at := time.Now().Add(1500 * time.Millisecond)
	zh, err := first.SchedulePublish(pub, &publishingv1.SchedulePublishRequest{ArticleId: id, Locales: []string{"zh-CN"}, At: timestamppb.New(at)})
	if err != nil {
		t.Fatal(err)
	}
	en, err := first.SchedulePublish(pub, &publishingv1.SchedulePublishRequest{ArticleId: id, Locales: []string{"en"}, At: timestamppb.New(at.Add(-500 * time.Millisecond))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := first.CancelSchedule(pub, &publishingv1.CancelScheduleRequest{ArticleId: id, ScheduleId: en.Schedule.Id}); err != nil {
		t.Fatal(err)
	}
	stopFirst()
	t.Logf("injected: the publishing replica that planned both stopped before their time")

	second, stopSecond := start()
	defer stopSecond()
	pubs := publishing.Publications(e.Bus.Public)
	var p *eventsv1.Publication
	stacktest.EventuallyWithin(t, "the Chinese is published by the schedule", 10*time.Second, func() bool {
		p, err = pubs.Get(ctx, id)
		if errors.Is(err, events.ErrNotFound) {
			return false
		}
		return err == nil && p.Locales["zh-CN"] != nil
	})
	late := p.Locales["zh-CN"].GetPublished().GetTime().AsTime().Sub(at)
	if late < 0 {
		t.Errorf("published %v before its time", -late)
	}
	time.Sleep(300 * time.Millisecond)
	if p, _ := pubs.Get(ctx, id); p.Locales["en"] != nil {
		t.Error("the cancelled English schedule fired")
	}
	list, err := second.ListSchedules(pub, &publishingv1.ListSchedulesRequest{ArticleId: id})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]eventsv1.ScheduleStatus{}
	for _, s := range list.Schedules {
		got[s.Id] = s.Status
	}
	if got[zh.Schedule.Id] != eventsv1.ScheduleStatus_SCHEDULE_STATUS_DONE || got[en.Schedule.Id] != eventsv1.ScheduleStatus_SCHEDULE_STATUS_CANCELLED {
		t.Errorf("schedule statuses %v", got)
	}
	if _, err := second.CancelSchedule(pub, &publishingv1.CancelScheduleRequest{ArticleId: id, ScheduleId: zh.Schedule.Id}); status.Code(err) != codes.FailedPrecondition {
		t.Errorf("cancelling a schedule that fired: %v", err)
	}
	t.Logf("verified: fired %v after its time on the restarted replica; the cancelled schedule did not fire", late.Round(time.Millisecond))
}
