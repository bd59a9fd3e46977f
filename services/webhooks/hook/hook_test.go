package hook

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/tandemnews/tandem/pkg/field"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
)

func TestSignVerifiesWithTheStandardWebhooksReference(t *testing.T) {
	old, fresh := NewSecret(), NewSecret()
	if !strings.HasPrefix(fresh, "whsec_") || old == fresh {
		t.Fatalf("secrets %q and %q: want two different whsec_ secrets", old, fresh)
	}
	body := []byte(`{"type":"tandem.article.published","data":{"title":"图书馆"}}`)
	now := time.Now()
	sig, err := Sign([]string{fresh, old}, "01JEVENT", now, body)
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	h.Set("webhook-id", "01JEVENT")
	h.Set("webhook-timestamp", strconv.FormatInt(now.Unix(), 10))
	h.Set("webhook-signature", sig)
	for _, secret := range []string{fresh, old} {
		wh, err := standardwebhooks.NewWebhook(secret)
		if err != nil {
			t.Fatal(err)
		}
		if err := wh.Verify(body, h); err != nil {
			t.Errorf("the reference library refuses the signature with one of the secrets: %v", err)
		}
		if err := wh.Verify(append(body, ' '), h); err == nil {
			t.Error("a changed body verified")
		}
	}
	other, _ := standardwebhooks.NewWebhook(NewSecret())
	if err := other.Verify(body, h); err == nil {
		t.Error("a secret that did not sign verified")
	}
	if _, err := Sign(nil, "x", now, body); err == nil {
		t.Error("signing with no secret succeeded")
	}
}

func TestRefusedNamesEveryAddressThatIsNotPublic(t *testing.T) {
	for addr, want := range map[string]string{
		"127.0.0.1": "loopback", "::1": "loopback", "::ffff:127.0.0.1": "loopback",
		"10.1.2.3": "private", "172.16.0.1": "private", "192.168.1.1": "private", "fd00::1": "private", "100.64.0.1": "private",
		"169.254.169.254": "link-local", "fe80::1": "link-local",
		"0.0.0.0": "unspecified", "::": "unspecified",
		"224.0.0.1": "link-local", "239.1.2.3": "multicast", "255.255.255.255": "broadcast",
		"93.184.216.34": "", "2606:4700::1111": "",
		"64:ff9b::a00:1": "private (inside an IPv6 address)", "2002:7f00:1::": "loopback (inside an IPv6 address)", "64:ff9b::5db8:d822": "",
	} {
		if got := Refused(netip.MustParseAddr(addr)); got != want {
			t.Errorf("Refused(%s) = %q, want %q", addr, got, want)
		}
	}
}

func TestCheckHostRefusesPrivateAddressesUnlessAllowed(t *testing.T) {
	ctx := context.Background()
	for _, raw := range []string{"http://127.0.0.1:9/hook", "https://[::1]/", "http://169.254.169.254/latest", "http://10.0.0.8/", "http://localhost:8080/"} {
		u, _ := url.Parse(raw)
		if err := (Guard{}).CheckHost(ctx, u); !errors.Is(err, ErrAddressRefused) {
			t.Errorf("CheckHost(%s) = %v, want ErrAddressRefused", raw, err)
		}
		if err := (Guard{Allow: true}).CheckHost(ctx, u); err != nil {
			t.Errorf("CheckHost(%s) allowed = %v, want nil", raw, err)
		}
	}
	u, _ := url.Parse("https://93.184.216.34/hook")
	if err := (Guard{}).CheckHost(ctx, u); err != nil {
		t.Errorf("a public address was refused: %v", err)
	}
	if err := (Guard{}).Control("tcp", "127.0.0.1:80", nil); !errors.Is(err, ErrAddressRefused) {
		t.Errorf("Control(127.0.0.1:80) = %v, want ErrAddressRefused", err)
	}
	if err := (Guard{}).Control("tcp", "93.184.216.34:443", nil); err != nil {
		t.Errorf("Control(public) = %v, want nil", err)
	}
	if err := (Guard{Allow: true}).Control("tcp", "127.0.0.1:80", nil); err != nil {
		t.Errorf("Control(allowed loopback) = %v, want nil", err)
	}
}

func TestRequestCheckNamesEveryBadFieldAtOnce(t *testing.T) {
	var v field.Violations
	Request{URL: "ftp://x", EventTypes: []string{eventsv1.ArticlePublished, eventsv1.DraftCreated}, Description: "two\nlines"}.Check(&v)
	if got := strings.Join(v.Fields(), " "); got != "url event_types[1] description" {
		t.Fatalf("violations on %q, want url, event_types[1] and description", got)
	}
	for raw, want := range map[string]string{
		"":                            "is required",
		"https://user:pw@example.org": "user name or password",
		"https://example.org/#x":      "fragment",
		"mailto:x@example.org":        "https:// or http://",
		"https:///path":               "no host",
		"https://" + strings.Repeat("a", MaxURLLength): "at most",
	} {
		if _, err := ParseURL(raw); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseURL(%.40q) = %v, want an error saying %q", raw, err, want)
		}
	}
	var ok field.Violations
	Request{URL: "https://example.org/hooks?x=1", EventTypes: []string{eventsv1.ArticleCorrected}, Description: "WeChat bridge"}.Check(&ok)
	if ok.Len() != 0 {
		t.Errorf("a good request has violations: %v", ok.Err())
	}
}

func TestWantsAndScheduleDecideWhatIsSentAndWhen(t *testing.T) {
	if !Wants(nil, eventsv1.ArticleUnpublished) || Wants(nil, eventsv1.DraftCreated) {
		t.Error("no types should mean every public type and nothing else")
	}
	if Wants([]string{eventsv1.ArticlePublished}, eventsv1.ArticleCorrected) || !Wants([]string{eventsv1.ArticlePublished}, eventsv1.ArticlePublished) {
		t.Error("a list of types should be followed")
	}
	s := Schedule{time.Second, time.Minute}
	if d, ok := s.Next(1); !ok || d != time.Second {
		t.Errorf("Next(1) = %v, %v", d, ok)
	}
	if d, ok := s.Next(2); !ok || d != time.Minute {
		t.Errorf("Next(2) = %v, %v", d, ok)
	}
	if _, ok := s.Next(3); ok || s.Tries() != 3 {
		t.Errorf("the third try should be the last of %d", s.Tries())
	}
	if DefaultSchedule.Tries() != 8 {
		t.Errorf("DefaultSchedule tries %d times, want 8", DefaultSchedule.Tries())
	}
}
