package main

import (
	"os"
	"strings"
	"testing"

	"github.com/tandemnews/tandem/pkg/auth"
)

func TestVerbDraftCreateShowsEveryKindOfBlock(t *testing.T) {
	e := startVerbEnv(t)
	zh, _ := e.demoFiles(t, "robotics-gold")
	id, rev := e.create(t, zh)
	if rev != "1" {
		t.Errorf("a new draft is at revision %s, want 1", rev)
	}
	wantOutput(t, "draft show", e.run(t, auth.Editor, "draft", "show", id), "draft "+id+"  revision 1  DRAFT\n"+
		"section news-events/news  date 2024-10-21  slug robotics-team-wins-gold-at-national-contest\n"+
		"\n"+
		"[zh-CN] 我校机器人代表队在全国大学生机器人大赛中获金奖\n"+
		"  10月18日至20日，第十三届全国大学生机器人大赛在杭州举行。我校机电工程学院代表队在物流搬运赛项中获得金奖，另获银奖两项。\n"+
		"  本届大赛共有来自全国146所高校的412支队伍参赛。我校代表队由12名本科生组成，指导教师为赵文博副教授。\n"+
		"  ## 一年备赛，三次改版\n"+
		"  参赛机器人经过三次整体改版，定位精度提高到2毫米以内，单次搬运时间缩短了40%。\n"+
		"  [figure robotics-team.jpg] 我校代表队队员在赛场调试机器人\n"+
		"  > 比赛最难的不是技术，而是在压力下保持冷静、分工合作。\n"+
		"  - 物流搬运赛项：金奖\n"+
		"  - 机器人创新设计赛项：银奖\n"+
		"  - 工程文档评比：银奖\n")
}

func TestVerbDraftEditKeepsTheLocalesNotGivenAndExports(t *testing.T) {
	e := startVerbEnv(t)
	zh, en := e.demoFiles(t, "library-exam-hours")
	id, _ := e.create(t, zh)
	wantOutput(t, "draft edit", e.run(t, auth.Editor, "draft", "edit", id, "--en", en), "saved draft "+id+" as revision 2\n")

	// The English file is exported as it was written; the Chinese stays.
	want, err := os.ReadFile(en)
	if err != nil {
		t.Fatal(err)
	}
	wantOutput(t, "draft export --locale en", e.run(t, auth.Editor, "draft", "export", id, "--locale", "en"), string(want))
	show := e.run(t, auth.Editor, "draft", "show", id)
	wantLines(t, "draft show", show,
		"draft "+id+"  revision 2  DRAFT",
		"[en] Library Extends Opening Hours for the Examination Weeks",
		"  - Seminar rooms on floor 4: book online one day ahead, for up to 3 hours at a time.",
		"[zh-CN] 关于考试周期间图书馆延长开放时间的通知",
		"  咨询电话：0571-8888 1234。")

	// An earlier revision exports as it was: without the English.
	wantOutput(t, "draft export --revision 1 --locale zh-CN", e.run(t, auth.Editor, "draft", "export", id, "--revision", "1"),
		e.run(t, auth.Editor, "draft", "export", id, "--locale", "zh-CN"))
	_, err = e.tandem(t, auth.Editor, "", "draft", "export", id, "--revision", "1", "--locale", "en")
	if err == nil {
		t.Error("exported English from a revision that has none")
	}

	// Someone else's change of the same locale since the revision the
	// editor read is refused.
	e.fails(t, auth.Editor, "someone else changed it first: draft "+id+" (locales.en) was changed by someone else: the current revision is 2; read it again and reapply your change\n  (reason REVISION_CONFLICT)",
		"draft", "edit", id, "--en", en, "--revision", "1")
}

func TestVerbDraftHistoryDiffAndList(t *testing.T) {
	e := startVerbEnv(t)
	zh, en := e.demoFiles(t, "library-exam-hours")
	id, _ := e.create(t, zh)
	e.run(t, auth.Editor, "draft", "edit", id, "--en", en)
	b, err := os.ReadFile(zh)
	if err != nil {
		t.Fatal(err)
	}
	e.file(t, "library-exam-hours.zh.md", strings.Replace(string(b), "咨询电话", "值班电话", 1))
	e.run(t, auth.Editor, "draft", "edit", id, "--zh", zh)

	wantOutput(t, "draft history", unstamped(e.run(t, auth.Editor, "draft", "history", id)),
		"REVISION  WHEN              WHO          WHAT\n"+
			"3         YYYY-MM-DD hh:mm  test-editor  blocks 1 changed (zh-CN)\n"+
			"2         YYYY-MM-DD hh:mm  test-editor  title (en); summary (en); keywords (en); byline.office (en); blocks 4 added (en)\n"+
			"1         YYYY-MM-DD hh:mm  test-editor  created (zh-CN)\n")
	wantOutput(t, "draft history --limit 1", unstamped(e.run(t, auth.Editor, "draft", "history", id, "--limit", "1")),
		"REVISION  WHEN              WHO          WHAT\n"+
			"3         YYYY-MM-DD hh:mm  test-editor  blocks 1 changed (zh-CN)\n")

	diff := e.run(t, auth.Editor, "draft", "diff", id, "2", "3")
	wantLines(t, "draft diff 2 3", diff, "  [-咨询-]{+值班+}电话：0571-8888 1234。")
	if !strings.HasPrefix(diff, "[zh-CN] block 4 (") || !strings.Contains(diff, "): changed\n") {
		t.Errorf("draft diff 2 3 printed:\n%s\nwant the changed fourth Chinese block", diff)
	}
	wantLines(t, "draft diff 1 2", e.run(t, auth.Editor, "draft", "diff", id, "1", "2"),
		`locales["en"].title: {+Library Extends Opening Hours for the Examination Weeks+}`,
		`locales["en"].byline.office: {+University Library+}`)
	wantOutput(t, "draft diff 3 3", e.run(t, auth.Editor, "draft", "diff", id, "3", "3"), "no differences\n")

	row := id + "  draft   3    YYYY-MM-DD hh:mm  news-events/notices  关于考试周期间图书馆延长开放时间的通知 / Library Extends Opening Hours for the Examination Weeks\n"
	header := "ID                          STATUS  REV  UPDATED           SECTION              TITLE\n"
	wantOutput(t, "draft list", unstamped(e.run(t, auth.Editor, "draft", "list")), header+row)
	wantOutput(t, "draft list --status draft --query 考试", unstamped(e.run(t, auth.Editor, "draft", "list", "--status", "draft", "--query", "考试")), header+row)
	wantOutput(t, "draft list --missing en", e.run(t, auth.Editor, "draft", "list", "--missing", "en"), "ID  STATUS  REV  UPDATED  SECTION  TITLE\n")
	wantOutput(t, "draft list --section campus-life", e.run(t, auth.Editor, "draft", "list", "--section", "campus-life"), "ID  STATUS  REV  UPDATED  SECTION  TITLE\n")

	other, _ := e.demoFiles(t, "robotics-gold")
	e.create(t, other)
	wantLines(t, "draft list --limit 1", e.run(t, auth.Editor, "draft", "list", "--limit", "1"), "(more: raise --limit or narrow the filters)")
}

func TestVerbDraftSubmitWithdrawAndPurge(t *testing.T) {
	e := startVerbEnv(t)
	zh, en := e.demoFiles(t, "library-exam-hours")
	id, _ := e.create(t, zh, en)
	wantOutput(t, "draft submit", e.run(t, auth.Editor, "draft", "submit", id), "submitted draft "+id+" at revision 1\n")
	e.opened(t, id)
	wantLines(t, "draft show", e.run(t, auth.Editor, "draft", "show", id), "draft "+id+"  revision 2  SUBMITTED (submitted revision 1)")
	e.fails(t, auth.Editor, "someone else changed it first: draft "+id+" was changed by someone else: the current revision is 2; read it again and reapply your change\n  (reason REVISION_CONFLICT)",
		"draft", "withdraw", id, "--revision", "1", "--reason", "late")

	wantOutput(t, "draft withdraw", e.run(t, auth.Editor, "draft", "withdraw", id, "--reason", "not this week"),
		"withdrew draft "+id+" (revision 4)\n")
	wantOutput(t, "draft list --status withdrawn", unstamped(e.run(t, auth.Editor, "draft", "list", "--status", "withdrawn")),
		"ID                          STATUS     REV  UPDATED           SECTION              TITLE\n"+
			id+"  withdrawn  4    YYYY-MM-DD hh:mm  news-events/notices  关于考试周期间图书馆延长开放时间的通知 / Library Extends Opening Hours for the Examination Weeks\n")
	wantLines(t, "draft history", unstamped(e.run(t, auth.Editor, "draft", "history", id)),
		"4         YYYY-MM-DD hh:mm  test-editor  no change to the content",
		"2         YYYY-MM-DD hh:mm  test-editor  submitted revision 1")

	e.fails(t, auth.Editor, "not allowed: purging an article requires the admin role; test-editor has the editor role",
		"draft", "purge", id, "--reason", "court order")
	wantOutput(t, "draft purge", e.run(t, auth.Admin, "draft", "purge", id, "--reason", "court order"),
		"purged "+id+"; only a tombstone (revision 5) remains\n")
	e.fails(t, auth.Editor, "draft "+id+" not found", "draft", "show", id)
}

func TestVerbDraftSaysWhatIsWrongBeforeAndAfterCalling(t *testing.T) {
	e := startVerbEnv(t)
	zh, _ := e.demoFiles(t, "library-exam-hours")

	// Mistakes the command line sees itself.
	e.fails(t, auth.Editor, "name a file: --zh FILE.zh.md and/or --en FILE.en.md", "draft", "create")
	e.fails(t, auth.Editor, `REV1 "one" is not a revision number`, "draft", "diff", "X", "one", "2")
	e.fails(t, auth.Editor, `REV2 "two" is not a revision number`, "draft", "diff", "X", "1", "two")
	e.fails(t, auth.Editor, `--status "lost": one of draft, submitted, in-review, changes-requested, approved, published, withdrawn`,
		"draft", "list", "--status", "draft,lost")
	e.fails(t, "", "no token: set TANDEM_TOKEN (tandem dev prints one per role) or pass --token", "draft", "show", "X")
	e.fails(t, auth.Editor, "accepts 1 arg(s), received 0", "draft", "show")
	e.fails(t, auth.Editor, `unknown command "extra" for "tandem draft create"`, "draft", "create", "extra")

	// Mistakes the services find, in sentences.
	e.fails(t, auth.Translator, "not allowed: creating a draft requires the editor role; test-translator has the translator role",
		"draft", "create", "--zh", zh)
	noTitle := e.file(t, "untitled.zh.md", "---\ndate: 2024-12-09\nsection: [news-events, notices]\nslug: untitled\n---\n\n正文。\n")
	e.fails(t, auth.Editor, "the request was not accepted:\n  - article.locales[\"zh-CN\"].title is required",
		"draft", "create", "--zh", noTitle)
	e.fails(t, auth.Editor, "draft NOSUCHDRAFT not found", "draft", "show", "NOSUCHDRAFT")
}
