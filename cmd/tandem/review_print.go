package main

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

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
// their state and findings.
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
	for _, u := range j.Units {
		fmt.Fprintf(w, "\n[%s] %s\n", u.Id, u.Kind)
		for _, s := range u.Segments {
			left, right := wrap(s.Source, col/2), wrap(s.Target, col)
			fmt.Fprintf(w, "  %-8s %-12s", s.Id, stateWord(s.State))
			for i := 0; i < max(len(left), len(right)); i++ {
				if i > 0 {
					fmt.Fprintf(w, "  %-8s %-12s", "", "")
				}
				l, r := at(left, i), at(right, i)
				fmt.Fprintf(w, "%s%s | %s\n", l, strings.Repeat(" ", max(0, col-width(l))), r)
			}
			if s.PreviousSource != "" {
				fmt.Fprintf(w, "  %21s was: %s\n", "", s.PreviousSource)
			}
			for _, m := range s.Suggestions {
				fmt.Fprintf(w, "  %21s memory %d%%: %s\n", "", m.Score, m.Unit.GetTarget())
			}
			for _, c := range s.Comments {
				fmt.Fprintf(w, "  %21s %s: %s\n", "", c.GetBy().GetActor().GetUserId(), c.Text)
			}
			printFindings(w, strings.Repeat(" ", 24), s.Findings)
		}
	}
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return ""
}

// width is how many terminal columns s takes: Chinese characters two.
func width(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x1100 && (r <= 0x115f || (r >= 0x2e80 && r <= 0xa4cf) || (r >= 0xac00 && r <= 0xd7a3) || (r >= 0xf900 && r <= 0xfaff) || (r >= 0xff00 && r <= 0xff60)) {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// wrap cuts s into lines of at most cols columns, at spaces where there
// are any.
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
			rw := width(string(r))
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
		out = append(out, strings.TrimSpace(s[:cut]))
		s = strings.TrimSpace(s[cut:])
	}
	return out
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
