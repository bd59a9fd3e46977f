package job

import (
	"fmt"
	"strings"

	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

// Summarize is the job's row in the list of jobs: how many segments it
// has, how many are still to do (initial or needing review), and when it
// last changed (opened, a segment saved, or approved).
func Summarize(j *reviewv1.Job) *reviewv1.JobSummary {
	row := &reviewv1.JobSummary{
		ArticleId: j.ArticleId, Revision: j.Revision, Status: j.Status,
		Title: j.GetSource().GetTitle(), Assignee: j.Assignee, Updated: j.GetOpened().GetTime(),
	}
	for s := range Segments(j) {
		row.Segments++
		if s.State == reviewv1.SegmentState_SEGMENT_STATE_INITIAL || s.State == reviewv1.SegmentState_SEGMENT_STATE_NEEDS_REVIEW {
			row.Todo++
		}
		if t := s.GetChanged().GetTime(); t != nil && t.AsTime().After(row.Updated.AsTime()) {
			row.Updated = t
		}
	}
	if t := j.GetApproved().GetTime(); t != nil && t.AsTime().After(row.Updated.AsTime()) {
		row.Updated = t
	}
	return row
}

// Describe says in a line what an event of type typ changed in a job, for
// the audit trail: before is the job as it was (nil for the first event).
func Describe(typ string, before, after *reviewv1.Job) string {
	var parts []string
	switch {
	case before == nil || before.SourceRevision != after.SourceRevision:
		stale := 0
		for s := range Segments(after) {
			if s.State == reviewv1.SegmentState_SEGMENT_STATE_NEEDS_REVIEW {
				stale++
			}
		}
		p := fmt.Sprintf("opened for source revision %d", after.SourceRevision)
		if stale > 0 {
			p += fmt.Sprintf(", %d segment(s) need review", stale)
		}
		if after.Minor {
			p += " (minor change)"
		}
		return p
	}
	if a, b := before.GetAssignee().GetUserId(), after.GetAssignee().GetUserId(); a != b {
		if b == "" {
			parts = append(parts, "unassigned "+a)
		} else {
			parts = append(parts, "assigned to "+b)
		}
	}
	old := map[string]*reviewv1.Segment{}
	for s := range Segments(before) {
		old[s.Id] = s
	}
	for s := range Segments(after) {
		o := old[s.Id]
		if o == nil {
			continue
		}
		if o.Target != s.Target {
			parts = append(parts, fmt.Sprintf("%s: %q", s.Id, s.Target))
		} else if o.State != s.State && typ != eventsv1.TranslationApproved {
			parts = append(parts, fmt.Sprintf("%s: %s", s.Id, strings.ToLower(strings.TrimPrefix(s.State.String(), "SEGMENT_STATE_"))))
		}
		if len(s.Comments) > len(o.Comments) {
			parts = append(parts, fmt.Sprintf("%s comment: %q", s.Id, s.Comments[len(s.Comments)-1].Text))
		}
		for _, d := range s.Dismissals[min(len(o.Dismissals), len(s.Dismissals)):] {
			parts = append(parts, fmt.Sprintf("%s dismissed %s: %q", s.Id, d.Check, d.Reason))
		}
	}
	if before.Status != after.Status {
		parts = append(parts, statusName(after.Status))
	}
	if after.ChangesRequested != nil && before.ChangesRequested.GetText() != after.ChangesRequested.GetText() {
		parts = append(parts, fmt.Sprintf("asked: %q", after.ChangesRequested.GetText()))
	}
	if after.OverrideReason != "" && after.OverrideReason != before.OverrideReason {
		parts = append(parts, fmt.Sprintf("overriding %s because %q", strings.Join(after.Overridden, ", "), after.OverrideReason))
	}
	if len(parts) == 0 {
		return "no visible change"
	}
	return strings.Join(parts, "; ")
}
