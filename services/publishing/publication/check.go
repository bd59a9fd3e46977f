package publication

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/tandemnews/tandem/pkg/field"
	"github.com/tandemnews/tandem/pkg/siteconfig"
)

// MaxNoteRunes bounds a correction note and a takedown reason.
const MaxNoteRunes = 500

// Check validates the article id and the locales of a request to verb
// ("publish", "correct", ...) an article, and returns the collector so
// the caller can add the checks of its own fields.
func Check(id string, locales []string, verb string) *field.Violations {
	var v field.Violations
	if strings.TrimSpace(id) == "" {
		v.Add("article_id", "is required")
	}
	if len(locales) == 0 {
		v.Add("locales", "name at least one locale to %s: zh-CN, en", verb)
	}
	for i, l := range locales {
		if !slices.Contains(siteconfig.Locales, l) {
			v.Add(fmt.Sprintf("locales[%d]", i), "%q is not a locale the site publishes (zh-CN, en)", l)
		} else if slices.Index(locales, l) != i {
			v.Add(fmt.Sprintf("locales[%d]", i), "%q is listed twice", l)
		}
	}
	return &v
}

// CheckNote validates a public note (a correction's note, a takedown's
// reason) held in the request field name: readers see it, so it must
// say something, stay short and be one line of plain text.
func CheckNote(v *field.Violations, name, note string) {
	if p := field.Line.Problem(note); p != "" {
		v.Add(name, "%s", p)
		return
	}
	n := utf8.RuneCountInString(strings.TrimSpace(note))
	if field.Blank(note) {
		v.Add(name, "is required")
	} else if n > MaxNoteRunes {
		v.Add(name, "is %d characters; at most %d", n, MaxNoteRunes)
	}
}
