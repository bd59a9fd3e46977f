package rpc

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/field"
	errorsv1 "github.com/tandemnews/tandem/proto/tandem/errors/v1"
)

var errWithdrawn = errors.New("the draft is withdrawn")

type localeErr struct{ locale string }

func (e localeErr) Error() string               { return e.locale + " is not published" }
func (e localeErr) Unwrap() error               { return errLocale }
func (e localeErr) Metadata() map[string]string { return map[string]string{"locale": e.locale} }

var errLocale = errors.New("locale missing")

var table = Errors{
	{Err: errWithdrawn, Code: codes.FailedPrecondition, Reason: errorsv1.ErrorReason_ERROR_REASON_DRAFT_WITHDRAWN},
	{Err: errLocale, Code: codes.FailedPrecondition, Reason: errorsv1.ErrorReason_ERROR_REASON_LOCALE_MISSING},
	{Err: context.Canceled, Code: codes.Canceled},
}

func TestErrorsMapDomainErrorsWithReasonAndMetadata(t *testing.T) {
	st := status.Convert(table.Status(fmt.Errorf("submit: %w", errWithdrawn), "draft A"))
	if st.Code() != codes.FailedPrecondition || st.Message() != "submit: the draft is withdrawn" {
		t.Fatalf("status = %v %q", st.Code(), st.Message())
	}
	info := st.Details()[0].(*errdetails.ErrorInfo)
	if info.Reason != "DRAFT_WITHDRAWN" || info.Domain != ErrorDomain || len(info.Metadata) != 0 {
		t.Fatalf("info = %v", info)
	}
	st = status.Convert(table.Status(localeErr{"en"}, "x"))
	info = st.Details()[0].(*errdetails.ErrorInfo)
	if st.Code() != codes.FailedPrecondition || info.Reason != "LOCALE_MISSING" || info.Metadata["locale"] != "en" {
		t.Fatalf("status = %v, info %v", st, info)
	}
	st = status.Convert(table.Status(context.Canceled, "x"))
	if st.Code() != codes.Canceled || len(st.Details()) != 0 {
		t.Fatalf("a rule without a reason = %v with %d details", st.Code(), len(st.Details()))
	}
}

func TestErrorsTurnFieldErrorsIntoBadRequest(t *testing.T) {
	var v field.Violations
	v.Add("article.title", "is required")
	v.Add("article.date", "is not a date")
	st := status.Convert(table.Status(v.Err(), "x"))
	if st.Code() != codes.InvalidArgument {
		t.Fatalf("code = %v", st.Code())
	}
	br := st.Details()[0].(*errdetails.BadRequest)
	if len(br.FieldViolations) != 2 || br.FieldViolations[1].Field != "article.date" || br.FieldViolations[1].Description != "is not a date" {
		t.Fatalf("violations = %v", br.FieldViolations)
	}
	var rv Violations
	if rv.Err() != nil {
		t.Fatal("no violations must be no error")
	}
	rv.Add("id", "is required")
	if s := status.Convert(rv.Err()); s.Code() != codes.InvalidArgument || s.Details()[0].(*errdetails.BadRequest).FieldViolations[0].Field != "id" {
		t.Fatalf("rpc.Violations = %v", s)
	}
}

func TestStoreMapsTheEventStore(t *testing.T) {
	if Store(nil, "x") != nil || table.Status(nil, "x") != nil {
		t.Fatal("no error must stay no error")
	}
	given := status.Error(codes.PermissionDenied, "no")
	if Store(given, "x") != given {
		t.Fatal("a status passes through")
	}
	st := status.Convert(Store(&events.ConflictError{Subject: "s", Expected: 3, Current: 7}, "draft A"))
	info := st.Details()[0].(*errdetails.ErrorInfo)
	if st.Code() != codes.Aborted || info.Reason != "REVISION_CONFLICT" || info.Metadata["current_revision"] != "7" {
		t.Fatalf("conflict = %v %v", st, info)
	}
	for err, want := range map[error]codes.Code{
		fmt.Errorf("x: %w", events.ErrNotFound): codes.NotFound,
		context.Canceled:                        codes.Canceled,
		context.DeadlineExceeded:                codes.Unavailable,
		errors.New("disk on fire"):              codes.Internal,
	} {
		if got := status.Code(Store(err, "draft A")); got != want {
			t.Errorf("Store(%v) = %v, want %v", err, got, want)
		}
	}
	if m := status.Convert(Store(events.ErrNotFound, "draft A")).Message(); m != "draft A not found" {
		t.Errorf("not found message = %q", m)
	}
	if m := status.Convert(InvalidField("id", "is %s", "required")).Message(); m != "invalid request: id: is required" {
		t.Errorf("InvalidField message = %q", m)
	}
}
