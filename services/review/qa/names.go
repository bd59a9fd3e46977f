package qa

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tandemnews/tandem/services/review/glossary"
)

// The names check: a glossary term marked as a person's or an
// organisation's name is written in full, in its case, spelling and word
// order. Later mentions may be shorter in English ("Chen said", "the
// university"); what is reported is a name cut short ("Shenzhen
// Polytechnic" for "Shenzhen Polytechnic University"), misspelt, turned
// round ("Wei Chen" for "Chen Wei"), written in the wrong case, or absent.

func (c *Checker) name(f *findings, u termUse) {
	term, h, t := u.term, u.first, f.seg.Target
	// A name matches with its case.
	exact := term
	exact.CaseSensitive = true
	occ := glossary.FindTarget(exact, t)
	for _, o := range occ {
		if o.RunTogether {
			f.add(CheckGlossaryJoined, Warning,
				fmt.Sprintf("the name %q runs into the word next to it: %q", o.Variant, around(t, o.Start, o.End)),
				f.target(o.Start, o.End))
		}
	}
	if len(occ) >= u.count {
		return
	}
	kind := term.Name.String() + "'s name"
	if term.Name == glossary.Organisation {
		kind = "organisation's name"
	}
	src := f.source(h.Start, h.End)
	wrong := 0
	for _, m := range nearMisses(exact, t, occ, u.count-len(occ), true) {
		wrong++
		how := "misspelt"
		if strings.EqualFold(m.text, m.variant) {
			how = "in the wrong case"
		}
		f.add(CheckName, Error, fmt.Sprintf("%q is the %s %s (%s), %s", m.text, kind, m.variant, term.Source, how), src, f.target(m.start, m.end))
		occ = append(occ, glossary.Occurrence{Variant: m.variant, Start: m.start, End: m.end})
	}
	for _, p := range partials(term, t, occ) {
		wrong++
		f.add(CheckName, Error, fmt.Sprintf("%q is the %s %s (%s), %s", p.text, kind, p.variant, term.Source, p.how), src, f.target(p.start, p.end))
	}
	if wrong == 0 && len(occ) == 0 {
		f.add(CheckName, Error,
			fmt.Sprintf("the %s %s is written %s in English, which the target does not use", kind, term.Source, quoteAll(term.Targets)), src)
	}
}

// partial is a run of a name's words that is not the name: some of its
// words only, or all of them in another order.
type partial struct {
	text, variant, how string
	start, end         int
}

// partials finds runs of two or more words of t, outside the name's
// occurrences, that are its words in another order, or a part of it in
// its order. One word alone ("Chen", "University") is how English refers
// to a name again, and is not reported.
func partials(term glossary.Term, t string, occ []glossary.Occurrence) []partial {
	ws := words(t)
	var out []partial
	used := func(start, end int) bool {
		if slices.ContainsFunc(occ, func(o glossary.Occurrence) bool { return start < o.End && o.Start < end }) {
			return true
		}
		return slices.ContainsFunc(out, func(p partial) bool { return start < p.end && p.start < end })
	}
	for _, v := range term.Targets {
		vw := wordTexts(v)
		n := len(vw)
		if n < 2 {
			continue
		}
		// All the words, turned round.
		for i := 0; i+n <= len(ws); i++ {
			got := wordTexts(t[ws[i].start:ws[i+n-1].end])
			if !used(ws[i].start, ws[i+n-1].end) && !slices.Equal(got, vw) && sameWords(got, vw) {
				out = append(out, partial{t[ws[i].start:ws[i+n-1].end], v, "with its words in another order", ws[i].start, ws[i+n-1].end})
			}
		}
		// The longest runs of its words in order, short of the whole.
		for k := n - 1; k >= 2; k-- {
			for i := 0; i+k <= len(ws); i++ {
				start, end := ws[i].start, ws[i+k-1].end
				if used(start, end) || !capitalised(ws[i].text) {
					continue
				}
				if j := subRun(vw, wordTexts(t[start:end])); j >= 0 {
					out = append(out, partial{t[start:end], v, "cut short", start, end})
				}
			}
		}
	}
	return out
}

func wordTexts(s string) []string {
	var out []string
	for _, w := range words(s) {
		out = append(out, w.text)
	}
	return out
}

func sameWords(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// subRun is where part occurs in whole as consecutive words, or -1.
func subRun(whole, part []string) int {
	for i := 0; i+len(part) <= len(whole); i++ {
		if slices.Equal(whole[i:i+len(part)], part) {
			return i
		}
	}
	return -1
}
