// Package field collects what is wrong with the fields of a request, so
// that domain code can report every problem at once without knowing how
// it reaches the caller. The gRPC transport turns an *Error into
// InvalidArgument with google.rpc.BadRequest field violations (pkg/rpc).
package field

import (
	"fmt"
	"strings"
)

// Violation is one wrong field.
type Violation struct {
	// Field is a proto path, e.g. `article.locales["en"].title`.
	Field string
	// Description says what is wrong with it.
	Description string
}

// Violations collects every problem with a request before answering, so
// the caller learns all of them at once. The zero value is ready to use.
type Violations struct {
	list []Violation
}

// Add records that field is wrong, and why.
func (v *Violations) Add(field, format string, args ...any) {
	v.list = append(v.list, Violation{Field: field, Description: fmt.Sprintf(format, args...)})
}

// Len is the number of violations.
func (v *Violations) Len() int { return len(v.list) }

// Fields lists the violated fields in the order they were added.
func (v *Violations) Fields() []string {
	out := make([]string, len(v.list))
	for i, f := range v.list {
		out[i] = f.Field
	}
	return out
}

// Err is nil without violations, else an *Error listing them all.
func (v *Violations) Err() error {
	if len(v.list) == 0 {
		return nil
	}
	return &Error{Violations: append([]Violation(nil), v.list...)}
}

// Error is a request with wrong fields.
type Error struct {
	Violations []Violation
}

func (e *Error) Error() string {
	msgs := make([]string, len(e.Violations))
	for i, f := range e.Violations {
		msgs[i] = f.Field + ": " + f.Description
	}
	return "invalid request: " + strings.Join(msgs, "; ")
}

// Invalid is an *Error for one field.
func Invalid(field, format string, args ...any) error {
	var v Violations
	v.Add(field, format, args...)
	return v.Err()
}
