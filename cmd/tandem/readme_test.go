package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tandemnews/tandem/internal/stack"
	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/cache"
	"github.com/tandemnews/tandem/pkg/testkit"
)

// The README's "Publish an article" is tried as a new user would try it:
// TestREADMEWalkthrough reads the section out of README.md and runs it,
// command by command, against a whole Tandem in the test's process that
// has what make run has (the development users and tokens in a data
// folder, and the demo articles), on ports of its own.
//
// The section is read this way:
//
//   - In a sh block, each line that is not blank and not a comment is a
//     command; a line ending in '\', or leaving a quote open, goes on on
//     the next. The comment lines that begin with "#   " right after a
//     command are what it prints, every line of it; a line "..." stands
//     for any number of lines. Other comments are prose, except
//     "# edit FILE, e.g. OLD into NEW", which the test does by putting NEW
//     for every OLD in FILE.
//   - In a block without a language, a line "$ command" is a command and
//     the lines up to the next are what it prints; a block without such a
//     line shows a message and is left alone.
//   - What the README shows is compared after putting the test's
//     addresses for 127.0.0.1:7070 and localhost:8080 and a fixed stamp
//     for every time ("2026-11-30 14:33"). An id the server makes, an
//     article's (26 letters and digits, as 01M8PDZRYJMJ8HRYN75DA5NZMR) or
//     a block's ("b" and 12 hex digits), stands for the id printed in its
//     place the first time it appears, and for that id afterwards, in what
//     commands print and in the commands themselves (ID=01M8... takes the
//     id that draft create printed).
//   - Before each command the test waits until the editorial stream has
//     been still for a moment, as it has when a person types; a command
//     that fails is tried again for up to 15s, as the services follow
//     each other's events a moment later, and then fails the test.
//   - Commands: bin/tandem runs the command line (with output to a file
//     after '>'); curl URL must answer 200; export NAME=VALUE and
//     NAME=VALUE set a variable, with $(bin/tandem ...) and $(mktemp -d)
//     in a value run; make build is left out (the test runs the command
//     line in its own process), and grpcurl too (an outside tool).
func TestREADMEWalkthrough(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	steps := walkthrough(string(b), "## Publish an article")
	if len(steps) < 10 {
		t.Fatalf("README.md: only %d commands in the walkthrough", len(steps))
	}
	w := startWalk(t)
	for _, s := range steps {
		w.step(t, s)
	}
}

// walk is the state of the walkthrough: the stack it runs against and
// the shell's variables.
type walk struct {
	env  *stacktest.Env
	vars map[string]string // the shell's variables
	ids  map[string]string // the README's ids to the ones printed
}

// startWalk starts a Tandem as make run has it: the development tokens
// in a data folder of the test's, and the demo articles published.
func startWalk(t *testing.T) *walk {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	c := &config{DataDir: t.TempDir()}
	tokens, err := devTokens(c)
	if err != nil {
		t.Fatal(err)
	}
	store, err := auth.Load(c.AuthFile)
	if err != nil {
		t.Fatal(err)
	}
	rdb, prefix := testkit.Redis(t)
	e := stacktest.StartWith(t, testkit.StartNATS(t).URL(), cache.New(rdb, prefix), func(cfg *stack.Config) { cfg.Auth = store })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := loadDemo(ctx, e.Bus, e.GRPCAddr, tokens, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatalf("demo articles: %v", err)
	}
	t.Chdir(root)
	t.Setenv("TANDEM_DATA", c.DataDir)
	return &walk{env: e, vars: map[string]string{}, ids: map[string]string{}}
}

// The ids the server makes, as the README shows them: an article's
// (26 letters and digits) and a block's ("b" and 12 hex digits).
const (
	articleID = `[0-9A-HJKMNP-TV-Z]{26}`
	blockID   = `b[0-9a-f]{12}`
)

var anyID = regexp.MustCompile(`\b(?:` + articleID + `|` + blockID + `)\b`)

// idPattern matches an id of the same kind as id.
func idPattern(id string) string {
	if regexp.MustCompile(`^` + blockID + `$`).MatchString(id) {
		return blockID
	}
	return articleID
}

// local puts the test's addresses and ids for the README's.
func (w *walk) local(s string) string {
	s = strings.ReplaceAll(s, "127.0.0.1:7070", w.env.GRPCAddr)
	s = strings.ReplaceAll(s, "http://localhost:8080", w.env.SiteURL)
	return anyID.ReplaceAllStringFunc(s, func(id string) string {
		if v, ok := w.ids[id]; ok {
			return v
		}
		return id
	})
}

// step runs one command of the README and checks what it printed.
func (w *walk) step(t *testing.T, s readmeStep) {
	t.Helper()
	where := fmt.Sprintf("README.md:%d: %s", s.line, s.cmd)
	cmd, _, _ := strings.Cut(s.cmd, "   #") // a comment after the command
	cmd = strings.TrimSpace(cmd)
	if m := regexp.MustCompile(`^# edit (\S+), e\.g\. (\S+) into (\S+)$`).FindStringSubmatch(cmd); m != nil {
		w.edit(t, where, w.expand(t, where, m[1]), m[2], m[3])
		return
	}
	name, value, assign := strings.Cut(strings.TrimPrefix(cmd, "export "), "=")
	if assign && regexp.MustCompile(`^[A-Za-z_]+$`).MatchString(name) {
		w.vars[name] = w.expand(t, where, value)
		return
	}
	switch strings.Fields(cmd)[0] {
	case "make":
		t.Logf("%s: left out: the test runs the command line in its own process", where)
		return
	case "grpcurl":
		t.Logf("%s: left out: an outside tool", where)
		return
	}
	w.settle(t)
	args := strings.Fields(w.expand(t, where, cmd))
	var out string
	switch args[0] {
	case "curl":
		w.curl(t, where, args[1:])
		return
	case "bin/tandem":
		out = w.tandem(t, where, args[1:])
	default:
		t.Fatalf("%s: the test does not know how to run this", where)
	}
	w.match(t, where, out, s)
}

// expand puts the values of variables, the test's addresses and ids, and
// what $(...) prints into a command or value.
func (w *walk) expand(t *testing.T, where, s string) string {
	t.Helper()
	s = w.local(os.Expand(s, func(v string) string { return w.vars[v] }))
	return regexp.MustCompile(`\$\(([^)]*)\)`).ReplaceAllStringFunc(s, func(sub string) string {
		args := strings.Fields(sub[2 : len(sub)-1])
		switch {
		case len(args) == 2 && args[0] == "mktemp" && args[1] == "-d":
			return t.TempDir()
		case len(args) > 0 && args[0] == "bin/tandem":
			return strings.TrimSpace(w.tandem(t, where, args[1:]))
		}
		t.Fatalf("%s: the test does not know how to run %s", where, sub)
		return ""
	})
}

// tandem runs the command line with the exported TANDEM_ADDR and
// TANDEM_TOKEN; with "> FILE" at the end, into that file.
func (w *walk) tandem(t *testing.T, where string, args []string) string {
	t.Helper()
	var into string
	if n := len(args); n > 2 && args[n-2] == ">" {
		into, args = args[n-1], args[:n-2]
	}
	for _, v := range []string{"TANDEM_ADDR", "TANDEM_TOKEN"} {
		t.Setenv(v, w.vars[v])
	}
	var out bytes.Buffer
	retry(t, where, func() error {
		root := rootCmd()
		out.Reset()
		var errOut bytes.Buffer
		root.SetIn(strings.NewReader(""))
		root.SetOut(&out)
		root.SetErr(&errOut)
		root.SetArgs(args)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := root.ExecuteContext(ctx); err != nil {
			return fmt.Errorf("tandem: %w\n%s%s", err, out.String(), errOut.String())
		}
		return nil
	})
	if into != "" {
		if err := os.WriteFile(into, out.Bytes(), 0o600); err != nil {
			t.Fatalf("%s: %v", where, err)
		}
		return ""
	}
	return out.String()
}

// curl fetches an address, which must answer 200.
func (w *walk) curl(t *testing.T, where string, args []string) {
	t.Helper()
	if len(args) != 1 {
		t.Fatalf("%s: curl of one address only", where)
	}
	retry(t, where, func() error {
		res, err := http.Get(args[0])
		if err != nil {
			return err
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("%s answered %s:\n%s", args[0], res.Status, body)
		}
		return nil
	})
}

// settle waits until the editorial stream has been still for a moment,
// as it has when a person types the next command: what a step set going
// (the job a submit opens, the memory an approval feeds) is written
// before the next step writes, so the revisions are those the README
// shows.
func (w *walk) settle(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	s, err := w.env.Bus.JetStream().Stream(ctx, w.env.Bus.Config().EditorialStream)
	if err != nil {
		t.Fatal(err)
	}
	last, still := uint64(0), time.Now()
	for time.Since(still) < 200*time.Millisecond {
		info, err := s.Info(ctx)
		if err != nil {
			t.Fatalf("the editorial stream did not settle: %v", err)
		}
		if info.State.LastSeq != last {
			last, still = info.State.LastSeq, time.Now()
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// retry runs a step until it succeeds, for a while: the services follow
// each other's events a moment later (the job a submit opens, the page a
// publish releases), where a person typing the next command would not
// notice. A step still failing after 15s fails the test with its error.
func retry(t *testing.T, where string, step func() error) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		err := step()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", where, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// edit puts to for every from in a file, as the reader is asked to.
func (w *walk) edit(t *testing.T, where, name, from, to string) {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	if !bytes.Contains(b, []byte(from)) {
		t.Fatalf("%s: %s holds no %q", where, name, from)
	}
	if err := os.WriteFile(name, bytes.ReplaceAll(b, []byte(from), []byte(to)), 0o600); err != nil {
		t.Fatalf("%s: %v", where, err)
	}
}

// readmeStamp is a time as listings print it.
var readmeStamp = regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d`)

// match fails unless a command printed what the README shows, and learns
// the ids it printed in place of the README's.
func (w *walk) match(t *testing.T, where, out string, s readmeStep) {
	t.Helper()
	if !s.shown {
		return
	}
	got := readmeStamp.ReplaceAllString(out, "2026-11-30 14:33")
	if got != "" && !strings.HasSuffix(got, "\n") {
		got += "\n"
	}
	var pattern strings.Builder
	pattern.WriteString(`^`)
	var fresh []string // the README's ids met for the first time, in order
	for _, l := range s.want {
		if l == "..." {
			pattern.WriteString(`(?:.*\n)*?`)
			continue
		}
		l = readmeStamp.ReplaceAllString(l, "2026-11-30 14:33")
		l = strings.ReplaceAll(strings.ReplaceAll(l, "127.0.0.1:7070", w.env.GRPCAddr), "http://localhost:8080", w.env.SiteURL)
		last := 0
		for _, m := range anyID.FindAllStringIndex(l, -1) {
			pattern.WriteString(regexp.QuoteMeta(l[last:m[0]]))
			id := l[m[0]:m[1]]
			if v, ok := w.ids[id]; ok {
				pattern.WriteString(regexp.QuoteMeta(v))
			} else {
				fresh = append(fresh, id)
				pattern.WriteString(`(` + idPattern(id) + `)`)
			}
			last = m[1]
		}
		pattern.WriteString(regexp.QuoteMeta(l[last:]) + `\n`)
	}
	pattern.WriteString(`$`)
	m := regexp.MustCompile(pattern.String()).FindStringSubmatch(got)
	if m == nil {
		t.Fatalf("%s printed:\n%s\nthe README shows:\n%s", where, out, strings.Join(s.want, "\n"))
	}
	for i, id := range fresh {
		if v, ok := w.ids[id]; ok && v != m[i+1] {
			t.Fatalf("%s: %s stands for %s and %s", where, id, v, m[i+1])
		}
		w.ids[id] = m[i+1]
	}
}
