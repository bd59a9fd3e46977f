package main

import (
	"bytes"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/siteconfig"
)

// withInput runs a verb that calls no server with args and stdin, and
// returns what it printed.
func withInput(stdin string, args ...string) (string, error) {
	var out bytes.Buffer
	root := rootCmd()
	root.SetArgs(args)
	root.SetIn(strings.NewReader(stdin))
	root.SetOut(&out)
	root.SetErr(io.Discard)
	err := root.Execute()
	return out.String(), err
}

func TestVerbUsersAddsSetsPasswordsAndRemovesPeople(t *testing.T) {
	file := filepath.Join(t.TempDir(), "auth.json")
	out, err := withInput("first password\n", "users", "add", "ana", "--name", "Ana Li", "--role", "editor", "--role", "translator", "--auth-file", file)
	if err != nil {
		t.Fatal(err)
	}
	wantLines(t, "users add", out, "added ana (editor, translator) to "+file+": they sign in to the desk as ana")
	s, err := auth.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	if u, ok := s.CheckPassword("ana", "first password"); !ok || u.Name != "Ana Li" || !u.Has(auth.Translator) {
		t.Fatalf("ana after add: %v %v", u, ok)
	}

	if _, err := withInput("short\n", "users", "passwd", "ana", "--auth-file", file); err == nil || !strings.Contains(err.Error(), "at least 10 characters") {
		t.Fatalf("a short password: %v", err)
	}
	if _, err := withInput("second password\n", "users", "passwd", "ana", "--auth-file", file); err != nil {
		t.Fatal(err)
	}
	_ = s.Reload()
	if _, ok := s.CheckPassword("ana", "second password"); !ok {
		t.Fatal("the new password does not work")
	}
	if _, err := withInput("", "users", "add", "bo", "--auth-file", file); err == nil || !strings.Contains(err.Error(), "--role") {
		t.Fatalf("a user without a role: %v", err)
	}
	out, err = withInput("", "users", "remove", "ana", "--auth-file", file)
	if err != nil {
		t.Fatal(err)
	}
	wantLines(t, "users remove", out, "removed ana from "+file+": their token, password and sessions no longer work")
	if _, err := withInput("", "users", "remove", "ana", "--auth-file", file); err == nil || !strings.Contains(err.Error(), "no such user") {
		t.Fatalf("removing ana twice: %v", err)
	}
}

func TestDevGivesEachRoleADeskUserWithAPasswordOnce(t *testing.T) {
	c := &config{DataDir: t.TempDir()}
	if _, err := devTokens(c); err != nil {
		t.Fatal(err)
	}
	first, err := devPasswords(c)
	if err != nil {
		t.Fatal(err)
	}
	s, err := auth.Load(c.AuthFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range auth.Roles {
		if u, ok := s.CheckPassword("dev-"+string(r), first[r]); !ok || !u.Has(r) {
			t.Fatalf("dev-%s does not sign in with %q", r, first[r])
		}
	}
	// A second start keeps them; one changed since is not printed.
	if err := auth.SetPassword(c.AuthFile, "dev-admin", "changed by hand"); err != nil {
		t.Fatal(err)
	}
	again, err := devPasswords(c)
	if err != nil {
		t.Fatal(err)
	}
	if again[auth.Editor] != first[auth.Editor] || again[auth.Admin] != "" {
		t.Fatalf("second start: %v, first: %v", again, first)
	}
	var b strings.Builder
	printDev(&b, devBanner{GRPCAddr: "127.0.0.1:7070", DataDir: defaultDataDir, Site: siteconfig.Default(), Desk: "http://127.0.0.1:8081/", Passwords: again})
	wantLines(t, "dev", b.String(),
		"  desk      http://127.0.0.1:8081/   (sign in as a development user below)",
		"  editor     dev-editor       "+first[auth.Editor])
}
