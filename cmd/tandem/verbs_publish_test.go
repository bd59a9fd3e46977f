package main

import (
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/auth"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
)

func TestVerbPublishCorrectAndUnpublish(t *testing.T) {
	e := startVerbEnv(t)
	id := e.approved(t)
	// The addresses printed are the server's, on the site where it runs:
	// a site address in the caller's environment does not change them.
	t.Setenv("TANDEM_SITE_URL", "https://elsewhere.example.edu/")

	e.fails(t, auth.Translator, "not allowed: publishing an article requires the publisher role; test-translator has the translator role",
		"publish", id)
	wantOutput(t, "publish", e.run(t, auth.Publisher, "publish", id),
		"zh-CN  "+e.SiteURL+"/zh"+examHours+"\n"+
			"en     "+e.SiteURL+"/en"+examHours+"\n")
	stacktest.Eventually(t, "the site serves the English", func() bool {
		code, _ := stacktest.Fetch(t, e.SiteURL+"/en"+examHours)
		return code == http.StatusOK
	})

	e.fails(t, auth.Publisher, "the request was not accepted:\n  - note is required", "correct", id, "--note", "")
	wantOutput(t, "correct", e.run(t, auth.Publisher, "correct", id, "--note", "The hours were wrong."),
		"corrected zh-CN  /zh"+examHours+"\n"+
			"corrected en     /en"+examHours+"\n")
	wantOutput(t, "correct --locale en", e.run(t, auth.Publisher, "correct", id, "--locale", "en", "--note", "And the date."),
		"corrected en     /en"+examHours+"\n")

	e.fails(t, auth.Publisher, "the request was not accepted:\n  - locales name at least one locale to take down: zh-CN, en",
		"unpublish", id, "--reason", "embargo")
	wantOutput(t, "unpublish --locale en", e.run(t, auth.Publisher, "unpublish", id, "--locale", "en", "--reason", "embargo"),
		"took down en     /en"+examHours+"\n")
	e.fails(t, auth.Publisher, "article NOSUCH not found", "publish", "NOSUCH")
}

var scheduled = regexp.MustCompile(`^scheduled en for (\S+) \(schedule (\S+); cancel with tandem schedules cancel (\S+) (\S+)\)\n$`)

func TestVerbPublishLaterListAndCancel(t *testing.T) {
	e := startVerbEnv(t)
	id := e.approved(t)

	wantOutput(t, "publish --locale zh-CN", e.run(t, auth.Publisher, "publish", id, "--locale", "zh-CN"),
		"zh-CN  "+e.SiteURL+"/zh"+examHours+"\n")
	e.fails(t, auth.Publisher, `--at "tomorrow": write it as 2026-12-01T09:00:00+08:00`, "publish", id, "--at", "tomorrow")

	at := time.Now().Add(48 * time.Hour).Truncate(time.Second).In(time.FixedZone("CST", 8*3600))
	out := e.run(t, auth.Publisher, "publish", id, "--locale", "en", "--at", at.Format(time.RFC3339))
	m := scheduled.FindStringSubmatch(out)
	if m == nil || m[1] != at.Format(time.RFC3339) || m[3] != id || m[4] != m[2] {
		t.Fatalf("publish --at printed %q, want the schedule for %s", out, at.Format(time.RFC3339))
	}
	schedule := m[2]
	local := at.Local().Format(time.RFC3339)
	wantOutput(t, "schedules", e.run(t, auth.Editor, "schedules", id), schedule+"  "+local+"  pending   en \n")

	wantOutput(t, "schedules cancel", e.run(t, auth.Publisher, "schedules", "cancel", id, schedule), "cancelled "+schedule+"\n")
	wantLines(t, "schedules", e.run(t, auth.Editor, "schedules", id), schedule+"  "+local+"  cancelled en ")
	e.fails(t, auth.Publisher, "article NOSUCH not found", "schedules", "NOSUCH")
}

func TestPublishedAddressIsTheServersURLOrElseThePath(t *testing.T) {
	url := "https://news.example.edu/en" + examHours
	if got := address(&eventsv1.PublishedLocale{Path: "/en" + examHours, Url: url}); got != url {
		t.Errorf("with a URL: %q, want %q", got, url)
	}
	// A record written before the server gave URLs has the path alone.
	if got := address(&eventsv1.PublishedLocale{Path: "/en" + examHours}); got != "/en"+examHours {
		t.Errorf("without a URL: %q, want the path", got)
	}
}
