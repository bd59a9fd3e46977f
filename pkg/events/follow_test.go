package events_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/testkit"
)

func TestFollowAllSignalsReadyOnceEveryViewCaughtUp(t *testing.T) {
	b := testkit.Bus(t, testkit.StartNATS(t).URL())
	c := ctx(t)
	drafts, reviews := notes(b.Editorial), notes(b.Editorial)
	reviews.Kind = "reviews"
	for _, id := range []string{"A", "B", "C"} {
		if _, err := drafts.Create(c, id, note(id, id), changed("x")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := reviews.Create(c, "R", note("R", "r"), changed("x")); err != nil {
		t.Fatal(err)
	}
	var seenDrafts, seenReviews atomic.Int32
	ready := make(chan struct{})
	fc, cancel := context.WithCancel(c)
	done := make(chan error, 1)
	go func() {
		done <- events.FollowAll(fc, ready,
			events.View{Stream: b.Editorial, Filter: b.Editorial.Wildcard("notes"), Apply: func(*events.Event) { seenDrafts.Add(1) }},
			events.View{Stream: b.Editorial, Filter: b.Editorial.Wildcard("reviews"), Apply: func(*events.Event) { seenReviews.Add(1) }},
		)
	}()
	select {
	case <-ready:
	case <-time.After(10 * time.Second):
		t.Fatal("never ready")
	}
	if seenDrafts.Load() != 3 || seenReviews.Load() != 1 {
		t.Fatalf("ready after %d drafts and %d reviews; want 3 and 1", seenDrafts.Load(), seenReviews.Load())
	}
	if _, err := reviews.Create(c, "R2", note("R2", "r"), changed("x")); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); seenReviews.Load() != 2; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("a new event did not reach its view")
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("FollowAll stopped with %v", err)
	}
}

func TestFollowAllStopsWhenAViewFails(t *testing.T) {
	url := testkit.StartNATS(t).URL()
	b, gone := testkit.Bus(t, url), testkit.Bus(t, url)
	c := ctx(t)
	if err := gone.Delete(c); err != nil {
		t.Fatal(err)
	}
	ready := make(chan struct{})
	err := events.FollowAll(c, ready,
		events.View{Stream: b.Editorial, Filter: b.Editorial.Wildcard("notes"), Apply: func(*events.Event) {}},
		events.View{Stream: gone.Editorial, Filter: gone.Editorial.Wildcard("notes"), Apply: func(*events.Event) {}},
	)
	if err == nil || c.Err() != nil {
		t.Fatalf("FollowAll = %v; a view of a deleted stream must fail at once", err)
	}
	select {
	case <-ready:
		t.Fatal("ready signalled although a view never caught up")
	default:
	}
}

func TestFollowAndConsumeStoppedWhileStartingReturnNil(t *testing.T) {
	b := testkit.Bus(t, testkit.StartNATS(t).URL())
	c, cancel := context.WithCancel(context.Background())
	cancel()
	if err := b.Editorial.Follow(c, b.Editorial.Wildcard("notes"), func(*events.Event) {}, nil); err != nil {
		t.Errorf("Follow on a cancelled context = %v, want nil", err)
	}
	if err := b.Editorial.Consume(c, events.ConsumerConfig{Durable: "stopped", FilterSubject: b.Editorial.Wildcard("notes")}, func(context.Context, *events.Event) error { return nil }); err != nil {
		t.Errorf("Consume on a cancelled context = %v, want nil", err)
	}
}
