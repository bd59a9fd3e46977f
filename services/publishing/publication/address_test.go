package publication

import (
	"errors"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
)

var claimT0 = time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)

func changeAt(t time.Time) *articlev1.Change {
	return &articlev1.Change{Time: timestamppb.New(t), Actor: &articlev1.Actor{UserId: "chief"}}
}

// heldBy is an address claimed by article at t.
func heldBy(article string, t time.Time) *eventsv1.Address {
	return &eventsv1.Address{Path: "/en/x", ArticleId: article, Locale: "en", Change: changeAt(t)}
}

// serving is a record of article serving path in English since t.
func serving(article, path string, t time.Time) *eventsv1.Publication {
	return &eventsv1.Publication{ArticleId: article, Locales: map[string]*eventsv1.PublishedLocale{
		"en": {Locale: "en", Path: path, Published: changeAt(t)},
	}}
}

func TestClaimOfAFreeAddressTakesIt(t *testing.T) {
	a := &eventsv1.Address{}
	changed, err := Claim(a, "/en/x", "B", "en", nil, changeAt(claimT0))
	if err != nil || !changed || a.ArticleId != "B" || a.Path != "/en/x" || a.Locale != "en" {
		t.Fatalf("claim: %v %v %v", changed, err, a)
	}
	if changed, err := Claim(a, "/en/x", "B", "en", nil, changeAt(claimT0.Add(time.Hour))); changed || err != nil {
		t.Errorf("claiming an address held already: %v %v, want nothing to write", changed, err)
	}
}

func TestClaimRefusesAnAddressItsHolderServes(t *testing.T) {
	a := heldBy("A", claimT0)
	_, err := Claim(a, "/en/x", "B", "en", serving("A", "/en/x", claimT0.Add(time.Second)), changeAt(claimT0.Add(48*time.Hour)))
	var e *Error
	if !errors.Is(err, ErrAddressTaken) || !errors.As(err, &e) || e.Metadata()["holder"] != "A" || a.ArticleId != "A" {
		t.Fatalf("claim of a served address: %v, address %v", err, a)
	}
	// A former address that redirects to A's live page is held too.
	moved := serving("A", "/en/y", claimT0.Add(time.Second))
	moved.Moved = map[string]string{"/en/x": "en"}
	if _, err := Claim(a, "/en/x", "B", "en", moved, changeAt(claimT0.Add(48*time.Hour))); !errors.Is(err, ErrAddressTaken) {
		t.Errorf("claim of an address that redirects: %v", err)
	}
}

func TestClaimRespectsAPublishUnderWayForAMinute(t *testing.T) {
	// A claimed the address and has not written its record yet.
	if _, err := Claim(heldBy("A", claimT0), "/en/x", "B", "en", nil, changeAt(claimT0.Add(30*time.Second))); !errors.Is(err, ErrAddressTaken) {
		t.Errorf("a claim 30 s old: %v, want refused", err)
	}
	// A's publish failed after claiming: after the grace, B takes it.
	a := heldBy("A", claimT0)
	if changed, err := Claim(a, "/en/x", "B", "en", nil, changeAt(claimT0.Add(ClaimGrace))); err != nil || !changed || a.ArticleId != "B" {
		t.Errorf("a claim older than the grace: %v %v %v", changed, err, a)
	}
}

func TestClaimTakesOverAnAddressItsHolderLeftWithoutReleasing(t *testing.T) {
	// A moved on to another path after claiming /en/x (its record changed
	// after the claim and no longer holds it).
	a := heldBy("A", claimT0)
	if changed, err := Claim(a, "/en/x", "B", "en", serving("A", "/en/elsewhere", claimT0.Add(time.Second)), changeAt(claimT0.Add(2*time.Second))); err != nil || !changed || a.ArticleId != "B" {
		t.Errorf("a stale claim: %v %v %v", changed, err, a)
	}
}

func TestVacateLeavesAnotherArticlesClaim(t *testing.T) {
	a := heldBy("B", claimT0)
	if Vacate(a, "A", changeAt(claimT0.Add(time.Hour))) || a.ArticleId != "B" {
		t.Error("A released B's address")
	}
	if !Vacate(a, "B", changeAt(claimT0.Add(time.Hour))) || a.ArticleId != "" {
		t.Error("B could not release its address")
	}
}

func TestAddressKeyIsOneSubjectToken(t *testing.T) {
	k := AddressKey("/en/news-events/news/a.b c")
	if len(k) != 32 || k == AddressKey("/en/news-events/news/a.b d") {
		t.Errorf("key %q", k)
	}
}
