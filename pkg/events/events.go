// Package events publishes and consumes Tandem's article events on NATS
// JetStream.
//
// Every event is one JetStream message whose payload is a protobuf message
// from tandem.events.v1 and whose headers are the CloudEvents binary-mode
// attributes (ce-specversion, ce-id, ce-type, ce-source, ce-time,
// ce-subject, ce-datacontenttype, ce-dataschema) plus the ce-actor
// extension and, when the writer was traced, the distributed-tracing
// extension (ce-traceparent, ce-tracestate), their values percent-encoded as the CloudEvents NATS binding
// says. Nats-Msg-Id equals ce-id, so a retried publish is stored once.
//
// Each aggregate lives on its own subject, and the stream sequence of its
// last message is its revision: Last reads the current state, Publish with
// ExpectRevision writes the next one or fails with ErrConflict.
//
// Everything here works with NATS Server 2.9 and later: it uses message
// get (a direct get on a single-replica stream, else from the stream
// leader), the per-subject expected sequence header and single-subject
// consumer filters, and nothing newer.
package events

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"
)

// CloudEvents binary-mode header names, and the Tandem extension for the
// actor.
const (
	HeaderSpecVersion     = "ce-specversion"
	HeaderID              = "ce-id"
	HeaderType            = "ce-type"
	HeaderSource          = "ce-source"
	HeaderTime            = "ce-time"
	HeaderSubject         = "ce-subject"
	HeaderDataContentType = "ce-datacontenttype"
	HeaderDataSchema      = "ce-dataschema"
	HeaderActor           = "ce-actor"

	specVersion     = "1.0"
	contentTypeData = "application/protobuf"
	// SchemaPrefix starts every ce-dataschema: an absolute URI whose last
	// path segment is the payload's full protobuf name, the form
	// google.protobuf.Any uses for type URLs.
	SchemaPrefix = "https://type.googleapis.com/"
)

// SchemaURI is the ce-dataschema of a payload.
func SchemaURI(m proto.Message) string {
	return SchemaPrefix + string(m.ProtoReflect().Descriptor().FullName())
}

var (
	// ErrConflict means the subject's last sequence was not the expected
	// revision: somebody else wrote first. Services answer codes.Aborted.
	ErrConflict = errors.New("events: revision conflict")
	// ErrNotFound means the subject (or the sequence) holds no message.
	ErrNotFound = errors.New("events: not found")
	// ErrTooLarge means an event's payload is larger than the NATS server
	// accepts (Stream.MaxEventBytes): nothing was written. Services size
	// their limits so that what they accept fits, and answer this, should
	// it happen, as InvalidArgument.
	ErrTooLarge = errors.New("events: event larger than the server accepts")
	// ErrInvalidEvent means a message is not a well-formed Tandem event: a
	// header is missing or the payload does not decode. Consumers terminate
	// such messages instead of retrying them.
	ErrInvalidEvent = errors.New("events: invalid event")
)

// Event is one Tandem event: the CloudEvents attributes and the protobuf
// payload, plus where the stream stored it once read.
type Event struct {
	// ID is unique per event and doubles as the Nats-Msg-Id. Generated when
	// empty.
	ID string
	// Type is a reverse-DNS type such as DraftCreated.
	Type string
	// Source names the producing service, e.g. "/tandem/drafting".
	Source string
	// Subject is the aggregate's id, usually the article id.
	Subject string
	// Time is when the change happened. Set to now when zero.
	Time time.Time
	// Actor is the user id of whoever made the change.
	Actor string
	// Data is the payload.
	Data proto.Message

	// Sequence is the stream sequence the event was stored at. Set when
	// read; it is the aggregate's revision.
	Sequence uint64
	// Stored is when the server stored the message. Set when read.
	Stored time.Time
	// NATSSubject is the subject the message was stored on. Set when read.
	NATSSubject string
	// TraceParent and TraceState are the W3C trace context of the call
	// that wrote the event (ce-traceparent, ce-tracestate), empty when it
	// was not traced. Set when read; Publish writes the trace context of
	// its ctx instead.
	TraceParent string
	TraceState  string
}

// validate checks the attributes a producer must set.
func (e *Event) validate() error {
	var missing []string
	if e.Type == "" {
		missing = append(missing, "type")
	}
	if e.Source == "" {
		missing = append(missing, "source")
	}
	if e.Subject == "" {
		missing = append(missing, "subject")
	}
	if e.Actor == "" {
		missing = append(missing, "actor")
	}
	if e.Data == nil {
		missing = append(missing, "data")
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: missing %s", ErrInvalidEvent, strings.Join(missing, ", "))
	}
	return nil
}

// Token makes s safe as one subject token: '.', '*', '>' and white space
// are not allowed there. Article ids are ULIDs and pass unchanged.
func Token(s string) (string, error) {
	if s == "" || strings.ContainsAny(s, ".*> \t\r\n") {
		return "", fmt.Errorf("events: %q is not a valid subject token", s)
	}
	return s, nil
}
