package index

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// The first pages of a large index come from a heap, the others from a
// sort of everything: both give the same order.
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
	if !slices.IsSortedFunc(all, newerFirst) {
		t.Fatal("not in order")
	}
	for _, off := range []int{0, 20, 100, 980} {
		page, _ := ix.Latest("en", nil, off, 20)
		if !slices.Equal(ids(page), ids(all[off:off+20])) {
			t.Errorf("page at %d: %v, want %v", off, ids(page), ids(all[off:off+20]))
		}
	}
}
