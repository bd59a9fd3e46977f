package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/testkit"
)

// verbEnv is a whole Tandem in the test's process (every service on an
// in-process NATS and the real Redis, a token per role) for the verbs to
// run against.
type verbEnv struct {
	*stacktest.Env
	natsURL string
	dir     string // the files the verbs read and write
}

func startVerbEnv(t *testing.T) *verbEnv {
	t.Helper()
	url := testkit.StartNATS(t).URL()
	return &verbEnv{Env: stacktest.Start(t, url), natsURL: url, dir: t.TempDir()}
}

// tandem runs the command line as role, with stdin as its standard input,
// and returns what it printed. A role without a token sends none.
func (e *verbEnv) tandem(t *testing.T, r auth.Role, stdin string, args ...string) (string, error) {
	t.Helper()
	root := rootCmd()
	var out bytes.Buffer
	root.SetIn(strings.NewReader(stdin))
	root.SetOut(&out)
	root.SetErr(io.Discard)
	root.SetArgs(append(args, "--addr", e.GRPCAddr, "--token", e.Tokens[r]))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := root.ExecuteContext(ctx)
	return out.String(), err
}

// run runs a verb that must succeed and returns what it printed.
func (e *verbEnv) run(t *testing.T, r auth.Role, args ...string) string {
	t.Helper()
	out, err := e.tandem(t, r, "", args...)
	if err != nil {
		t.Fatalf("tandem %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// fails runs a verb that must fail with exactly the error want, having
// printed nothing.
func (e *verbEnv) fails(t *testing.T, r auth.Role, want string, args ...string) {
	t.Helper()
	out, err := e.tandem(t, r, "", args...)
	if err == nil || err.Error() != want || out != "" {
		t.Errorf("tandem %s:\nprinted %q\nerror   %v\nwant error %q", strings.Join(args, " "), out, err, want)
	}
}

// file writes content to name in the test's folder and returns its path.
func (e *verbEnv) file(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(e.dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// The title of the robotics article, and the path of the exam hours
// notice after its locale.
const (
	robotics  = "我校机器人代表队在全国大学生机器人大赛中获金奖"
	examHours = "/news-events/notices/library-extends-opening-hours-for-exam-weeks"
)

// demoFiles writes the Chinese and English files of a demo article.
func (e *verbEnv) demoFiles(t *testing.T, name string) (zh, en string) {
	t.Helper()
	for _, l := range []string{"zh", "en"} {
		b, err := demoFS.ReadFile("demo/" + name + "." + l + ".md")
		if err != nil {
			t.Fatal(err)
		}
		if l == "zh" {
			zh = e.file(t, name+".zh.md", string(b))
		} else {
			en = e.file(t, name+".en.md", string(b))
		}
	}
	return zh, en
}

var created = regexp.MustCompile(`^created draft (\S+) at revision (\d+)\n$`)

// create makes a draft of the files with tandem draft create and returns
// its id and revision.
func (e *verbEnv) create(t *testing.T, files ...string) (id, rev string) {
	t.Helper()
	args := []string{"draft", "create", "--zh", files[0]}
	if len(files) > 1 {
		args = append(args, "--en", files[1])
	}
	out := e.run(t, auth.Editor, args...)
	m := created.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("draft create printed %q", out)
	}
	return m[1], m[2]
}

// submitted creates a demo article in both locales, with extra after its
// Chinese body (a paragraph without English, say), and submits it. On a
// fresh stack the draft is created at revision 1 and submitted at 2, and
// the job opens at 3.
func (e *verbEnv) submitted(t *testing.T, demo, extra string) string {
	t.Helper()
	zh, en := e.demoFiles(t, demo)
	b, err := os.ReadFile(zh)
	if err != nil {
		t.Fatal(err)
	}
	e.file(t, filepath.Base(zh), string(b)+extra)
	id, _ := e.create(t, zh, en)
	e.run(t, auth.Editor, "draft", "submit", id)
	e.opened(t, id)
	return id
}

// approved is a submitted exam hours notice whose English is approved.
func (e *verbEnv) approved(t *testing.T) string {
	t.Helper()
	id := e.submitted(t, "library-exam-hours", "")
	e.run(t, auth.Translator, "review", "approve", id)
	return id
}

// opened waits for review to open the job of a submitted article.
func (e *verbEnv) opened(t *testing.T, id string) {
	t.Helper()
	stacktest.Eventually(t, "the job of "+id+" opens", func() bool {
		_, err := e.tandem(t, auth.Translator, "", "review", "show", id)
		return err == nil
	})
}

// stamp is a local time as listings print it.
var stamp = regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d`)

// unstamped puts a fixed stamp of the same width in place of each time,
// so that a listing can be compared whole.
func unstamped(s string) string { return stamp.ReplaceAllString(s, "YYYY-MM-DD hh:mm") }

// wantLines fails unless each of lines is a whole line of what a verb
// printed, in this order.
func wantLines(t *testing.T, verb, got string, lines ...string) {
	t.Helper()
	rest := strings.Split(got, "\n")
	for _, l := range lines {
		i := slices.Index(rest, l)
		if i < 0 {
			t.Errorf("tandem %s printed:\n%s\nwant, after the lines before it, the line\n%q", verb, got, l)
			return
		}
		rest = rest[i+1:]
	}
}

// wantOutput fails unless a verb printed exactly want.
func wantOutput(t *testing.T, verb, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("tandem %s printed:\n%s\nwant:\n%s", verb, got, want)
	}
}
