package draft

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/tandemnews/tandem/pkg/field"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
)

// editCase is an edit of a valid article that must be refused at the
// field named, or accepted when the field is "".
type editCase = struct {
	name  string
	edit  func(a *articlev1.Article)
	field string
}

// wantEdits applies each case to a valid article and checks the verdict.
func wantEdits(t *testing.T, cases []editCase) {
	t.Helper()
	for _, c := range cases {
		a := valid()
		c.edit(a)
		got := violations(a)
		if c.field == "" && len(got) != 0 {
			t.Errorf("%s: refused: %v", c.name, got)
		}
		if c.field != "" && !slices.Contains(got, c.field) {
			t.Errorf("%s: violations %v do not name %s", c.name, got, c.field)
		}
	}
}

// refusals are the edits that bring unsafe text into an article.
var refusals = []editCase{
	{"an escape in a title", func(a *articlev1.Article) { a.Locales["en"].Title = "Open\x1b[2J day" }, `article.locales["en"].title`},
	{"a line feed in a title", func(a *articlev1.Article) { a.Locales["en"].Title = "Open\nday" }, `article.locales["en"].title`},
	{"a NUL in a summary", func(a *articlev1.Article) { a.Locales["en"].Summary = "S\x00" }, `article.locales["en"].summary`},
	{"a right-to-left override in a keyword", func(a *articlev1.Article) {
		a.Locales["en"].Keywords = []string{"ok", "gpj.\u202eexe"}
	}, `article.locales["en"].keywords[1]`},
	{"a vertical tab in an author", func(a *articlev1.Article) {
		a.Locales["en"].Byline = &articlev1.Byline{Authors: []string{"Li\x0bMing"}}
	}, `article.locales["en"].byline.authors[0]`},
	{"an isolate in the office", func(a *articlev1.Article) {
		a.Locales["en"].Byline = &articlev1.Byline{Office: "\u2067Office\u2069"}
	}, `article.locales["en"].byline.office`},
	{"a carriage return in a credit", func(a *articlev1.Article) {
		a.Locales["en"].Blocks = []*articlev1.Block{figure("a.jpg", "Cap", "Li\r")}
	}, `article.locales["en"].blocks[0].figure.credit`},
	{"a NUL in a paragraph", func(a *articlev1.Article) { a.Locales["en"].Blocks = []*articlev1.Block{para("a\x00b")} }, `article.locales["en"].blocks[0].paragraph.text`},
	{"an override in a list item", func(a *articlev1.Article) {
		a.Locales["en"].Blocks = []*articlev1.Block{list(false, "a", "b\u202dc")}
	}, `article.locales["en"].blocks[0].list.items[1]`},
	{"lines and tabs in a paragraph", func(a *articlev1.Article) { a.Locales["en"].Blocks = []*articlev1.Block{para("a\nb\tc")} }, ""},
	{"a right-to-left mark in a title", func(a *articlev1.Article) { a.Locales["en"].Title = "Title \u200f" }, ""},
	{"a title of zero-width characters", func(a *articlev1.Article) {
		a.Locales["en"].Title = "\u200b\u200c\u200d\u2060\ufeff"
	}, `article.locales["en"].title`},
	{"a paragraph of zero-width spaces", func(a *articlev1.Article) { a.Locales["en"].Blocks = []*articlev1.Block{para(" \u200b ")} }, `article.locales["en"].blocks[0].paragraph.text`},
	{"a zero-width joiner inside a title", func(a *articlev1.Article) { a.Locales["en"].Title = "Tea\u200dhouse" }, ""},
	{"strong text in a title", func(a *articlev1.Article) { a.Locales["zh-CN"].Title = "图书馆**夜间**开放" }, `article.locales["zh-CN"].title`},
	{"emphasis in a title", func(a *articlev1.Article) { a.Locales["en"].Title = "An _x_ title" }, `article.locales["en"].title`},
	{"code in a title", func(a *articlev1.Article) { a.Locales["en"].Title = "Run `code`" }, `article.locales["en"].title`},
	{"a link in a title", func(a *articlev1.Article) { a.Locales["en"].Title = "See [a](b)" }, `article.locales["en"].title`},
	{"an image in a title", func(a *articlev1.Article) { a.Locales["en"].Title = "![x](y.jpg)" }, `article.locales["en"].title`},
	{"signs that make no mark", func(a *articlev1.Article) {
		a.Locales["en"].Title = "C++ & C#: 5 * 3 > 2, snake_case_name [draft] (2024)"
	}, ""},
	{"a title that would start a list or heading", func(a *articlev1.Article) { a.Locales["en"].Title = "2024. # 1 in the league" }, ""},
	{"strong text in a paragraph", func(a *articlev1.Article) { a.Locales["en"].Blocks = []*articlev1.Block{para("**bold**")} }, ""},
	{"a path out of the media folder", func(a *articlev1.Article) {
		a.Locales["en"].Blocks = []*articlev1.Block{figure("../../../etc/passwd", "", "")}
	}, `article.locales["en"].blocks[0].figure.file`},
	{"a script address", func(a *articlev1.Article) {
		a.Locales["en"].Blocks = []*articlev1.Block{figure("javascript:alert(1)", "", "")}
	}, `article.locales["en"].blocks[0].figure.file`},
	{"another host", func(a *articlev1.Article) {
		a.Locales["en"].Blocks = []*articlev1.Block{figure("//evil.example/x.jpg", "", "")}
	}, `article.locales["en"].blocks[0].figure.file`},
	{"a file name with dots", func(a *articlev1.Article) { a.Locales["en"].Blocks = []*articlev1.Block{figure("a..jpg", "", "")} }, `article.locales["en"].blocks[0].figure.file`},
	{"a file name with capitals", func(a *articlev1.Article) { a.Locales["en"].Blocks = []*articlev1.Block{figure("A.JPG", "", "")} }, `article.locales["en"].blocks[0].figure.file`},
	{"a file name at the limit", func(a *articlev1.Article) {
		a.Locales["en"].Blocks = []*articlev1.Block{figure(strings.Repeat("a", MaxFileLength-4)+".jpg", "", "")}
	}, ""},
	{"a file name past it", func(a *articlev1.Article) {
		a.Locales["en"].Blocks = []*articlev1.Block{figure(strings.Repeat("a", MaxFileLength-3)+".jpg", "", "")}
	}, `article.locales["en"].blocks[0].figure.file`},
	{"a media name", func(a *articlev1.Article) {
		a.Locales["en"].Blocks = []*articlev1.Block{figure("2024_open-day.v2.jpg", "", "")}
	}, ""},
	{"a block id of 200 KB", func(a *articlev1.Article) { a.Locales["en"].Blocks[0].Id = strings.Repeat("b", 200<<10) }, `article.locales["en"].blocks[0].id`},
	{"a block id with markup", func(a *articlev1.Article) { a.Locales["en"].Blocks[0].Id = `"><script>x</script>` }, `article.locales["en"].blocks[0].id`},
	{"a block id at the limit", func(a *articlev1.Article) { a.Locales["en"].Blocks[0].Id = strings.Repeat("B_-9", MaxBlockIDLength/4) }, ""},
	{"a block id past it", func(a *articlev1.Article) { a.Locales["en"].Blocks[0].Id = strings.Repeat("b", MaxBlockIDLength+1) }, `article.locales["en"].blocks[0].id`},
	{"the first day of year 1", func(a *articlev1.Article) { a.Date = "0001-01-01" }, "article.date"},
	{"the last day of 9999", func(a *articlev1.Article) { a.Date = "9999-12-31" }, "article.date"},
	{"the day before the earliest", func(a *articlev1.Article) { a.Date = "1899-12-31" }, "article.date"},
	{"the earliest date", func(a *articlev1.Article) { a.Date = MinDate }, ""},
	{"the latest date", func(a *articlev1.Article) { a.Date = LatestDate(time.Now()).Format(time.DateOnly) }, ""},
	{"a day past the latest", func(a *articlev1.Article) {
		a.Date = LatestDate(time.Now()).AddDate(0, 0, 2).Format(time.DateOnly)
	}, "article.date"},
}

func TestValidateRefusesUnsafeText(t *testing.T) { wantEdits(t, refusals) }

func TestValidateReportsEveryUnsafeFieldAtOnce(t *testing.T) {
	a := valid()
	a.Date = "9999-12-31"
	en := a.Locales["en"]
	en.Title = "**\u202eTitle**"
	en.Summary = "\x1b"
	en.Blocks = []*articlev1.Block{figure("../x.jpg", "", "")}
	en.Blocks[0].Id = "<b>"
	want := []string{
		"article.date",
		`article.locales["en"].title`,
		`article.locales["en"].summary`,
		`article.locales["en"].blocks[0].id`,
		`article.locales["en"].blocks[0].figure.file`,
	}
	got := violations(a)
	slices.Sort(got)
	got = slices.Compact(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("violated fields %v, want %v", got, want)
	}
}

func TestLatestDateIsAYearAfterTodayInTheEarliestZone(t *testing.T) {
	// 20:00 UTC on 31 May is already 1 June at UTC+14.
	now := time.Date(2026, 5, 31, 20, 0, 0, 0, time.UTC)
	if got := LatestDate(now).Format(time.DateOnly); got != "2027-06-01" {
		t.Fatalf("latest date %s, want 2027-06-01", got)
	}
}

func TestWithdrawAndPurgeRefuseUnsafeReasons(t *testing.T) {
	for _, reason := range []string{"dup\x00", "\u202eetacilpud", "two\nlines"} {
		d := stored(4)
		before := proto.Clone(d)
		err := Withdraw(d, reason, other, later)
		var fe *field.Error
		if !errors.As(err, &fe) || len(fe.Violations) != 1 || fe.Violations[0].Field != "reason" {
			t.Errorf("withdraw with %q: %v, want a violation of reason", reason, err)
		}
		err = Tombstone(d, reason, other, later)
		if !errors.As(err, &fe) || len(fe.Violations) != 1 || fe.Violations[0].Field != "reason" {
			t.Errorf("purge with %q: %v, want a violation of reason", reason, err)
		}
		if !proto.Equal(d, before) {
			t.Errorf("a refused reason %q changed the draft", reason)
		}
	}
	var v field.Violations
	CheckReason(&v, "reason", "a duplicate of 01HX")
	if v.Len() != 0 {
		t.Fatalf("a plain reason refused: %v", v.Fields())
	}
}
