package desk

import (
	"net/http"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tandemnews/tandem/services/desk/label"
)

// sentence is what a person reads for an error of a call: never a status
// code. The services' own messages are English sentences that name the
// thing concerned; the desk shows them under a sentence of its own in
// the reader's language where the kind of error says more than the
// message (a service down, a forbidden action).
func sentence(lang label.Lang, err error) string {
	st, _ := status.FromError(err)
	switch st.Code() {
	case codes.OK:
		return ""
	case codes.Unavailable, codes.DeadlineExceeded:
		return lang.T("error.unavailable")
	case codes.PermissionDenied:
		return lang.T("error.forbidden") + " (" + st.Message() + ")"
	case codes.Unauthenticated:
		return lang.T("error.signedout")
	case codes.NotFound:
		return lang.T("error.notfound") + " (" + st.Message() + ")"
	case codes.Aborted:
		return lang.T("error.conflict")
	case codes.ResourceExhausted:
		return lang.T("error.busy")
	case codes.Internal, codes.Unknown, codes.DataLoss, codes.Unimplemented:
		return lang.T("error.internal")
	case codes.Canceled:
		return lang.T("error.canceled")
	}
	// InvalidArgument, FailedPrecondition, AlreadyExists, OutOfRange:
	// the service's sentence says what is wrong and how to put it right.
	return st.Message()
}

// fieldErrors are the field violations of an InvalidArgument error, by
// field path; an error without any yields the whole sentence under "".
func fieldErrors(lang label.Lang, err error) map[string]string {
	m := map[string]string{}
	st, _ := status.FromError(err)
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.GetFieldViolations() {
				if m[v.GetField()] != "" {
					m[v.GetField()] += "; "
				}
				m[v.GetField()] += v.GetDescription()
			}
		}
	}
	if len(m) == 0 {
		m[""] = sentence(lang, err)
	}
	return m
}

// httpStatus is the HTTP status of a page that shows err.
func httpStatus(err error) int {
	switch status.Code(err) {
	case codes.InvalidArgument, codes.FailedPrecondition, codes.OutOfRange:
		return http.StatusBadRequest
	case codes.NotFound:
		return http.StatusNotFound
	case codes.PermissionDenied:
		return http.StatusForbidden
	case codes.Aborted, codes.AlreadyExists:
		return http.StatusConflict
	case codes.ResourceExhausted:
		return http.StatusTooManyRequests
	case codes.Unauthenticated:
		return http.StatusUnauthorized
	}
	return http.StatusServiceUnavailable
}
