package main

import (
	"strings"
	"testing"

	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/auth"
)

// listRow is the row of article id in what draft list printed, split at
// its column gaps; nil when there is none.
func listRow(out, id string) []string {
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, id+" ") {
			return columns.Split(l, -1)
		}
	}
	return nil
}

// listStatus is the status draft list shows for article id.
func (e *verbEnv) listStatus(t *testing.T, id string) string {
	t.Helper()
	if r := listRow(e.run(t, auth.Editor, "draft", "list"), id); r != nil {
		return r[1]
	}
	return ""
}

func TestVerbDraftListShowsNewerWorkOnAPublishedArticle(t *testing.T) {
	e := startVerbEnv(t)
	id := e.approved(t)
	e.run(t, auth.Publisher, "publish", id)
	stacktest.Eventually(t, "the list shows it published", func() bool {
		return e.listStatus(t, id) == "published (zh-CN, en)"
	})

	// A newer revision goes to review: the list says so, and what is
	// public.
	zh := e.dir + "/library-exam-hours.zh.md"
	e.edited(t, zh, "咨询电话", "值班电话")
	e.run(t, auth.Editor, "draft", "edit", id, "--zh", zh)
	e.run(t, auth.Editor, "draft", "submit", id)
	stacktest.Eventually(t, "the list shows the newer revision in review", func() bool {
		return e.listStatus(t, id) == "in-review (zh-CN, en public)"
	})
	if listRow(e.run(t, auth.Editor, "draft", "list", "--status", "published"), id) == nil {
		t.Error("draft list --status published leaves out an article with public locales")
	}
	if listRow(e.run(t, auth.Editor, "draft", "list", "--missing", "en"), id) != nil {
		t.Error("draft list --missing en lists an article whose English is public")
	}

	// The English taken down is missing.
	e.run(t, auth.Publisher, "unpublish", id, "--locale", "en", "--reason", "embargo")
	stacktest.Eventually(t, "draft list --missing en lists the article", func() bool {
		return listRow(e.run(t, auth.Editor, "draft", "list", "--missing", "en"), id) != nil
	})
	if got := e.listStatus(t, id); got != "in-review (zh-CN public)" {
		t.Errorf("draft list shows %q, want in-review (zh-CN public)", got)
	}
}
