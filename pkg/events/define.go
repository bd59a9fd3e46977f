package events

import (
	"context"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Define returns the aggregate of kind on s, stored by source, whose state
// T travels in events of payload type E: wrap puts a state into a payload,
// get takes it out, and setRevision sets the state's revision field. The
// owner of an aggregate defines it in its store; a service that only reads
// another's aggregate defines it the same way and never writes it.
func Define[T, E proto.Message](s *Stream, kind, source string, wrap func(T) E, get func(E) T, setRevision func(T, uint64)) *Aggregate[T] {
	return &Aggregate[T]{
		Stream: s, Kind: kind, Source: source,
		Wrap: func(t T) proto.Message { return wrap(t) },
		Unwrap: func(m proto.Message) (T, bool) {
			e, ok := m.(E)
			if !ok {
				var zero T
				return zero, false
			}
			t := get(e)
			return t, t.ProtoReflect().IsValid()
		},
		SetRevision: setRevision,
		New: func() T {
			var zero T
			return zero.ProtoReflect().Type().New().Interface().(T)
		},
	}
}

// View is one projection a service keeps in memory: every event on the
// subjects that match Filter is applied to it in stream order.
type View struct {
	Stream *Stream
	Filter string
	Apply  func(*Event)
}

// traced applies each event to the view, under a span that continues the
// event's trace once the view has caught up (closed ready): the events
// read at start belong to traces long finished, and are not traced again.
func (v View) traced(ready <-chan struct{}) func(*Event) {
	return func(ev *Event) {
		select {
		case <-ready:
		default:
			v.Apply(ev)
			return
		}
		_, span := startConsumerSpan(context.Background(), ev, "follow "+v.Filter)
		defer span.End()
		v.Apply(ev)
	}
}

// FollowAll follows every view until ctx is done or one of them fails,
// and closes ready (when not nil) once each has applied the events that
// existed when it started, so a service can wait for its views before
// answering from them.
func FollowAll(ctx context.Context, ready chan<- struct{}, views ...View) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, len(views))
	readies := make([]chan struct{}, len(views))
	for i, v := range views {
		readies[i] = make(chan struct{})
		apply := v.traced(readies[i])
		go func() { errc <- v.Stream.Follow(ctx, v.Filter, apply, readies[i]) }()
	}
	go func() {
		for _, r := range readies {
			select {
			case <-r:
			case <-ctx.Done():
				return
			}
		}
		if ready != nil {
			close(ready)
		}
	}()
	var first error
	for range views {
		if err := <-errc; err != nil && first == nil {
			first = err
			cancel()
		}
	}
	return first
}

// Reader returns the aggregate of kind on s for a service that only reads
// it (another service's aggregate): get takes the state out of a payload,
// and the state's field named "revision", when it has one, is set from the
// message's sequence. A reader never writes: Create, Update and Upsert
// fail with ErrReadOnly.
func Reader[T, E proto.Message](s *Stream, kind string, get func(E) T) *Aggregate[T] {
	a := Define(s, kind, "", func(T) E { var zero E; return zero }, get, func(t T, rev uint64) {
		m := t.ProtoReflect()
		if fd := m.Descriptor().Fields().ByName("revision"); fd != nil && fd.Kind() == protoreflect.Uint64Kind {
			m.Set(fd, protoreflect.ValueOfUint64(rev))
		}
	})
	a.readOnly = true
	return a
}
