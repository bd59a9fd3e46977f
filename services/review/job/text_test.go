package job

import (
	"slices"
	"testing"

	"github.com/tandemnews/tandem/pkg/field"
)

func TestNotesRefuseControlAndBidiCharacters(t *testing.T) {
	for _, c := range []struct {
		name  string
		input interface{ Validate(*field.Violations) }
		want  []string // the fields violated; nil when accepted
	}{
		{"a comment over lines", Note{Segment: "b1.1", Text: "Check the name:\n\t- spelling"}, nil},
		{"a comment with an escape", Note{Segment: "b1.1", Text: "ok\x1b[2J"}, []string{"text"}},
		{"a comment with an override", Note{Segment: "b1.1", Text: "\u202egnirts"}, []string{"text"}},
		{"a dismissal reason", Dismissal{Segment: "b1.1", Check: "glossary", Reason: "a proper name"}, nil},
		{"a dismissal reason over lines", Dismissal{Segment: "b1.1", Check: "glossary", Reason: "a\nb"}, []string{"reason"}},
		{"a dismissal reason with an isolate", Dismissal{Segment: "b1.1", Check: "glossary", Reason: "\u2066x\u2069"}, []string{"reason"}},
		{"a change request over lines", ChangeRequest{Comment: "Please fix:\n1. the title"}, nil},
		{"a change request with a NUL", ChangeRequest{Comment: "fix\x00"}, []string{"comment"}},
		{"an override reason", Approval{OverrideReason: "names checked by the desk"}, nil},
		{"an override reason with a bell", Approval{OverrideReason: "ok\a"}, []string{"override_reason"}},
		{"an override reason with an override", Approval{OverrideReason: "\u202dok"}, []string{"override_reason"}},
		{"a target over lines", Edit{Segment: "b1.1", Target: "one\ntwo"}, nil},
		{"a target with an escape", Edit{Segment: "b1.1", Target: "\x1b]0;x\a"}, []string{"target"}},
		{"a target with an override", Edit{Segment: "b1.1", Target: "\u202ex"}, []string{"target"}},
	} {
		var v field.Violations
		c.input.Validate(&v)
		if got := slices.Compact(v.Fields()); !slices.Equal(got, c.want) {
			t.Errorf("%s: violations %v, want %v", c.name, got, c.want)
		}
	}
}
