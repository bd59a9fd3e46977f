package main

import (
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	xwidth "golang.org/x/text/width"

	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

// The terminal layout of a job: source beside target, in columns that
// count a Chinese character as two.

func statusWord(st reviewv1.JobStatus) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(st.String(), "JOB_STATUS_"), "_", "-"))
}

// jobStatus reads a status written as statusWord writes it.
func jobStatus(word string) (reviewv1.JobStatus, bool) {
	v, ok := reviewv1.JobStatus_value["JOB_STATUS_"+strings.ToUpper(strings.ReplaceAll(word, "-", "_"))]
	return reviewv1.JobStatus(v), ok
}

func stateWord(st reviewv1.SegmentState) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(st.String(), "SEGMENT_STATE_"), "_", "-"))
}

// printJob shows a job's segments, the source beside the target, with
// their state and findings. The id and state columns are as wide as the
// widest of the job, so neither runs into the text; a segment whose
// source changed shows what changed, not the old source.
func printJob(w io.Writer, j *reviewv1.Job) {
	fmt.Fprintf(w, "job for %s  revision %d  %s  source revision %d", j.ArticleId, j.Revision, statusWord(j.Status), j.SourceRevision)
	if a := j.GetAssignee().GetUserId(); a != "" {
		fmt.Fprintf(w, "  assigned to %s", a)
	}
	fmt.Fprintln(w)
	if j.ChangesRequested != nil {
		fmt.Fprintf(w, "changes requested by %s: %s\n", j.ChangesRequested.GetBy().GetActor().GetUserId(), j.ChangesRequested.Text)
	}
	const col = 36
	idW, stateW := 0, 0
	for _, u := range j.Units {
		for _, s := range u.Segments {
			idW, stateW = max(idW, width(s.Id)), max(stateW, width(stateWord(s.State)))
		}
	}
	indent := strings.Repeat(" ", 2+idW+2+stateW+2)
	for _, u := range j.Units {
		fmt.Fprintf(w, "\n[%s] %s\n", u.Id, u.Kind)
		for _, s := range u.Segments {
			left, right := wrap(s.Source, col), wrap(s.Target, col)
			fmt.Fprintf(w, "  %s  %s  ", pad(s.Id, idW), pad(stateWord(s.State), stateW))
			for i := 0; i < max(len(left), len(right)); i++ {
				if i > 0 {
					fmt.Fprint(w, indent)
				}
				fmt.Fprintf(w, "%s | %s\n", pad(at(left, i), col), at(right, i))
			}
			switch {
			case len(s.SourceDiff) > 0:
				fmt.Fprintf(w, "%schanged: %s\n", indent, showDiff(s.SourceDiff))
			case s.PreviousSource != "":
				fmt.Fprintf(w, "%swas: %s\n", indent, s.PreviousSource)
			}
			for _, m := range s.Suggestions {
				fmt.Fprintf(w, "%smemory %d%%: %s\n", indent, m.Score, m.Unit.GetTarget())
			}
			for _, c := range s.Comments {
				fmt.Fprintf(w, "%s%s: %s\n", indent, c.GetBy().GetActor().GetUserId(), c.Text)
			}
			printFindings(w, indent, s.Findings)
		}
	}
}

// showDiff writes a source diff inline: what was removed in [-…-], what
// was added in {+…+}.
func showDiff(spans []*draftingv1.TextSpan) string {
	var b strings.Builder
	for _, sp := range spans {
		switch sp.Op {
		case draftingv1.SpanOp_SPAN_OP_DELETE:
			b.WriteString("[-" + sp.Text + "-]")
		case draftingv1.SpanOp_SPAN_OP_INSERT:
			b.WriteString("{+" + sp.Text + "+}")
		default:
			b.WriteString(sp.Text)
		}
	}
	return b.String()
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return ""
}

// pad fills s with spaces to cols terminal columns.
func pad(s string, cols int) string { return s + strings.Repeat(" ", max(0, cols-width(s))) }

// width is how many terminal columns s takes: East Asian wide and
// full-width characters two, combining marks and other zero-width
// characters none, the rest one.
func width(s string) int {
	n := 0
	for _, r := range s {
		n += cells(r)
	}
	return n
}

func cells(r rune) int {
	if unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf) {
		return 0
	}
	switch xwidth.LookupRune(r).Kind() {
	case xwidth.EastAsianWide, xwidth.EastAsianFullwidth:
		return 2
	}
	return 1
}

// closing marks may not start a line, opening ones may not end it (the
// line-breaking rules of Chinese and of English typography).
const (
	closing = "，。、；：？！）】》」』〉〕”’…,.;:?!)]}%"
	opening = "（【《「『〈〔“‘([{"
)

// wrap cuts s into lines of at most cols columns, at spaces where there
// are any. A line never starts with closing punctuation nor ends with an
// opening mark: the character before moves down with it.
func wrap(s string, cols int) []string {
	var out []string
	for s != "" {
		if width(s) <= cols {
			out = append(out, s)
			break
		}
		cut, w := 0, 0
		lastSpace := -1
		for i, r := range s {
			rw := cells(r)
			if w+rw > cols {
				break
			}
			w += rw
			cut = i + utf8.RuneLen(r)
			if r == ' ' {
				lastSpace = i
			}
		}
		if lastSpace > 0 {
			cut = lastSpace
		}
		cut = breakable(s, cut)
		out = append(out, strings.TrimSpace(s[:cut]))
		s = strings.TrimSpace(s[cut:])
	}
	return out
}

// breakable moves a cut of s back until the next line does not start
// with closing punctuation, this one does not end with an opening mark,
// and no run of Latin letters and digits is cut in two, as long as something stays on this line; when nothing would, it
// moves the cut forward past the closing marks instead (they hang).
func breakable(s string, cut int) int {
	ok := func(c int) bool {
		next, _ := utf8.DecodeRuneInString(strings.TrimLeft(s[c:], " "))
		last, _ := utf8.DecodeLastRuneInString(strings.TrimRight(s[:c], " "))
		glued := c < len(s) && s[c] != ' ' && alnum(last) && alnum(next) // "40%" in Chinese text
		return !glued && !strings.ContainsRune(closing, next) && !strings.ContainsRune(opening, last)
	}
	for c := cut; c > 0; {
		if ok(c) {
			return c
		}
		_, size := utf8.DecodeLastRuneInString(s[:c])
		c -= size
	}
	for cut < len(s) {
		r, size := utf8.DecodeRuneInString(s[cut:])
		if !strings.ContainsRune(closing, r) {
			break
		}
		cut += size
	}
	if cut == 0 {
		_, cut = utf8.DecodeRuneInString(s)
	}
	return cut
}

func printFindings(w io.Writer, indent string, fs []*reviewv1.Finding) {
	for _, f := range fs {
		sev := strings.ToLower(strings.TrimPrefix(f.Severity.String(), "SEVERITY_"))
		mark := "!"
		if f.Dismissed {
			mark, sev = "~", sev+", dismissed"
		}
		fmt.Fprintf(w, "%s%s %s (%s): %s\n", indent, mark, f.Check, sev, f.Message)
	}
}

func alnum(r rune) bool { return r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) }
