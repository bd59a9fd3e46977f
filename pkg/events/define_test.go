package events_test

import (
	"errors"
	"testing"

	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/testkit"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
)

func TestReaderReadsAnotherServicesAggregateAndNeverWritesIt(t *testing.T) {
	owner := notes(testkit.Bus(t, testkit.StartNATS(t).URL()).Editorial)
	reader := events.Reader(owner.Stream, "notes", (*eventsv1.DraftEvent).GetDraft)
	c := ctx(t)
	d, err := owner.Create(c, "N1", note("N1", "一"), changed("alice"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := reader.Get(c, "N1")
	if err != nil || title(got) != "一" || got.Revision != d.Revision {
		t.Fatalf("reader got %q at %d, %v; want 一 at %d", title(got), got.GetRevision(), err, d.Revision)
	}
	if _, err := reader.Create(c, "N2", note("N2", "x"), changed("bob")); !errors.Is(err, events.ErrReadOnly) {
		t.Fatalf("create through a reader = %v, want ErrReadOnly", err)
	}
	if _, err := reader.Update(c, "N1", 0, func(d *draftingv1.Draft) (events.Change, error) { return changed("bob"), nil }); !errors.Is(err, events.ErrReadOnly) {
		t.Fatalf("update through a reader = %v, want ErrReadOnly", err)
	}
	if now, _ := owner.Get(c, "N1"); now.Revision != d.Revision {
		t.Fatal("a reader wrote")
	}
	// A state without a revision field reads as it is.
	memory := events.Reader(owner.Stream, "memory", func(e *eventsv1.MemoryEvent) *eventsv1.MemoryEvent { return e })
	subj, _ := memory.Subject("B1")
	if _, err := owner.Stream.Publish(c, subj, &events.Event{Type: eventsv1.MemoryAdded, Source: "/x", Subject: "B1", Actor: "x", Data: &eventsv1.MemoryEvent{Origin: "tmx"}}); err != nil {
		t.Fatal(err)
	}
	if m, err := memory.Get(c, "B1"); err != nil || m.Origin != "tmx" {
		t.Fatalf("memory batch = %v, %v", m, err)
	}
}
