// Package job holds the rules of a translation job: one per article, opened
// for each submitted source revision, reviewed segment by segment against
// the Chinese and closed by an approval or a request for changes. Its
// functions change a *reviewv1.Job in memory and say which event records
// the change; storing it is the service's business.
package job

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/tandemnews/tandem/pkg/field"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

// TargetLocale is the language translators review into.
const TargetLocale = "en"

// Limits of what a translator writes. docs/review.md lists them.
const (
	MaxTargetRunes   = 10000
	MaxCommentRunes  = 2000
	MaxReasonRunes   = 500
	MaxComments      = 200
	MaxAssigneeRunes = 100
)

// Rules a change to a job can break. Each error a function of this
// package returns for a broken rule matches one of them with errors.Is;
// its message says what the caller can do about it.
var (
	// ErrNotOpen: the job was approved or sent back; only a resubmission
	// opens it again.
	ErrNotOpen = errors.New("the job is not open")
	// ErrClaimed: another translator claimed the job.
	ErrClaimed = errors.New("the job is claimed by another translator")
	// ErrFindingsBlockApproval: error findings nobody dismissed, and no
	// override reason.
	ErrFindingsBlockApproval = errors.New("error findings block approval")
	// ErrIncomplete: the English lacks a title or a body.
	ErrIncomplete = errors.New("the English has no title or no body yet; it cannot be approved")
	// ErrSegmentNotFound: the request names a segment the job does not
	// have (it may be from another source revision).
	ErrSegmentNotFound = errors.New("no such segment in the job")
	// ErrThreadFull: the segment holds MaxComments comments.
	ErrThreadFull = errors.New("the segment's comment thread is full")
	// ErrNoFinding: the segment has no finding of the check to dismiss.
	ErrNoFinding = errors.New("the segment has no such finding")
)

// refusal is a broken rule with its particulars: the message the caller
// reads and the metadata a client branches on.
type refusal struct {
	rule error
	msg  string
	md   map[string]string
}

func (r *refusal) Error() string { return r.msg }

// Unwrap makes errors.Is(err, rule) true.
func (r *refusal) Unwrap() error { return r.rule }

// Metadata is the detail a client reads without parsing the message.
func (r *refusal) Metadata() map[string]string { return r.md }

// invalid is a field problem that also matches rule, so that the caller
// gets a field violation and a test can name the rule.
func invalid(rule error, path, format string, args ...any) error {
	return fmt.Errorf("%w: %w", rule, field.Invalid(path, format, args...))
}

// By is who makes a change and when. An admin (a translator lead among
// them) may work on a job another translator claimed.
type By struct {
	Actor *articlev1.Actor
	Time  time.Time
	Admin bool
}

// change is the record of the change on the job.
func (b By) change() *articlev1.Change {
	return &articlev1.Change{Actor: b.Actor, Time: timestamppb.New(b.Time)}
}

func mustBeOpen(j *reviewv1.Job) error {
	if j.Status != reviewv1.JobStatus_JOB_STATUS_OPEN {
		return &refusal{ErrNotOpen, fmt.Sprintf("the job is %s, not open", statusName(j.Status)),
			map[string]string{"status": j.Status.String()}}
	}
	return nil
}

// mayWork checks that by may change the job: it is unclaimed, or claimed
// by them, or they are an admin.
func mayWork(j *reviewv1.Job, by By) error {
	if a := j.GetAssignee().GetUserId(); a != "" && a != by.Actor.GetUserId() && !by.Admin {
		return &refusal{ErrClaimed, fmt.Sprintf("the job is claimed by %s; ask a lead to reassign it", a),
			map[string]string{"assignee": a}}
	}
	return nil
}

// mayEdit is mustBeOpen and mayWork: what every translator's change to
// the segments needs.
func mayEdit(j *reviewv1.Job, by By) error {
	if err := mustBeOpen(j); err != nil {
		return err
	}
	return mayWork(j, by)
}

func statusName(st reviewv1.JobStatus) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(st.String(), "JOB_STATUS_"), "_", " "))
}

// segmentOf finds a segment or answers with a field violation on
// segment_id.
func segmentOf(j *reviewv1.Job, id string) (*reviewv1.Segment, error) {
	seg := Find(j, id)
	if seg == nil {
		return nil, invalid(ErrSegmentNotFound, "segment_id", "%q is not a segment of this job", id)
	}
	return seg, nil
}
