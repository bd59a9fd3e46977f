package main

import (
	"errors"
	"fmt"
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// describe turns a gRPC status into plain sentences, naming each field.
func describe(err error) error {
	st, ok := status.FromError(err)
	if err == nil || !ok {
		return err
	}
	var b strings.Builder
	switch st.Code() {
	case codes.InvalidArgument:
		b.WriteString("the request was not accepted:")
	case codes.Unauthenticated:
		b.WriteString("not signed in: " + st.Message() + " (check TANDEM_TOKEN)")
	case codes.PermissionDenied:
		b.WriteString("not allowed: " + st.Message())
	case codes.NotFound:
		b.WriteString(st.Message())
	case codes.Aborted:
		b.WriteString("someone else changed it first: " + st.Message())
	case codes.FailedPrecondition:
		b.WriteString("not possible yet: " + st.Message())
	case codes.Unavailable:
		b.WriteString("Tandem is not reachable (" + st.Message() + "); is `tandem dev` running?")
	default:
		b.WriteString(st.Code().String() + ": " + st.Message())
	}
	for _, d := range st.Details() {
		switch d := d.(type) {
		case *errdetails.BadRequest:
			for _, v := range d.FieldViolations {
				fmt.Fprintf(&b, "\n  - %s %s", v.Field, v.Description)
			}
		case *errdetails.ErrorInfo:
			fmt.Fprintf(&b, "\n  (reason %s)", d.Reason)
		}
	}
	return errors.New(b.String())
}
