package draft

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/tandemnews/tandem/pkg/field"
	"github.com/tandemnews/tandem/pkg/siteconfig"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
)

func para(s string) *articlev1.Block {
	return &articlev1.Block{Kind: &articlev1.Block_Paragraph{Paragraph: &articlev1.Paragraph{Text: s}}}
}

func valid() *articlev1.Article {
	return &articlev1.Article{
		Section: []string{"news-events", "news"},
		Date:    "2024-05-16",
		Locales: map[string]*articlev1.LocalizedContent{
			"zh-CN": {Title: "标题", Blocks: []*articlev1.Block{para("正文。")}},
			"en":    {Title: "Title", Blocks: []*articlev1.Block{para("Body.")}},
		},
	}
}

func violations(a *articlev1.Article) []string {
	var v field.Violations
	Validate(a, "article", &v)
	return v.Fields()
}

func TestValidateAcceptsAGoodArticleAndFillsDefaults(t *testing.T) {
	a := valid()
	if got := violations(a); len(got) != 0 {
		t.Fatalf("violations: %v", got)
	}
	AssignIDs(a)
	if a.SourceLocale != "zh-CN" {
		t.Errorf("source locale = %q, want zh-CN", a.SourceLocale)
	}
	if id := a.Locales["zh-CN"].Blocks[0].Id; id == "" {
		t.Error("block id not assigned")
	}
}

func TestValidateReportsEveryProblemAtOnce(t *testing.T) {
	a := valid()
	a.Section = []string{"News"}
	a.Date = "2024-02-30"
	a.Slug = "Bad Slug"
	a.Locales["en"].Title = ""
	a.Locales["en"].Blocks = append(a.Locales["en"].Blocks,
		&articlev1.Block{Kind: &articlev1.Block_Heading{Heading: &articlev1.Heading{Level: 1, Text: "H"}}},
		para("<script>alert(1)</script>"),
		&articlev1.Block{},
	)
	a.Locales["fr"] = &articlev1.LocalizedContent{Title: "Titre"}
	want := []string{
		"article.section[0]",
		"article.date",
		"article.slug",
		`article.locales["en"].title`,
		`article.locales["en"].blocks[1].heading.level`,
		`article.locales["en"].blocks[2].paragraph.text`,
		`article.locales["en"].blocks[3]`,
		`article.locales["fr"]`,
	}
	got := violations(a)
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("missing violation %s (got %v)", w, got)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %d violations %v, want %d", len(got), got, len(want))
	}
}

func TestValidateRequiresTheSourceLocale(t *testing.T) {
	a := valid()
	delete(a.Locales, "zh-CN")
	if got := violations(a); !slices.Contains(got, `article.locales["zh-CN"]`) {
		t.Fatalf("violations %v do not name the missing source", got)
	}
}

func TestValidateBoundsSizes(t *testing.T) {
	a := valid()
	a.Locales["zh-CN"].Title = strings.Repeat("长", MaxTitleRunes+1)
	a.Locales["zh-CN"].Blocks[0] = para(strings.Repeat("x", MaxBlockBytes+1))
	got := violations(a)
	for _, w := range []string{`article.locales["zh-CN"].title`, `article.locales["zh-CN"].blocks[0].paragraph.text`} {
		if !slices.Contains(got, w) {
			t.Errorf("missing %s in %v", w, got)
		}
	}
	a = valid()
	for len(a.Locales["zh-CN"].Blocks) <= MaxBlocks {
		a.Locales["zh-CN"].Blocks = append(a.Locales["zh-CN"].Blocks, para("段落。"))
	}
	if got := violations(a); !slices.Contains(got, `article.locales["zh-CN"].blocks`) {
		t.Errorf("too many blocks not reported: %v", got)
	}
}

func TestValidateRejectsDuplicateBlockIDs(t *testing.T) {
	a := valid()
	b1, b2 := para("一。"), para("二。")
	b1.Id, b2.Id = "b1", "b1"
	a.Locales["zh-CN"].Blocks = []*articlev1.Block{b1, b2}
	if got := violations(a); !slices.Contains(got, `article.locales["zh-CN"].blocks[1].id`) {
		t.Fatalf("duplicate id not reported: %v", got)
	}
}

// edits of a valid article, each at a limit (allowed) or one past it
// (reported at the field named).
var limits = []struct {
	name  string
	edit  func(a *articlev1.Article)
	field string // "" when the edit is allowed
}{
	{"title at the limit", func(a *articlev1.Article) { a.Locales["zh-CN"].Title = strings.Repeat("长", MaxTitleRunes) }, ""},
	{"title past it", func(a *articlev1.Article) { a.Locales["en"].Title = strings.Repeat("x", MaxTitleRunes+1) }, `article.locales["en"].title`},
	{"summary at the limit", func(a *articlev1.Article) { a.Locales["en"].Summary = strings.Repeat("x", MaxSummaryRunes) }, ""},
	{"summary past it", func(a *articlev1.Article) { a.Locales["en"].Summary = strings.Repeat("长", MaxSummaryRunes+1) }, `article.locales["en"].summary`},
	{"keywords at the limit", func(a *articlev1.Article) { a.Locales["en"].Keywords = repeat("k", MaxKeywords) }, ""},
	{"keywords past it", func(a *articlev1.Article) { a.Locales["en"].Keywords = repeat("k", MaxKeywords+1) }, `article.locales["en"].keywords`},
	{"keyword at the limit", func(a *articlev1.Article) { a.Locales["en"].Keywords = []string{strings.Repeat("k", MaxKeywordRunes)} }, ""},
	{"keyword past it", func(a *articlev1.Article) {
		a.Locales["en"].Keywords = []string{"ok", strings.Repeat("k", MaxKeywordRunes+1)}
	}, `article.locales["en"].keywords[1]`},
	{"authors at the limit", func(a *articlev1.Article) {
		a.Locales["en"].Byline = &articlev1.Byline{Authors: repeat("Li", MaxAuthors)}
	}, ""},
	{"authors past it", func(a *articlev1.Article) {
		a.Locales["en"].Byline = &articlev1.Byline{Authors: repeat("Li", MaxAuthors+1)}
	}, `article.locales["en"].byline.authors`},
	{"author at the limit", func(a *articlev1.Article) {
		a.Locales["en"].Byline = &articlev1.Byline{Authors: []string{strings.Repeat("名", MaxNameRunes)}}
	}, ""},
	{"author past it", func(a *articlev1.Article) {
		a.Locales["en"].Byline = &articlev1.Byline{Authors: []string{"Li", strings.Repeat("名", MaxNameRunes+1)}}
	}, `article.locales["en"].byline.authors[1]`},
	{"office past it", func(a *articlev1.Article) {
		a.Locales["en"].Byline = &articlev1.Byline{Office: strings.Repeat("o", MaxNameRunes+1)}
	}, `article.locales["en"].byline.office`},
	{"sections at the limit", func(a *articlev1.Article) { a.Section = repeat("s", MaxSectionDepth) }, ""},
	{"sections past it", func(a *articlev1.Article) { a.Section = repeat("s", MaxSectionDepth+1) }, "article.section"},
	{"no section", func(a *articlev1.Article) { a.Section = nil }, "article.section"},
	{"slug at the limit", func(a *articlev1.Article) { a.Slug = strings.Repeat("s", MaxSlugLength) }, ""},
	{"slug past it", func(a *articlev1.Article) { a.Slug = strings.Repeat("s", MaxSlugLength+1) }, "article.slug"},
	{"slug with a double dash", func(a *articlev1.Article) { a.Slug = "open--day" }, "article.slug"},
	{"slug with dashes", func(a *articlev1.Article) { a.Slug = "open-day-2024" }, ""},
	{"no date", func(a *articlev1.Article) { a.Date = "" }, "article.date"},
	{"blocks at the limit", func(a *articlev1.Article) { a.Locales["en"].Blocks = paras(MaxBlocks) }, ""},
	{"block at the limit", func(a *articlev1.Article) {
		a.Locales["en"].Blocks = []*articlev1.Block{para(strings.Repeat("长", MaxBlockBytes/3))}
	}, ""},
	{"block past it in bytes", func(a *articlev1.Article) {
		a.Locales["en"].Blocks = []*articlev1.Block{para(strings.Repeat("长", MaxBlockBytes/3+1))}
	}, `article.locales["en"].blocks[0].paragraph.text`},
	{"list items at the limit", func(a *articlev1.Article) {
		a.Locales["en"].Blocks = []*articlev1.Block{list(true, repeat("i", MaxListItems)...)}
	}, ""},
	{"list items past it", func(a *articlev1.Article) {
		a.Locales["en"].Blocks = []*articlev1.Block{list(true, repeat("i", MaxListItems+1)...)}
	}, `article.locales["en"].blocks[0].list.items`},
	{"empty list", func(a *articlev1.Article) { a.Locales["en"].Blocks = []*articlev1.Block{list(false)} }, `article.locales["en"].blocks[0].list.items`},
	{"empty list item", func(a *articlev1.Article) { a.Locales["en"].Blocks = []*articlev1.Block{list(false, "a", " ")} }, `article.locales["en"].blocks[0].list.items[1]`},
	{"heading 2", func(a *articlev1.Article) { a.Locales["en"].Blocks = []*articlev1.Block{heading(2, "H")} }, ""},
	{"heading 3", func(a *articlev1.Article) { a.Locales["en"].Blocks = []*articlev1.Block{heading(3, "H")} }, ""},
	{"heading 4", func(a *articlev1.Article) { a.Locales["en"].Blocks = []*articlev1.Block{heading(4, "H")} }, `article.locales["en"].blocks[0].heading.level`},
	{"empty heading", func(a *articlev1.Article) { a.Locales["en"].Blocks = []*articlev1.Block{heading(2, "")} }, `article.locales["en"].blocks[0].heading.text`},
	{"figure", func(a *articlev1.Article) { a.Locales["en"].Blocks = []*articlev1.Block{figure("a.jpg", "Cap", "Li")} }, ""},
	{"figure without a file", func(a *articlev1.Article) { a.Locales["en"].Blocks = []*articlev1.Block{figure("", "Cap", "")} }, `article.locales["en"].blocks[0].figure.file`},
	{"figure caption with HTML", func(a *articlev1.Article) {
		a.Locales["en"].Blocks = []*articlev1.Block{figure("a.jpg", "<i>Cap</i>", "")}
	}, `article.locales["en"].blocks[0].figure.caption`},
	{"figure credit past the limit", func(a *articlev1.Article) {
		a.Locales["en"].Blocks = []*articlev1.Block{figure("a.jpg", "", strings.Repeat("c", MaxNameRunes+1))}
	}, `article.locales["en"].blocks[0].figure.credit`},
	{"figure alt text with HTML", func(a *articlev1.Article) {
		a.Locales["en"].Blocks = []*articlev1.Block{{Kind: &articlev1.Block_Figure{Figure: &articlev1.Figure{File: "a.jpg", Alt: "<!-- x -->"}}}}
	}, `article.locales["en"].blocks[0].figure.alt`},
	{"quote", func(a *articlev1.Article) { a.Locales["en"].Blocks = []*articlev1.Block{quote("Q", "Wang")} }, ""},
	{"empty quote", func(a *articlev1.Article) { a.Locales["en"].Blocks = []*articlev1.Block{quote("", "Wang")} }, `article.locales["en"].blocks[0].quote.text`},
	{"quote attribution past the limit", func(a *articlev1.Article) {
		a.Locales["en"].Blocks = []*articlev1.Block{quote("Q", strings.Repeat("w", MaxNameRunes+1))}
	}, `article.locales["en"].blocks[0].quote.attribution`},
	{"invalid UTF-8", func(a *articlev1.Article) { a.Locales["en"].Title = "T\xff" }, `article.locales["en"].title`},
	{"a closing tag", func(a *articlev1.Article) { a.Locales["en"].Title = "a </b>" }, `article.locales["en"].title`},
	{"a processing instruction", func(a *articlev1.Article) { a.Locales["en"].Summary = "<?xml" }, `article.locales["en"].summary`},
	{"a spaced tag", func(a *articlev1.Article) { a.Locales["en"].Summary = "< b>" }, `article.locales["en"].summary`},
	{"a less-than sign", func(a *articlev1.Article) { a.Locales["en"].Title = "1 < 2 and <3" }, ""},
	{"nil locale content", func(a *articlev1.Article) { a.Locales["en"] = nil }, `article.locales["en"]`},
	{"not a language tag", func(a *articlev1.Article) { a.Locales["x y"] = &articlev1.LocalizedContent{Title: "T"} }, `article.locales["x y"]`},
	{"a nil block", func(a *articlev1.Article) { a.Locales["en"].Blocks = []*articlev1.Block{nil} }, `article.locales["en"].blocks[0]`},
	{"english source", func(a *articlev1.Article) { a.SourceLocale = "en" }, ""},
	{"english source without english", func(a *articlev1.Article) { a.SourceLocale = "en"; delete(a.Locales, "en") }, `article.locales["en"]`},
	{"unsupported source", func(a *articlev1.Article) { a.SourceLocale = "fr" }, "article.source_locale"},
	{"article at the limit", func(a *articlev1.Article) { growTo(a, MaxArticleBytes) }, ""},
	{"article past it", func(a *articlev1.Article) { growTo(a, MaxArticleBytes+1) }, "article"},
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

func paras(n int) []*articlev1.Block {
	out := make([]*articlev1.Block, n)
	for i := range out {
		out[i] = para("P.")
	}
	return out
}

// growTo pads the English summary and blocks until the article encodes to
// exactly n bytes, each part within its own limit.
func growTo(a *articlev1.Article, n int) {
	a.SourceLocale = DefaultSourceLang
	en := a.Locales["en"]
	en.Blocks = nil
	for proto.Size(a) < n-MaxBlockBytes {
		en.Blocks = append(en.Blocks, para(strings.Repeat("x", MaxBlockBytes-8)))
	}
	last := para("")
	en.Blocks = append(en.Blocks, last)
	for proto.Size(a) < n {
		last.GetParagraph().Text += strings.Repeat("x", max(1, (n-proto.Size(a))/2))
	}
	for proto.Size(a) > n {
		p := last.GetParagraph()
		p.Text = p.Text[:len(p.Text)-1]
	}
	if proto.Size(a) != n {
		panic("the article cannot be grown to the size wanted")
	}
}

func TestValidateAtAndPastEachLimit(t *testing.T) { wantEdits(t, limits) }

func TestValidateReportsAMissingArticle(t *testing.T) {
	var v field.Violations
	Validate(nil, "draft.article", &v)
	if got := v.Fields(); !slices.Equal(got, []string{"draft.article"}) {
		t.Fatalf("violations %v", got)
	}
}

func TestValidateStopsAtTooManyBlocks(t *testing.T) {
	a := valid()
	blocks := paras(MaxBlocks + 1)
	blocks[0] = para("")
	a.Locales["en"].Blocks = blocks
	if got := violations(a); !slices.Equal(got, []string{`article.locales["en"].blocks`}) {
		t.Fatalf("violations %v, want the count alone", got)
	}
}

func TestSupported(t *testing.T) {
	if !Supported("zh-CN") || !Supported("en") || Supported("fr") || Supported("") {
		t.Fatal("Tandem publishes zh-CN and en, nothing else")
	}
}

func TestRulesCheckTheSiteAndTheSlugs(t *testing.T) {
	site := siteconfig.Default()
	var asked []string
	rules := Rules{Site: site, SlugOwner: func(slug, id string) (string, bool) {
		asked = append(asked, slug+"@"+id)
		return "OTHER", slug == "taken"
	}}
	check := func(r Rules, edit func(*articlev1.Article)) []string {
		a := valid()
		a.Id = "A1"
		edit(a)
		var v field.Violations
		r.Check(a, "article", &v)
		return v.Fields()
	}
	if got := check(rules, func(a *articlev1.Article) { a.Slug = "free" }); len(got) != 0 {
		t.Errorf("a good article: %v", got)
	}
	if !slices.Equal(asked, []string{"free@A1"}) {
		t.Errorf("slug owner asked %v", asked)
	}
	if got := check(rules, func(a *articlev1.Article) { a.Slug = "taken" }); !slices.Equal(got, []string{"article.slug"}) {
		t.Errorf("a taken slug: %v", got)
	}
	if got := check(rules, func(a *articlev1.Article) { a.Section = []string{"news-events", "sports"} }); !slices.Equal(got, []string{"article.section"}) {
		t.Errorf("an unknown section: %v", got)
	}
	// A malformed section is reported once, as malformed.
	if got := check(rules, func(a *articlev1.Article) { a.Section = []string{"Sports"} }); !slices.Equal(got, []string{"article.section[0]"}) {
		t.Errorf("a malformed section: %v", got)
	}
	// An unknown section is reported with the article's other problems.
	if got := check(rules, func(a *articlev1.Article) { a.Section = []string{"sports"}; a.Date = "" }); !slices.Equal(got, []string{"article.date", "article.section"}) {
		t.Errorf("an unknown section beside a missing date: %v", got)
	}
	if got := check(Rules{}, func(a *articlev1.Article) { a.Section = []string{"sports"}; a.Slug = "taken" }); len(got) != 0 {
		t.Errorf("without a site or slugs: %v", got)
	}
}

func TestReplaceKeepsTheSourceLocale(t *testing.T) {
	d := stored(4)
	before := proto.Clone(d)
	a := valid()
	a.SourceLocale = "en"
	err := Replace(d, a, other, later)
	var fe *field.Error
	if !errors.Is(err, ErrSourceLocaleChanged) || !errors.As(err, &fe) {
		t.Fatalf("err %v, want ErrSourceLocaleChanged with a field error", err)
	}
	if want := []field.Violation{{Field: "article.source_locale", Description: "cannot change from zh-CN"}}; len(fe.Violations) != 1 || fe.Violations[0] != want[0] {
		t.Errorf("violations %v, want %v", fe.Violations, want)
	}
	if !proto.Equal(d, before) {
		t.Error("a refused replacement changed the draft")
	}
}
