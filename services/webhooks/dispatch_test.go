package webhooks

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"testing"
	"time"

	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	webhooksv1 "github.com/tandemnews/tandem/proto/tandem/webhooks/v1"
)

// handled tells the receiver the request was answered (or dropped)
// already.
const handled = -1

// TestDeliveriesSurviveFailuresStallsAndARestartInOrderPerArticle
// delivers 48 events of 6 articles to a receiver that answers 500,
// stalls past the timeout or drops the connection at random, while the
// dispatcher is stopped and started again halfway, and an endpoint that
// always fails beside it. Every event arrives, each article's in order;
// an event that arrives twice has the same webhook-id both times; every
// signature verifies with the Standard Webhooks reference library.
func TestDeliveriesSurviveFailuresStallsAndARestartInOrderPerArticle(t *testing.T) {
	bus := newBus(t)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	var mu sync.Mutex
	rnd := rand.New(rand.NewPCG(seed, seed>>1))
	counts := map[string]int{}
	flaky := newReceiver(t)
	flaky.setDecide(func(w http.ResponseWriter, r *http.Request) int {
		mu.Lock()
		p := rnd.IntN(100)
		mu.Unlock()
		switch {
		case p < 20:
			mu.Lock()
			counts["500"]++
			mu.Unlock()
			return http.StatusInternalServerError
		case p < 30:
			mu.Lock()
			counts["stall"]++
			mu.Unlock()
			select { // past the client's timeout
			case <-r.Context().Done():
			case <-time.After(time.Second):
			}
			return http.StatusServiceUnavailable
		case p < 40:
			mu.Lock()
			counts["drop"]++
			mu.Unlock()
			return drop(w)
		}
		return 0
	})
	dead := newReceiver(t)
	dead.setDecide(func(http.ResponseWriter, *http.Request) int { return http.StatusInternalServerError })

	o := Options{Schedule: fast, Timeout: 150 * time.Millisecond, Concurrency: 4}
	s, stop := start(t, bus, o)
	add(t, s, dead)
	ep := add(t, s, flaky)

	articles := []string{"A1", "A2", "A3", "A4", "A5", "A6"}
	want := map[string][]uint64{}
	types := []string{eventsv1.ArticlePublished, eventsv1.ArticleCorrected, eventsv1.ArticleUnpublished}
	send := func(round int) {
		for _, a := range articles {
			want[a] = append(want[a], publish(t, bus, a, types[round%len(types)]))
		}
	}
	for round := range 4 {
		send(round)
	}
	// Stop the dispatcher while deliveries are under way, then start
	// another on the same streams and bucket.
	eventually(t, "some deliveries before the restart", 20*time.Second, func() bool { return len(flaky.deliveries()) >= 4 })
	stop()
	for round := 4; round < 8; round++ {
		send(round)
	}
	s2, _ := start(t, bus, o)
	_ = s2

	total := 0
	for _, revs := range want {
		total += len(revs)
	}
	eventually(t, "every event delivered", 60*time.Second, func() bool {
		seen := map[uint64]bool{}
		for _, d := range flaky.deliveries() {
			seen[d.Revision] = true
		}
		return len(seen) == total
	})

	got := flaky.deliveries()
	byID := map[string]delivery{}
	idOf := map[uint64]string{}
	last := map[string]uint64{}
	var order = map[string][]uint64{}
	for _, d := range got {
		if prev, dup := byID[d.ID]; dup {
			if prev != d {
				t.Errorf("webhook-id %s delivered as %+v and as %+v", d.ID, prev, d)
			}
			continue
		}
		if other, ok := idOf[d.Revision]; ok {
			t.Errorf("revision %d delivered under two webhook-ids, %s and %s", d.Revision, other, d.ID)
		}
		byID[d.ID], idOf[d.Revision] = d, d.ID
		if d.Revision <= last[d.Article] {
			t.Errorf("article %s: revision %d delivered after %d", d.Article, d.Revision, last[d.Article])
		}
		last[d.Article] = d.Revision
		order[d.Article] = append(order[d.Article], d.Revision)
	}
	for _, a := range articles {
		if fmt.Sprint(order[a]) != fmt.Sprint(want[a]) {
			t.Errorf("article %s delivered %v, want %v", a, order[a], want[a])
		}
	}
	mu.Lock()
	t.Logf("%d requests accepted (%d events, %d duplicates); injected %v", len(got), total, len(got)-len(byID), counts)
	if counts["500"] == 0 || counts["stall"] == 0 || counts["drop"] == 0 {
		t.Errorf("the receiver did not fail every way: %v", counts)
	}
	mu.Unlock()
	if n := len(dead.deliveries()); n != 0 {
		t.Errorf("the failing endpoint accepted %d deliveries", n)
	}
	if _, err := s2.RemoveEndpoint(admin(t), &webhooksv1.RemoveEndpointRequest{Id: ep.Id}); err != nil {
		t.Fatal(err)
	}
}

// drop closes the connection without an answer.
func drop(w http.ResponseWriter) int {
	if c, _, err := http.NewResponseController(w).Hijack(); err == nil {
		_ = c.Close()
	}
	return handled
}
