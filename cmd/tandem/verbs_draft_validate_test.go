package main

import (
	"strings"
	"testing"

	"github.com/tandemnews/tandem/pkg/auth"
)

func TestVerbDraftCreateReportsEveryProblemAtOnce(t *testing.T) {
	e := startVerbEnv(t)

	// Problems of the body and of the front matter, with two bad blocks
	// and a table, come in one answer, each block named as written.
	bad := e.file(t, "bad.zh.md", "---\ndate: 2024-13-01\nsection: [news-events, notices]\n---\n\n正文。\n\n<div>raw</div>\n\n"+
		"| 日期 | 时间 |\n| --- | --- |\n| 周一 | 8:00 |\n\n```\ncode\n```\n")
	e.fails(t, auth.Editor, "the request was not accepted:\n"+
		"  - files[\"zh-CN\"].blocks[1] raw HTML is not allowed; use Markdown\n"+
		"  - files[\"zh-CN\"].blocks[2] tables are not supported in articles; write the figures in a list or in the text\n"+
		"  - files[\"zh-CN\"].blocks[3] code blocks are not supported in articles\n"+
		"  - article.date \"2024-13-01\" is not a date as YYYY-MM-DD\n"+
		"  - article.locales[\"zh-CN\"].title is required",
		"draft", "create", "--zh", bad)

	// A well-written file with a missing title and an unknown section:
	// the service reports both.
	unknown := e.file(t, "unknown.zh.md", "---\ndate: 2024-12-09\nsection: [news-events, sports]\n---\n\n正文。\n")
	e.fails(t, auth.Editor, "the request was not accepted:\n"+
		"  - article.locales[\"zh-CN\"].title is required\n"+
		"  - article.section \"news-events/sports\" is not a section of the site (campus-life, news-events, news-events/news, news-events/notices, news-events/research)",
		"draft", "create", "--zh", unknown)

	// A problem of the body no longer hides the site's: the service checks
	// what was read without storing it, and an unknown section comes back
	// with the raw HTML.
	both := e.file(t, "both.zh.md", "---\ntitle: 运动会\ndate: 2024-12-09\nsection: [news-events, sports]\n---\n\n正文。\n\n<div>raw</div>\n")
	e.fails(t, auth.Editor, "the request was not accepted:\n"+
		"  - files[\"zh-CN\"].blocks[1] raw HTML is not allowed; use Markdown\n"+
		"  - article.section \"news-events/sports\" is not a section of the site (campus-life, news-events, news-events/news, news-events/notices, news-events/research)",
		"draft", "create", "--zh", both)
	if out := e.run(t, auth.Editor, "draft", "list"); strings.Contains(out, "运动会") {
		t.Fatalf("a validate-only check stored a draft:\n%s", out)
	}
}
