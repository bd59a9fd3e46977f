package rpc

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"

	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/field"
	errorsv1 "github.com/tandemnews/tandem/proto/tandem/errors/v1"
)

// ErrorDomain is the google.rpc.ErrorInfo domain of Tandem's errors.
const ErrorDomain = "tandem"

// Violations collects every problem with a request before answering, so
// the caller learns all of them at once. It is field.Violations whose Err
// is already the InvalidArgument status, for checks made in a transport.
type Violations struct{ field.Violations }

// Err is nil without violations, else InvalidArgument with a BadRequest
// detail listing them all.
func (v *Violations) Err() error {
	err := v.Violations.Err()
	if err == nil {
		return nil
	}
	return badRequest(err.(*field.Error))
}

// InvalidField is InvalidArgument for one field.
func InvalidField(field, format string, args ...any) error {
	var v Violations
	v.Add(field, format, args...)
	return v.Err()
}

// Reason returns the ErrorInfo reason string of r: its enum name without
// the ERROR_REASON_ prefix.
func Reason(r errorsv1.ErrorReason) string {
	return strings.TrimPrefix(r.String(), "ERROR_REASON_")
}

// Precondition is FailedPrecondition with an ErrorInfo carrying reason and
// metadata (pairs of key, value).
func Precondition(r errorsv1.ErrorReason, msg string, kv ...string) error {
	return reasoned(codes.FailedPrecondition, r, msg, kv...)
}

// Conflict is Aborted with reason REVISION_CONFLICT and the current
// revision, so the caller knows what to re-read.
func Conflict(subject string, current uint64) error {
	return reasoned(codes.Aborted, errorsv1.ErrorReason_ERROR_REASON_REVISION_CONFLICT,
		fmt.Sprintf("%s was changed by someone else: the current revision is %d; read it again and reapply your change", subject, current),
		"current_revision", events.Revision(current))
}

func reasoned(c codes.Code, r errorsv1.ErrorReason, msg string, kv ...string) error {
	md := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		md[kv[i]] = kv[i+1]
	}
	return withDetails(status.New(c, msg), &errdetails.ErrorInfo{Reason: Reason(r), Domain: ErrorDomain, Metadata: md})
}

func withDetails(st *status.Status, detail protoadapt.MessageV1) error {
	withd, err := st.WithDetails(detail)
	if err != nil {
		return st.Err() // cannot happen: the details are well-formed protos
	}
	return withd.Err()
}

// Store maps an error from the event store to a status: a revision
// conflict is Aborted with the current revision, not found is NotFound, a lost connection or timeout is Unavailable (safe to retry),
// anything else Internal. Errors that already are statuses pass through.
func Store(err error, what string) error { return Errors(nil).Status(err, what) }

// storeStatus maps what no table knows: event store errors, outages, and
// everything else as Internal.
func storeStatus(err error, what string) error {
	var c *events.ConflictError
	if errors.As(err, &c) {
		return Conflict(what, c.Current)
	}
	// A JetStream cluster electing a leader answers 503 (temporarily
	// unavailable): retrying is safe, as for a lost connection.
	var api *jetstream.APIError
	if errors.As(err, &api) && api.Code == 503 {
		return status.Errorf(codes.Unavailable, "event store unavailable, retry: %v", err)
	}
	switch {
	case errors.Is(err, events.ErrTooLarge):
		return InvalidField("request", "%s would be larger than the event store takes (%v); make it shorter", what, err)
	case errors.Is(err, events.ErrNotFound):
		return status.Errorf(codes.NotFound, "%s not found", what)
	case errors.Is(err, context.Canceled):
		return status.Error(codes.Canceled, "request cancelled")
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, nats.ErrTimeout),
		errors.Is(err, nats.ErrNoResponders), errors.Is(err, nats.ErrConnectionClosed),
		errors.Is(err, nats.ErrDisconnected), errors.Is(err, nats.ErrConnectionReconnecting),
		errors.Is(err, nats.ErrReconnectBufExceeded), errors.Is(err, nats.ErrNoServers),
		errors.Is(err, jetstream.ErrNoStreamResponse), errors.Is(err, jetstream.ErrJetStreamNotEnabled):
		return status.Errorf(codes.Unavailable, "event store unavailable, retry: %v", err)
	}
	return status.Errorf(codes.Internal, "%s: %v", what, err)
}

// Rule maps one domain error, matched with errors.Is, to a status code
// and, optionally, the google.rpc.ErrorInfo reason a client branches on.
type Rule struct {
	Err    error
	Code   codes.Code
	Reason errorsv1.ErrorReason
}

// Errors is a service's table of domain errors: the one place where its
// rules' sentinel errors become gRPC statuses.
type Errors []Rule

// metadata is what a domain error implements to add ErrorInfo metadata
// (for example the locale that is missing).
type metadata interface{ Metadata() map[string]string }

// Status turns any error a handler meets into a status: statuses pass
// through; a *field.Error is InvalidArgument with every field violation;
// a domain error in the table gets its code, reason and message (plus the
// metadata of an error that has some); anything else is mapped as Store
// maps event store errors, with what naming the thing concerned.
func (t Errors) Status(err error, what string) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	var fe *field.Error
	if errors.As(err, &fe) {
		return badRequest(fe)
	}
	for _, r := range t {
		if !errors.Is(err, r.Err) {
			continue
		}
		if r.Reason == errorsv1.ErrorReason_ERROR_REASON_UNSPECIFIED {
			return status.Error(r.Code, err.Error())
		}
		var kv []string
		var m metadata
		if errors.As(err, &m) {
			for k, v := range m.Metadata() {
				kv = append(kv, k, v)
			}
		}
		return reasoned(r.Code, r.Reason, err.Error(), kv...)
	}
	return storeStatus(err, what)
}

func badRequest(fe *field.Error) error {
	list := make([]*errdetails.BadRequest_FieldViolation, len(fe.Violations))
	for i, f := range fe.Violations {
		list[i] = &errdetails.BadRequest_FieldViolation{Field: f.Field, Description: f.Description}
	}
	return withDetails(status.New(codes.InvalidArgument, fe.Error()), &errdetails.BadRequest{FieldViolations: list})
}
