package job

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/tandemnews/tandem/pkg/field"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

// Each change below returns the type of the event that records it, or ""
// when it changes nothing (and nothing is to be written), or the rule it
// breaks. The inputs have a Validate method that reports every problem
// with them before the job is read.

// CheckText adds a violation of path to v when s is longer than max
// characters or, with missing set, empty (missing then says what to
// write).
func CheckText(v *field.Violations, path, s string, max int, missing string) {
	switch n := utf8.RuneCountInString(s); {
	case n == 0 && missing != "":
		v.Add(path, "%s", missing)
	case n > max:
		v.Add(path, "is %d characters; at most %d", n, max)
	}
}

func required(v *field.Violations, path, s string) {
	if s == "" {
		v.Add(path, "is required")
	}
}

// Claim makes by the job's translator.
func Claim(j *reviewv1.Job, by By) (string, error) {
	if err := mayEdit(j, by); err != nil {
		return "", err
	}
	if j.GetAssignee().GetUserId() == by.Actor.GetUserId() {
		return "", nil
	}
	j.Assignee = by.Actor
	return eventsv1.TranslationUpdated, nil
}

// Unclaim gives the job up, whatever its status.
func Unclaim(j *reviewv1.Job, by By) (string, error) {
	if j.Assignee == nil {
		return "", nil
	}
	if err := mayWork(j, by); err != nil {
		return "", err
	}
	j.Assignee = nil
	return eventsv1.TranslationUpdated, nil
}

// Assignment hands an open job to a translator (a lead's decision); no
// Assignee unassigns it.
type Assignment struct {
	Assignee, Name string
}

// Validate adds what is wrong with a to v.
func (a Assignment) Validate(v *field.Violations) {
	if utf8.RuneCountInString(a.Assignee) > MaxAssigneeRunes {
		v.Add("assignee", "is longer than %d characters", MaxAssigneeRunes)
	}
}

// Assign records a.
func Assign(j *reviewv1.Job, a Assignment) (string, error) {
	if err := mustBeOpen(j); err != nil {
		return "", err
	}
	j.Assignee = nil
	if a.Assignee != "" {
		j.Assignee = &articlev1.Actor{UserId: a.Assignee, Name: a.Name}
	}
	return eventsv1.TranslationUpdated, nil
}

// Edit is a translator's save of one segment: its English and its state
// (translated when unspecified, initial when the English is blank).
type Edit struct {
	Segment, Target string
	State           reviewv1.SegmentState
}

// Validate adds what is wrong with e to v.
func (e Edit) Validate(v *field.Violations) {
	required(v, "segment_id", e.Segment)
	CheckText(v, "target", e.Target, MaxTargetRunes, "")
	field.Block.Check(v, "target", e.Target)
	switch e.State {
	case reviewv1.SegmentState_SEGMENT_STATE_NEEDS_REVIEW:
		v.Add("state", "needs-review is set by a source change, not by hand")
	case reviewv1.SegmentState_SEGMENT_STATE_UNSPECIFIED, reviewv1.SegmentState_SEGMENT_STATE_INITIAL,
		reviewv1.SegmentState_SEGMENT_STATE_TRANSLATED, reviewv1.SegmentState_SEGMENT_STATE_REVIEWED, reviewv1.SegmentState_SEGMENT_STATE_FINAL:
	default:
		v.Add("state", "%d is not a segment state", e.State)
	}
}

// Save applies e and checks the segment again; its findings are on the
// segment. The first save of an unclaimed job claims it.
func Save(j *reviewv1.Job, e Edit, by By, c Checks) (string, error) {
	if err := mayEdit(j, by); err != nil {
		return "", err
	}
	seg, err := segmentOf(j, e.Segment)
	if err != nil {
		return "", err
	}
	state := e.State
	if state == reviewv1.SegmentState_SEGMENT_STATE_UNSPECIFIED {
		state = reviewv1.SegmentState_SEGMENT_STATE_TRANSLATED
	}
	if strings.TrimSpace(e.Target) == "" {
		state = reviewv1.SegmentState_SEGMENT_STATE_INITIAL
	}
	if seg.Target != e.Target {
		seg.Origin = reviewv1.TargetOrigin_TARGET_ORIGIN_TRANSLATOR
	}
	seg.Target = e.Target
	seg.State = state
	seg.PreviousSource, seg.SourceDiff = "", nil // reviewed against the new source
	seg.Changed = by.change()
	pruneDismissals(seg)
	if j.Assignee == nil {
		j.Assignee = by.Actor
	}
	checkSegment(c, j, seg, others(j))
	return eventsv1.TranslationUpdated, nil
}

// Note is a comment on a segment's thread. Anyone who may comment does so
// whatever the job's status.
type Note struct {
	Segment, Text string
}

// Validate adds what is wrong with n to v.
func (n Note) Validate(v *field.Violations) {
	required(v, "segment_id", n.Segment)
	CheckText(v, "text", strings.TrimSpace(n.Text), MaxCommentRunes, "is required")
	field.Block.Check(v, "text", n.Text)
}

// Comment adds n to its segment's thread.
func Comment(j *reviewv1.Job, n Note, by By) (string, error) {
	seg, err := segmentOf(j, n.Segment)
	if err != nil {
		return "", err
	}
	if len(seg.Comments) >= MaxComments {
		return "", invalid(ErrThreadFull, "segment_id", "the segment's thread has %d comments, its limit", MaxComments)
	}
	seg.Comments = append(seg.Comments, &reviewv1.Comment{By: by.change(), Text: strings.TrimSpace(n.Text)})
	return eventsv1.TranslationUpdated, nil
}

// Dismissal says why a finding of Check on a segment does not apply. It
// lasts while the segment's text stays the same.
type Dismissal struct {
	Segment, Check, Reason string
}

// Validate adds what is wrong with d to v.
func (d Dismissal) Validate(v *field.Violations) {
	required(v, "segment_id", d.Segment)
	required(v, "check", d.Check)
	CheckText(v, "reason", strings.TrimSpace(d.Reason), MaxReasonRunes, "is required: say why the finding does not apply")
	field.Line.Check(v, "reason", d.Reason)
}

// Dismiss records d on an open job, when the segment has such a finding
// now.
func Dismiss(j *reviewv1.Job, d Dismissal, by By, c Checks) (string, error) {
	if err := mustBeOpen(j); err != nil {
		return "", err
	}
	seg, err := segmentOf(j, d.Segment)
	if err != nil {
		return "", err
	}
	var dismissed []string
	for _, f := range checkSegment(c, j, seg, others(j)) {
		if f.Check == d.Check {
			dismissed = append(dismissed, findingHash(f))
		}
	}
	if len(dismissed) == 0 {
		return "", invalid(ErrNoFinding, "check", "segment %s has no %q finding", seg.Id, d.Check)
	}
	pruneDismissals(seg)
	seg.Dismissals = append(seg.Dismissals, &reviewv1.Dismissal{Check: d.Check, Reason: strings.TrimSpace(d.Reason), By: by.change(),
		TextHash: textHash(seg), TargetHash: targetHash(seg), FindingHashes: dismissed})
	checkSegment(c, j, seg, others(j))
	return eventsv1.TranslationUpdated, nil
}

// ChangeRequest sends a job back to the editor with what to change.
type ChangeRequest struct {
	Comment string
}

// Validate adds what is wrong with r to v.
func (r ChangeRequest) Validate(v *field.Violations) {
	CheckText(v, "comment", strings.TrimSpace(r.Comment), MaxCommentRunes, "is required: tell the editor what to change")
	field.Block.Check(v, "comment", r.Comment)
}

// RequestChanges closes the job until the editor resubmits.
func RequestChanges(j *reviewv1.Job, r ChangeRequest, by By) (string, error) {
	if err := mayEdit(j, by); err != nil {
		return "", err
	}
	j.Status = reviewv1.JobStatus_JOB_STATUS_CHANGES_REQUESTED
	j.ChangesRequested = &reviewv1.Comment{By: by.change(), Text: strings.TrimSpace(r.Comment)}
	return eventsv1.TranslationChangesRequested, nil
}

// Approval approves a job; OverrideReason, when given, lets error
// findings stand.
type Approval struct {
	OverrideReason string
}

// Validate adds what is wrong with a to v.
func (a Approval) Validate(v *field.Violations) {
	CheckText(v, "override_reason", strings.TrimSpace(a.OverrideReason), MaxReasonRunes, "")
	field.Line.Check(v, "override_reason", a.OverrideReason)
}

// Approve runs every check first: error findings nobody dismissed block
// the approval unless it gives an override reason, which the job records
// with the findings it overrode. An approval needs an English title and
// body. Approved segments become final.
func Approve(j *reviewv1.Job, a Approval, by By, c Checks) (string, error) {
	if err := mayEdit(j, by); err != nil {
		return "", err
	}
	reason := strings.TrimSpace(a.OverrideReason)
	Check(j, c)
	blocking := OpenErrors(j)
	if len(blocking) > 0 && reason == "" {
		return "", &refusal{ErrFindingsBlockApproval,
			fmt.Sprintf("%d error finding(s) block approval (%s); fix or dismiss them, or approve with an override reason", len(blocking), abridge(blocking)),
			map[string]string{"errors": fmt.Sprint(len(blocking))}}
	}
	target := Assemble(j)
	if strings.TrimSpace(target.GetTitle()) == "" || !hasBody(target) {
		return "", ErrIncomplete
	}
	j.OverrideReason, j.Overridden = "", nil
	if len(blocking) > 0 {
		j.OverrideReason, j.Overridden = reason, blocking
	}
	for seg := range Segments(j) {
		if seg.Target != "" {
			seg.State = reviewv1.SegmentState_SEGMENT_STATE_FINAL
		}
	}
	j.Status = reviewv1.JobStatus_JOB_STATUS_APPROVED
	j.Approved = by.change()
	return eventsv1.TranslationApproved, nil
}

func hasBody(c *articlev1.LocalizedContent) bool {
	for _, b := range c.GetBlocks() {
		if strings.TrimSpace(b.GetParagraph().GetText()+b.GetHeading().GetText()+b.GetQuote().GetText()+b.GetFigure().GetCaption()+strings.Join(b.GetList().GetItems(), "")) != "" {
			return true
		}
	}
	return false
}

// abridge names the first five findings of list, for a message.
func abridge(list []string) string {
	if len(list) > 5 {
		return strings.Join(list[:5], ", ") + fmt.Sprintf(" and %d more", len(list)-5)
	}
	return strings.Join(list, ", ")
}
