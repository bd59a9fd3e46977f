package qa

import (
	"cmp"
	"fmt"
	"slices"
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
	for _, u := range termUses(c.Glossary.InSource(f.seg.Source)) {
		term, h := u.term, u.first
		occ := glossary.FindTarget(term, t)
		if term.Forbidden {
			c.forbidden(f, term, occ)
			continue
		}
		if term.Name != glossary.NotName {
			c.name(f, u)
			continue
		}
		for _, o := range occ {
			if o.RunTogether {
				f.add(CheckGlossaryJoined, Warning,
					fmt.Sprintf("the glossary term %q runs into the word next to it: %q", o.Variant, around(t, o.Start, o.End)),
					f.target(o.Start, o.End))
			}
		}
		if len(occ) >= u.count {
			continue
		}
		misses := nearMisses(term, t, occ, u.count-len(occ), false)
		for _, m := range misses {
			f.add(CheckGlossaryNearMiss, Warning,
				fmt.Sprintf("%q is probably the glossary term %q (for %s), misspelt", m.text, m.variant, term.Source),
				f.source(h.Start, h.End), f.target(m.start, m.end))
		}
		if len(occ) == 0 && len(misses) == 0 {
			f.add(CheckGlossaryMissing, Warning,
				fmt.Sprintf("the glossary translates %s as %s, which the target does not use", term.Source, quoteAll(term.Targets)),
				f.source(h.Start, h.End))
		}
	}
	for _, term := range c.Glossary.Everywhere() {
		c.forbidden(f, term, glossary.FindTarget(term, t))
	}
}

// termUse is a term of the source with how often the source uses it and
// where first.
type termUse struct {
	term  glossary.Term
	first glossary.Hit
	count int
}

// termUses groups the hits of a source by term, in the order the terms
// first occur.
func termUses(hits []glossary.Hit) []termUse {
	var out []termUse
	at := map[string]int{}
	for _, h := range hits {
		k := h.Term.Key()
		if i, ok := at[k]; ok {
			out[i].count++
			continue
		}
		at[k] = len(out)
		out = append(out, termUse{term: h.Term, first: h, count: 1})
	}
	return out
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

// miss is a run of words of the target that is probably a variant of a
// term, written wrong.
type miss struct {
	text, variant string
	start, end    int
	distance      int
}

// maxEdits is how many edits (insertions, deletions, substitutions and
// transpositions of neighbours) a word may be from a variant of n letters
// and still be taken for it: none below 4 letters, where too many words are
// that close; one up to 6; two from 7.
func maxEdits(n int) int {
	switch {
	case n < 4:
		return 0
	case n < 7:
		return 1
	}
	return 2
}

// nearMisses finds up to want runs of whole words of t, outside the
// occurrences the term has already, that are within a few edits of one of
// its variants, case aside: the renderings of the term that went wrong.
// The closest come first. With caseOnly, a run that differs from a
// variant in case only counts too.
func nearMisses(term glossary.Term, t string, occ []glossary.Occurrence, want int, caseOnly bool) []miss {
	ws := words(t)
	taken := func(start, end int) bool {
		for _, o := range occ {
			if start < o.End && o.Start < end {
				return true
			}
		}
		return false
	}
	var found []miss
	for _, v := range term.Targets {
		n := len(words(v))
		limit := maxEdits(utf8.RuneCountInString(v))
		if n == 0 || limit == 0 {
			continue
		}
		lv := strings.ToLower(v)
		for i := 0; i+n <= len(ws); i++ {
			start, end := ws[i].start, ws[i+n-1].end
			if taken(start, end) {
				continue
			}
			got := t[start:end]
			d := edlib.OSADamerauLevenshteinDistance(strings.ToLower(got), lv)
			if d > limit || (d == 0 && (!caseOnly || got == v)) {
				continue
			}
			found = append(found, miss{text: got, variant: v, start: start, end: end, distance: d})
		}
	}
	slices.SortStableFunc(found, func(a, b miss) int { return cmp.Compare(a.distance, b.distance) })
	var out []miss
	for _, m := range found {
		if len(out) == want {
			break
		}
		if slices.ContainsFunc(out, func(o miss) bool { return m.start < o.end && o.start < m.end }) {
			continue
		}
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b miss) int { return cmp.Compare(a.start, b.start) })
	return out
}
