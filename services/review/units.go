package review

import (
	"fmt"
	"strconv"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/tandemnews/tandem/pkg/textdiff"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
	"github.com/tandemnews/tandem/services/review/segment"
)

// field is one translatable text of a unit, on both sides.
type field struct {
	name     string
	src, tgt string
}

// unitText is a unit before segmentation.
type unitText struct {
	id, kind, blockID string
	fields            []field
}

// textsOf lists the translatable texts of an article: title, summary, each
// block by position, the byline and the keywords. The target's blocks are
// paired with the source's by position, as the Markdown files keep them in
// the same order; a target block of another kind counts as missing.
func textsOf(src, tgt *articlev1.LocalizedContent) []unitText {
	if tgt == nil {
		tgt = &articlev1.LocalizedContent{}
	}
	out := []unitText{{id: "title", kind: "title", fields: []field{{"title", src.GetTitle(), tgt.GetTitle()}}}}
	if src.GetSummary() != "" {
		out = append(out, unitText{id: "summary", kind: "summary", fields: []field{{"summary", src.GetSummary(), tgt.GetSummary()}}})
	}
	for i, b := range src.GetBlocks() {
		var tb *articlev1.Block
		if i < len(tgt.GetBlocks()) && kindName(tgt.Blocks[i]) == kindName(b) {
			tb = tgt.Blocks[i]
		}
		out = append(out, unitText{id: "b" + strconv.Itoa(i+1), kind: kindName(b), blockID: b.GetId(), fields: blockFields(b, tb)})
	}
	by := unitText{id: "byline", kind: "byline"}
	if o := src.GetByline().GetOffice(); o != "" {
		by.fields = append(by.fields, field{"office", o, tgt.GetByline().GetOffice()})
	}
	for i, a := range src.GetByline().GetAuthors() {
		by.fields = append(by.fields, field{fmt.Sprintf("authors[%d]", i), a, at(tgt.GetByline().GetAuthors(), i)})
	}
	if len(by.fields) > 0 {
		out = append(out, by)
	}
	kw := unitText{id: "keywords", kind: "keywords"}
	for i, k := range src.GetKeywords() {
		kw.fields = append(kw.fields, field{fmt.Sprintf("keywords[%d]", i), k, at(tgt.GetKeywords(), i)})
	}
	if len(kw.fields) > 0 {
		out = append(out, kw)
	}
	return out
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return ""
}

func kindName(b *articlev1.Block) string {
	switch b.GetKind().(type) {
	case *articlev1.Block_Paragraph:
		return "paragraph"
	case *articlev1.Block_Heading:
		return "heading"
	case *articlev1.Block_Figure:
		return "figure"
	case *articlev1.Block_Quote:
		return "quote"
	case *articlev1.Block_List:
		return "list"
	}
	return "unknown"
}

func blockFields(b, t *articlev1.Block) []field {
	switch k := b.GetKind().(type) {
	case *articlev1.Block_Paragraph:
		return []field{{"text", k.Paragraph.GetText(), t.GetParagraph().GetText()}}
	case *articlev1.Block_Heading:
		return []field{{"text", k.Heading.GetText(), t.GetHeading().GetText()}}
	case *articlev1.Block_Figure:
		fs := []field{{"caption", k.Figure.GetCaption(), t.GetFigure().GetCaption()}}
		if k.Figure.GetAlt() != "" {
			fs = append(fs, field{"alt", k.Figure.GetAlt(), t.GetFigure().GetAlt()})
		}
		if k.Figure.GetCredit() != "" {
			fs = append(fs, field{"credit", k.Figure.GetCredit(), t.GetFigure().GetCredit()})
		}
		return fs
	case *articlev1.Block_Quote:
		fs := []field{{"text", k.Quote.GetText(), t.GetQuote().GetText()}}
		if k.Quote.GetAttribution() != "" {
			fs = append(fs, field{"attribution", k.Quote.GetAttribution(), t.GetQuote().GetAttribution()})
		}
		return fs
	case *articlev1.Block_List:
		var fs []field
		for i, it := range k.List.GetItems() {
			fs = append(fs, field{fmt.Sprintf("items[%d]", i), it, at(t.GetList().GetItems(), i)})
		}
		return fs
	}
	return nil
}

// buildUnits segments the texts: each field's sentences paired with the
// target's when the counts match, otherwise the field as one segment. A
// segment with a target from the editor starts TRANSLATED, one without
// INITIAL.
func buildUnits(texts []unitText, srcLang, tgtLang string) []*reviewv1.Unit {
	units := make([]*reviewv1.Unit, 0, len(texts))
	for _, ut := range texts {
		u := &reviewv1.Unit{Id: ut.id, Kind: ut.kind, BlockId: ut.blockID}
		for _, f := range ut.fields {
			for _, p := range segment.Align(f.src, srcLang, f.tgt, tgtLang) {
				s := &reviewv1.Segment{
					Id:         fmt.Sprintf("%s.%d", u.Id, len(u.Segments)+1),
					Field:      f.name,
					Source:     p.Source.Text,
					SourceHash: segment.Hash(p.Source.Text),
					Target:     p.Target.Text,
					State:      reviewv1.SegmentState_SEGMENT_STATE_INITIAL,
				}
				if s.Target != "" {
					s.State = reviewv1.SegmentState_SEGMENT_STATE_TRANSLATED
					s.Origin = reviewv1.TargetOrigin_TARGET_ORIGIN_EDITOR
				}
				u.Segments = append(u.Segments, s)
			}
		}
		units = append(units, u)
	}
	return units
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

// assemble builds the target content from the segments, in the source's
// block structure (block ids included, so the English block follows its
// Chinese one).
func assemble(src *articlev1.LocalizedContent, units []*reviewv1.Unit, lang string) *articlev1.LocalizedContent {
	text := map[string]map[string][]string{}
	for _, u := range units {
		m := map[string][]string{}
		for _, s := range u.Segments {
			if t := strings.TrimSpace(s.Target); t != "" {
				m[s.Field] = append(m[s.Field], t)
			}
		}
		text[u.Id] = m
	}
	get := func(unit, f string) string { return segment.Join(text[unit][f], lang) }
	out := &articlev1.LocalizedContent{Title: get("title", "title"), Summary: get("summary", "summary")}
	for i, b := range src.GetBlocks() {
		id := "b" + strconv.Itoa(i+1)
		nb := proto.Clone(b).(*articlev1.Block)
		switch k := nb.GetKind().(type) {
		case *articlev1.Block_Paragraph:
			k.Paragraph.Text = get(id, "text")
		case *articlev1.Block_Heading:
			k.Heading.Text = get(id, "text")
		case *articlev1.Block_Figure:
			k.Figure.Caption, k.Figure.Alt, k.Figure.Credit = get(id, "caption"), get(id, "alt"), get(id, "credit")
		case *articlev1.Block_Quote:
			k.Quote.Text, k.Quote.Attribution = get(id, "text"), get(id, "attribution")
		case *articlev1.Block_List:
			for j := range k.List.Items {
				k.List.Items[j] = get(id, fmt.Sprintf("items[%d]", j))
			}
		}
		out.Blocks = append(out.Blocks, nb)
	}
	if src.GetByline() != nil {
		by := &articlev1.Byline{Office: get("byline", "office")}
		for i := range src.GetByline().GetAuthors() {
			by.Authors = append(by.Authors, get("byline", fmt.Sprintf("authors[%d]", i)))
		}
		out.Byline = by
	}
	for i := range src.GetKeywords() {
		if k := get("keywords", fmt.Sprintf("keywords[%d]", i)); k != "" {
			out.Keywords = append(out.Keywords, k)
		}
	}
	return out
}

// findSegment returns the segment with id.
func findSegment(j *reviewv1.Job, id string) *reviewv1.Segment {
	for _, u := range j.Units {
		for _, s := range u.Segments {
			if s.Id == id {
				return s
			}
		}
	}
	return nil
}

// eachSegment calls fn for every segment in reading order.
func eachSegment(j *reviewv1.Job, fn func(*reviewv1.Unit, *reviewv1.Segment)) {
	for _, u := range j.Units {
		for _, s := range u.Segments {
			fn(u, s)
		}
	}
}

// Summary says in a line what an event changed in a job, for the audit
// trail: before is the job as it was (nil for the first event).
func Summary(typ string, before, after *reviewv1.Job) string {
	var parts []string
	switch {
	case before == nil || before.SourceRevision != after.SourceRevision:
		stale := 0
		eachSegment(after, func(_ *reviewv1.Unit, s *reviewv1.Segment) {
			if s.State == reviewv1.SegmentState_SEGMENT_STATE_NEEDS_REVIEW {
				stale++
			}
		})
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
	eachSegment(before, func(_ *reviewv1.Unit, s *reviewv1.Segment) { old[s.Id] = s })
	eachSegment(after, func(_ *reviewv1.Unit, s *reviewv1.Segment) {
		o := old[s.Id]
		if o == nil {
			return
		}
		if o.Target != s.Target {
			parts = append(parts, fmt.Sprintf("%s: %q", s.Id, s.Target))
		} else if o.State != s.State && typ != "tandem.translation.approved" {
			parts = append(parts, fmt.Sprintf("%s: %s", s.Id, strings.ToLower(strings.TrimPrefix(s.State.String(), "SEGMENT_STATE_"))))
		}
		if len(s.Comments) > len(o.Comments) {
			parts = append(parts, fmt.Sprintf("%s comment: %q", s.Id, s.Comments[len(s.Comments)-1].Text))
		}
		for _, d := range s.Dismissals[min(len(o.Dismissals), len(s.Dismissals)):] {
			parts = append(parts, fmt.Sprintf("%s dismissed %s: %q", s.Id, d.Check, d.Reason))
		}
	})
	if before.Status != after.Status {
		parts = append(parts, strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(after.Status.String(), "JOB_STATUS_"), "_", " ")))
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
