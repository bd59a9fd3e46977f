package review

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"

	"github.com/tandemnews/tandem/pkg/rpc"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
	"github.com/tandemnews/tandem/services/review/segment"
	"github.com/tandemnews/tandem/services/review/xliff"
)

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

// ExportXliff implements ReviewService.
func (s *Service) ExportXliff(ctx context.Context, req *reviewv1.ExportXliffRequest) (*reviewv1.ExportXliffResponse, error) {
	if err := needArticle(req.GetArticleId(), 0, false).Err(); err != nil {
		return nil, err
	}
	j, err := s.jobs.Get(ctx, req.GetArticleId())
	if err != nil {
		return nil, jobErr(err, req.GetArticleId())
	}
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
	var buf bytes.Buffer
	if err := xliff.Write(&buf, doc); err != nil {
		return nil, err
	}
	return &reviewv1.ExportXliffResponse{Xliff: buf.Bytes(), Revision: j.Revision}, nil
}

// ImportXliff implements ReviewService. Every segment of the file must be
// a segment of the job (otherwise nothing is applied). A segment is
// applied when its target or state differs from the job's and the job's
// segment is still what was exported; a segment changed in the job since,
// or whose source differs, is reported as a conflict and left alone.
func (s *Service) ImportXliff(ctx context.Context, req *reviewv1.ImportXliffRequest) (*reviewv1.ImportXliffResponse, error) {
	if err := needArticle(req.GetArticleId(), 0, false).Err(); err != nil {
		return nil, err
	}
	doc, err := xliff.Read(bytes.NewReader(req.GetXliff()))
	if err != nil {
		var v rpc.Violations
		if re, ok := err.(*xliff.ReadError); ok {
			for _, p := range re.Problems {
				v.Add("xliff", "%s: %s", p.Path, p.Message)
			}
		} else {
			v.Add("xliff", "%s", err.Error())
		}
		return nil, v.Err()
	}
	var v rpc.Violations
	if doc.Article != req.GetArticleId() {
		v.Add("xliff", "the file is for article %q, not %q", doc.Article, req.GetArticleId())
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
	if err := v.Err(); err != nil {
		return nil, err
	}
	_, when := s.change(ctx)
	checker := s.checker()
	var applied int32
	var conflicts []*reviewv1.XliffConflict
	j, err := s.update(ctx, req.GetArticleId(), 0, func(j *reviewv1.Job) (string, error) {
		applied, conflicts = 0, nil
		if err := mustBeOpen(j); err != nil {
			return "", err
		}
		if err := mayWork(ctx, j); err != nil {
			return "", err
		}
		var unknown rpc.Violations
		for _, u := range doc.Units {
			for _, xs := range u.Segments {
				if findSegment(j, xs.ID) == nil {
					unknown.Add("xliff", "segment %q is not in the job (it may be from another source revision)", xs.ID)
				}
			}
		}
		if err := unknown.Err(); err != nil {
			return "", err
		}
		var changed []*reviewv1.Segment
		for _, u := range doc.Units {
			for _, xs := range u.Segments {
				cur := findSegment(j, xs.ID)
				state := fromXliffState[xs.State]
				if xs.SubState == needsReviewSubState && xs.Target == cur.Target {
					state = cur.State // still to review
				}
				if strings.TrimSpace(xs.Target) == "" {
					state = reviewv1.SegmentState_SEGMENT_STATE_INITIAL
				}
				if xs.Target == cur.Target && state == cur.State {
					continue // nothing to apply
				}
				switch {
				case xs.Source != cur.Source:
					conflicts = append(conflicts, &reviewv1.XliffConflict{SegmentId: xs.ID, Reason: "the source in the file differs from the job's; export the job again"})
					continue
				case xs.Base != base(cur):
					conflicts = append(conflicts, &reviewv1.XliffConflict{SegmentId: xs.ID, Reason: "changed in Tandem since the file was exported; the job's version is kept"})
					continue
				}
				if xs.Target != cur.Target {
					cur.Origin = reviewv1.TargetOrigin_TARGET_ORIGIN_IMPORT
				}
				cur.Target, cur.State = xs.Target, state
				if state != reviewv1.SegmentState_SEGMENT_STATE_NEEDS_REVIEW {
					cur.PreviousSource, cur.SourceDiff = "", nil
				}
				cur.Changed = when
				pruneDismissals(cur)
				changed = append(changed, cur)
				applied++
			}
		}
		if applied == 0 {
			return "", nil
		}
		tr := others(j)
		for _, seg := range changed {
			checkSegment(checker, j, seg, tr, s.tm.targets)
		}
		if j.Assignee == nil {
			j.Assignee = when.Actor
		}
		return eventsv1.TranslationUpdated, nil
	})
	if err != nil {
		return nil, err
	}
	s.log.Info("xliff imported", "article", j.ArticleId, "revision", j.Revision, "applied", applied, "conflicts", len(conflicts))
	return &reviewv1.ImportXliffResponse{Job: j, Applied: applied, Conflicts: conflicts}, nil
}
