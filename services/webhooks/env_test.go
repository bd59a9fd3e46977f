package webhooks

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/testkit"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	webhooksv1 "github.com/tandemnews/tandem/proto/tandem/webhooks/v1"
	"github.com/tandemnews/tandem/services/webhooks/hook"
)

// fast is a schedule for tests: many quick retries.
var fast = hook.Schedule{10 * time.Millisecond, 20 * time.Millisecond, 30 * time.Millisecond, 40 * time.Millisecond, 50 * time.Millisecond,
	50 * time.Millisecond, 50 * time.Millisecond, 50 * time.Millisecond, 50 * time.Millisecond, 50 * time.Millisecond,
	50 * time.Millisecond, 50 * time.Millisecond, 50 * time.Millisecond, 50 * time.Millisecond, 50 * time.Millisecond}

func admin(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return auth.WithUser(c, auth.User{ID: "test-admin", Roles: []auth.Role{auth.Admin}})
}

// start runs a webhooks service on bus until the returned stop is called
// (or the test ends), and waits until it answers.
func start(t *testing.T, bus *events.Bus, o Options) (*Service, func()) {
	t.Helper()
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	s := New(bus, o)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("webhooks stopped with: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	select {
	case <-s.Ready():
	case <-time.After(10 * time.Second):
		t.Fatal("the webhooks service did not start")
	}
	t.Cleanup(func() {
		c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = bus.JetStream().DeleteKeyValue(c, Bucket(bus.Config()))
	})
	return s, stop
}

// publish writes one public event of the article, as publishing would.
func publish(t *testing.T, bus *events.Bus, article, typ string) uint64 {
	t.Helper()
	subj, err := bus.Public.Subject(eventsv1.KindArticles, article)
	if err != nil {
		t.Fatal(err)
	}
	seq, err := bus.Public.Publish(context.Background(), subj, &events.Event{
		Type: typ, Source: eventsv1.SourcePublishing, Subject: article, Actor: "test-publisher",
		Data: &eventsv1.ArticleEvent{Publication: &eventsv1.Publication{ArticleId: article}, ChangedLocales: []string{"zh-CN"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

// delivery is one request a receiver accepted.
type delivery struct {
	ID, Article string
	Revision    uint64
	Type        string
}

// receiver is a webhook endpoint of a test's: decide says how it answers
// each request (nil: 204 after verifying); it verifies every signature it
// accepts with the Standard Webhooks reference library.
type receiver struct {
	t      *testing.T
	srv    *httptest.Server
	mu     sync.Mutex
	secret []string // any one of them must verify
	got    []delivery
	decide func(w http.ResponseWriter, r *http.Request) int
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{t: t}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	rc.mu.Lock()
	decide, secrets := rc.decide, rc.secret
	rc.mu.Unlock()
	if decide != nil {
		switch code := decide(w, r); code {
		case 0:
		case handled:
			return
		default:
			w.WriteHeader(code)
			return
		}
	}
	verified := false
	for _, s := range secrets {
		wh, err := standardwebhooks.NewWebhook(s)
		if err == nil && wh.Verify(raw, r.Header) == nil {
			verified = true
		}
	}
	if !verified {
		rc.t.Errorf("a delivery (webhook-id %s) does not verify with the endpoint's secret", r.Header.Get("webhook-id"))
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var b body
	if err := json.Unmarshal(raw, &b); err != nil {
		rc.t.Errorf("delivery body: %v\n%s", err, raw)
	}
	if b.ID != r.Header.Get("webhook-id") {
		rc.t.Errorf("body id %q, webhook-id %q: want equal", b.ID, r.Header.Get("webhook-id"))
	}
	rc.mu.Lock()
	rc.got = append(rc.got, delivery{ID: b.ID, Article: b.Subject, Revision: b.Revision, Type: b.Type})
	rc.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (rc *receiver) deliveries() []delivery {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]delivery(nil), rc.got...)
}

func (rc *receiver) setSecrets(s ...string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.secret = s
}

func (rc *receiver) setDecide(f func(w http.ResponseWriter, r *http.Request) int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.decide = f
}

// add registers rc as an endpoint (allowed on loopback) and hands it the
// secret.
func add(t *testing.T, s *Service, rc *receiver, types ...string) *webhooksv1.Endpoint {
	t.Helper()
	res, err := s.AddEndpoint(admin(t), &webhooksv1.AddEndpointRequest{Url: rc.srv.URL + "/hook", EventTypes: types, AllowPrivateAddress: true, Description: "test receiver"})
	if err != nil {
		t.Fatal(err)
	}
	rc.setSecrets(res.Endpoint.Secrets[0].Secret)
	return res.Endpoint
}

func eventually(t *testing.T, what string, within time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func newBus(t *testing.T) *events.Bus { return testkit.Bus(t, testkit.StartNATS(t).URL()) }
