package job

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

func para(id, text string) *articlev1.Block {
	return &articlev1.Block{Id: id, Kind: &articlev1.Block_Paragraph{Paragraph: &articlev1.Paragraph{Text: text}}}
}

func heading(id, text string) *articlev1.Block {
	return &articlev1.Block{Id: id, Kind: &articlev1.Block_Heading{Heading: &articlev1.Heading{Level: 2, Text: text}}}
}

func figure(id, caption, alt, credit string) *articlev1.Block {
	return &articlev1.Block{Id: id, Kind: &articlev1.Block_Figure{Figure: &articlev1.Figure{File: "a.jpg", Caption: caption, Alt: alt, Credit: credit}}}
}

func quote(id, text, attribution string) *articlev1.Block {
	return &articlev1.Block{Id: id, Kind: &articlev1.Block_Quote{Quote: &articlev1.Quote{Text: text, Attribution: attribution}}}
}

func list(id string, items ...string) *articlev1.Block {
	return &articlev1.Block{Id: id, Kind: &articlev1.Block_List{List: &articlev1.List{Items: items}}}
}

// sample is a Chinese article with every kind of text, and an English
// version that lacks some of them: its second block is a paragraph where
// the Chinese has a heading, and it stops after the figure.
func sample() (zh, en *articlev1.LocalizedContent) {
	zh = &articlev1.LocalizedContent{
		Title:   "图书馆开放",
		Summary: "新馆开放。",
		Blocks: []*articlev1.Block{
			para("p1", "欢迎。"),
			heading("h1", "时间"),
			figure("f1", "新馆", "新馆外景", "摄影：王"),
			quote("q1", "书是朋友。", "馆长"),
			list("l1", "周一", "周二"),
		},
		Byline:   &articlev1.Byline{Office: "图书馆", Authors: []string{"王", "李"}},
		Keywords: []string{"图书馆", "开放"},
	}
	en = &articlev1.LocalizedContent{
		Title: "Library Opens",
		Blocks: []*articlev1.Block{
			para("x", "Welcome."),
			para("y", "Hours"),
			figure("z", "The new library", "", ""),
		},
		Byline:   &articlev1.Byline{Office: "Library", Authors: []string{"Wang"}},
		Keywords: []string{"library"},
	}
	return zh, en
}

func sampleJob() *reviewv1.Job {
	zh, en := sample()
	return &reviewv1.Job{ArticleId: "A", SourceLocale: "zh-CN", TargetLocale: "en", Status: reviewv1.JobStatus_JOB_STATUS_OPEN,
		Source: zh, Units: buildUnits(textsOf(zh, en), "zh-CN", "en")}
}

// flat lists the texts of c, one line for each block, with what
// identifies the block.
func flat(c *articlev1.LocalizedContent) []string {
	out := []string{"title: " + c.GetTitle(), "summary: " + c.GetSummary()}
	for _, b := range c.GetBlocks() {
		var line string
		switch k := b.GetKind().(type) {
		case *articlev1.Block_Paragraph:
			line = "paragraph: " + k.Paragraph.Text
		case *articlev1.Block_Heading:
			line = fmt.Sprintf("heading %d: %s", k.Heading.Level, k.Heading.Text)
		case *articlev1.Block_Figure:
			line = fmt.Sprintf("figure %s: %s | %s | %s", k.Figure.File, k.Figure.Caption, k.Figure.Alt, k.Figure.Credit)
		case *articlev1.Block_Quote:
			line = "quote: " + k.Quote.Text + " | " + k.Quote.Attribution
		case *articlev1.Block_List:
			line = "list: " + strings.Join(k.List.Items, " | ")
		}
		out = append(out, b.Id+" "+line)
	}
	by := append([]string{c.GetByline().GetOffice()}, c.GetByline().GetAuthors()...)
	return append(out, "byline: "+strings.Join(by, " | "), "keywords: "+strings.Join(c.GetKeywords(), " | "))
}

// layout lists the units and segments of j, one line each.
func layout(j *reviewv1.Job) []string {
	var out []string
	for _, u := range j.Units {
		out = append(out, fmt.Sprintf("%s %s %s", u.Id, u.Kind, u.BlockId))
		for _, s := range u.Segments {
			state := strings.TrimPrefix(s.State.String(), "SEGMENT_STATE_")
			origin := strings.TrimPrefix(s.Origin.String(), "TARGET_ORIGIN_")
			out = append(out, fmt.Sprintf("  %s %s %q %q %s %s", s.Id, s.Field, s.Source, s.Target, state, origin))
		}
	}
	return out
}

func TestUnitsCoverEveryTextPairedByPosition(t *testing.T) {
	got := layout(sampleJob())
	want := []string{
		"title title ",
		`  title.1 title "图书馆开放" "Library Opens" TRANSLATED EDITOR`,
		"summary summary ",
		`  summary.1 summary "新馆开放。" "" INITIAL UNSPECIFIED`,
		"b1 paragraph p1",
		`  b1.1 text "欢迎。" "Welcome." TRANSLATED EDITOR`,
		"b2 heading h1",
		`  b2.1 text "时间" "" INITIAL UNSPECIFIED`,
		"b3 figure f1",
		`  b3.1 caption "新馆" "The new library" TRANSLATED EDITOR`,
		`  b3.2 alt "新馆外景" "" INITIAL UNSPECIFIED`,
		`  b3.3 credit "摄影：王" "" INITIAL UNSPECIFIED`,
		"b4 quote q1",
		`  b4.1 text "书是朋友。" "" INITIAL UNSPECIFIED`,
		`  b4.2 attribution "馆长" "" INITIAL UNSPECIFIED`,
		"b5 list l1",
		`  b5.1 items[0] "周一" "" INITIAL UNSPECIFIED`,
		`  b5.2 items[1] "周二" "" INITIAL UNSPECIFIED`,
		"byline byline ",
		`  byline.1 office "图书馆" "Library" TRANSLATED EDITOR`,
		`  byline.2 authors[0] "王" "Wang" TRANSLATED EDITOR`,
		`  byline.3 authors[1] "李" "" INITIAL UNSPECIFIED`,
		"keywords keywords ",
		`  keywords.1 keywords[0] "图书馆" "library" TRANSLATED EDITOR`,
		`  keywords.2 keywords[1] "开放" "" INITIAL UNSPECIFIED`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("units:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for s := range Segments(sampleJob()) {
		if s.SourceHash == "" {
			t.Errorf("%s has no source hash", s.Id)
		}
	}
}

func TestUnitsLeaveOutWhatTheSourceLacks(t *testing.T) {
	zh := &articlev1.LocalizedContent{Title: "标题", Blocks: []*articlev1.Block{figure("f", "图", "", ""), quote("q", "话。", "")}}
	got := layout(&reviewv1.Job{Units: buildUnits(textsOf(zh, nil), "zh-CN", "en")})
	want := []string{
		"title title ", `  title.1 title "标题" "" INITIAL UNSPECIFIED`,
		"b1 figure f", `  b1.1 caption "图" "" INITIAL UNSPECIFIED`,
		"b2 quote q", `  b2.1 text "话。" "" INITIAL UNSPECIFIED`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("units:\n%s", strings.Join(got, "\n"))
	}
	if kindName(&articlev1.Block{}) != "unknown" || blockFields(&articlev1.Block{}, nil) != nil {
		t.Error("a block without content must have no fields")
	}
}

func TestUnitsPairSentencesWhenTheCountsMatch(t *testing.T) {
	zh := &articlev1.LocalizedContent{Title: "标题", Blocks: []*articlev1.Block{para("p", "第一句。第二句。"), para("q", "一。二。")}}
	en := &articlev1.LocalizedContent{Title: "Title", Blocks: []*articlev1.Block{para("p", "One. Two."), para("q", "Both in one")}}
	units := buildUnits(textsOf(zh, en), "zh-CN", "en")
	var ids, targets []string
	for _, u := range units[1:] {
		for _, s := range u.Segments {
			ids, targets = append(ids, s.Id), append(targets, s.Target)
		}
	}
	if !slices.Equal(ids, []string{"b1.1", "b1.2", "b2.1"}) || !slices.Equal(targets, []string{"One.", "Two.", "Both in one"}) {
		t.Errorf("segments %v with targets %q", ids, targets)
	}
}

func TestAssembleRebuildsTheSourceStructureInEnglish(t *testing.T) {
	j := sampleJob()
	for s := range Segments(j) {
		if s.Target == "" {
			s.Target = "T " + s.Id
		}
	}
	Find(j, "keywords.2").Target = "  "
	got := flat(Assemble(j))
	want := []string{
		"title: Library Opens", "summary: T summary.1",
		"p1 paragraph: Welcome.", "h1 heading 2: T b2.1", "f1 figure a.jpg: The new library | T b3.2 | T b3.3",
		"q1 quote: T b4.1 | T b4.2", "l1 list: T b5.1 | T b5.2",
		"byline: Library | Wang | T byline.3", "keywords: library",
	}
	if !slices.Equal(got, want) {
		t.Errorf("assembled\n%s", strings.Join(got, "\n"))
	}
	if j.Source.Blocks[0].GetParagraph().GetText() != "欢迎。" {
		t.Error("assembling changed the source")
	}
}

func TestAssembleJoinsSentencesAndSkipsBlanks(t *testing.T) {
	zh := &articlev1.LocalizedContent{Title: "标题", Blocks: []*articlev1.Block{para("p", "一。二。三。")}}
	j := &reviewv1.Job{Source: zh, TargetLocale: "en", Units: buildUnits(textsOf(zh, nil), "zh-CN", "en")}
	Find(j, "b1.1").Target = " One. "
	Find(j, "b1.3").Target = "Three."
	got := Assemble(j)
	if got.Title != "" || got.Blocks[0].GetParagraph().GetText() != "One. Three." || got.Byline != nil || got.Keywords != nil {
		t.Errorf("assembled %v", got)
	}
}

func TestSegmentsStopWhenAskedAndFindLooksEverywhere(t *testing.T) {
	j := sampleJob()
	n := 0
	for range Segments(j) {
		n++
		if n == 3 {
			break
		}
	}
	if n != 3 {
		t.Errorf("iterated %d", n)
	}
	if s := Find(j, "keywords.2"); s == nil || s.Source != "开放" {
		t.Errorf("last segment: %v", s)
	}
	if Find(j, "b9.9") != nil || Find(&reviewv1.Job{}, "title.1") != nil {
		t.Error("found a segment that is not there")
	}
}
