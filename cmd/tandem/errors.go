package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// callTimeout is how long a verb waits for Tandem's answer.
const callTimeout = 30 * time.Second

// describe turns a gRPC status into plain sentences, naming each field.
func describe(err error) error { return describeCall("", err) }

// describeCall is describe for the answer of Tandem at addr, or its
// silence: a call that found nobody, or no answer within callTimeout,
// names the address it tried; one that found nobody also names the
// setting that changes it.
func describeCall(addr string, err error) error {
	st, ok := status.FromError(err)
	if err == nil || !ok {
		return err
	}
	tandem := "Tandem"
	if addr != "" {
		tandem += " at " + addr
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
		b.WriteString(tandem + " is not available (" + st.Message() + "); is `tandem dev` (or `tandem serve`) running, and its NATS server? Try again when it is")
		if addr != "" {
			b.WriteString(". If it runs elsewhere, set TANDEM_ADDR or --addr to its gRPC address (`tandem dev` prints it)")
		}
	case codes.DeadlineExceeded:
		fmt.Fprintf(&b, "%s did not answer within %v: it, or the NATS server it stores events in, may be stalled; check that `tandem dev` (or `tandem serve`) and NATS are running, then try again", tandem, callTimeout)
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
