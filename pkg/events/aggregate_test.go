package events_test

import (
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/testkit"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
)

// notes is an aggregate of the tests' own: a draft whose title is a log
// of the changes applied to it.
func notes(s *events.Stream) *events.Aggregate[*draftingv1.Draft] {
	return events.Define(s, "notes", "/tandem/test",
		func(d *draftingv1.Draft) *eventsv1.DraftEvent { return &eventsv1.DraftEvent{Draft: d} },
		(*eventsv1.DraftEvent).GetDraft, func(d *draftingv1.Draft, rev uint64) { d.Revision = rev })
}

func note(id, title string) *draftingv1.Draft {
	return &draftingv1.Draft{Article: &articlev1.Article{Id: id, Locales: map[string]*articlev1.LocalizedContent{"zh-CN": {Title: title}}}}
}

func title(d *draftingv1.Draft) string { return d.GetArticle().GetLocales()["zh-CN"].GetTitle() }

func appendTitle(d *draftingv1.Draft, s string) {
	d.Article.Locales["zh-CN"].Title += s
}

func changed(actor string) events.Change {
	return events.Change{Type: eventsv1.DraftUpdated, Actor: actor}
}

func TestAggregateCreateGetAndConflictOnSecondCreate(t *testing.T) {
	testkit.EachServer(t, func(t *testing.T, url string) {
		a := notes(testkit.Bus(t, url).Editorial)
		c := ctx(t)
		if _, err := a.Get(c, "N1"); !errors.Is(err, events.ErrNotFound) {
			t.Fatalf("get before create: %v, want ErrNotFound", err)
		}
		d, err := a.Create(c, "N1", note("N1", "一"), events.Change{Type: eventsv1.DraftCreated, Actor: "alice"})
		if err != nil {
			t.Fatal(err)
		}
		if d.Revision == 0 {
			t.Fatal("a created state must carry its revision")
		}
		got, err := a.Get(c, "N1")
		if err != nil || got.Revision != d.Revision || title(got) != "一" {
			t.Fatalf("get = %v (rev %d), %v; want 一 at %d", title(got), got.GetRevision(), err, d.Revision)
		}
		ev, err := a.Stream.Last(c, mustSubj(t, a, "N1"))
		if err != nil {
			t.Fatal(err)
		}
		if ev.Type != eventsv1.DraftCreated || ev.Actor != "alice" || ev.Source != "/tandem/test" || ev.Subject != "N1" {
			t.Fatalf("stored event = %+v", ev)
		}
		if ev.Data.(*eventsv1.DraftEvent).GetDraft().GetRevision() != 0 {
			t.Error("the revision is the message's sequence, never stored inside it")
		}
		_, err = a.Create(c, "N1", note("N1", "二"), events.Change{Type: eventsv1.DraftCreated, Actor: "bob"})
		var conflict *events.ConflictError
		if !errors.As(err, &conflict) || !errors.Is(err, events.ErrConflict) {
			t.Fatalf("second create: %v, want a ConflictError", err)
		}
		if conflict.Expected != 0 || conflict.Current != d.Revision || conflict.Subject != mustSubj(t, a, "N1") {
			t.Fatalf("conflict = %+v, want expected 0, current %d", conflict, d.Revision)
		}
		want := "events: " + conflict.Subject + " is at revision " + events.Revision(d.Revision) + ", not 0"
		if conflict.Error() != want {
			t.Errorf("message = %q, want %q", conflict.Error(), want)
		}
		if errors.Is(conflict, events.ErrNotFound) {
			t.Error("a conflict is not a not-found")
		}
	})
}

func mustSubj[T proto.Message](t *testing.T, a *events.Aggregate[T], id string) string {
	t.Helper()
	s, err := a.Subject(id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestAggregateRefusesIDsThatAreNoSubjectToken(t *testing.T) {
	a := notes(testkit.Bus(t, testkit.StartNATS(t).URL()).Editorial)
	c := ctx(t)
	for _, id := range []string{"", "a.b", "a*", "a b", ">"} {
		if _, err := a.Get(c, id); !errors.Is(err, events.ErrNotFound) {
			t.Errorf("Get(%q) = %v, want ErrNotFound", id, err)
		}
		if _, err := a.At(c, id, 1); !errors.Is(err, events.ErrNotFound) {
			t.Errorf("At(%q) = %v, want ErrNotFound", id, err)
		}
		if err := a.History(c, id, func(*events.Event, *draftingv1.Draft) error { return nil }); !errors.Is(err, events.ErrNotFound) {
			t.Errorf("History(%q) = %v, want ErrNotFound", id, err)
		}
		if _, err := a.Update(c, id, 0, func(*draftingv1.Draft) (events.Change, error) { return changed("x"), nil }); !errors.Is(err, events.ErrNotFound) {
			t.Errorf("Update(%q) = %v, want ErrNotFound", id, err)
		}
		if _, err := a.Create(c, id, note(id, "x"), changed("x")); err == nil {
			t.Errorf("Create(%q) succeeded", id)
		}
		if err := a.Purge(c, id, 0); err == nil {
			t.Errorf("Purge(%q) succeeded", id)
		}
	}
}

func TestAggregateUpdateWithAStaleRevisionNeverCallsTheFunction(t *testing.T) {
	a := notes(testkit.Bus(t, testkit.StartNATS(t).URL()).Editorial)
	c := ctx(t)
	d, err := a.Create(c, "N1", note("N1", "a"), changed("alice"))
	if err != nil {
		t.Fatal(err)
	}
	d2, err := a.Update(c, "N1", d.Revision, func(d *draftingv1.Draft) (events.Change, error) {
		appendTitle(d, "b")
		return changed("bob"), nil
	})
	if err != nil || title(d2) != "ab" || d2.Revision <= d.Revision {
		t.Fatalf("update = %q at %d, %v", title(d2), d2.GetRevision(), err)
	}
	called := false
	_, err = a.Update(c, "N1", d.Revision, func(*draftingv1.Draft) (events.Change, error) {
		called = true
		return changed("carol"), nil
	})
	var conflict *events.ConflictError
	if !errors.As(err, &conflict) || conflict.Expected != d.Revision || conflict.Current != d2.Revision {
		t.Fatalf("stale update: %v, want conflict %d→%d", err, d.Revision, d2.Revision)
	}
	if called {
		t.Fatal("the function ran on a state the caller never read")
	}
}

func TestAggregateUpdateRetriesAfterAConcurrentWrite(t *testing.T) {
	a := notes(testkit.Bus(t, testkit.StartNATS(t).URL()).Editorial)
	c := ctx(t)
	if _, err := a.Create(c, "N1", note("N1", "a"), changed("alice")); err != nil {
		t.Fatal(err)
	}
	calls := 0
	out, err := a.Update(c, "N1", 0, func(d *draftingv1.Draft) (events.Change, error) {
		calls++
		if calls == 1 {
			// Somebody else writes between this read and this write.
			if _, err := a.Update(c, "N1", d.Revision, func(o *draftingv1.Draft) (events.Change, error) {
				appendTitle(o, "x")
				return changed("bob"), nil
			}); err != nil {
				t.Fatal(err)
			}
		}
		appendTitle(d, "b")
		return changed("alice"), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 2 || title(out) != "axb" {
		t.Fatalf("calls = %d, title %q; want 2 calls and both changes kept (axb)", calls, title(out))
	}
}

func TestAggregateUpdateGivesUpAfterItsRetries(t *testing.T) {
	a := notes(testkit.Bus(t, testkit.StartNATS(t).URL()).Editorial)
	a.Retries = 2
	c := ctx(t)
	if _, err := a.Create(c, "N1", note("N1", "a"), changed("alice")); err != nil {
		t.Fatal(err)
	}
	calls := 0
	_, err := a.Update(c, "N1", 0, func(d *draftingv1.Draft) (events.Change, error) {
		calls++
		if _, err := a.Update(c, "N1", d.Revision, func(o *draftingv1.Draft) (events.Change, error) {
			appendTitle(o, "x")
			return changed("bob"), nil
		}); err != nil {
			t.Fatal(err)
		}
		return changed("alice"), nil
	})
	var conflict *events.ConflictError
	if !errors.As(err, &conflict) {
		t.Fatalf("err = %v, want a ConflictError once the retries are spent", err)
	}
	if calls != 3 {
		t.Fatalf("the function ran %d times; want 1 + 2 retries", calls)
	}
	last, _ := a.Get(c, "N1")
	if conflict.Current != last.Revision || conflict.Expected >= conflict.Current {
		t.Fatalf("conflict = %+v, current revision %d", conflict, last.Revision)
	}
}

func TestAggregateUpdateWithAPinnedRevisionDoesNotRetry(t *testing.T) {
	a := notes(testkit.Bus(t, testkit.StartNATS(t).URL()).Editorial)
	c := ctx(t)
	d, err := a.Create(c, "N1", note("N1", "a"), changed("alice"))
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	_, err = a.Update(c, "N1", d.Revision, func(cur *draftingv1.Draft) (events.Change, error) {
		calls++
		if _, err := a.Update(c, "N1", cur.Revision, func(o *draftingv1.Draft) (events.Change, error) {
			return changed("bob"), nil
		}); err != nil {
			t.Fatal(err)
		}
		return changed("alice"), nil
	})
	var conflict *events.ConflictError
	if !errors.As(err, &conflict) || calls != 1 {
		t.Fatalf("err = %v after %d calls; a pinned revision is decided on once", err, calls)
	}
	if conflict.Expected != d.Revision {
		t.Errorf("conflict expected %d, want %d", conflict.Expected, d.Revision)
	}
}

func TestAggregateUpdateWritesNothingWithoutAChange(t *testing.T) {
	a := notes(testkit.Bus(t, testkit.StartNATS(t).URL()).Editorial)
	c := ctx(t)
	d, err := a.Create(c, "N1", note("N1", "a"), changed("alice"))
	if err != nil {
		t.Fatal(err)
	}
	same, err := a.Update(c, "N1", 0, func(*draftingv1.Draft) (events.Change, error) { return events.Change{}, nil })
	if err != nil || same.Revision != d.Revision || title(same) != "a" {
		t.Fatalf("no-change update = %q at %d, %v; want the loaded state", title(same), same.GetRevision(), err)
	}
	boom := errors.New("rule broken")
	if _, err := a.Update(c, "N1", 0, func(d *draftingv1.Draft) (events.Change, error) {
		appendTitle(d, "z")
		return changed("alice"), boom
	}); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the function's error", err)
	}
	now, _ := a.Get(c, "N1")
	if now.Revision != d.Revision || title(now) != "a" {
		t.Fatalf("after no change and an error the state is %q at %d", title(now), now.Revision)
	}
	if _, err := a.Update(c, "missing", 0, func(*draftingv1.Draft) (events.Change, error) { return changed("x"), nil }); !errors.Is(err, events.ErrNotFound) {
		t.Fatalf("update of a missing aggregate: %v", err)
	}
}

func TestAggregateUpsertStartsFromAnEmptyState(t *testing.T) {
	a := notes(testkit.Bus(t, testkit.StartNATS(t).URL()).Editorial)
	c := ctx(t)
	var seen *draftingv1.Draft
	d, err := a.Upsert(c, "N1", func(d *draftingv1.Draft) (events.Change, error) {
		seen = proto.Clone(d).(*draftingv1.Draft)
		d.Article = note("N1", "新").Article
		return changed("alice"), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen == nil || seen.Article != nil || seen.Revision != 0 {
		t.Fatalf("upsert of a new aggregate saw %v, want an empty state", seen)
	}
	if title(d) != "新" || d.Revision == 0 {
		t.Fatalf("upserted %q at %d", title(d), d.Revision)
	}
	d2, err := a.Upsert(c, "N1", func(d *draftingv1.Draft) (events.Change, error) {
		appendTitle(d, "闻")
		return changed("bob"), nil
	})
	if err != nil || title(d2) != "新闻" {
		t.Fatalf("second upsert = %q, %v; want it to start from the stored state", title(d2), err)
	}
}

func TestAggregateChangeIDAndAnnotate(t *testing.T) {
	a := notes(testkit.Bus(t, testkit.StartNATS(t).URL()).Editorial)
	c := ctx(t)
	d, err := a.Create(c, "N1", note("N1", "a"), events.Change{Type: eventsv1.DraftCreated, Actor: "alice", ID: "create-N1"})
	if err != nil {
		t.Fatal(err)
	}
	ev, _ := a.Stream.Last(c, mustSubj(t, a, "N1"))
	if ev.ID != "create-N1" {
		t.Fatalf("event id = %q, want the change's", ev.ID)
	}
	// The same change again: the stream has it already, so it is not
	// stored a second time and the write counts as done.
	again, err := a.Update(c, "N1", 0, func(*draftingv1.Draft) (events.Change, error) {
		return events.Change{Type: eventsv1.DraftCreated, Actor: "alice", ID: "create-N1"}, nil
	})
	if err != nil || again.Revision != d.Revision {
		t.Fatalf("repeat = rev %d, %v; want the stored revision %d", again.GetRevision(), err, d.Revision)
	}
	var annotated atomic.Bool
	if _, err := a.Update(c, "N1", 0, func(*draftingv1.Draft) (events.Change, error) {
		return events.Change{Type: eventsv1.DraftUpdated, Actor: "alice", Annotate: func(m proto.Message) {
			annotated.Store(true)
			m.(*eventsv1.DraftEvent).Draft.WithdrawnReason = "annotated"
		}}, nil
	}); err != nil {
		t.Fatal(err)
	}
	ev, _ = a.Stream.Last(c, mustSubj(t, a, "N1"))
	if !annotated.Load() || ev.Data.(*eventsv1.DraftEvent).GetDraft().GetWithdrawnReason() != "annotated" {
		t.Fatal("Annotate did not reach the stored payload")
	}
}

func TestAggregateAtHistoryAndPurge(t *testing.T) {
	a := notes(testkit.Bus(t, testkit.StartNATS(t).URL()).Editorial)
	other := notes(a.Stream)
	c := ctx(t)
	first, err := a.Create(c, "N1", note("N1", "a"), changed("alice"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Create(c, "N2", note("N2", "other"), changed("zed")); err != nil {
		t.Fatal(err)
	}
	revs := []uint64{first.Revision}
	for _, s := range []string{"b", "c"} {
		d, err := a.Update(c, "N1", 0, func(d *draftingv1.Draft) (events.Change, error) {
			appendTitle(d, s)
			return changed("bob"), nil
		})
		if err != nil {
			t.Fatal(err)
		}
		revs = append(revs, d.Revision)
	}
	old, err := a.At(c, "N1", revs[1])
	if err != nil || title(old) != "ab" || old.Revision != revs[1] {
		t.Fatalf("At(%d) = %q at %d, %v", revs[1], title(old), old.GetRevision(), err)
	}
	n2, _ := other.Get(c, "N2")
	if _, err := a.At(c, "N1", n2.Revision); !errors.Is(err, events.ErrNotFound) {
		t.Fatalf("At a revision of another subject = %v, want ErrNotFound", err)
	}
	var titles []string
	var got []uint64
	err = a.History(c, "N1", func(ev *events.Event, d *draftingv1.Draft) error {
		titles = append(titles, title(d))
		got = append(got, d.Revision)
		if ev.Sequence != d.Revision {
			t.Errorf("event %d carries state at %d", ev.Sequence, d.Revision)
		}
		return nil
	})
	if err != nil || !slices.Equal(titles, []string{"a", "ab", "abc"}) || !slices.Equal(got, revs) {
		t.Fatalf("history = %v %v, %v", titles, got, err)
	}
	stop := errors.New("enough")
	n := 0
	if err := a.History(c, "N1", func(*events.Event, *draftingv1.Draft) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Fatalf("history stopped with %v after %d", err, n)
	}
	if err := a.Purge(c, "N1", 1); err != nil {
		t.Fatal(err)
	}
	titles = nil
	if err := a.History(c, "N1", func(_ *events.Event, d *draftingv1.Draft) error { titles = append(titles, title(d)); return nil }); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(titles, []string{"abc"}) {
		t.Fatalf("after purging all but one: %v", titles)
	}
	if _, err := a.At(c, "N1", revs[0]); !errors.Is(err, events.ErrNotFound) {
		t.Fatalf("a purged revision: %v", err)
	}
	if err := a.Purge(c, "N1", 0); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Get(c, "N1"); !errors.Is(err, events.ErrNotFound) {
		t.Fatalf("after purging everything: %v", err)
	}
	if still, err := other.Get(c, "N2"); err != nil || title(still) != "other" {
		t.Fatalf("a purge touched another aggregate: %v %v", still, err)
	}
}

func TestAggregateStateRefusesAnotherPayload(t *testing.T) {
	a := notes(testkit.Bus(t, testkit.StartNATS(t).URL()).Editorial)
	c := ctx(t)
	subj := mustSubj(t, a, "N1")
	ev := &events.Event{Type: eventsv1.ArticlePublished, Source: "/x", Subject: "N1", Actor: "x", Data: &eventsv1.ArticleEvent{}}
	if _, err := a.Stream.Publish(c, subj, ev); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Get(c, "N1"); !errors.Is(err, events.ErrInvalidEvent) {
		t.Fatalf("Get of a foreign payload = %v, want ErrInvalidEvent", err)
	}
	empty := &events.Event{Type: eventsv1.DraftUpdated, Source: "/x", Subject: "N1", Actor: "x", Data: &eventsv1.DraftEvent{}}
	if _, err := a.Stream.Publish(c, subj, empty); err != nil {
		t.Fatal(err)
	}
	last, _ := a.Stream.Last(c, subj)
	_, err := a.State(last)
	if !errors.Is(err, events.ErrInvalidEvent) || !strings.Contains(err.Error(), subj) {
		t.Fatalf("State of an event without a draft = %v", err)
	}
	if _, err := a.Update(c, "N1", 0, func(*draftingv1.Draft) (events.Change, error) { return changed("x"), nil }); !errors.Is(err, events.ErrInvalidEvent) {
		t.Fatalf("Update over an invalid last event = %v", err)
	}
}
