package main

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/testkit"
)

// streamsVerb runs a verb that talks to NATS at url about the streams of
// cfg, and returns what it printed.
func streamsVerb(url string, cfg events.Config, args ...string) (string, error) {
	root := rootCmd()
	var out strings.Builder
	root.SetOut(&out)
	root.SetArgs(append(args, "--nats-url", url,
		"--editorial-stream", cfg.EditorialStream, "--editorial-prefix", cfg.EditorialPrefix,
		"--public-stream", cfg.PublicStream, "--public-prefix", cfg.PublicPrefix))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := root.ExecuteContext(ctx)
	return out.String(), err
}

func TestVerbBackupAndRestoreBringTheSiteBack(t *testing.T) {
	e := startVerbEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pub, err := e.Client(t).Walk(ctx, stacktest.SampleArticle(), e.Tokens)
	if err != nil {
		t.Fatal(err)
	}
	pages := map[string]string{}
	for _, pl := range pub.Locales {
		stacktest.Eventually(t, "the site serves "+pl.Path, func() bool {
			code, body := stacktest.Fetch(t, e.SiteURL+pl.Path)
			pages[pl.Path] = body
			return code == http.StatusOK
		})
	}
	cfg := e.Bus.Config()
	dir := filepath.Join(t.TempDir(), "backup")
	out, err := streamsVerb(e.natsURL, cfg, "backup", dir)
	if err != nil || !strings.Contains(out, "backed up into "+dir) || !strings.Contains(out, cfg.EditorialStream) {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	if _, err := streamsVerb(e.natsURL, cfg, "backup", dir); err == nil || !strings.Contains(err.Error(), "is not empty") {
		t.Errorf("a second backup into the same folder: %v", err)
	}
	if _, err := streamsVerb(e.natsURL, cfg, "restore", dir); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("restoring over the live streams: %v", err)
	}

	fresh := testkit.StartNATS(t)
	out, err = streamsVerb(fresh.URL(), cfg, "restore", dir)
	if err != nil || !strings.Contains(out, "restored the backup of") {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	// Tandem started on the restored server, without Redis, serves the
	// same pages from the stream alone.
	nc := testkit.Connect(t, fresh.URL())
	bus, err := events.Open(ctx, nc, cfg)
	if err != nil {
		t.Fatal(err)
	}
	again := stacktest.StartOn(t, bus, nil)
	for path, want := range pages {
		if code, body := stacktest.Fetch(t, again.SiteURL+path); code != http.StatusOK || body != want {
			t.Errorf("%s after the restore: %d, %d bytes; want the same page (%d bytes)", path, code, len(body), len(want))
		}
	}
	// The restored record goes on: the drafts are there to edit.
	if _, err := again.Client(t).Drafting.ListDrafts(ctx, nil, again.As("editor")); err != nil {
		t.Errorf("drafting on the restored streams: %v", err)
	}
}
