package job

import (
	"fmt"
	"iter"
	"strconv"
	"strings"

	"google.golang.org/protobuf/proto"

	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
	"github.com/tandemnews/tandem/services/review/segment"
)

// part is one translatable text of a unit, on both sides.
type part struct {
	name     string
	src, tgt string
}

// unitText is a unit before segmentation.
type unitText struct {
	id, kind, blockID string
	fields            []part
}

// textsOf lists the translatable texts of an article: title, summary, each
// block by position, the byline and the keywords. The target's blocks are
// paired with the source's by position, as the Markdown files keep them in
// the same order; a target block of another kind counts as missing.
func textsOf(src, tgt *articlev1.LocalizedContent) []unitText {
	if tgt == nil {
		tgt = &articlev1.LocalizedContent{}
	}
	out := []unitText{{id: "title", kind: "title", fields: []part{{"title", src.GetTitle(), tgt.GetTitle()}}}}
	if src.GetSummary() != "" {
		out = append(out, unitText{id: "summary", kind: "summary", fields: []part{{"summary", src.GetSummary(), tgt.GetSummary()}}})
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
		by.fields = append(by.fields, part{"office", o, tgt.GetByline().GetOffice()})
	}
	for i, a := range src.GetByline().GetAuthors() {
		by.fields = append(by.fields, part{fmt.Sprintf("authors[%d]", i), a, at(tgt.GetByline().GetAuthors(), i)})
	}
	if len(by.fields) > 0 {
		out = append(out, by)
	}
	kw := unitText{id: "keywords", kind: "keywords"}
	for i, k := range src.GetKeywords() {
		kw.fields = append(kw.fields, part{fmt.Sprintf("keywords[%d]", i), k, at(tgt.GetKeywords(), i)})
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

func blockFields(b, t *articlev1.Block) []part {
	switch k := b.GetKind().(type) {
	case *articlev1.Block_Paragraph:
		return []part{{"text", k.Paragraph.GetText(), t.GetParagraph().GetText()}}
	case *articlev1.Block_Heading:
		return []part{{"text", k.Heading.GetText(), t.GetHeading().GetText()}}
	case *articlev1.Block_Figure:
		fs := []part{{"caption", k.Figure.GetCaption(), t.GetFigure().GetCaption()}}
		if k.Figure.GetAlt() != "" {
			fs = append(fs, part{"alt", k.Figure.GetAlt(), t.GetFigure().GetAlt()})
		}
		if k.Figure.GetCredit() != "" {
			fs = append(fs, part{"credit", k.Figure.GetCredit(), t.GetFigure().GetCredit()})
		}
		return fs
	case *articlev1.Block_Quote:
		fs := []part{{"text", k.Quote.GetText(), t.GetQuote().GetText()}}
		if k.Quote.GetAttribution() != "" {
			fs = append(fs, part{"attribution", k.Quote.GetAttribution(), t.GetQuote().GetAttribution()})
		}
		return fs
	case *articlev1.Block_List:
		var fs []part
		for i, it := range k.List.GetItems() {
			fs = append(fs, part{fmt.Sprintf("items[%d]", i), it, at(t.GetList().GetItems(), i)})
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

// Assemble builds the job's target content from its segments, in the
// source's block structure (block ids included, so the English block
// follows its Chinese one).
func Assemble(j *reviewv1.Job) *articlev1.LocalizedContent {
	src, lang := j.GetSource(), j.GetTargetLocale()
	text := map[string]map[string][]string{}
	for _, u := range j.GetUnits() {
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

// Find returns the segment of j with id, or nil.
func Find(j *reviewv1.Job, id string) *reviewv1.Segment {
	for s := range Segments(j) {
		if s.Id == id {
			return s
		}
	}
	return nil
}

// Segments yields every segment of j in reading order.
func Segments(j *reviewv1.Job) iter.Seq[*reviewv1.Segment] {
	return func(yield func(*reviewv1.Segment) bool) {
		for _, u := range j.GetUnits() {
			for _, s := range u.Segments {
				if !yield(s) {
					return
				}
			}
		}
	}
}
