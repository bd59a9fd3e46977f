package job

import (
	"slices"

	"google.golang.org/protobuf/proto"

	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

// Memory is the translation memory as a job sees it.
type Memory interface {
	// Targets lists the memory's translations of exactly source, the one
	// to prefer first.
	Targets(source string) []string
	// Suggest lists the near matches of source worth offering, best
	// first, each with a diff from its source to this one in lang.
	Suggest(source, lang string) []*reviewv1.MemoryMatch
}

// Prefill fills the segments of a new job that have no English: an exact
// memory match fills the target (state translated, origin memory); near
// matches are only offered as suggestions.
func Prefill(j *reviewv1.Job, m Memory) {
	for seg := range Segments(j) {
		if seg.Target != "" {
			continue
		}
		if ex := m.Targets(seg.Source); len(ex) > 0 {
			seg.Target = ex[0]
			seg.State = reviewv1.SegmentState_SEGMENT_STATE_TRANSLATED
			seg.Origin = reviewv1.TargetOrigin_TARGET_ORIGIN_MEMORY
			continue
		}
		seg.Suggestions = m.Suggest(seg.Source, j.SourceLocale)
	}
}

// Pairs are the segment pairs of an approved job, as the memory keeps
// them: by the approver, at the time of the approval.
func Pairs(j *reviewv1.Job) []*reviewv1.MemoryUnit {
	var out []*reviewv1.MemoryUnit
	for seg := range Segments(j) {
		if seg.Target == "" {
			continue
		}
		out = append(out, &reviewv1.MemoryUnit{
			Source: seg.Source, Target: seg.Target, SourceLocale: j.SourceLocale, TargetLocale: j.TargetLocale,
			ArticleId: j.ArticleId, Translator: j.GetApproved().GetActor().GetUserId(), Time: j.GetApproved().GetTime(),
		})
	}
	return out
}

// Fit leaves memory suggestions out of j, those of the segments whose
// suggestions weigh most first, until size(j) is at most max, so that a
// job opened from a long article still fits in one event. It reports
// whether j fits.
func Fit(j *reviewv1.Job, size func(*reviewv1.Job) int, max int) bool {
	total := size(j)
	if total <= max {
		return true
	}
	type weighed struct {
		seg    *reviewv1.Segment
		weight int
	}
	var list []weighed
	for _, u := range j.GetUnits() {
		for _, s := range u.GetSegments() {
			w := 0
			for _, m := range s.GetSuggestions() {
				w += proto.Size(m)
			}
			if w > 0 {
				list = append(list, weighed{s, w})
			}
		}
	}
	slices.SortStableFunc(list, func(a, b weighed) int { return b.weight - a.weight })
	for _, x := range list {
		if total <= max {
			break
		}
		// Each match leaves at least its own size, so total stays an
		// upper bound of the job's size.
		total -= x.weight
		x.seg.Suggestions = nil
	}
	return size(j) <= max
}
