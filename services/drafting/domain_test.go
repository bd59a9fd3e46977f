package drafting

import (
	"slices"
	"strings"
	"testing"

	"github.com/tandemnews/tandem/pkg/rpc"
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
	var v rpc.Violations
	Validate(a, "article", &v)
	return v.Fields()
}

func TestValidateAcceptsAGoodArticleAndFillsDefaults(t *testing.T) {
	a := valid()
	if got := violations(a); len(got) != 0 {
		t.Fatalf("violations: %v", got)
	}
	assignIDs(a)
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
