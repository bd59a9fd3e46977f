package catalog

import (
	"testing"

	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

func TestWatchersHearOfEveryChangeFromNowOnUntilTheyStop(t *testing.T) {
	c := New()
	c.PutDraft(stored("A", 1, 1, "旧", ""))
	ids, stop := c.Watch()
	c.PutDraft(stored("A", 2, 2, "新", ""))
	c.PutJob(&reviewv1.Job{ArticleId: "B", Revision: 1})
	if got := []string{<-ids, <-ids}; got[0] != "A" || got[1] != "B" {
		t.Fatalf("heard %v", got)
	}
	if s, ok := c.Summary("A"); !ok || s.Titles["zh-CN"] != "新" {
		t.Fatalf("Summary(A) = %v, %v", s, ok)
	}
	if _, ok := c.Summary("B"); ok {
		t.Fatal("B, a job without a draft, has a row")
	}
	// A watcher that does not read loses ids past its buffer, and blocks
	// nobody.
	for range watchBuffer + 10 {
		c.PutDraft(stored("C", 1, 3, "丙", ""))
	}
	stop()
	n := 0
	for range ids {
		n++
	}
	if n != watchBuffer {
		t.Fatalf("%d ids queued, want %d", n, watchBuffer)
	}
	stop() // twice is fine
}
