package markdown

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/tandemnews/tandem/pkg/field"
	"github.com/tandemnews/tandem/pkg/testkit"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
)

func read(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func load(t *testing.T, zh, en string) *articlev1.Article {
	t.Helper()
	a, err := Article(map[string][]byte{"zh-CN": read(t, zh), "en": read(t, en)}, "zh-CN")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestParseReadsEveryBlockType(t *testing.T) {
	a := load(t, "testdata/every-block.zh.md", "testdata/every-block.en.md")
	if a.Date != "2024-11-20" || !slices.Equal(a.Section, []string{"news-events", "news"}) || a.Slug != "students-win-top-prize-in-the-challenge-cup" {
		t.Fatalf("shared fields: %s %v %s", a.Date, a.Section, a.Slug)
	}
	zh := a.Locales["zh-CN"]
	if zh.Title != "我校学子在“挑战杯”竞赛中获特等奖" || zh.Byline.Office != "校团委" || !slices.Equal(zh.Byline.Authors, []string{"周敏", "吴倩"}) {
		t.Fatalf("front matter: %v", zh)
	}
	kinds := func(c *articlev1.LocalizedContent) []string {
		var ks []string
		for _, b := range c.Blocks {
			ks = append(ks, kind(b))
		}
		return ks
	}
	want := []string{"paragraph", "heading", "paragraph", "heading", "figure", "quote", "list", "list"}
	for _, l := range []string{"zh-CN", "en"} {
		if got := kinds(a.Locales[l]); !slices.Equal(got, want) {
			t.Errorf("%s blocks %v, want %v (the byline paragraph is dropped)", l, got, want)
		}
	}
	b := zh.Blocks
	if got := b[0].GetParagraph().Text; got != "11月18日，第十九届“挑战杯”全国大学生课外学术科技作品竞赛终审决赛在**西安**举行，\n我校作品获得*特等奖*一项。" {
		t.Errorf("paragraph keeps inline Markdown: %q", got)
	}
	if h := b[3].GetHeading(); h.Level != 3 || h.Text != "指导教师" {
		t.Errorf("heading %v", h)
	}
	if f := b[4].GetFigure(); f.File != "final.jpg" || f.Caption != "团队成员在决赛现场答辩" || f.Credit != "校团委 供图" {
		t.Errorf("figure %v", f)
	}
	if q := b[5].GetQuote(); q.Attribution != "团队负责人 陈浩" || q.Text != "这次获奖是团队两年努力的结果。\n\n我们会继续完善系统。" {
		t.Errorf("quote %q by %q", q.Text, q.Attribution)
	}
	if l := b[7].GetList(); !l.Ordered || !slices.Equal(l.Items, []string{"初赛：5月", "复赛：9月", "决赛：11月"}) {
		t.Errorf("ordered list %v", l)
	}
}

func TestExportThenParseGivesTheSameBlocks(t *testing.T) {
	a := load(t, "testdata/every-block.zh.md", "testdata/every-block.en.md")
	files := map[string][]byte{}
	for _, l := range []string{"zh-CN", "en"} {
		out, err := Export(a, l)
		if err != nil {
			t.Fatal(err)
		}
		files[l] = out
	}
	again, err := Article(files, "zh-CN")
	if err != nil {
		t.Fatalf("exported files do not parse: %v\n%s", err, files["zh-CN"])
	}
	if !proto.Equal(a, again) {
		t.Fatalf("round trip changed the article:\nfirst  %v\nsecond %v", a, again)
	}
}

func TestParseReadsTheSharedCorpus(t *testing.T) {
	dir := testkit.Shared(t, "corpus")
	for _, name := range []string{"forum", "library", "skills"} {
		t.Run(name, func(t *testing.T) {
			a := load(t, filepath.Join(dir, name+".zh.md"), filepath.Join(dir, name+".en.md"))
			zh, en := a.Locales["zh-CN"], a.Locales["en"]
			if len(zh.Blocks) == 0 || len(zh.Blocks) != len(en.Blocks) {
				t.Fatalf("zh has %d blocks, en %d; the corpus has the same blocks in both", len(zh.Blocks), len(en.Blocks))
			}
			for i := range zh.Blocks {
				if zk, ek := kind(zh.Blocks[i]), kind(en.Blocks[i]); zk != ek {
					t.Errorf("block %d is a %s in zh and a %s in en", i, zk, ek)
				}
			}
			out, err := Export(a, "en")
			if err != nil {
				t.Fatal(err)
			}
			doc, err := Parse(out, "en")
			if err != nil || !proto.Equal(doc.Content, en) {
				t.Fatalf("corpus round trip: %v", err)
			}
		})
	}
}

// kind names the block's kind: "paragraph", "figure", ...
func kind(b *articlev1.Block) string {
	m := b.ProtoReflect()
	return string(m.WhichOneof(m.Descriptor().Oneofs().ByName("kind")).Name())
}

func violations(t *testing.T, err error) []string {
	t.Helper()
	st, ok := status.FromError(err)
	if !ok || st.Code() != codes.InvalidArgument {
		t.Fatalf("err = %v, want InvalidArgument", err)
	}
	var out []string
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.FieldViolations {
				out = append(out, v.Field)
			}
		}
	}
	return out
}

func TestParseRejectsWhatArticlesCannotHoldAllAtOnce(t *testing.T) {
	src := `---
title: T
date: 2024-01-01
section: [news]
---

# A title in the body

<div>raw</div>

Text with <b>html</b>.

` + "```\ncode\n```" + `

---

- item
  - nested

Text ![inline](x.jpg) image.
`
	_, err := Parse([]byte(src), "f")
	got := violations(t, err)
	// Each problem names its block as written, refused blocks counted.
	want := []string{"f.blocks[0].heading.level", "f.blocks[1]", "f.blocks[2].paragraph.text", "f.blocks[3]", "f.blocks[4]", "f.blocks[5].list.items[0]", "f.blocks[6].paragraph.text"}
	if !slices.Equal(got, want) {
		t.Fatalf("violations %v, want %v", got, want)
	}
}

func TestParseRefusesATable(t *testing.T) {
	src := "---\ntitle: T\n---\n\nHours:\n\n| day | open |\n| --- | ---- |\n| Mon | 8:00 |\n\nText.\n"
	_, err := Parse([]byte(src), "f")
	if got := violations(t, err); !slices.Equal(got, []string{"f.blocks[1]"}) {
		t.Fatalf("violations %v, want the table refused", got)
	}
	if !strings.Contains(err.Error(), "tables are not supported") {
		t.Errorf("error %q does not say tables are refused", err)
	}
}

func TestParseReportsTheFrontMatterAndTheBodyTogether(t *testing.T) {
	src := "---\ntitle: T\nauthor: X\n---\n\n<div>raw</div>\n\nText.\n\n```\ncode\n```\n"
	_, err := Parse([]byte(src), "f")
	if got, want := violations(t, err), []string{"f.front_matter", "f.blocks[0]", "f.blocks[2]"}; !slices.Equal(got, want) {
		t.Fatalf("violations %v, want %v", got, want)
	}
}

func TestReadReturnsWhatItReadWithTheProblems(t *testing.T) {
	zh := "---\ntitle: 标题\ndate: 2024-01-01\nsection: [news]\n---\n\n正文。\n\n<div>raw</div>\n"
	var v field.Violations
	a := Read(map[string][]byte{"zh-CN": []byte(zh)}, "zh-CN", &v)
	if got := v.Fields(); !slices.Equal(got, []string{`files["zh-CN"].blocks[1]`}) {
		t.Fatalf("violations %v", got)
	}
	if c := a.GetLocales()["zh-CN"]; a.GetDate() != "2024-01-01" || c.GetTitle() != "标题" || len(c.GetBlocks()) != 1 {
		t.Fatalf("read %v, want the article without the refused block", a)
	}
	v = field.Violations{}
	if a := Read(map[string][]byte{"zh-CN": []byte("---\ntitle: [\n---\n\nText.\n")}, "zh-CN", &v); a != nil || v.Len() != 1 {
		t.Fatalf("read %v with %v, want nothing from a file whose front matter is not read", a, v.Fields())
	}
}

func TestParseRejectsBadFrontMatter(t *testing.T) {
	for name, src := range map[string]string{
		"none":        "Just text.\n",
		"unclosed":    "---\ntitle: T\n\nText.\n",
		"unknown key": "---\ntitle: T\nauthor: X\n---\n\nText.\n",
		"not yaml":    "---\ntitle: [T\n---\n\nText.\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse([]byte(src), "f")
			if v := violations(t, err); len(v) != 1 || !strings.HasPrefix(v[0], "f") {
				t.Fatalf("violations %v", v)
			}
		})
	}
}

func TestArticleRequiresSharedFieldsToAgree(t *testing.T) {
	zh := "---\ntitle: 标题\ndate: 2024-01-01\nsection: [news]\nslug: a\n---\n\n正文。\n"
	en := "---\ntitle: Title\ndate: 2024-01-02\nsection: [notices]\nslug: b\n---\n\nBody.\n"
	_, err := Article(map[string][]byte{"zh-CN": []byte(zh), "en": []byte(en)}, "zh-CN")
	got := violations(t, err)
	want := []string{`files["en"].front_matter.date`, `files["en"].front_matter.section`, `files["en"].front_matter.slug`}
	if !slices.Equal(got, want) {
		t.Fatalf("violations %v, want %v", got, want)
	}
	_, err = Article(map[string][]byte{"en": []byte(en)}, "zh-CN")
	if got := violations(t, err); !slices.Equal(got, []string{`files["zh-CN"]`}) {
		t.Fatalf("missing source: %v", got)
	}
}

func FuzzParse(f *testing.F) {
	for _, p := range []string{"testdata/every-block.zh.md", "testdata/every-block.en.md"} {
		f.Add(read(f, p))
	}
	f.Add([]byte("---\ntitle: x\n---\n\n> q\n>\n> — a\n"))
	f.Add([]byte("---\n---\n![c](f \"cr\\\"x\")\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		doc, err := Parse(src, "f")
		if err != nil {
			if status.Code(err) != codes.InvalidArgument {
				t.Fatalf("rejection is %v, want InvalidArgument: %v", status.Code(err), err)
			}
			return
		}
		a := &articlev1.Article{Date: doc.Front.Date, Section: doc.Front.Section, Slug: doc.Front.Slug, Locales: map[string]*articlev1.LocalizedContent{"x": doc.Content}}
		out, err := Export(a, "x")
		if err != nil {
			t.Fatal(err)
		}
		again, err := Parse(out, "f")
		if err != nil {
			t.Fatalf("export of an accepted file does not parse: %v\n--- in\n%s\n--- out\n%s", err, src, out)
		}
		if len(again.Content.Blocks) != len(doc.Content.Blocks) {
			t.Fatalf("export changed the number of blocks from %d to %d\n--- in\n%s\n--- out\n%s", len(doc.Content.Blocks), len(again.Content.Blocks), src, out)
		}
	})
}
