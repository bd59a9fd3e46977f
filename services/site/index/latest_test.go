package index

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// The first pages of a large index keep only the newest while scanning,
// the others come from a sort of everything: both give the same order.
func TestLatestOfALargeIndexKeepsTheOrder(t *testing.T) {
	ix := New()
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range 1000 {
		id := fmt.Sprintf("A%04d", i)
		date := fmt.Sprintf("2024-05-%02d", 1+rng.IntN(28))
		first := t0.Add(time.Duration(rng.IntN(5)) * time.Hour)
		pl := locale("en", "/en/"+id, date, 1, "aaaaaaaaaaaaaaaa", first.Add(time.Hour))
		pl.FirstPublished = at(first)
		ix.Apply(publication(id, pl), uint64(i+1))
	}
	all, total := ix.Latest("en", nil, 0, 1000)
	if total != 1000 || len(all) != 1000 {
		t.Fatalf("all: %d of %d", len(all), total)
	}
	if !slices.IsSortedFunc(all, order) {
		t.Fatal("not in order")
	}
	for _, off := range []int{0, 20, 100, 240, 980} {
		page, _ := ix.Latest("en", nil, off, 20)
		if !slices.Equal(ids(page), ids(all[off:off+20])) {
			t.Errorf("page at %d: %v, want %v", off, ids(page), ids(all[off:off+20]))
		}
	}
}

// Pages replaced, taken down and purged leave the listings, whatever
// their order.
func TestListingsFollowReplacedAndRemovedPages(t *testing.T) {
	ix := New()
	for i := range 300 {
		id := fmt.Sprintf("A%04d", i)
		ix.Apply(publication(id, locale("en", "/en/"+id, "2024-05-01", 1, "aaaaaaaaaaaaaaaa", t0)), uint64(i+1))
	}
	for i := 0; i < 300; i += 3 {
		id := fmt.Sprintf("A%04d", i)
		ix.Apply(publication(id, locale("en", "/en/"+id, "2024-05-02", 2, "bbbbbbbbbbbbbbbb", t0)), uint64(1000+i)) // replaced
		ix.Apply(publication(fmt.Sprintf("A%04d", i+1)), uint64(2000+i))                                            // purged
	}
	if n := ix.Count("en", nil); n != 200 {
		t.Fatalf("count %d, want 200", n)
	}
	pages, total := ix.Latest("en", nil, 0, 300)
	replaced := 0
	for _, pg := range pages {
		if pg.Date == "2024-05-02" {
			replaced++
		}
	}
	if total != 200 || len(pages) != 200 || replaced != 100 {
		t.Fatalf("latest: %d of %d, %d replaced", len(pages), total, replaced)
	}
	if got := len(ix.all); got != 200 {
		t.Fatalf("all holds %d pages", got)
	}
	for i, pg := range ix.all {
		if pg.slot != i {
			t.Fatalf("page %s at %d says %d", pg.Article, i, pg.slot)
		}
	}
}
