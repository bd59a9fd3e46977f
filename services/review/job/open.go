package job

import (
	"fmt"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/tandemnews/tandem/pkg/textdiff"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
	"github.com/tandemnews/tandem/services/review/segment"
)

// Open builds the job for a draft that actor submitted at the given time,
// or returns nil when the article is written in the target language
// already. The opener is the draft's last editor when that is the actor
// (it carries their name), else the actor alone.
func Open(d *draftingv1.Draft, actor string, at time.Time) *reviewv1.Job {
	a := d.GetArticle()
	if a.GetSourceLocale() == TargetLocale {
		return nil
	}
	opener := &articlev1.Actor{UserId: actor}
	if u := d.GetUpdated().GetActor(); u.GetUserId() == actor {
		opener = u
	}
	src := a.GetLocales()[a.GetSourceLocale()]
	j := &reviewv1.Job{
		ArticleId:      a.GetId(),
		SourceRevision: d.GetSubmittedRevision(),
		SourceLocale:   a.GetSourceLocale(),
		TargetLocale:   TargetLocale,
		Status:         reviewv1.JobStatus_JOB_STATUS_OPEN,
		Source:         src,
		Opened:         &articlev1.Change{Actor: opener, Time: timestamppb.New(at)},
		Minor:          d.GetSubmittedMinor(),
	}
	j.Units = buildUnits(textsOf(src, a.GetLocales()[TargetLocale]), j.SourceLocale, j.TargetLocale)
	return j
}

// Supersede makes cur, the stored job (empty when there is none), the job
// next opened for a newer source revision, and returns the event type that
// records it: TranslationOpened for a first job, TranslationReopened when
// it carries over the work done on an earlier revision, and "" (nothing to
// write) when cur is at next's revision or a newer one already. The
// segments nobody translated are filled from c.Memory, and every segment
// is checked.
func Supersede(cur, next *reviewv1.Job, c Checks) string {
	if cur.GetSourceRevision() >= next.GetSourceRevision() {
		return ""
	}
	typ := eventsv1.TranslationOpened
	if cur.GetSourceRevision() != 0 {
		typ = eventsv1.TranslationReopened
		carryOver(next.Units, cur.Units, next.SourceLocale, next.Minor)
		next.PreviousSourceRevision = cur.SourceRevision
		next.Assignee = cur.Assignee
	}
	if c.Memory != nil {
		Prefill(next, c.Memory)
	}
	Check(next, c)
	next.Target = Assemble(next)
	proto.Reset(cur)
	proto.Merge(cur, next)
	return typ
}

// carryOver brings the work done on an earlier job into the units of a
// resubmitted source. A segment whose source is unchanged (same hash) keeps
// its target, state, comments and dismissals, wherever it moved. A segment
// whose source changed keeps the old target of the segment in the same
// place (same block, field and position) and becomes NEEDS_REVIEW with the
// old source and a diff, unless the resubmission is minor, which keeps the
// state. The editor's new English is taken only where no translator had
// touched the segment.
func carryOver(units, old []*reviewv1.Unit, srcLang string, minor bool) {
	byHash := map[string][]*reviewv1.Segment{}
	byPlace := map[string]*reviewv1.Segment{}
	for _, u := range old {
		for i, s := range u.Segments {
			byHash[s.SourceHash] = append(byHash[s.SourceHash], s)
			byPlace[place(u, s, i)] = s
		}
	}
	used := map[*reviewv1.Segment]bool{}
	take := func(s *reviewv1.Segment) *reviewv1.Segment {
		for _, o := range byHash[s.SourceHash] {
			if !used[o] {
				return o
			}
		}
		return nil
	}
	for _, u := range units {
		for i, s := range u.Segments {
			editorsNew := s.Target
			if o := take(s); o != nil {
				used[o] = true
				keep(s, o)
				editorsEnglish(s, o, editorsNew)
				continue
			}
			o := byPlace[place(u, s, i)]
			if o == nil || used[o] {
				continue // new text: the editor's English or nothing
			}
			used[o] = true
			keep(s, o)
			s.SourceHash = segment.Hash(s.Source)
			editorsEnglish(s, o, editorsNew)
			if !minor && s.Target != "" {
				s.PreviousSource = o.Source
				if o.State == reviewv1.SegmentState_SEGMENT_STATE_NEEDS_REVIEW && o.PreviousSource != "" {
					s.PreviousSource = o.PreviousSource // still against what the target was made from
				}
				s.SourceDiff = textdiff.Spans(s.PreviousSource, s.Source, srcLang)
				s.State = reviewv1.SegmentState_SEGMENT_STATE_NEEDS_REVIEW
			}
		}
	}
}

// editorsEnglish puts the editor's new English on s where no translator
// wrote the old target (it came from the editor, or there was none).
func editorsEnglish(s, o *reviewv1.Segment, editorsNew string) {
	if editorsNew == "" || editorsNew == o.Target {
		return
	}
	if o.Target != "" && o.Origin != reviewv1.TargetOrigin_TARGET_ORIGIN_EDITOR {
		return
	}
	s.Target = editorsNew
	s.Origin = reviewv1.TargetOrigin_TARGET_ORIGIN_EDITOR
	s.State = reviewv1.SegmentState_SEGMENT_STATE_TRANSLATED
}

// keep copies the translation work of o onto s, leaving s's source.
func keep(s, o *reviewv1.Segment) {
	s.Target = o.Target
	s.State = o.State
	s.Origin = o.Origin
	s.PreviousSource = o.PreviousSource
	s.SourceDiff = o.SourceDiff
	s.Comments = o.Comments
	s.Dismissals = o.Dismissals
	s.Changed = o.Changed
}

// place is where a segment sits: its block (by id, so an inserted block
// does not shift the others), field and position.
func place(u *reviewv1.Unit, s *reviewv1.Segment, i int) string {
	where := u.Id
	if u.BlockId != "" {
		where = "block:" + u.BlockId
	}
	n := 0
	for _, o := range u.Segments[:i] {
		if o.Field == s.Field {
			n++
		}
	}
	return fmt.Sprintf("%s/%s/%d", where, s.Field, n)
}
