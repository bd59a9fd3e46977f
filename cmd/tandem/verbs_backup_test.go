package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	tclient "github.com/tandemnews/tandem/internal/client"
	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/testkit"
	authv1 "github.com/tandemnews/tandem/proto/tandem/auth/v1"
	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
	"github.com/tandemnews/tandem/services/publishing"
	"github.com/tandemnews/tandem/services/webhooks"
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

// TestVerbBackupAndRestoreKeepWebhooksPreviewLinksAndSessions restores
// what lives in the key-value buckets: after the restore the webhooks
// service sends to the endpoint added before it, signed with the secret
// printed then; a preview link made before it opens the same pages; and
// a desk session opened before it still signs its user in.
func TestVerbBackupAndRestoreKeepWebhooksPreviewLinksAndSessions(t *testing.T) {
	e := startVerbEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var mu sync.Mutex
	var secret string
	var bodies []string
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		wh, err := standardwebhooks.NewWebhook(secret)
		if err != nil || wh.Verify(b, r.Header) != nil {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		bodies = append(bodies, string(b))
	}))
	t.Cleanup(rcv.Close)
	out := e.run(t, auth.Admin, "webhooks", "add", rcv.URL, "--allow-private-address", "--type", "tandem.article.published")
	m := regexp.MustCompile(`^added endpoint (\S+) .*\nsigning secret, shown this once: (whsec_\S+)\n$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("webhooks add printed %q", out)
	}
	endpoint := m[1]
	mu.Lock()
	secret = m[2]
	mu.Unlock()

	// An approved article, not yet published, with a preview link.
	article := e.approved(t)
	cl := e.Client(t)
	link, err := cl.Publishing.CreatePreviewLink(ctx, &publishingv1.CreatePreviewLinkRequest{ArticleId: article, Expires: timestamppb.New(time.Now().Add(24 * time.Hour))}, e.As(auth.Publisher))
	if err != nil {
		t.Fatal(err)
	}
	linked, err := cl.Publishing.GetLinkedPreview(ctx, &publishingv1.GetLinkedPreviewRequest{Token: link.Token})
	if err != nil || len(linked.Locales) == 0 {
		t.Fatalf("the preview link's locales: %v, %v", linked, err)
	}
	previews := map[string]string{}
	for _, l := range linked.Locales {
		code, body := stacktest.Fetch(t, e.DeskURL+"/preview/"+link.Token+"/"+l)
		if code != http.StatusOK {
			t.Fatalf("the preview link's %s page: %d\n%s", l, code, body)
		}
		// The page names the site by its address, which the restored
		// stack of this test has another of.
		previews[l] = strings.ReplaceAll(body, e.SiteURL, "SITE")
	}

	// Ana signs in at the desk.
	const password = "correct horse battery"
	if err := auth.AddUser(e.AuthFile, auth.User{ID: "ana", Name: "Ana Li", Roles: []auth.Role{auth.Editor}}, password); err != nil {
		t.Fatal(err)
	}
	if err := e.Auth.Reload(); err != nil {
		t.Fatal(err)
	}
	var signedIn *authv1.SignInResponse
	stacktest.Eventually(t, "ana signs in", func() bool {
		signedIn, err = cl.Sessions.SignIn(ctx, &authv1.SignInRequest{Username: "ana", Password: password})
		return status.Code(err) != codes.Unavailable
	})
	if err != nil {
		t.Fatal(err)
	}

	cfg := e.Bus.Config()
	dir := filepath.Join(t.TempDir(), "backup")
	out, err = streamsVerb(e.natsURL, cfg, "backup", dir)
	if err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	for _, bucket := range []string{webhooks.Bucket(cfg), publishing.LinkKeyBucket(cfg), cfg.EditorialStream + "_SESSIONS"} {
		if !strings.Contains(out, "KV_"+bucket+" ") {
			t.Errorf("backup did not save the bucket %s:\n%s", bucket, out)
		}
	}

	fresh := testkit.StartNATS(t)
	if out, err = streamsVerb(fresh.URL(), cfg, "restore", dir); err != nil {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	bus, err := events.Open(ctx, testkit.Connect(t, fresh.URL()), cfg)
	if err != nil {
		t.Fatal(err)
	}
	again := &verbEnv{Env: stacktest.StartOn(t, bus, nil), natsURL: fresh.URL(), dir: t.TempDir()}
	// The users file is not in NATS: the operator keeps it beside the
	// backup. The restored stack's has ana too.
	if err := auth.AddUser(again.AuthFile, auth.User{ID: "ana", Name: "Ana Li", Roles: []auth.Role{auth.Editor}}, password); err != nil {
		t.Fatal(err)
	}
	if err := again.Auth.Reload(); err != nil {
		t.Fatal(err)
	}
	acl := again.Client(t)

	// The preview link opens the same pages.
	for l, want := range previews {
		if code, body := stacktest.Fetch(t, again.DeskURL+"/preview/"+link.Token+"/"+l); code != http.StatusOK || strings.ReplaceAll(body, again.SiteURL, "SITE") != want {
			t.Errorf("the preview link's %s page after the restore: %d\n%s", l, code, body)
		}
	}
	// Ana is still signed in.
	who, err := acl.Sessions.WhoAmI(ctx, &authv1.WhoAmIRequest{}, tclient.Token(signedIn.Token))
	if err != nil || who.User.Id != "ana" {
		t.Errorf("ana's session after the restore: %v, %v", who, err)
	}
	// The endpoint is there, and the publication reaches it, signed with
	// the secret printed before the backup.
	wantLines(t, "webhooks list", again.run(t, auth.Admin, "webhooks", "list"), "1 endpoint(s)")
	if list := again.run(t, auth.Admin, "webhooks", "list"); !strings.Contains(list, endpoint+" ") {
		t.Errorf("webhooks list after the restore does not show %s:\n%s", endpoint, list)
	}
	again.run(t, auth.Publisher, "publish", article)
	stacktest.Eventually(t, "the publication on the restored server reaches the endpoint", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(bodies) == 1 && strings.Contains(bodies[0], `"subject":"`+article+`"`)
	})
}
