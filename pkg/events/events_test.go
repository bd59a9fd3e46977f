package events_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"google.golang.org/protobuf/proto"

	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/testkit"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
)

func draftEvent(id, title string) *events.Event {
	return &events.Event{
		Type:    eventsv1.DraftUpdated,
		Source:  "/tandem/test",
		Subject: id,
		Actor:   "alice",
		Data: &eventsv1.DraftEvent{Draft: &draftingv1.Draft{Article: &articlev1.Article{
			Id: id, Locales: map[string]*articlev1.LocalizedContent{"zh-CN": {Title: title}},
		}}},
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func TestPublishStoresCloudEventAndLastReadsIt(t *testing.T) {
	testkit.EachServer(t, func(t *testing.T, url string) {
		b := testkit.Bus(t, url)
		subj, _ := b.Editorial.Subject("drafts", "A1")
		ev := draftEvent("A1", "标题")
		seq, err := b.Editorial.Publish(ctx(t), subj, ev, events.ExpectRevision(0))
		if err != nil {
			t.Fatal(err)
		}
		got, err := b.Editorial.Last(ctx(t), subj)
		if err != nil {
			t.Fatal(err)
		}
		if got.Sequence != seq || got.ID != ev.ID || got.Type != eventsv1.DraftUpdated || got.Actor != "alice" || got.Subject != "A1" {
			t.Fatalf("last = %+v, want seq %d id %s", got, seq, ev.ID)
		}
		if !proto.Equal(got.Data, ev.Data) {
			t.Fatalf("payload = %v, want %v", got.Data, ev.Data)
		}
		raw, err := b.Editorial.Last(ctx(t), subj)
		if err != nil || raw.Time.IsZero() {
			t.Fatalf("time not set: %v", err)
		}
		// The raw headers are CloudEvents binary mode.
		msg, err := b.JetStream().Stream(ctx(t), b.Config().EditorialStream)
		if err != nil {
			t.Fatal(err)
		}
		rm, err := msg.GetMsg(ctx(t), seq)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{
			"ce-specversion":     "1.0",
			"ce-id":              ev.ID,
			"ce-type":            "tandem.draft.updated",
			"ce-source":          "/tandem/test",
			"ce-subject":         "A1",
			"ce-datacontenttype": "application/protobuf",
			"ce-dataschema":      "https://type.googleapis.com/tandem.events.v1.DraftEvent",
			"ce-actor":           "alice",
			nats.MsgIdHdr:        ev.ID,
		}
		for k, v := range want {
			if got := rm.Header.Get(k); got != v {
				t.Errorf("header %s = %q, want %q", k, got, v)
			}
		}
		if _, err := time.Parse(time.RFC3339Nano, rm.Header.Get("ce-time")); err != nil {
			t.Errorf("ce-time: %v", err)
		}
	})
}

func TestPublishRejectsStaleRevision(t *testing.T) {
	testkit.EachServer(t, func(t *testing.T, url string) {
		b := testkit.Bus(t, url)
		subj, _ := b.Editorial.Subject("drafts", "A2")
		first, err := b.Editorial.Publish(ctx(t), subj, draftEvent("A2", "v1"), events.ExpectRevision(0))
		if err != nil {
			t.Fatal(err)
		}
		// "Must not exist yet" fails once the subject has a message.
		if _, err := b.Editorial.Publish(ctx(t), subj, draftEvent("A2", "again"), events.ExpectRevision(0)); !errors.Is(err, events.ErrConflict) {
			t.Fatalf("create over existing: err = %v, want ErrConflict", err)
		}
		second, err := b.Editorial.Publish(ctx(t), subj, draftEvent("A2", "v2"), events.ExpectRevision(first))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.Editorial.Publish(ctx(t), subj, draftEvent("A2", "stale"), events.ExpectRevision(first)); !errors.Is(err, events.ErrConflict) {
			t.Fatalf("stale write: err = %v, want ErrConflict", err)
		}
		last, err := b.Editorial.Last(ctx(t), subj)
		if err != nil || last.Sequence != second {
			t.Fatalf("last = %v, %v; want seq %d", last, err, second)
		}
	})
}

func TestPublishWithSameIDIsStoredOnce(t *testing.T) {
	b := testkit.Bus(t, testkit.StartNATS(t).URL())
	subj, _ := b.Editorial.Subject("drafts", "A3")
	ev := draftEvent("A3", "once")
	s1, err := b.Editorial.Publish(ctx(t), subj, ev, events.ExpectRevision(0))
	if err != nil {
		t.Fatal(err)
	}
	// A retry after a lost acknowledgement carries the same id and the same
	// expectation; it must succeed and point at the original.
	again := draftEvent("A3", "once")
	again.ID = ev.ID
	s2, err := b.Editorial.Publish(ctx(t), subj, again, events.ExpectRevision(0))
	if err != nil || s2 != s1 {
		t.Fatalf("retry: seq %d err %v, want seq %d", s2, err, s1)
	}
	var n int
	if err := b.Editorial.History(ctx(t), subj, func(*events.Event) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("history has %d events, want 1", n)
	}
}

func TestLastOnEmptySubjectIsNotFound(t *testing.T) {
	b := testkit.Bus(t, testkit.StartNATS(t).URL())
	subj, _ := b.Editorial.Subject("drafts", "nobody")
	if _, err := b.Editorial.Last(ctx(t), subj); !errors.Is(err, events.ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
}

func TestHistoryIsOldestFirstAndOnlyThatSubject(t *testing.T) {
	b := testkit.Bus(t, testkit.StartNATS(t).URL())
	a, _ := b.Editorial.Subject("drafts", "H1")
	other, _ := b.Editorial.Subject("drafts", "H2")
	var rev uint64
	for _, title := range []string{"one", "two", "three"} {
		var err error
		rev, err = b.Editorial.Publish(ctx(t), a, draftEvent("H1", title), events.ExpectRevision(rev))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.Editorial.Publish(ctx(t), other, draftEvent("H2", title)); err != nil {
			t.Fatal(err)
		}
	}
	var titles []string
	err := b.Editorial.History(ctx(t), a, func(ev *events.Event) error {
		titles = append(titles, ev.Data.(*eventsv1.DraftEvent).Draft.Article.Locales["zh-CN"].Title)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(titles) != 3 || titles[0] != "one" || titles[2] != "three" {
		t.Fatalf("history = %v", titles)
	}
	first, err := b.Editorial.At(ctx(t), a, 1)
	if err != nil || first.Data.(*eventsv1.DraftEvent).Draft.Article.Locales["zh-CN"].Title != "one" {
		t.Fatalf("At(1) = %v, %v", first, err)
	}
	if _, err := b.Editorial.At(ctx(t), a, 2); !errors.Is(err, events.ErrNotFound) {
		t.Fatalf("At(2) on another subject: err = %v, want ErrNotFound", err)
	}
}

func TestConsumeRetriesFailuresAndTerminatesPoison(t *testing.T) {
	testkit.EachServer(t, func(t *testing.T, url string) {
		b := testkit.Bus(t, url)
		nc := testkit.Connect(t, url)
		poisonSubj, _ := b.Editorial.Subject("drafts", "P1")
		// An event whose payload cannot decode.
		poison := nats.NewMsg(poisonSubj)
		poison.Header.Set("ce-specversion", "1.0")
		poison.Header.Set("ce-id", "poison-1")
		poison.Header.Set("ce-type", eventsv1.DraftUpdated)
		poison.Header.Set("ce-source", "/x")
		poison.Header.Set("ce-time", time.Now().Format(time.RFC3339Nano))
		poison.Header.Set("ce-datacontenttype", "application/protobuf")
		poison.Header.Set("ce-dataschema", "type.googleapis.com/tandem.events.v1.DraftEvent")
		poison.Data = []byte{0xff, 0xff, 0xff}
		if err := nc.PublishMsg(poison); err != nil {
			t.Fatal(err)
		}
		good, _ := b.Editorial.Subject("drafts", "G1")
		if _, err := b.Editorial.Publish(ctx(t), good, draftEvent("G1", "ok")); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		attempts := map[string]int{}
		done := make(chan struct{})
		var closed atomic.Bool
		c, cancel := context.WithCancel(ctx(t))
		defer cancel()
		go func() {
			_ = b.Editorial.Consume(c, events.ConsumerConfig{
				Durable:       "test",
				FilterSubject: b.Editorial.Wildcard("drafts"),
				Backoff:       []time.Duration{50 * time.Millisecond},
			}, func(_ context.Context, ev *events.Event) error {
				mu.Lock()
				defer mu.Unlock()
				attempts[ev.Subject]++
				if attempts[ev.Subject] < 3 {
					return errors.New("transient")
				}
				if closed.CompareAndSwap(false, true) {
					close(done)
				}
				return nil
			})
		}()
		select {
		case <-done:
		case <-c.Done():
			t.Fatal("the good event was not handled")
		}
		time.Sleep(200 * time.Millisecond) // a redelivery, if one were coming
		mu.Lock()
		defer mu.Unlock()
		if attempts["G1"] != 3 {
			t.Fatalf("good event handled %d times, want 3 (two failures, one success)", attempts["G1"])
		}
		if _, seen := attempts[""]; seen {
			t.Fatal("the poison event reached the handler")
		}
	})
}

func BenchmarkPublish(b *testing.B) {
	bus := testkit.Bus(b, testkit.StartNATS(b).URL())
	c := context.Background()
	subj, _ := bus.Editorial.Subject("drafts", "B1")
	var rev uint64
	for b.Loop() {
		var err error
		rev, err = bus.Editorial.Publish(c, subj, draftEvent("B1", "标题"), events.ExpectRevision(rev))
		if err != nil {
			b.Fatal(err)
		}
	}
}

func TestEventLargerThanTheServerTakesIsRefusedBeforeSending(t *testing.T) {
	b := testkit.Bus(t, testkit.StartNATS(t).URL())
	subj, _ := b.Editorial.Subject("drafts", "BIG")
	if b.Editorial.MaxPayload() != events.DefaultMaxPayload || b.Editorial.MaxEventBytes() != events.DefaultMaxPayload-events.HeaderAllowance {
		t.Fatalf("max payload %d, max event %d", b.Editorial.MaxPayload(), b.Editorial.MaxEventBytes())
	}
	_, err := b.Editorial.Publish(ctx(t), subj, draftEvent("BIG", strings.Repeat("x", events.DefaultMaxPayload)))
	if !errors.Is(err, events.ErrTooLarge) || !strings.Contains(err.Error(), "at most") {
		t.Fatalf("err = %v, want ErrTooLarge saying the limit", err)
	}
	if _, err := b.Editorial.Last(ctx(t), subj); !errors.Is(err, events.ErrNotFound) {
		t.Errorf("something was stored: %v", err)
	}
}

func TestNonASCIIAttributesTravelPercentEncodedAndReadBack(t *testing.T) {
	b := testkit.Bus(t, testkit.StartNATS(t).URL())
	subj, _ := b.Editorial.Subject("drafts", "U1")
	ev := draftEvent("U1", "标题")
	ev.Actor = "张 三"
	seq, err := b.Editorial.Publish(ctx(t), subj, ev)
	if err != nil {
		t.Fatal(err)
	}
	s, err := b.JetStream().Stream(ctx(t), b.Config().EditorialStream)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := s.GetMsg(ctx(t), seq)
	if err != nil {
		t.Fatal(err)
	}
	if got := raw.Header.Get(events.HeaderActor); got != "%E5%BC%A0%20%E4%B8%89" {
		t.Errorf("raw ce-actor = %q, want it percent-encoded", got)
	}
	got, err := b.Editorial.Last(ctx(t), subj)
	if err != nil || got.Actor != "张 三" {
		t.Fatalf("Last: %+v, %v; want actor 张 三", got, err)
	}
}
