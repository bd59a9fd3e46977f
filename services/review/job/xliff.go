package job

import (
	"fmt"
	"strings"

	"github.com/tandemnews/tandem/pkg/field"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
	"github.com/tandemnews/tandem/services/review/segment"
	"github.com/tandemnews/tandem/services/review/xliff"
)

// needsReviewSubState marks, in an exported file, a segment whose source
// changed: XLIFF has no such state, so it travels as translated with this
// sub-state.
const needsReviewSubState = "tandem:needs-review"

var toXliffState = map[reviewv1.SegmentState]string{
	reviewv1.SegmentState_SEGMENT_STATE_INITIAL:      "initial",
	reviewv1.SegmentState_SEGMENT_STATE_TRANSLATED:   "translated",
	reviewv1.SegmentState_SEGMENT_STATE_REVIEWED:     "reviewed",
	reviewv1.SegmentState_SEGMENT_STATE_FINAL:        "final",
	reviewv1.SegmentState_SEGMENT_STATE_NEEDS_REVIEW: "translated",
}

var fromXliffState = map[string]reviewv1.SegmentState{
	"initial":    reviewv1.SegmentState_SEGMENT_STATE_INITIAL,
	"translated": reviewv1.SegmentState_SEGMENT_STATE_TRANSLATED,
	"reviewed":   reviewv1.SegmentState_SEGMENT_STATE_REVIEWED,
	"final":      reviewv1.SegmentState_SEGMENT_STATE_FINAL,
}

// base identifies what a segment held: its source, target and state. It
// travels in the exported file, so an import can tell what changed in the
// job since.
func base(s *reviewv1.Segment) string {
	return segment.Hash(s.SourceHash + "\x00" + s.Target + "\x00" + s.State.String())
}

// Export is the job as an XLIFF document for a translation tool: its
// segments with their state and base, the source changes and comments as
// notes.
func Export(j *reviewv1.Job) *xliff.Doc {
	doc := &xliff.Doc{
		Article: j.ArticleId, SrcLang: j.SourceLocale, TrgLang: j.TargetLocale,
		Notes: []string{fmt.Sprintf("%s (job revision %d, source revision %d)", j.GetSource().GetTitle(), j.Revision, j.SourceRevision)},
	}
	for _, u := range j.Units {
		xu := xliff.Unit{ID: u.Id, Name: u.Kind}
		for _, seg := range u.Segments {
			xs := xliff.Segment{ID: seg.Id, Source: seg.Source, Target: seg.Target, State: toXliffState[seg.State], Base: base(seg)}
			if seg.State == reviewv1.SegmentState_SEGMENT_STATE_NEEDS_REVIEW {
				xs.SubState = needsReviewSubState
				xu.Notes = append(xu.Notes, fmt.Sprintf("%s: the source changed; it was %q", seg.Id, seg.PreviousSource))
			}
			for _, c := range seg.Comments {
				xu.Notes = append(xu.Notes, fmt.Sprintf("%s: %s: %s", seg.Id, c.GetBy().GetActor().GetUserId(), c.Text))
			}
			xu.Segments = append(xu.Segments, xs)
		}
		doc.Units = append(doc.Units, xu)
	}
	return doc
}

// ExportSourceTargets is Export for a tool that translates the text of the
// targets (OmegaT): each target is written as a copy of its source. The
// job's English stays in the document's targets, for a TMX beside the file
// (xliff.WriteOmegaTTMX), and goes, for each segment that has English, in
// a note of its unit.
func ExportSourceTargets(j *reviewv1.Job) *xliff.Doc {
	doc := Export(j)
	doc.SourceTargets = true
	for i, u := range j.Units {
		for _, seg := range u.Segments {
			if seg.Target != "" {
				doc.Units[i].Notes = append(doc.Units[i].Notes, fmt.Sprintf("%s: the English is now: %s", seg.Id, seg.Target))
			}
		}
	}
	return doc
}

// CheckFile adds to v, on the field xliff, what makes doc unfit for the
// job of article before the job is read: another article, another target
// language, or a target over the limit.
func CheckFile(v *field.Violations, doc *xliff.Doc, article string) {
	if doc.Article != article {
		v.Add("xliff", "the file is for article %q, not %q", doc.Article, article)
	}
	if !strings.EqualFold(doc.TrgLang, TargetLocale) && !strings.HasPrefix(strings.ToLower(doc.TrgLang), TargetLocale+"-") {
		v.Add("xliff", "trgLang is %q; the job translates into %s", doc.TrgLang, TargetLocale)
	}
	for _, u := range doc.Units {
		for _, xs := range u.Segments {
			if n := len([]rune(xs.Target)); n > MaxTargetRunes {
				v.Add("xliff", "segment %s: the target is %d characters; at most %d", xs.ID, n, MaxTargetRunes)
			}
		}
	}
}

// Imported is what an import did: how many segments it applied, and the
// segments it left alone and why.
type Imported struct {
	Applied   int32
	Conflicts []*reviewv1.XliffConflict
}

// Import applies doc to an open job. Every segment of the file must be a
// segment of the job (otherwise nothing is applied). A segment is applied
// when its target or state differs from the job's and the job's segment is
// still what was exported; a segment changed in the job since, or whose
// source differs, is a conflict and left alone. In a file whose targets
// were exported as copies of their sources, a target still equal to its
// source was not translated and changes nothing, and a changed target
// still marked initial is translated. An import that applies something
// claims an unclaimed job.
func Import(j *reviewv1.Job, doc *xliff.Doc, by By, c Checks) (string, Imported, error) {
	var res Imported
	if err := mayEdit(j, by); err != nil {
		return "", res, err
	}
	var unknown field.Violations
	for _, u := range doc.Units {
		for _, xs := range u.Segments {
			if Find(j, xs.ID) == nil {
				unknown.Add("xliff", "segment %q is not in the job (it may be from another source revision)", xs.ID)
			}
		}
	}
	if err := unknown.Err(); err != nil {
		return "", res, fmt.Errorf("%w: %w", ErrSegmentNotFound, err)
	}
	var changed []*reviewv1.Segment
	for _, u := range doc.Units {
		for _, xs := range u.Segments {
			if doc.SourceTargets {
				if xs.Target == xs.Source {
					continue // not translated in the tool
				}
				if xs.State == "initial" {
					xs.State = "translated"
				}
			}
			cur := Find(j, xs.ID)
			conflict, ok := apply(cur, xs, by)
			switch {
			case conflict != "":
				res.Conflicts = append(res.Conflicts, &reviewv1.XliffConflict{SegmentId: xs.ID, Reason: conflict})
			case ok:
				changed = append(changed, cur)
			}
		}
	}
	res.Applied = int32(len(changed))
	if len(changed) == 0 {
		return "", res, nil
	}
	tr := others(j)
	for _, seg := range changed {
		checkSegment(c, j, seg, tr)
	}
	if j.Assignee == nil {
		j.Assignee = by.Actor
	}
	return eventsv1.TranslationUpdated, res, nil
}

// apply puts the file's segment xs on the job's segment cur. It reports
// whether it changed cur, or why it left it alone when cur changed since
// the export.
func apply(cur *reviewv1.Segment, xs xliff.Segment, by By) (conflict string, changed bool) {
	state := fromXliffState[xs.State]
	if xs.SubState == needsReviewSubState && xs.Target == cur.Target {
		state = cur.State // still to review
	}
	if strings.TrimSpace(xs.Target) == "" {
		state = reviewv1.SegmentState_SEGMENT_STATE_INITIAL
	}
	switch {
	case xs.Target == cur.Target && state == cur.State:
		return "", false // nothing to apply
	case xs.Source != cur.Source:
		return "the source in the file differs from the job's; export the job again", false
	case xs.Base != base(cur):
		return "changed in Tandem since the file was exported; the job's version is kept", false
	}
	if xs.Target != cur.Target {
		cur.Origin = reviewv1.TargetOrigin_TARGET_ORIGIN_IMPORT
	}
	cur.Target, cur.State = xs.Target, state
	if state != reviewv1.SegmentState_SEGMENT_STATE_NEEDS_REVIEW {
		cur.PreviousSource, cur.SourceDiff = "", nil
	}
	cur.Changed = by.change()
	pruneDismissals(cur)
	return "", true
}
