package webhooks

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tandemnews/tandem/pkg/metrics"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	webhooksv1 "github.com/tandemnews/tandem/proto/tandem/webhooks/v1"
	"github.com/tandemnews/tandem/services/webhooks/hook"
)

func violations(err error) []string {
	var out []string
	for _, d := range status.Convert(err).Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.FieldViolations {
				out = append(out, v.Field)
			}
		}
	}
	return out
}

func TestAddEndpointRefusesPrivateAddressesUnlessAllowedAndBadFieldsAtOnce(t *testing.T) {
	s, _ := start(t, newBus(t), Options{})
	for _, u := range []string{"http://127.0.0.1:8080/hook", "http://localhost/hook", "http://10.0.0.1/", "http://[fe80::1]/", "http://169.254.169.254/"} {
		_, err := s.AddEndpoint(admin(t), &webhooksv1.AddEndpointRequest{Url: u})
		if status.Code(err) != codes.InvalidArgument || strings.Join(violations(err), ",") != "url" || !strings.Contains(err.Error(), "allow_private_address") {
			t.Errorf("AddEndpoint(%s) = %v, want InvalidArgument on url saying how to allow it", u, err)
		}
	}
	_, err := s.AddEndpoint(admin(t), &webhooksv1.AddEndpointRequest{Url: "ftp://x", EventTypes: []string{"tandem.draft.created"}, Description: "a\nb"})
	if got := strings.Join(violations(err), ","); got != "url,event_types[0],description" {
		t.Errorf("violations %q, want url, event_types[0] and description at once (%v)", got, err)
	}
	res, err := s.AddEndpoint(admin(t), &webhooksv1.AddEndpointRequest{Url: "http://127.0.0.1:8080/hook", AllowPrivateAddress: true})
	if err != nil {
		t.Fatalf("an allowed loopback endpoint: %v", err)
	}
	if !res.Endpoint.AllowPrivateAddress || res.Endpoint.Created.GetActor().GetUserId() != "test-admin" {
		t.Errorf("the allowance is not recorded with who gave it: %v", res.Endpoint)
	}
	list, err := s.ListEndpoints(admin(t), &webhooksv1.ListEndpointsRequest{})
	if err != nil || len(list.Endpoints) != 1 {
		t.Fatalf("ListEndpoints = %v, %v", list, err)
	}
	if sec := list.Endpoints[0].Secrets; len(sec) != 1 || sec[0].Secret != "" || sec[0].Created == nil {
		t.Errorf("the list shows secrets %v, want one, its value hidden", sec)
	}
	if _, err := s.RemoveEndpoint(admin(t), &webhooksv1.RemoveEndpointRequest{Id: res.Endpoint.Id}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RemoveEndpoint(admin(t), &webhooksv1.RemoveEndpointRequest{Id: res.Endpoint.Id}); status.Code(err) != codes.NotFound {
		t.Errorf("removing it again = %v, want NotFound", err)
	}
}

func TestDeliveriesNeverConnectToARefusedAddress(t *testing.T) {
	// The check at dial time: a name that resolved to a public address
	// when the endpoint was added may resolve to a private one later.
	rc := newReceiver(t)
	ep := &webhooksv1.Endpoint{Url: rc.srv.URL, Secrets: []*webhooksv1.SigningSecret{{Secret: hook.NewSecret()}}}
	err := post(admin(t), client(hook.Guard{}, time.Second), ep, "id-1", []byte("{}"), time.Now())
	if !errors.Is(err, hook.ErrAddressRefused) {
		t.Fatalf("a delivery to %s = %v, want ErrAddressRefused", rc.srv.URL, err)
	}
	if n := len(rc.deliveries()); n != 0 {
		t.Fatalf("the receiver got %d deliveries", n)
	}
}

func TestAFailedDeliveryIsDeadLetteredAndCanBeSentAgain(t *testing.T) {
	bus := newBus(t)
	s, _ := start(t, bus, Options{Schedule: hook.Schedule{5 * time.Millisecond, 5 * time.Millisecond}, Timeout: time.Second})
	rc := newReceiver(t)
	rc.setDecide(func(http.ResponseWriter, *http.Request) int { return http.StatusBadGateway })
	ep := add(t, s, rc, eventsv1.ArticlePublished)
	deadBefore := testutil.ToFloat64(metrics.WebhookTries.WithLabelValues("dead"))
	failedBefore := testutil.ToFloat64(metrics.WebhookTries.WithLabelValues("failed"))
	publish(t, bus, "D1", eventsv1.ArticleUnpublished) // not wanted: never sent
	rev := publish(t, bus, "D1", eventsv1.ArticlePublished)
	var dead []*webhooksv1.DeadLetter
	eventually(t, "the delivery is dead-lettered", 10*time.Second, func() bool {
		res, err := s.ListDeadLetters(admin(t), &webhooksv1.ListDeadLettersRequest{EndpointId: ep.Id})
		if err != nil {
			t.Fatal(err)
		}
		dead = res.DeadLetters
		return len(dead) == 1
	})
	d := dead[0]
	if d.Revision != rev || d.ArticleId != "D1" || d.Attempts != 3 || !strings.Contains(d.Reason, "502") || d.EventType != eventsv1.ArticlePublished {
		t.Errorf("dead letter %v: want revision %d of D1 after 3 tries, with the 502", d, rev)
	}
	if dead, failed := testutil.ToFloat64(metrics.WebhookTries.WithLabelValues("dead"))-deadBefore,
		testutil.ToFloat64(metrics.WebhookTries.WithLabelValues("failed"))-failedBefore; dead != 1 || failed != 2 {
		t.Errorf("tandem_webhooks_tries_total counted %v dead and %v failed tries, want 1 and 2", dead, failed)
	}
	list, _ := s.ListEndpoints(admin(t), &webhooksv1.ListEndpointsRequest{})
	if list.DeadLetters[ep.Id] != 1 {
		t.Errorf("ListEndpoints counts %d dead letters, want 1", list.DeadLetters[ep.Id])
	}

	// Still failing: it stays, with one more try.
	res, err := s.Redeliver(admin(t), &webhooksv1.RedeliverRequest{EndpointId: ep.Id})
	if err != nil || len(res.Failed) != 1 || res.Failed[0].Attempts != 4 {
		t.Fatalf("Redeliver while failing = %v, %v; want it failed after a 4th try", res, err)
	}
	if _, err := s.Redeliver(admin(t), &webhooksv1.RedeliverRequest{EndpointId: ep.Id, WebhookIds: []string{"nope"}}); strings.Join(violations(err), ",") != "webhook_ids[0]" {
		t.Errorf("Redeliver of an unknown id = %v, want a violation on webhook_ids[0]", err)
	}
	rc.setDecide(nil)
	res, err = s.Redeliver(admin(t), &webhooksv1.RedeliverRequest{EndpointId: ep.Id, WebhookIds: []string{d.WebhookId}})
	if err != nil || len(res.Delivered) != 1 || len(res.Failed) != 0 {
		t.Fatalf("Redeliver = %v, %v; want it delivered", res, err)
	}
	got := rc.deliveries()
	if len(got) != 1 || got[0].ID != d.WebhookId || got[0].Revision != rev {
		t.Errorf("the receiver got %v, want the dead letter's event under its webhook-id", got)
	}
	left, _ := s.ListDeadLetters(admin(t), &webhooksv1.ListDeadLettersRequest{EndpointId: ep.Id})
	if len(left.DeadLetters) != 0 {
		t.Errorf("dead letters left after a delivery: %v", left.DeadLetters)
	}
}

func TestARotatedSecretSignsBesideTheOldOneUntilTheOverlapEnds(t *testing.T) {
	bus := newBus(t)
	s, _ := start(t, bus, Options{Schedule: fast, Timeout: time.Second})
	rc := newReceiver(t)
	ep := add(t, s, rc)
	old := rc.secret[0]
	res, err := s.RotateSecret(admin(t), &webhooksv1.RotateSecretRequest{Id: ep.Id, OverlapSeconds: 3600})
	if err != nil {
		t.Fatal(err)
	}
	fresh := res.Endpoint.Secrets[0].Secret
	if fresh == "" || fresh == old || len(res.Endpoint.Secrets) != 2 || res.Endpoint.Secrets[1].Secret != "" {
		t.Fatalf("rotation answered %v: want the new secret shown and the old one kept, hidden", res.Endpoint.Secrets)
	}
	// A receiver that still holds only the old secret, then one that holds
	// only the new: neither misses a delivery.
	rc.setSecrets(old)
	publish(t, bus, "R1", eventsv1.ArticlePublished)
	eventually(t, "delivered to a receiver with the old secret", 10*time.Second, func() bool { return len(rc.deliveries()) == 1 })
	rc.setSecrets(fresh)
	publish(t, bus, "R1", eventsv1.ArticleCorrected)
	eventually(t, "delivered to a receiver with the new secret", 10*time.Second, func() bool { return len(rc.deliveries()) == 2 })

	// Once the overlap is over only the new secret signs.
	stored, _, err := s.store.endpoint(admin(t), ep.Id)
	if err != nil {
		t.Fatal(err)
	}
	if got := secretsInForce(stored, time.Now().Add(2*time.Hour)); len(got) != 1 || got[0] != fresh {
		t.Errorf("after the overlap %d secrets sign, want only the new one", len(got))
	}
	if _, err := s.RotateSecret(admin(t), &webhooksv1.RotateSecretRequest{Id: ep.Id, OverlapSeconds: 8 * 86400}); strings.Join(violations(err), ",") != "overlap_seconds" {
		t.Errorf("an overlap of 8 days = %v, want a violation on overlap_seconds", err)
	}
}

func TestRotationsAtOnceLoseNoSecret(t *testing.T) {
	s, _ := start(t, newBus(t), Options{})
	res, err := s.AddEndpoint(admin(t), &webhooksv1.AddEndpointRequest{Url: "http://127.0.0.1:9/hook", AllowPrivateAddress: true})
	if err != nil {
		t.Fatal(err)
	}
	id := res.Endpoint.Id
	const n = 4
	fresh := make(chan string, n)
	errc := make(chan error, n)
	ctx := admin(t)
	for range n {
		go func() {
			r, err := s.RotateSecret(ctx, &webhooksv1.RotateSecretRequest{Id: id})
			if err == nil {
				fresh <- r.Endpoint.Secrets[0].Secret
			}
			errc <- err
		}()
	}
	for range n {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
	close(fresh)
	stored, _, err := s.store.endpoint(admin(t), id)
	if err != nil {
		t.Fatal(err)
	}
	signing := secretsInForce(stored, time.Now())
	if len(signing) != n+1 {
		t.Fatalf("%d secrets sign after %d rotations at once, want %d: a rotation was lost", len(signing), n, n+1)
	}
	for f := range fresh {
		if !slices.Contains(signing, f) {
			t.Errorf("the secret %s one rotation handed out does not sign", f[:10])
		}
	}
}
