package main

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tandemnews/tandem/pkg/auth"
)

// columns splits a listing's line at its column gaps.
var columns = regexp.MustCompile(`\s{2,}`)

func TestVerbAuditTellsWhoDidWhatInOrder(t *testing.T) {
	e := startVerbEnv(t)
	zh, en := e.demoFiles(t, "library-exam-hours")
	id, _ := e.create(t, zh)
	e.run(t, auth.Editor, "draft", "edit", id, "--en", en)
	e.run(t, auth.Editor, "draft", "submit", id)
	e.opened(t, id)
	e.run(t, auth.Translator, "review", "edit", id, "b4.1", "Enquiries: 0571 8888 1234.")
	e.run(t, auth.Translator, "review", "approve", id)
	e.run(t, auth.Publisher, "publish", id)

	streams := e.Bus.Config()
	out, err := e.audit(id)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	// EDITORIAL_<tag> is the longest stream name.
	if lines[0] != "WHEN (UTC)               WHO              WHAT                         STREAM"+strings.Repeat(" ", len(streams.EditorialStream)-len("STREAM"))+"  REVISION  DETAIL" {
		t.Errorf("audit header %q", lines[0])
	}
	var rows [][]string
	when := regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$`)
	for _, l := range lines[1:] {
		f := columns.Split(l, 6)
		if len(f) < 5 || !when.MatchString(f[0]) {
			t.Fatalf("audit line %q", l)
		}
		rows = append(rows, f[1:])
	}
	ed, pub := streams.EditorialStream, streams.PublicStream
	want := [][]string{
		{"test-editor", "tandem.draft.created", ed, "1", "created (zh-CN)"},
		{"test-editor", "tandem.draft.updated", ed, "2", "title (en); summary (en); keywords (en); byline.office (en); blocks 4 added (en)"},
		{"test-editor", "tandem.draft.submitted", ed, "3", "submitted revision 2"},
		{"test-editor", "tandem.translation.opened", ed, "4"},
		{"test-translator", "tandem.translation.updated", ed, "5"},
		{"test-translator", "tandem.translation.approved", ed, "6"},
		{"test-publisher", "tandem.article.published", pub, "1", "changed zh-CN, en; public: en, zh-CN"},
	}
	if len(rows) != len(want) {
		t.Fatalf("audit:\n%s\nwant %d events", out, len(want))
	}
	for i, w := range want {
		if got := rows[i][:len(w)]; !slices.Equal(got, w) {
			t.Errorf("audit event %d: %q, want %q", i+1, got, w)
		}
	}
	for i, detail := range map[int]string{
		3: "opened for source revision 2",
		4: `assigned to test-translator; b4.1: "Enquiries: 0571 8888 1234."`,
		5: "approved",
	} {
		if got := rows[i][len(rows[i])-1]; got != detail {
			t.Errorf("audit event %d says %q, want %q", i+1, got, detail)
		}
	}

	if out, err := e.audit("NOSUCH"); err == nil || err.Error() != "no events for article NOSUCH" || out != "" {
		t.Errorf("audit of an unknown article: %q, %v", out, err)
	}
}
