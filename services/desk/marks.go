package desk

import (
	"sort"
	"strings"

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

// termsOf are the glossary's ordinary terms with their preferred
// English, longest first, so that a longer term wins over one inside it.
func termsOf(ts []*reviewv1.Term) []glossaryTerm {
	var out []glossaryTerm
	for _, t := range ts {
		if t.GetForbidden() || t.GetSource() == "" || len(t.GetTargets()) == 0 {
			continue
		}
		out = append(out, glossaryTerm{Source: t.GetSource(), Required: strings.Join(t.GetTargets(), " / ")})
	}
	sort.SliceStable(out, func(i, j int) bool { return len([]rune(out[i].Source)) > len([]rune(out[j].Source)) })
	return out
}

// termMarks are the places the terms occur in the source, without
// overlaps.
func termMarks(src string, terms []glossaryTerm) []mark {
	rs := []rune(src)
	taken := make([]bool, len(rs))
	var out []mark
	for _, t := range terms {
		tr := []rune(t.Source)
	next:
		for i := 0; i+len(tr) <= len(rs); i++ {
			if string(rs[i:i+len(tr)]) != t.Source {
				continue
			}
			for k := i; k < i+len(tr); k++ {
				if taken[k] {
					continue next
				}
			}
			for k := i; k < i+len(tr); k++ {
				taken[k] = true
			}
			out = append(out, mark{Start: i, End: i + len(tr), Class: "term", Title: t.Required})
		}
	}
	return out
}

// sourceDiff is the character diff of a segment whose Chinese changed
// since it was translated, as review computed it.
func sourceDiff(spans []*draftingv1.TextSpan) []spanView { return spansOf(spans) }
