package events

import (
	"context"
	"errors"
	"fmt"

	"google.golang.org/protobuf/proto"
)

// ConflictError is an ErrConflict that knows the revision the writer
// should re-read.
type ConflictError struct {
	Subject  string
	Expected uint64
	Current  uint64
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("events: %s is at revision %d, not %d", e.Subject, e.Current, e.Expected)
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// Aggregate stores one kind of aggregate, each on its own subject
// (<prefix>.<Kind>.<id>), as events that carry its whole state.
type Aggregate[T proto.Message] struct {
	// Stream holds the aggregate's subjects.
	Stream *Stream
	// Kind is the middle subject token, e.g. "drafts".
	Kind string
	// Source is the ce-source of the events, e.g. "/tandem/drafting".
	Source string
	// Wrap puts a state into its event payload.
	Wrap func(T) proto.Message
	// Unwrap takes the state out of an event payload.
	Unwrap func(proto.Message) (T, bool)
	// SetRevision sets the state's revision field.
	SetRevision func(T, uint64)
	// New returns an empty state, for Upsert. Optional.
	New func() T
	// Retries is how often Update retries after a conflict when the caller
	// did not pin a revision. Default 5.
	Retries int

	readOnly bool // made by Reader: another service's aggregate
}

// Size is the size of the event payload that would carry state, to
// compare with Stream.MaxEventBytes.
func (a *Aggregate[T]) Size(state T) int { return proto.Size(a.Wrap(state)) }

// ErrReadOnly is a write to another service's aggregate, through a Reader.
var ErrReadOnly = errors.New("events: the aggregate is read-only here: only its owner writes it")

// Change describes the event an update writes.
type Change struct {
	// Type is the event type; empty means nothing changed and nothing is
	// written.
	Type string
	// Actor is who made the change.
	Actor string
	// ID, when set, is the event id, so that a repeated change (a consumer
	// handling an event twice) is stored once.
	ID string
	// Annotate, when set, can add to the event payload beyond the state
	// (what the change was about).
	Annotate func(proto.Message)
}

// Subject returns the subject of the aggregate id.
func (a *Aggregate[T]) Subject(id string) (string, error) { return a.Stream.Subject(a.Kind, id) }

// Get returns the current state, with its revision set. ErrNotFound when
// the aggregate does not exist.
func (a *Aggregate[T]) Get(ctx context.Context, id string) (T, error) {
	var zero T
	subj, err := a.Subject(id)
	if err != nil {
		return zero, fmt.Errorf("%w: %v", ErrNotFound, err)
	}
	ev, err := a.Stream.Last(ctx, subj)
	if err != nil {
		return zero, err
	}
	return a.state(ev)
}

// At returns the state stored at revision rev.
func (a *Aggregate[T]) At(ctx context.Context, id string, rev uint64) (T, error) {
	var zero T
	subj, err := a.Subject(id)
	if err != nil {
		return zero, fmt.Errorf("%w: %v", ErrNotFound, err)
	}
	ev, err := a.Stream.At(ctx, subj, rev)
	if err != nil {
		return zero, err
	}
	return a.state(ev)
}

// History calls fn with every stored state of the aggregate, oldest first,
// with the event that stored it. No call at all means it does not exist.
func (a *Aggregate[T]) History(ctx context.Context, id string, fn func(*Event, T) error) error {
	subj, err := a.Subject(id)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNotFound, err)
	}
	return a.Stream.History(ctx, subj, func(ev *Event) error {
		s, err := a.state(ev)
		if err != nil {
			return err
		}
		return fn(ev, s)
	})
}

// Purge erases the aggregate's history but for its last keep states.
func (a *Aggregate[T]) Purge(ctx context.Context, id string, keep uint64) error {
	subj, err := a.Subject(id)
	if err != nil {
		return err
	}
	return a.Stream.Purge(ctx, subj, keep)
}

// State extracts the aggregate from an event read from its subject.
func (a *Aggregate[T]) State(ev *Event) (T, error) { return a.state(ev) }

func (a *Aggregate[T]) state(ev *Event) (T, error) {
	s, ok := a.Unwrap(ev.Data)
	if !ok {
		var zero T
		return zero, fmt.Errorf("%w: %s at %d holds %T", ErrInvalidEvent, ev.NATSSubject, ev.Sequence, ev.Data)
	}
	a.SetRevision(s, ev.Sequence)
	return s, nil
}

// Create stores the first state of a new aggregate. ErrConflict when it
// exists already.
func (a *Aggregate[T]) Create(ctx context.Context, id string, state T, c Change) (T, error) {
	subj, err := a.Subject(id)
	if err != nil {
		return state, err
	}
	return a.write(ctx, subj, id, 0, state, c)
}

// Update loads the current state, applies fn and stores the result with
// the loaded revision as the expectation, so nothing written in between is
// overwritten.
//
// With expected > 0 the caller read that revision and decided on it: if the
// aggregate has moved on, Update returns a *ConflictError without calling
// fn. With expected == 0, a conflict reloads and applies fn again, up to
// Retries times; fn must then be safe to run more than once.
//
// fn returning an error stops the update and Update returns that error;
// fn returning a Change with no Type writes nothing and returns the
// loaded state.
func (a *Aggregate[T]) Update(ctx context.Context, id string, expected uint64, fn func(T) (Change, error)) (T, error) {
	return a.update(ctx, id, expected, false, fn)
}

// Upsert is Update that starts from New() when the aggregate does not
// exist yet (and then requires that it still does not when it writes).
func (a *Aggregate[T]) Upsert(ctx context.Context, id string, fn func(T) (Change, error)) (T, error) {
	return a.update(ctx, id, 0, true, fn)
}

func (a *Aggregate[T]) update(ctx context.Context, id string, expected uint64, upsert bool, fn func(T) (Change, error)) (T, error) {
	var zero T
	subj, err := a.Subject(id)
	if err != nil {
		return zero, fmt.Errorf("%w: %v", ErrNotFound, err)
	}
	retries := a.Retries
	if retries == 0 {
		retries = 5
	}
	for attempt := 0; ; attempt++ {
		var cur T
		var rev uint64
		ev, err := a.Stream.Last(ctx, subj)
		switch {
		case err == nil:
			if cur, err = a.state(ev); err != nil {
				return zero, err
			}
			rev = ev.Sequence
		case upsert && errors.Is(err, ErrNotFound):
			cur = a.New()
		default:
			return zero, err
		}
		if expected != 0 && rev != expected {
			return zero, &ConflictError{Subject: subj, Expected: expected, Current: rev}
		}
		c, err := fn(cur)
		if err != nil {
			return zero, err
		}
		if c.Type == "" {
			return cur, nil
		}
		out, err := a.write(ctx, subj, id, rev, cur, c)
		if err == nil || !errors.Is(err, ErrConflict) {
			return out, err
		}
		if expected != 0 || attempt >= retries {
			now, lerr := a.Stream.Last(ctx, subj)
			if lerr != nil {
				return zero, err
			}
			return zero, &ConflictError{Subject: subj, Expected: rev, Current: now.Sequence}
		}
	}
}

func (a *Aggregate[T]) write(ctx context.Context, subj, id string, expect uint64, state T, c Change) (T, error) {
	var zero T
	if a.readOnly {
		return zero, ErrReadOnly
	}
	a.SetRevision(state, 0) // the revision is the message's sequence, not part of it
	data := a.Wrap(state)
	if c.Annotate != nil {
		c.Annotate(data)
	}
	ev := &Event{ID: c.ID, Type: c.Type, Source: a.Source, Subject: id, Actor: c.Actor, Data: data}
	seq, err := a.Stream.Publish(ctx, subj, ev, ExpectRevision(expect))
	if err != nil {
		if errors.Is(err, ErrConflict) && expect == 0 {
			if now, lerr := a.Stream.Last(ctx, subj); lerr == nil {
				return zero, &ConflictError{Subject: subj, Expected: 0, Current: now.Sequence}
			}
		}
		return zero, err
	}
	a.SetRevision(state, seq)
	return state, nil
}
