package draft

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
)

func withID(id string, b *articlev1.Block) *articlev1.Block {
	b.Id = id
	return b
}

func heading(level int32, s string) *articlev1.Block {
	return &articlev1.Block{Kind: &articlev1.Block_Heading{Heading: &articlev1.Heading{Level: level, Text: s}}}
}

func list(ordered bool, items ...string) *articlev1.Block {
	return &articlev1.Block{Kind: &articlev1.Block_List{List: &articlev1.List{Ordered: ordered, Items: items}}}
}

func figure(file, caption, credit string) *articlev1.Block {
	return &articlev1.Block{Kind: &articlev1.Block_Figure{Figure: &articlev1.Figure{File: file, Caption: caption, Credit: credit}}}
}

func quote(text, by string) *articlev1.Block {
	return &articlev1.Block{Kind: &articlev1.Block_Quote{Quote: &articlev1.Quote{Text: text, Attribution: by}}}
}

func TestBlockTextIsWhatAReaderSees(t *testing.T) {
	for _, c := range []struct {
		b    *articlev1.Block
		want string
	}{
		{para("P."), "P."},
		{heading(2, "H"), "H"},
		{figure("a.jpg", "Cap", "Photo: Li"), "a.jpg\nCap\nPhoto: Li"},
		{figure("a.jpg", "Cap", ""), "a.jpg\nCap"},
		{quote("Q", "Wang"), "Q\n— Wang"},
		{quote("Q", ""), "Q"},
		{list(false, "a", "b"), "a\nb"},
		{&articlev1.Block{}, ""},
	} {
		if got := blockText(c.b); got != c.want {
			t.Errorf("blockText(%v) = %q, want %q", c.b, got, c.want)
		}
	}
}

func TestSameBlockComparesKindTextLevelAndOrder(t *testing.T) {
	for _, c := range []struct {
		a, b *articlev1.Block
		want bool
	}{
		{para("x"), para("x"), true},
		{para("x"), para("y"), false},
		{para("x"), heading(2, "x"), false},
		{heading(2, "x"), heading(2, "x"), true},
		{heading(2, "x"), heading(3, "x"), false},
		{list(true, "x"), list(true, "x"), true},
		{list(true, "x"), list(false, "x"), false},
	} {
		if got := sameBlock(c.a, c.b); got != c.want {
			t.Errorf("sameBlock(%v, %v) = %v", c.a, c.b, got)
		}
	}
}

func TestSimilarityIsTheShareKeptEqual(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want float64
	}{
		{"", "", 1},
		{"同样", "同样", 1},
		{"甲乙", "丙丁", 0},
		{"甲乙", "甲丙", 0.5},
		{"甲乙丙丁", "甲乙丙", 6.0 / 7},
	} {
		if got := similarity(c.a, c.b, "zh-CN"); got != c.want {
			t.Errorf("similarity(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func ids(bs []*articlev1.Block) []string {
	var out []string
	for _, b := range bs {
		out = append(out, b.GetId())
	}
	return out
}

// blocks reads a list of Chinese paragraphs written as "A=甲乙 丙 B=#丁":
// each with its id before "=" if it has one, and a heading if its text
// starts with "#".
func blocks(spec string) []*articlev1.Block {
	var out []*articlev1.Block
	for _, f := range strings.Fields(spec) {
		id, text, ok := strings.Cut(f, "=")
		if !ok {
			id, text = "", f
		}
		b := para(text)
		if h, isHeading := strings.CutPrefix(text, "#"); isHeading {
			b = heading(2, h)
		}
		out = append(out, withID(id, b))
	}
	return out
}

// carried is the ids next's blocks have after carryIDs from prev, "-"
// for none.
func carried(prev, next string) string {
	p := &articlev1.Article{Locales: map[string]*articlev1.LocalizedContent{"zh-CN": {Blocks: blocks(prev)}}}
	n := &articlev1.Article{Locales: map[string]*articlev1.LocalizedContent{"zh-CN": {Blocks: blocks(next)}}}
	carryIDs(p, n)
	var out []string
	for _, id := range ids(n.Locales["zh-CN"].Blocks) {
		out = append(out, cmp.Or(id, "-"))
	}
	return strings.Join(out, " ")
}

// reimports are cases of carryIDs: what it is about | the blocks before |
// the blocks after | the ids they get.
const reimports = `
unchanged blocks, swapped                                   | A=一 B=二                       | 二 一                | B A
an unchanged block first, then a similar one                | A=甲乙 B=甲乙丙丁               | 甲乙丙 甲乙          | B A
half the text still there                                   | A=无关 B=甲乙                   | 甲丙                 | B
the most similar of two                                     | A=甲乙丙丁 B=甲乙丙丁戊己 C=庚  | 辛 甲乙丙丁戊        | A B
less than half: only by place                               | A=甲乙丙 B=丁                   | 戊 甲己庚            | A B
not another kind                                            | A=#甲乙丙 B=丁                  | 甲乙丙 #戊           | - -
an id in use is not given again                             | A=一                            | A=改 一              | A -
an id taken by an unchanged block is not given by similarity | A=甲乙                         | 甲乙 甲乙丙          | A -
an id taken by similarity is not given by place             | A=甲乙 B=丙                     | 丁 甲乙戊            | - A
an unchanged block before a similar one                     | A=甲乙丙丁 B=子丑               | 甲乙丙丁戊 甲乙丙丁  | - A
an own id is kept even if another block matches            | A=一 B=二                       | A=二                 | A
more blocks than before                                     | A=一                            | 二 三                | A -
`

func TestCarryIDsFollowsBlocksThroughAReimport(t *testing.T) {
	for line := range strings.Lines(strings.TrimSpace(reimports)) {
		c := strings.Split(line, "|")
		if len(c) != 4 {
			t.Fatalf("case %q has %d parts", line, len(c))
		}
		if got, want := carried(c[1], c[2]), strings.Join(strings.Fields(c[3]), " "); got != want {
			t.Errorf("%s: ids %q, want %q", strings.TrimSpace(c[0]), got, want)
		}
	}
}

func TestCarryIDsLeavesANewLocaleAlone(t *testing.T) {
	prev := &articlev1.Article{Locales: map[string]*articlev1.LocalizedContent{"zh-CN": {Blocks: []*articlev1.Block{withID("A", para("Body."))}}}}
	next := &articlev1.Article{Locales: map[string]*articlev1.LocalizedContent{"en": {Blocks: []*articlev1.Block{para("Body.")}}}}
	carryIDs(prev, next)
	if id := next.Locales["en"].Blocks[0].Id; id != "" {
		t.Fatalf("a block of another locale took id %q", id)
	}
}

func TestLCS(t *testing.T) {
	for _, c := range []struct {
		a, b, want []string
	}{
		{nil, nil, nil},
		{[]string{"a", "b", "c"}, []string{"a", "b", "c"}, []string{"a", "b", "c"}},
		{[]string{"a", "b", "c"}, []string{"b", "c", "a"}, []string{"b", "c"}},
		{[]string{"x", "y"}, []string{"y", "x"}, []string{"y"}},
		{[]string{"a", "b", "f"}, []string{"b", "a", "f"}, []string{"b", "f"}},
		{[]string{"a", "b", "c", "d"}, []string{"d", "a", "c"}, []string{"a", "c"}},
	} {
		in := lcs(c.a, c.b)
		var got []string
		for _, s := range c.a {
			if in[s] {
				got = append(got, s)
			}
		}
		if !slices.Equal(got, c.want) || len(in) != len(c.want) {
			t.Errorf("lcs(%v, %v) = %v, want %v", c.a, c.b, in, c.want)
		}
	}
}

func TestOrderedLocalesPutsTheSourceFirst(t *testing.T) {
	a := &articlev1.Article{Locales: map[string]*articlev1.LocalizedContent{"en": {}, "fr": {}}}
	b := &articlev1.Article{SourceLocale: "zh-CN", Locales: map[string]*articlev1.LocalizedContent{"zh-CN": {}, "de": {}, "en": {}}}
	if got, want := OrderedLocales(a, b), []string{"zh-CN", "de", "en", "fr"}; !slices.Equal(got, want) {
		t.Fatalf("locales %v, want %v", got, want)
	}
	b.SourceLocale = "en"
	if got, want := OrderedLocales(nil, b), []string{"en", "de", "zh-CN"}; !slices.Equal(got, want) {
		t.Fatalf("locales %v, want %v", got, want)
	}
}

func TestDiffListsTheChangedFieldsInOrder(t *testing.T) {
	from := full()
	to := full()
	to.Date, to.Section, to.Slug = "2024-06-01", []string{"campus-life"}, "forum-2024"
	en := to.Locales["en"]
	en.Title, en.Summary, en.Keywords = "New Title", "New summary.", []string{"forum", "2024"}
	en.Byline = &articlev1.Byline{Authors: []string{"Wang Fang"}, Office: "Press"}
	to.Locales["zh-CN"].Title = "新标题"
	d := Diff(from, to)
	var got []string
	for _, f := range d.Fields {
		got = append(got, fmt.Sprintf("%s: %s > %s", f.Field, f.From, f.To))
		if len(f.Diff) == 0 {
			t.Errorf("%s has no spans", f.Field)
		}
	}
	want := []string{
		"date: 2024-05-16 > 2024-06-01",
		"section: news-events/news > campus-life",
		"slug: forum > forum-2024",
		`locales["en"].title: Title > New Title`,
		`locales["en"].summary: Summary. > New summary.`,
		`locales["en"].keywords: forum > forum, 2024`,
		`locales["en"].byline.authors: Li Ming > Wang Fang`,
		`locales["en"].byline.office: News Office > Press`,
		`locales["zh-CN"].title: 标题 > 新标题`,
	}
	if !slices.Equal(got, want) {
		t.Fatalf("fields\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if d := Diff(from, full()); len(d.Fields) != 0 || len(d.Blocks) != 0 {
		t.Fatalf("no change diffs as %v", d)
	}
}

func describe(bs []*draftingv1.BlockChange) []string {
	var out []string
	for _, b := range bs {
		flags := ""
		for _, f := range []struct {
			on bool
			c  string
		}{{b.Added, "+"}, {b.Removed, "-"}, {b.Moved, "m"}, {b.Changed, "c"}} {
			if f.on {
				flags += f.c
			}
		}
		out = append(out, fmt.Sprintf("%s %s %s %d>%d %q>%q %d", b.Locale, b.BlockId, flags, b.FromIndex, b.ToIndex, b.FromText, b.ToText, len(b.Diff)))
	}
	return out
}

func TestDiffMatchesBlocksByID(t *testing.T) {
	from := &articlev1.Article{SourceLocale: "zh-CN", Locales: map[string]*articlev1.LocalizedContent{
		"zh-CN": {Blocks: []*articlev1.Block{withID("A", para("甲")), withID("B", para("乙")), withID("C", para("丙")), withID("D", para("丁")), withID("F", para("己"))}},
		"en":    {Blocks: []*articlev1.Block{withID("X", para("Gone."))}},
	}}
	to := &articlev1.Article{SourceLocale: "zh-CN", Locales: map[string]*articlev1.LocalizedContent{
		"zh-CN": {Blocks: []*articlev1.Block{withID("B", para("乙改")), withID("A", para("甲")), withID("E", para("戊")), withID("F", para("己"))}},
	}}
	want := []string{
		`zh-CN B c 1>0 "乙">"乙改" 2`,
		`zh-CN C - 2>-1 "丙">"" 1`,
		`zh-CN D - 3>-1 "丁">"" 1`,
		`zh-CN A m 0>1 "甲">"甲" 1`,
		`zh-CN E + -1>2 "">"戊" 1`,
		`en X - 0>-1 "Gone.">"" 1`,
	}
	if got := describe(Diff(from, to).Blocks); !slices.Equal(got, want) {
		t.Fatalf("blocks\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestDiffPutsARemovedBlockAfterTheOneBeforeIt(t *testing.T) {
	from := &articlev1.Article{Locales: map[string]*articlev1.LocalizedContent{"en": {Blocks: []*articlev1.Block{
		withID("A", para("a")), withID("B", para("b")), withID("C", para("c")),
	}}}}
	to := &articlev1.Article{Locales: map[string]*articlev1.LocalizedContent{"en": {Blocks: []*articlev1.Block{
		withID("N", para("n")), withID("A", para("a")), withID("C", para("c2")),
	}}}}
	want := []string{
		`en N + -1>0 "">"n" 1`,
		`en B - 1>-1 "b">"" 1`,
		`en C c 2>2 "c">"c2" 2`,
	}
	if got := describe(Diff(from, to).Blocks); !slices.Equal(got, want) {
		t.Fatalf("blocks\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestDiffPutsABlockRemovedFromTheTopFirst(t *testing.T) {
	from := &articlev1.Article{Locales: map[string]*articlev1.LocalizedContent{"en": {Blocks: []*articlev1.Block{
		withID("X", para("x")), withID("A", para("a")),
	}}}}
	to := &articlev1.Article{Locales: map[string]*articlev1.LocalizedContent{"en": {Blocks: []*articlev1.Block{
		withID("N", para("n")), withID("A", para("a")),
	}}}}
	want := []string{
		`en X - 0>-1 "x">"" 1`,
		`en N + -1>0 "">"n" 1`,
	}
	if got := describe(Diff(from, to).Blocks); !slices.Equal(got, want) {
		t.Fatalf("blocks\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestSummaryCountsOnlyWhatHappened(t *testing.T) {
	prev := stored(3)
	cur := proto.Clone(prev).(*draftingv1.Draft)
	cur.Revision = 4
	cur.Article.Locales["en"].Blocks = append(cur.Article.Locales["en"].Blocks, withID("N", para("New.")))
	if got := Summary("tandem.draft.updated", prev, cur); got != "blocks 1 added (en)" {
		t.Fatalf("summary %q", got)
	}
}

func TestSummarySaysWhatChanged(t *testing.T) {
	prev := stored(3)
	prev.Article.Locales["zh-CN"].Blocks = []*articlev1.Block{withID("A", para("甲")), withID("B", para("乙")), withID("C", para("丙")), withID("D", para("丁"))}
	if got := Summary("tandem.draft.created", nil, prev); got != "created (zh-CN, en)" {
		t.Errorf("first revision: %q", got)
	}
	cur := stored(5)
	cur.Article = full()
	cur.Article.SourceLocale = "zh-CN"
	cur.Article.Date = "2024-06-01"
	cur.Article.Locales["en"].Title = "New"
	cur.Article.Locales["en"].Blocks = prev.Article.Locales["en"].Blocks
	cur.Article.Locales["zh-CN"].Blocks = []*articlev1.Block{withID("B", para("乙")), withID("A", para("甲")), withID("C", para("丙改")), withID("E", para("戊")), withID("F", para("己"))}
	want := "date; slug; title (en); summary (en); keywords (en); byline.authors (en); byline.office (en); blocks 1 changed, 2 added, 1 removed, 1 moved (zh-CN)"
	if got := Summary("tandem.draft.updated", prev, cur); got != want {
		t.Errorf("edit:\n%q\nwant\n%q", got, want)
	}
	if got := Summary("tandem.draft.updated", prev, prev); got != "no change to the content" {
		t.Errorf("no change: %q", got)
	}
	sub := stored(3)
	sub.Article = prev.Article
	if err := Submit(sub, editor, later, false); err != nil {
		t.Fatal(err)
	}
	if got := Summary("tandem.draft.submitted", prev, sub); got != "submitted revision 3" {
		t.Errorf("submit: %q", got)
	}
	// Submitted before and still: what changed is the content.
	again := stored(4)
	again.Article = prev.Article
	again.Status, again.SubmittedRevision = sub.Status, sub.SubmittedRevision
	if got := Summary("tandem.draft.updated", sub, again); got != "no change to the content" {
		t.Errorf("still submitted: %q", got)
	}
}
