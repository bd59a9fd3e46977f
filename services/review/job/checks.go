package job

import (
	"fmt"
	"slices"

	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
	"github.com/tandemnews/tandem/services/review/qa"
	"github.com/tandemnews/tandem/services/review/segment"
)

// CheckSourceChanged is reported on a segment in NEEDS_REVIEW: its source
// changed after the target was written. It is an error, so a job is not
// approved with a stale translation unless the approver overrides it.
const CheckSourceChanged = "source-changed"

// Checks is what the checks of a job use besides the job: the quality
// checker (with the glossary and the length ratio of the memory) and the
// translation memory, whose translations count for the consistency check
// and fill new jobs. Memory may be nil.
type Checks struct {
	Checker *qa.Checker
	Memory  Memory
}

// textHash identifies a segment's text for dismissals: a change to either
// side ends the dismissal of every finding of the check.
func textHash(s *reviewv1.Segment) string { return segment.Hash(s.Source + "\x00" + s.Target) }

// targetHash identifies a segment's target: after a change of the source
// (elsewhere in its block, say), a dismissal holds for the findings it
// dismissed while the target stays the same.
func targetHash(s *reviewv1.Segment) string { return segment.Hash(s.Target) }

// findingHash identifies a finding by what it says, not where: a finding
// that says the same after a change of the source is the same finding.
func findingHash(f *reviewv1.Finding) string { return segment.Hash(f.Check + "\x00" + f.Message) }

// dismisses reports whether d dismisses f on s: on the very text it was
// made on, every finding of its check; on the same target under another
// source, the findings it was made on.
func dismisses(d *reviewv1.Dismissal, f *reviewv1.Finding, s *reviewv1.Segment) bool {
	if d.Check != f.Check {
		return false
	}
	if d.TextHash == textHash(s) {
		return true
	}
	return d.TargetHash != "" && d.TargetHash == targetHash(s) && slices.Contains(d.FindingHashes, findingHash(f))
}

// others maps each source text of a job to the targets its segments have,
// for the consistency check.
func others(j *reviewv1.Job) map[string][]string {
	m := map[string][]string{}
	for s := range Segments(j) {
		if s.Target != "" {
			k := qa.Normalize(s.Source)
			m[k] = append(m[k], s.Target)
		}
	}
	return m
}

// checkSegment runs the checks on one segment of j, marks the dismissed
// findings, and stores them on the segment.
func checkSegment(c Checks, j *reviewv1.Job, s *reviewv1.Segment, translations map[string][]string) []*reviewv1.Finding {
	var elsewhere []string
	seenSelf := false
	for _, t := range translations[qa.Normalize(s.Source)] {
		if t == s.Target && !seenSelf {
			seenSelf = true // the segment's own target
			continue
		}
		elsewhere = append(elsewhere, t)
	}
	if c.Memory != nil {
		elsewhere = append(elsewhere, c.Memory.Targets(s.Source)...)
	}
	fs := c.Checker.Check(qa.Segment{Source: s.Source, Target: s.Target, SourceLang: j.SourceLocale, TargetLang: j.TargetLocale}, elsewhere)
	out := make([]*reviewv1.Finding, 0, len(fs)+1)
	if s.State == reviewv1.SegmentState_SEGMENT_STATE_NEEDS_REVIEW {
		out = append(out, &reviewv1.Finding{
			Check:    CheckSourceChanged,
			Severity: reviewv1.Severity_SEVERITY_ERROR,
			Message:  fmt.Sprintf("the source changed since this target was written (it was %q); check the target and save it", s.PreviousSource),
		})
	}
	for _, f := range fs {
		pf := &reviewv1.Finding{Check: f.Check, Severity: reviewv1.Severity(f.Severity), Message: f.Message}
		for _, sp := range f.Spans {
			pf.Spans = append(pf.Spans, &reviewv1.Span{Side: reviewv1.Side(sp.Side), Start: int32(sp.Start), End: int32(sp.End)})
		}
		out = append(out, pf)
	}
	for _, f := range out {
		f.Dismissed = slices.ContainsFunc(s.Dismissals, func(d *reviewv1.Dismissal) bool { return dismisses(d, f, s) })
	}
	s.Findings = out
	return out
}

// Check runs the checks on every segment of j and stores the findings on
// the segments.
func Check(j *reviewv1.Job, c Checks) {
	tr := others(j)
	for s := range Segments(j) {
		checkSegment(c, j, s, tr)
	}
}

// OpenErrors lists the error findings of j that nobody dismissed, as
// "segment id: check".
func OpenErrors(j *reviewv1.Job) []string {
	var out []string
	for s := range Segments(j) {
		for _, f := range s.Findings {
			if f.Severity == reviewv1.Severity_SEVERITY_ERROR && !f.Dismissed {
				out = append(out, s.Id+": "+f.Check)
			}
		}
	}
	return out
}

// Findings lists the segments of j that have findings, with the number of
// error and warning findings nobody dismissed, as the checks stored them.
func Findings(j *reviewv1.Job) (list []*reviewv1.SegmentFindings, errors, warnings int32) {
	for seg := range Segments(j) {
		if len(seg.Findings) == 0 {
			continue
		}
		list = append(list, &reviewv1.SegmentFindings{SegmentId: seg.Id, Findings: seg.Findings})
		for _, f := range seg.Findings {
			switch {
			case f.Dismissed:
			case f.Severity == reviewv1.Severity_SEVERITY_ERROR:
				errors++
			case f.Severity == reviewv1.Severity_SEVERITY_WARNING:
				warnings++
			}
		}
	}
	return list, errors, warnings
}

// pruneDismissals drops the dismissals made on another target of s, or
// on the same target under another source when they do not say which
// findings they dismissed.
func pruneDismissals(s *reviewv1.Segment) {
	h, th := textHash(s), targetHash(s)
	kept := s.Dismissals[:0]
	for _, d := range s.Dismissals {
		if d.TextHash == h || (d.TargetHash != "" && d.TargetHash == th) {
			kept = append(kept, d)
		}
	}
	s.Dismissals = kept
}
