package main

import (
	"os"
	"strings"
	"testing"

	"github.com/tandemnews/tandem/pkg/auth"
)

// edited rewrites the file at path with old replaced by new.
func (e *verbEnv) edited(t *testing.T, path, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s does not hold %q", path, old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(b), old, new, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestVerbDraftSubmitWithNothingNewSaysSo(t *testing.T) {
	e := startVerbEnv(t)
	zh, en := e.demoFiles(t, "library-exam-hours")
	id, _ := e.create(t, zh, en)
	wantOutput(t, "draft submit", e.run(t, auth.Editor, "draft", "submit", id), "submitted draft "+id+" at revision 1\n")
	e.opened(t, id) // the job opens at revision 3

	wantOutput(t, "draft submit again", e.run(t, auth.Editor, "draft", "submit", id), "nothing new to submit: revision 1 is already submitted\n")
	// Saving the same files again changes nothing either.
	wantOutput(t, "draft edit with the same files", e.run(t, auth.Editor, "draft", "edit", id, "--zh", zh, "--en", en),
		"no change: draft "+id+" stays at revision 2\n")
	wantOutput(t, "draft submit after the same files", e.run(t, auth.Editor, "draft", "submit", id), "nothing new to submit: revision 1 is already submitted\n")
	wantLines(t, "draft history", unstamped(e.run(t, auth.Editor, "draft", "history", id)),
		"REVISION  WHEN              WHO          WHAT",
		"2         YYYY-MM-DD hh:mm  test-editor  submitted revision 1",
		"1         YYYY-MM-DD hh:mm  test-editor  created (zh-CN, en)")
	wantLines(t, "review show", e.run(t, auth.Translator, "review", "show", id), "job for "+id+"  revision 3  open  source revision 1")

	// A change is submitted anew.
	e.edited(t, zh, "咨询电话", "值班电话")
	wantOutput(t, "draft edit", e.run(t, auth.Editor, "draft", "edit", id, "--zh", zh), "saved draft "+id+" as revision 4\n")
	wantOutput(t, "draft submit after a change", e.run(t, auth.Editor, "draft", "submit", id), "submitted draft "+id+" at revision 4\n")
}

func TestVerbDraftEditKeepsAnotherEditorsChangeOfTheOtherLocale(t *testing.T) {
	e := startVerbEnv(t)
	zh, en := e.demoFiles(t, "library-exam-hours")
	id, _ := e.create(t, zh, en)

	// Another editor changes the Chinese alone; the English file, written
	// from revision 1, still saves, and the Chinese change stays.
	e.edited(t, zh, "咨询电话", "值班电话")
	e.run(t, auth.Editor, "draft", "edit", id, "--zh", zh)
	e.edited(t, en, "University Library", "The University Library")
	wantOutput(t, "draft edit --en --revision 1", e.run(t, auth.Editor, "draft", "edit", id, "--en", en, "--revision", "1"),
		"saved draft "+id+" as revision 3\n")
	wantLines(t, "draft history", unstamped(e.run(t, auth.Editor, "draft", "history", id)),
		"3         YYYY-MM-DD hh:mm  test-editor  byline.office (en)",
		"2         YYYY-MM-DD hh:mm  test-editor  blocks 1 changed (zh-CN)")
	if show := e.run(t, auth.Editor, "draft", "show", id); !strings.Contains(show, "值班电话") {
		t.Errorf("draft show printed:\n%s\nwant the other editor's Chinese kept", show)
	}

	// A change of the Chinese since the revision read is refused.
	e.fails(t, auth.Editor, "someone else changed it first: draft "+id+" (locales.zh-CN) was changed by someone else: the current revision is 3; read it again and reapply your change\n  (reason REVISION_CONFLICT)",
		"draft", "edit", id, "--zh", zh, "--revision", "1")
}
