package qa

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hbollon/go-edlib"
	"github.com/tandemnews/tandem/services/review/glossary"
)

// The glossary checks: required renderings, forbidden ones, and near
// misses of a term.

func (c *Checker) glossary(f *findings) {
	if c.Glossary == nil {
		return
	}
	t := f.seg.Target
	seen := map[string]bool{}
	for _, h := range c.Glossary.InSource(f.seg.Source) {
		term := h.Term
		if seen[term.Key()] {
			continue
		}
		seen[term.Key()] = true
		occ := glossary.FindTarget(term, t)
		if term.Forbidden {
			c.forbidden(f, term, occ)
			continue
		}
		for _, o := range occ {
			if o.RunTogether {
				f.add(CheckGlossaryJoined, Warning,
					fmt.Sprintf("the glossary term %q runs into the word next to it: %q", o.Variant, around(t, o.Start, o.End)),
					f.target(o.Start, o.End))
			}
		}
		if len(occ) > 0 {
			continue
		}
		if word, start, end, ok := nearMiss(term, t); ok {
			f.add(CheckGlossaryNearMiss, Warning,
				fmt.Sprintf("%q looks like a misspelling of the glossary term %q (for %s)", word, term.Targets[0], term.Source),
				f.source(h.Start, h.End), f.target(start, end))
			continue
		}
		f.add(CheckGlossaryMissing, Warning,
			fmt.Sprintf("the glossary translates %s as %s, which the target does not use", term.Source, quoteAll(term.Targets)),
			f.source(h.Start, h.End))
	}
	for _, term := range c.Glossary.Everywhere() {
		c.forbidden(f, term, glossary.FindTarget(term, t))
	}
}

func (c *Checker) forbidden(f *findings, term glossary.Term, occ []glossary.Occurrence) {
	for _, o := range occ {
		if o.RunTogether {
			continue
		}
		msg := fmt.Sprintf("%q is a forbidden term", o.Variant)
		if term.Note != "" {
			msg += ": " + term.Note
		}
		f.add(CheckGlossaryForbid, Error, msg, f.target(o.Start, o.End))
	}
}

func quoteAll(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, " or ")
}

// around is the word an occurrence is glued into.
func around(t string, start, end int) string {
	for start > 0 {
		r, size := utf8.DecodeLastRuneInString(t[:start])
		if unicode.IsSpace(r) {
			break
		}
		start -= size
	}
	for end < len(t) {
		r, size := utf8.DecodeRuneInString(t[end:])
		if unicode.IsSpace(r) {
			break
		}
		end += size
	}
	return strings.Trim(t[start:end], ".,;:!?\"'()")
}

// word is a run of letters, digits, apostrophes and hyphens, with its byte
// offsets.
type word struct {
	text       string
	start, end int
}

func words(s string) []word {
	var out []word
	start := -1
	for i, r := range s {
		in := unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'' || r == '-'
		switch {
		case in && start < 0:
			start = i
		case !in && start >= 0:
			out = append(out, word{s[start:i], start, i})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, word{s[start:], start, len(s)})
	}
	return out
}

// nearMiss looks for a run of words in t as long as one of the term's
// variants and within a small edit distance of it: one edit for a variant
// up to 8 letters, two beyond.
func nearMiss(term glossary.Term, t string) (string, int, int, bool) {
	ws := words(t)
	for _, v := range term.Targets {
		n := len(words(v))
		if n == 0 || utf8.RuneCountInString(v) < 4 {
			continue
		}
		limit := 1
		if utf8.RuneCountInString(v) > 8 {
			limit = 2
		}
		want := strings.ToLower(v)
		for i := 0; i+n <= len(ws); i++ {
			start, end := ws[i].start, ws[i+n-1].end
			got := strings.ToLower(t[start:end])
			if d := edlib.OSADamerauLevenshteinDistance(got, want); d > 0 && d <= limit {
				return t[start:end], start, end, true
			}
		}
	}
	return "", 0, 0, false
}

// fullWidth is Chinese punctuation that has no place in English text.
