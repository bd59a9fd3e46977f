package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/tandemnews/tandem/pkg/auth"
)

// audit runs tandem audit on the article, reading the test's streams,
// and returns what it printed.
func (e *verbEnv) audit(article string) (string, error) {
	streams := e.Bus.Config()
	root := rootCmd()
	var out strings.Builder
	root.SetOut(&out)
	root.SetArgs([]string{"audit", article, "--nats-url", e.natsURL,
		"--editorial-stream", streams.EditorialStream, "--editorial-prefix", streams.EditorialPrefix,
		"--public-stream", streams.PublicStream, "--public-prefix", streams.PublicPrefix})
	err := root.Execute()
	return out.String(), err
}

// auditDetails is the detail of each event tandem audit prints for the
// article, oldest first.
func (e *verbEnv) auditDetails(t *testing.T, article string) []string {
	t.Helper()
	out, err := e.audit(article)
	if err != nil {
		t.Fatal(err)
	}
	var details []string
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n")[1:] {
		f := columns.Split(l, 6)
		details = append(details, f[len(f)-1])
	}
	return details
}

func TestVerbAuditShowsACorrectionsNoteAndATakedownsReason(t *testing.T) {
	e := startVerbEnv(t)
	id := e.approved(t)
	e.run(t, auth.Publisher, "publish", id)
	e.run(t, auth.Publisher, "correct", id, "--locale", "en", "--note", "The hours were wrong.")
	e.run(t, auth.Publisher, "unpublish", id, "--locale", "en", "--reason", "embargo")

	got := e.auditDetails(t, id)
	want := []string{
		"changed zh-CN, en; public: en, zh-CN",
		`corrected en: "The hours were wrong."; public: en, zh-CN`,
		`took down en: "embargo"; public: zh-CN`,
	}
	if len(got) < len(want) || !slices.Equal(got[len(got)-len(want):], want) {
		t.Errorf("audit details:\n%s\nwant them to end with:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
