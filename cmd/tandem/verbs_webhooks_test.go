package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/auth"
)

func TestVerbWebhooksAddListRotateRedeliverRemove(t *testing.T) {
	e := startVerbEnv(t)
	var mu sync.Mutex
	var bodies []string
	var secret string
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

	e.fails(t, auth.Publisher, "not allowed: adding an endpoint requires the admin role; test-publisher has the publisher role",
		"webhooks", "add", rcv.URL)
	e.fails(t, auth.Admin, "the request was not accepted:\n  - url address refused: 127.0.0.1 is a loopback address; an admin may allow it (tandem webhooks add --allow-private-address, allow_private_address in the API)",
		"webhooks", "add", rcv.URL)
	out := e.run(t, auth.Admin, "webhooks", "add", rcv.URL, "--allow-private-address", "--type", "tandem.article.published", "--description", "newsletter")
	m := regexp.MustCompile(`(?s)^added endpoint (\S+) for \S+ \(tandem.article.published\)\nsigning secret, shown this once: (whsec_\S+)\n$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("webhooks add printed %q", out)
	}
	id := m[1]
	mu.Lock()
	secret = m[2]
	mu.Unlock()

	list := strings.Split(e.run(t, auth.Admin, "webhooks", "list"), "\n")
	if len(list) != 4 || strings.Join(strings.Fields(list[0]), " ") != "ENDPOINT URL EVENTS SECRETS DEAD NOTE" ||
		strings.Join(strings.Fields(list[1]), " ") != id+" "+rcv.URL+" tandem.article.published 1 0 newsletter (private address allowed by test-admin)" ||
		list[2] != "1 endpoint(s)" {
		t.Errorf("webhooks list printed:\n%s", strings.Join(list, "\n"))
	}

	// Publishing an article sends it, signed with the secret printed.
	article := e.approved(t)
	e.run(t, auth.Publisher, "publish", article)
	stacktest.Eventually(t, "the publication reaches the endpoint", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(bodies) == 1 && strings.Contains(bodies[0], `"subject":"`+article+`"`)
	})

	out = e.run(t, auth.Admin, "webhooks", "rotate-secret", id, "--overlap", "1h")
	if !regexp.MustCompile(`^new signing secret for \S+, shown this once: whsec_\S+\nthe previous secret signs beside it until \S+\n$`).MatchString(out) {
		t.Errorf("webhooks rotate-secret printed %q", out)
	}
	wantOutput(t, "webhooks dead-letters", e.run(t, auth.Admin, "webhooks", "dead-letters", id),
		"WEBHOOK-ID  TYPE  ARTICLE  REVISION  TRIES  FAILED  REASON\n0 dead letter(s)\n")
	wantOutput(t, "webhooks redeliver", e.run(t, auth.Admin, "webhooks", "redeliver", id), "0 delivered, 0 still failing\n")
	e.fails(t, auth.Admin, "the request was not accepted:\n  - webhook_ids[0] \"nope\" is not a dead letter of endpoint "+id, "webhooks", "redeliver", id, "nope")
	wantOutput(t, "webhooks remove", e.run(t, auth.Admin, "webhooks", "remove", id), "removed endpoint "+id+"\n")
	e.fails(t, auth.Admin, "no such webhook endpoint: "+id+" (tandem webhooks list shows the ids)", "webhooks", "remove", id)
}
