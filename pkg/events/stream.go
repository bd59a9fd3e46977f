package events

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/oklog/ulid/v2"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoregistry"

	// Register every event payload type so events decode by schema.
	_ "github.com/tandemnews/tandem/proto/tandem/events/v1"
)

// RequestTimeout bounds each request to the event store: a write, a read,
// a purge, or the wait for the next message of a history. A NATS server
// that stops answering (frozen, or its connection silently gone) fails
// the call with context.DeadlineExceeded, which the services answer as
// Unavailable, instead of holding the caller until its own deadline.
const RequestTimeout = 5 * time.Second

// bounded is ctx limited to RequestTimeout.
func bounded(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, RequestTimeout)
}

// Stream is one of Tandem's streams.
type Stream struct {
	name   string
	prefix string
	js     jetstream.JetStream
	s      jetstream.Stream
}

// HeaderAllowance is what an event's headers (the CloudEvents attributes
// and JetStream's own) may take of the server's max_payload.
const HeaderAllowance = 4 << 10

// DefaultMaxPayload is the NATS server's default max_payload, 1 MiB.
const DefaultMaxPayload = 1 << 20

// MaxPayload is the server's max_payload, as it announced on connecting
// (DefaultMaxPayload before it has). The services derive their size
// limits from it.
func (s *Stream) MaxPayload() int {
	if nc := s.js.Conn(); nc != nil && nc.MaxPayload() > 0 {
		return int(nc.MaxPayload())
	}
	return DefaultMaxPayload
}

// MaxEventBytes is the largest event payload the server takes: its
// max_payload less HeaderAllowance. A larger one is refused with
// ErrTooLarge before it is sent.
func (s *Stream) MaxEventBytes() int { return s.MaxPayload() - HeaderAllowance }

// Name is the stream's name.
func (s *Stream) Name() string { return s.name }

// Subject returns the subject of one aggregate: <prefix>.<kind>.<id>.
func (s *Stream) Subject(kind, id string) (string, error) {
	if _, err := Token(kind); err != nil {
		return "", err
	}
	if _, err := Token(id); err != nil {
		return "", err
	}
	return s.prefix + "." + kind + "." + id, nil
}

// Wildcard returns the subject filter for every aggregate of a kind.
func (s *Stream) Wildcard(kind string) string { return s.prefix + "." + kind + ".*" }

// PublishOption changes how Publish writes.
type PublishOption func(*publishOpts)

type publishOpts struct {
	expect    bool
	expectSeq uint64
}

// ExpectRevision makes the publish succeed only if the subject's last
// message has sequence rev; 0 means the subject must be empty. Otherwise
// Publish returns ErrConflict and nothing is written.
func ExpectRevision(rev uint64) PublishOption {
	return func(o *publishOpts) { o.expect, o.expectSeq = true, rev }
}

// NewID returns a new event or aggregate id: a ULID, sortable by time.
func NewID() string { return ulid.Make().String() }

// Publish stores ev on subject and returns the stream sequence it was
// stored at (the aggregate's new revision). If ev.ID was already stored
// within the duplicate window, it returns the original sequence and
// writes nothing, so a retry after a lost acknowledgement is safe.
func (s *Stream) Publish(ctx context.Context, subject string, ev *Event, opts ...PublishOption) (_ uint64, err error) {
	ctx, span := tracer().Start(ctx, ev.Type+" publish",
		trace.WithSpanKind(trace.SpanKindProducer),
		trace.WithAttributes(
			attribute.String("messaging.system", "nats"),
			attribute.String("messaging.destination.name", subject),
			attribute.String("cloudevents.event_type", ev.Type),
			attribute.String("cloudevents.event_subject", ev.Subject),
		))
	defer func() { endSpan(span, err) }()
	if err := ev.validate(); err != nil {
		return 0, err
	}
	var o publishOpts
	for _, opt := range opts {
		opt(&o)
	}
	if ev.ID == "" {
		ev.ID = NewID()
	}
	if ev.Time.IsZero() {
		ev.Time = time.Now().UTC()
	}
	data, err := proto.MarshalOptions{Deterministic: true}.Marshal(ev.Data)
	if err != nil {
		return 0, fmt.Errorf("events: marshal %s: %w", ev.Type, err)
	}
	if max := s.MaxEventBytes(); len(data) > max {
		return 0, fmt.Errorf("%w: %s on %s is %d bytes, the server takes at most %d", ErrTooLarge, ev.Type, subject, len(data), max)
	}
	msg := nats.NewMsg(subject)
	msg.Data = data
	for _, h := range [...][2]string{
		{HeaderSpecVersion, specVersion},
		{HeaderID, ev.ID},
		{HeaderType, ev.Type},
		{HeaderSource, ev.Source},
		{HeaderTime, ev.Time.UTC().Format(time.RFC3339Nano)},
		{HeaderSubject, ev.Subject},
		{HeaderDataContentType, contentTypeData},
		{HeaderDataSchema, SchemaURI(ev.Data)},
		{HeaderActor, ev.Actor},
	} {
		msg.Header.Set(h[0], encodeHeader(h[1]))
	}
	injectTrace(ctx, msg.Header)

	popts := []jetstream.PublishOpt{jetstream.WithMsgID(ev.ID), jetstream.WithExpectStream(s.name)}
	if o.expect {
		popts = append(popts, jetstream.WithExpectLastSequencePerSubject(o.expectSeq))
	}
	pctx, cancel := bounded(ctx)
	defer cancel()
	ack, err := s.js.PublishMsg(pctx, msg, popts...)
	if err != nil {
		if isWrongLastSequence(err) {
			// The server checks the expected sequence before it looks for
			// duplicates, so a retry of a write that was stored (its
			// acknowledgement lost) lands here. If the last message is
			// that write, the retry has succeeded.
			if last, lerr := s.Last(ctx, subject); lerr == nil && last.ID == ev.ID {
				ev.Sequence, ev.NATSSubject = last.Sequence, subject
				return last.Sequence, nil
			}
			return 0, fmt.Errorf("%w: %s expected revision %d", ErrConflict, subject, o.expectSeq)
		}
		return 0, fmt.Errorf("events: publish %s on %s: %w", ev.Type, subject, err)
	}
	ev.Sequence = ack.Sequence
	ev.NATSSubject = subject
	span.SetAttributes(attribute.String("messaging.message.id", ev.ID), attribute.Int64("messaging.nats.stream_sequence", int64(ack.Sequence)))
	return ack.Sequence, nil
}

func isWrongLastSequence(err error) bool {
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence ||
			apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant
	}
	return false
}

// Last returns the last event on subject: the aggregate's current state.
// It returns ErrNotFound when the subject is empty.
func (s *Stream) Last(ctx context.Context, subject string) (*Event, error) {
	ctx, cancel := bounded(ctx)
	defer cancel()
	raw, err := s.s.GetLastMsgForSubject(ctx, subject)
	if err != nil {
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return nil, fmt.Errorf("%w: %s", ErrNotFound, subject)
		}
		return nil, fmt.Errorf("events: last on %s: %w", subject, err)
	}
	return decode(raw.Subject, raw.Sequence, raw.Time, raw.Header, raw.Data)
}

// At returns the event stored at sequence seq, which must be on subject.
func (s *Stream) At(ctx context.Context, subject string, seq uint64) (*Event, error) {
	ctx, cancel := bounded(ctx)
	defer cancel()
	raw, err := s.s.GetMsg(ctx, seq)
	if err != nil {
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return nil, fmt.Errorf("%w: %s at %d", ErrNotFound, subject, seq)
		}
		return nil, fmt.Errorf("events: get %d: %w", seq, err)
	}
	if raw.Subject != subject {
		return nil, fmt.Errorf("%w: %s at %d", ErrNotFound, subject, seq)
	}
	return decode(raw.Subject, raw.Sequence, raw.Time, raw.Header, raw.Data)
}

// History calls fn with every event on subject, oldest first, up to and
// including the last one stored when History started. fn returning an
// error stops the walk and History returns it.
func (s *Stream) History(ctx context.Context, subject string, fn func(*Event) error) error {
	last, err := s.Last(ctx, subject)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	cctx, cancel := bounded(ctx)
	defer cancel()
	cons, err := s.s.OrderedConsumer(cctx, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{subject},
		DeliverPolicy:  jetstream.DeliverAllPolicy,
		// One try to make its consumer (the client gives it 10 s), not
		// retries without end against a server that does not answer.
		MaxResetAttempts: 1,
	})
	if err != nil {
		return fmt.Errorf("events: history of %s: %w", subject, err)
	}
	it, err := cons.Messages()
	if err != nil {
		return fmt.Errorf("events: history of %s: %w", subject, err)
	}
	defer it.Stop()
	for {
		// Each message is a request of its own: none within
		// RequestTimeout means the server has stopped answering.
		nctx, stop := bounded(ctx)
		msg, err := it.Next(jetstream.NextContext(nctx))
		stop()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("events: history of %s: %w", subject, err)
		}
		ev, err := decodeMsg(msg)
		if err != nil {
			return err
		}
		if err := fn(ev); err != nil {
			return err
		}
		if ev.Sequence >= last.Sequence {
			return nil
		}
	}
}

// Decode reads a message delivered by a consumer its caller manages
// itself (webhooks, which needs more than Consume offers). Any defect is
// ErrInvalidEvent.
func Decode(msg jetstream.Msg) (*Event, error) { return decodeMsg(msg) }

func decodeMsg(msg jetstream.Msg) (*Event, error) {
	md, err := msg.Metadata()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidEvent, err)
	}
	return decode(msg.Subject(), md.Sequence.Stream, md.Timestamp, msg.Headers(), msg.Data())
}

// decode turns a stored message into an Event. Any defect is
// ErrInvalidEvent.
func decode(subject string, seq uint64, stored time.Time, h nats.Header, data []byte) (*Event, error) {
	ev := &Event{Sequence: seq, Stored: stored, NATSSubject: subject}
	fail := func(format string, args ...any) (*Event, error) {
		return nil, fmt.Errorf("%w: %s seq %d id %q: %s", ErrInvalidEvent, subject, seq, ev.ID, fmt.Sprintf(format, args...))
	}
	attrs := map[string]*string{
		HeaderID: &ev.ID, HeaderType: &ev.Type, HeaderSource: &ev.Source,
		HeaderSubject: &ev.Subject, HeaderActor: &ev.Actor,
	}
	for name, dst := range attrs {
		v, err := decodeHeader(h.Get(name))
		if err != nil {
			return fail("%s: %v", name, err)
		}
		*dst = v
	}
	if v := h.Get(HeaderSpecVersion); v != specVersion {
		return fail("specversion %q", v)
	}
	if ev.ID == "" || ev.Type == "" || ev.Source == "" {
		return fail("missing ce-id, ce-type or ce-source")
	}
	if ct := h.Get(HeaderDataContentType); ct != contentTypeData {
		return fail("content type %q", ct)
	}
	t, err := time.Parse(time.RFC3339Nano, h.Get(HeaderTime))
	if err != nil {
		return fail("ce-time: %v", err)
	}
	ev.Time = t
	// Both the absolute URI and the scheme-less form written before it
	// name the message by its last path segment.
	schema, _ := decodeHeader(h.Get(HeaderDataSchema))
	mt, err := protoregistry.GlobalTypes.FindMessageByURL(schema)
	if err != nil {
		return fail("unknown schema %q", schema)
	}
	m := mt.New().Interface()
	if err := proto.Unmarshal(data, m); err != nil {
		return fail("payload: %v", err)
	}
	ev.Data = m
	// A trace context that does not decode is dropped, not fatal: tracing
	// never makes an event poison.
	ev.TraceParent, _ = decodeHeader(h.Get(HeaderTraceParent))
	if ev.TraceParent != "" {
		ev.TraceState, _ = decodeHeader(h.Get(HeaderTraceState))
	}
	return ev, nil
}

// Revision renders a revision for logs and error metadata.
func Revision(seq uint64) string { return strconv.FormatUint(seq, 10) }

// Purge removes the messages on subject, all but the last keep of them.
// It is how an aggregate is erased (legal removal): the owner writes a
// tombstone and purges everything before it.
func (s *Stream) Purge(ctx context.Context, subject string, keep uint64) error {
	opts := []jetstream.StreamPurgeOpt{jetstream.WithPurgeSubject(subject)}
	if keep > 0 {
		opts = append(opts, jetstream.WithPurgeKeep(keep))
	}
	ctx, cancel := bounded(ctx)
	defer cancel()
	if err := s.s.Purge(ctx, opts...); err != nil {
		return fmt.Errorf("events: purge %s: %w", subject, err)
	}
	return nil
}

// Subjects lists the subjects matching filter that hold messages.
func (s *Stream) Subjects(ctx context.Context, filter string) ([]string, error) {
	ctx, cancel := bounded(ctx)
	defer cancel()
	info, err := s.s.Info(ctx, jetstream.WithSubjectFilter(filter))
	if err != nil {
		return nil, fmt.Errorf("events: subjects %s: %w", filter, err)
	}
	out := make([]string, 0, len(info.State.Subjects))
	for subj := range info.State.Subjects {
		out = append(out, subj)
	}
	sort.Strings(out)
	return out, nil
}
