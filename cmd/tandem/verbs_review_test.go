package main

import (
	"os"
	"strings"
	"testing"

	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/auth"
)

func TestVerbReviewListShowAndClaim(t *testing.T) {
	e := startVerbEnv(t)
	id := e.submitted(t, "robotics-gold", "\n新增一段。\n")

	wantOutput(t, "review list", e.run(t, auth.Translator, "review", "list"),
		"ARTICLE                     STATUS  TODO  ASSIGNEE  TITLE\n"+
			id+"  open    1/22  -         "+robotics+"\n")
	wantLines(t, "review show", e.run(t, auth.Translator, "review", "show", id),
		"job for "+id+"  revision 3  open  source revision 1",
		"[b1] paragraph",
		"  b1.1        translated  10月18日至20日，第十三届全国大学生机 | From October 18 to 20, the 13th",
		"                          器人大赛在杭州举行。                 | National College Robotics Contest",
		"[b3] heading",
		"  b3.1        translated  一年备赛，三次改版                   | A Year of Preparation, Three",
		"                                                               | Redesigns",
		"[b8] paragraph",
		"  b8.1        initial     新增一段。                           | ",
		"                          ! empty (error): the segment is not translated yet",
		"[keywords] keywords",
		"  keywords.3  translated  创新创业                             | innovation")

	wantOutput(t, "review claim", e.run(t, auth.Translator, "review", "claim", id), "claimed "+id+" (job revision 4)\n")
	mine := "ARTICLE                     STATUS  TODO  ASSIGNEE         TITLE\n" + id + "  open    1/22  test-translator  " + robotics + "\n"
	wantOutput(t, "review list --mine", e.run(t, auth.Translator, "review", "list", "--mine"), mine)
	wantLines(t, "review show", e.run(t, auth.Translator, "review", "show", id),
		"job for "+id+"  revision 4  open  source revision 1  assigned to test-translator")
	wantOutput(t, "review unclaim", e.run(t, auth.Translator, "review", "unclaim", id), "unclaimed "+id+" (job revision 5)\n")
	wantOutput(t, "review list --mine", e.run(t, auth.Translator, "review", "list", "--mine"), "ARTICLE  STATUS  TODO  ASSIGNEE  TITLE\n")

	e.fails(t, auth.Translator, "someone else changed it first: translation job for "+id+" was changed by someone else: the current revision is 5; read it again and reapply your change\n  (reason REVISION_CONFLICT)",
		"review", "claim", id, "--revision", "4")
	wantOutput(t, "review assign", e.run(t, auth.Admin, "review", "assign", id, "test-translator", "--name", "Test translator"),
		id+" is assigned to test-translator (job revision 6)\n")
	wantOutput(t, "review list --status open", e.run(t, auth.Translator, "review", "list", "--status", "open", "--mine"), mine)
	wantOutput(t, "review assign ''", e.run(t, auth.Admin, "review", "assign", id, ""), id+" is assigned to nobody (job revision 7)\n")
	wantOutput(t, "review list --status approved", e.run(t, auth.Translator, "review", "list", "--status", "approved"), "ARTICLE  STATUS  TODO  ASSIGNEE  TITLE\n")
	e.fails(t, auth.Translator, `--status "bogus": one of open, approved, changes-requested`, "review", "list", "--status", "bogus")
}

func TestVerbReviewEditCommentDismissAndCheck(t *testing.T) {
	e := startVerbEnv(t)
	id := e.submitted(t, "robotics-gold", "\n新增一段。\n")
	wrongNumbers := "! numbers (error): numbers differ: 10 is in the source but not in the target; 18 is in the source but not in the target; " +
		"20 is in the source but not in the target; 2024 is in the target but not in the source"
	noStop := "! end-punctuation (warning): the source ends with '.', the target with no punctuation"

	out, err := e.tandem(t, auth.Translator, "A new caption.\n", "review", "edit", id, "b5.1", "-")
	if err != nil {
		t.Fatal(err)
	}
	wantOutput(t, "review edit - (standard input)", out, "saved b5.1 (job revision 4)\n"+
		"  ! end-punctuation (warning): the source ends with no punctuation, the target with '.'\n")
	wantOutput(t, "review edit --state reviewed", e.run(t, auth.Translator, "review", "edit", id, "b1.1", "Gold for the robots 2024", "--state", "reviewed"),
		"saved b1.1 (job revision 5)\n  "+wrongNumbers+"\n  "+noStop+"\n")
	e.fails(t, auth.Translator, `--state "needs-review": one of initial, translated, reviewed, final`,
		"review", "edit", id, "b1.1", "text", "--state", "needs-review")
	e.fails(t, auth.Translator, `--state "done": one of initial, translated, reviewed, final`,
		"review", "edit", id, "b1.1", "text", "--state", "done")

	wantOutput(t, "review comment", e.run(t, auth.Translator, "review", "comment", id, "b1.1", "Check the year"),
		"commented on b1.1 (job revision 6)\n")
	wantOutput(t, "review check", e.run(t, auth.Translator, "review", "check", id),
		"b1.1\n  "+wrongNumbers+"\n  "+noStop+"\n"+
			"b5.1\n  ! end-punctuation (warning): the source ends with no punctuation, the target with '.'\n"+
			"b8.1\n  ! empty (error): the segment is not translated yet\n"+
			"2 error(s), 2 warning(s) open (job revision 6)\n")
	wantOutput(t, "review dismiss", e.run(t, auth.Translator, "review", "dismiss", id, "b1.1", "numbers", "--reason", "the year is right"),
		"dismissed numbers on b1.1 (job revision 7)\n")
	wantLines(t, "review check", e.run(t, auth.Translator, "review", "check", id), "1 error(s), 2 warning(s) open (job revision 7)")
	wantLines(t, "review show", e.run(t, auth.Translator, "review", "show", id),
		"  b1.1        reviewed    10月18日至20日，第十三届全国大学生机 | Gold for the robots 2024",
		"                          器人大赛在杭州举行。                 | ",
		"                          test-translator: Check the year",
		"                          ~ numbers (error, dismissed): numbers differ: 10 is in the source but not in the target; 18 is in the source but not in the target; "+
			"20 is in the source but not in the target; 2024 is in the target but not in the source",
		"                          "+noStop,
		"  b5.1        translated  我校代表队队员在赛场调试机器人       | A new caption.")
}

func TestVerbReviewRequestChangesThenApprove(t *testing.T) {
	e := startVerbEnv(t)
	id := e.submitted(t, "robotics-gold", "\n新增一段。\n")

	wantOutput(t, "review request-changes", e.run(t, auth.Translator, "review", "request-changes", id, "--comment", "Name the team"),
		"sent "+id+" back to the editor (job revision 4)\n")
	wantLines(t, "review show", e.run(t, auth.Translator, "review", "show", id),
		"job for "+id+"  revision 4  changes-requested  source revision 1",
		"changes requested by test-translator: Name the team")
	wantOutput(t, "review list --status changes-requested", e.run(t, auth.Translator, "review", "list", "--status", "changes-requested"),
		"ARTICLE                     STATUS             TODO  ASSIGNEE  TITLE\n"+
			id+"  changes-requested  1/22  -         "+robotics+"\n")

	// The editor changes the draft and submits again; the job opens again
	// for the new source.
	wantOutput(t, "draft submit", e.run(t, auth.Editor, "draft", "submit", id), "nothing new to submit: revision 1 is already submitted\n")
	en := e.dir + "/robotics-gold.en.md"
	b, err := os.ReadFile(en)
	if err != nil {
		t.Fatal(err)
	}
	e.file(t, "robotics-gold.en.md", strings.Replace(string(b), "The university's team of 12", "The university's team, Aurora, of 12", 1))
	e.run(t, auth.Editor, "draft", "edit", id, "--en", en)
	wantOutput(t, "draft submit", e.run(t, auth.Editor, "draft", "submit", id), "submitted draft "+id+" at revision 5\n")
	stacktest.Eventually(t, "the job reopens", func() bool {
		return strings.HasPrefix(e.run(t, auth.Translator, "review", "show", id), "job for "+id+"  revision 7  open  source revision 5\n")
	})
	e.fails(t, auth.Translator, "not possible yet: 1 error finding(s) block approval (b8.1: empty); fix or dismiss them, or approve with an override reason\n"+
		"  (reason FINDINGS_BLOCK_APPROVAL)", "review", "approve", id)
	wantOutput(t, "review approve --override-reason", e.run(t, auth.Translator, "review", "approve", id, "--override-reason", "deadline"),
		"approved the English of "+id+" (job revision 8)\noverridden: b8.1: empty\n")
	wantLines(t, "review list", e.run(t, auth.Translator, "review", "list"), id+"  approved  1/22  -         "+robotics)
}

func TestVerbReviewXLIFFRoundTrip(t *testing.T) {
	e := startVerbEnv(t)
	id := e.submitted(t, "robotics-gold", "\n新增一段。\n")

	xliff := e.run(t, auth.Translator, "review", "export-xliff", id)
	empty := "<segment id=\"b8.1\" state=\"initial\">\n        <source>新增一段。</source>\n      </segment>"
	if !strings.HasPrefix(xliff, `<?xml version="1.0" encoding="UTF-8"?>`) || !strings.Contains(xliff, empty) {
		t.Fatalf("review export-xliff printed:\n%s\nwant an XLIFF file with the untranslated segment b8.1", xliff)
	}
	file := e.dir + "/job.xlf"
	wantOutput(t, "review export-xliff -o", e.run(t, auth.Translator, "review", "export-xliff", id, "-o", file), "")
	b, err := os.ReadFile(file)
	if err != nil || string(b) != xliff {
		t.Fatalf("review export-xliff -o wrote %d bytes (%v), want the %d printed", len(b), err, len(xliff))
	}

	// The file comes back with b8.1 translated and b1.1 changed, but b1.1
	// was changed in Tandem meanwhile: that one is reported, not applied.
	e.run(t, auth.Translator, "review", "edit", id, "b1.1", "Changed in Tandem.")
	translated := strings.Replace(xliff, empty, "<segment id=\"b8.1\" state=\"translated\"><source>新增一段。</source><target>A new paragraph.</target></segment>", 1)
	translated = strings.Replace(translated, "was held in Hangzhou.", "took place in Hangzhou.", 1)
	wantOutput(t, "review import-xliff", e.run(t, auth.Translator, "review", "import-xliff", id, e.file(t, "translated.xlf", translated)),
		"applied 1 segment(s) (job revision 5)\n"+
			"  conflict b1.1: changed in Tandem since the file was exported; the job's version is kept\n")
	wantLines(t, "review show", e.run(t, auth.Translator, "review", "show", id),
		"  b1.1        translated  10月18日至20日，第十三届全国大学生机 | Changed in Tandem.",
		"  b8.1        translated  新增一段。                           | A new paragraph.")
	e.fails(t, auth.Translator, "open "+e.dir+"/missing.xlf: no such file or directory", "review", "import-xliff", id, e.dir+"/missing.xlf")

	// For OmegaT: the targets are copies of the sources, and the English
	// goes in a TMX beside the file.
	wantOutput(t, "review export-xliff --targets source", e.run(t, auth.Translator, "review", "export-xliff", id, "--version", "1.2", "--targets", "source", "-o", e.dir+"/omegat.xlf"), "")
	x, err := os.ReadFile(e.dir + "/omegat.xlf")
	if err != nil || !strings.Contains(string(x), `tandem:targets="source"`) || !strings.Contains(string(x), `state="translated">新增一段。</target>`) {
		t.Fatalf("review export-xliff --targets source wrote (%v):\n%s", err, x)
	}
	if tmx, err := os.ReadFile(e.dir + "/omegat.tmx"); err != nil || !strings.Contains(string(tmx), "<seg>Changed in Tandem.</seg>") {
		t.Fatalf("the TMX beside it (%v):\n%s", err, tmx)
	}
}
