package desk

import (
	"cmp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

// piece is a run of a segment's text as the side-by-side shows it:
// plain, or marked with a class and a title (a finding's message, a
// glossary term's required English).
type piece struct {
	Text, Class, Title string
}

// mark is a range of characters (code points) to mark.
type mark struct {
	Start, End   int
	Class, Title string
}

// marked cuts text into pieces at the marks' edges; where marks overlap,
// the first given wins. Marks outside the text are clipped.
func marked(text string, marks []mark) []piece {
	rs := []rune(text)
	edges := []int{0, len(rs)}
	for _, m := range marks {
		edges = append(edges, clamp(m.Start, len(rs)), clamp(m.End, len(rs)))
	}
	sort.Ints(edges)
	var out []piece
	for i := 0; i+1 < len(edges); i++ {
		a, b := edges[i], edges[i+1]
		if a == b {
			continue
		}
		p := piece{Text: string(rs[a:b])}
		for _, m := range marks {
			if m.Start <= a && b <= m.End {
				p.Class, p.Title = m.Class, m.Title
				break
			}
		}
		if n := len(out); n > 0 && out[n-1].Class == p.Class && out[n-1].Title == p.Title {
			out[n-1].Text += p.Text
			continue
		}
		out = append(out, p)
	}
	return out
}

func clamp(n, hi int) int { return min(max(n, 0), hi) }

// findingMarks are the ranges the findings point at on one side, in the
// order of severity (errors first, so they win where ranges overlap).
func findingMarks(fs []*reviewv1.Finding, side reviewv1.Side) []mark {
	var out []mark
	for _, f := range fs {
		if f.GetDismissed() {
			continue
		}
		sev := enumKey(f.GetSeverity().String(), "SEVERITY_")
		for _, s := range f.GetSpans() {
			if s.GetSide() == side && s.GetEnd() > s.GetStart() {
				out = append(out, mark{Start: int(s.GetStart()), End: int(s.GetEnd()), Class: "mark-" + sev, Title: f.GetMessage()})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return sevRank(out[i].Class) < sevRank(out[j].Class) })
	return out
}

func sevRank(class string) int {
	switch class {
	case "mark-error":
		return 0
	case "mark-warning":
		return 1
	}
	return 2
}

// glossaryTerm is a source term and the English it requires.
type glossaryTerm struct{ Source, Required string }

// glossaryTerms are the terms the side-by-side marks, longest first, so
// that a longer term wins over one inside it, and the indexes of those
// that begin with each character.
type glossaryTerms struct {
	list  []glossaryTerm
	first map[rune][]int
}

// termsOf are the glossary's ordinary terms with their preferred English.
func termsOf(ts []*reviewv1.Term) glossaryTerms {
	var out glossaryTerms
	for _, t := range ts {
		if t.GetForbidden() || t.GetSource() == "" || len(t.GetTargets()) == 0 {
			continue
		}
		out.list = append(out.list, glossaryTerm{Source: t.GetSource(), Required: strings.Join(t.GetTargets(), " / ")})
	}
	sort.SliceStable(out.list, func(i, j int) bool {
		return utf8.RuneCountInString(out.list[i].Source) > utf8.RuneCountInString(out.list[j].Source)
	})
	out.first = map[rune][]int{}
	for i, t := range out.list {
		r, _ := utf8.DecodeRuneInString(t.Source)
		out.first[r] = append(out.first[r], i)
	}
	return out
}

// termMarks are the places the terms occur in the source, without
// overlaps, in characters (code points): where two overlap, the one
// earlier in terms wins. A glossary has hundreds of terms and a job
// hundreds of segments, so the source is read once, trying at each
// character only the terms that begin with it.
func termMarks(src string, terms glossaryTerms) []mark {
	type found struct{ term, at, char int } // at in bytes, char in characters
	var hits []found
	char := 0
	for at, r := range src {
		for _, i := range terms.first[r] {
			if strings.HasPrefix(src[at:], terms.list[i].Source) {
				hits = append(hits, found{i, at, char})
			}
		}
		char++
	}
	if len(hits) == 0 {
		return nil
	}
	slices.SortFunc(hits, func(a, b found) int { return cmp.Or(a.term-b.term, a.at-b.at) })
	taken := make([]bool, char)
	var out []mark
next:
	for _, h := range hits {
		t := terms.list[h.term]
		end := h.char + utf8.RuneCountInString(t.Source)
		for c := h.char; c < end; c++ {
			if taken[c] {
				continue next
			}
		}
		for c := h.char; c < end; c++ {
			taken[c] = true
		}
		out = append(out, mark{Start: h.char, End: end, Class: "term", Title: t.Required})
	}
	return out
}

// sourceDiff is the character diff of a segment whose Chinese changed
// since it was translated, as review computed it.
func sourceDiff(spans []*draftingv1.TextSpan) []spanView { return spansOf(spans) }
