package security

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/events"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	webhooksv1 "github.com/tandemnews/tandem/proto/tandem/webhooks/v1"
	"github.com/tandemnews/tandem/services/webhooks"
)

// TestWebhooksNATSUserReadsPublicAndItsBucketOnly runs the webhooks
// service with the webhooks user of deploy/nats/auth.conf: it follows
// PUBLIC, keeps its endpoints in its bucket and delivers, and can touch
// nothing else.
func TestWebhooksNATSUserReadsPublicAndItsBucketOnly(t *testing.T) {
	urlOf := deployedNATS(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cfg := events.DefaultConfig()
	all, err := events.Open(ctx, connectAs(t, urlOf("tandem")), cfg)
	if err != nil {
		t.Fatal(err)
	}
	publish := func(article string) {
		subj, _ := all.Public.Subject(eventsv1.KindArticles, article)
		if _, err := all.Public.Publish(ctx, subj, &events.Event{Type: eventsv1.ArticlePublished, Source: eventsv1.SourcePublishing, Subject: article, Actor: "p",
			Data: &eventsv1.ArticleEvent{Publication: &eventsv1.Publication{ArticleId: article}}}); err != nil {
			t.Fatal(err)
		}
	}
	publish("W0")

	bus, err := events.OpenPublic(ctx, connectAs(t, urlOf("webhooks"), nats.CustomInboxPrefix(events.InboxPrefix("webhooks"))), cfg)
	if err != nil {
		t.Fatalf("webhooks user attaches to PUBLIC: %v", err)
	}
	svc := webhooks.New(bus, webhooks.Options{})
	sctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- svc.Run(sctx) }()
	defer func() { stop(); <-done }()
	select {
	case <-svc.Ready():
	case <-time.After(10 * time.Second):
		t.Fatal("the webhooks user cannot open its bucket")
	}
	var got atomic.Int32
	rcv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { got.Add(1) }))
	defer rcv.Close()
	admin := auth.WithUser(ctx, auth.User{ID: "perm-admin", Roles: []auth.Role{auth.Admin}})
	if _, err := svc.AddEndpoint(admin, &webhooksv1.AddEndpointRequest{Url: rcv.URL, AllowPrivateAddress: true}); err != nil {
		t.Fatalf("webhooks user adds an endpoint: %v", err)
	}
	publish("W1")
	for deadline := time.Now().Add(10 * time.Second); got.Load() == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the webhooks user delivered nothing")
		}
	}
	if list, err := svc.ListEndpoints(admin, &webhooksv1.ListEndpointsRequest{}); err != nil || len(list.Endpoints) != 1 {
		t.Fatalf("webhooks user lists its endpoints: %v, %v", list, err)
	}

	nc := connectAs(t, urlOf("webhooks"), nats.CustomInboxPrefix(events.InboxPrefix("webhooks")))
	js, _ := jetstream.New(nc)
	denied := map[string]func(ctx context.Context) error{
		"publish on PUBLIC": func(c context.Context) error {
			_, err := js.Publish(c, "public.articles.W1", []byte("defaced"))
			return err
		},
		"create or update the streams": func(c context.Context) error { _, err := events.Open(c, nc, cfg); return err },
		"read EDITORIAL":               func(c context.Context) error { _, err := js.Stream(c, cfg.EditorialStream); return err },
		"purge PUBLIC": func(c context.Context) error {
			s, err := js.Stream(c, cfg.PublicStream)
			if err != nil {
				return err
			}
			return s.Purge(c)
		},
	}
	for what, op := range denied {
		if err := refused(op); err == nil {
			t.Errorf("the webhooks user could %s", what)
		}
	}
}
