package memory

import (
	"maps"
	"math/bits"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestGatherTouchesExactlyTheEntriesItsBoundsAllow pins the count
// filter's work, not only its results: the candidates are exactly the
// entries within the length window that share one rare bigram key or need
// of the dense ones (with need the fewest bigram occurrences a match at min
// still shares), and each candidate's count is every query key it holds. A
// looser filter finds the same matches slower; this test is what notices.
// It runs with no dense bigram, with some and with nearly all.
func TestGatherTouchesExactlyTheEntriesItsBoundsAllow(t *testing.T) {
	for _, denseAt := range []int{1 << 30, 12, 1} {
		rng := rand.New(rand.NewPCG(5, 6))
		m := New()
		m.source.denseAt = denseAt
		var all []string
		for i := range 400 {
			s := sentence(rng)
			if i%4 == 0 {
				s = englishSentence(rng)
			}
			all = append(all, s)
			m.Add(Entry{Source: s, Target: "x"})
		}
		dense := 0
		for _, p := range m.source.grams {
			if p.bits != nil {
				dense++
			}
		}
		if (denseAt == 1<<30) != (dense == 0) {
			t.Fatalf("dense from %d: %d dense bigrams", denseAt, dense)
		}
		c := new(counter)
		for i := range 40 {
			src := all[rng.IntN(len(all))]
			q := m.queryUnits(Normalize(mutate(rng, src)))
			qn := len([]rune(q))
			for _, min := range []int{50, 75, 90, 100} {
				qg := gather(&m.source, q, qn, min, c)
				if want := grams(q); !slices.Equal(qg, want) {
					t.Fatalf("query %d at %d: bigrams %v, want %v", i, min, qg, want)
				}
				// A match n units long is within maxEdits(longer, min) edits and
				// shares all but two bigram occurrences per edit.
				need := qn
				for n := range 2*qn + 2 {
					if longer := max(qn, n); fits(qn, n, min) {
						need = mins(need, longer-1-2*maxEdits(longer, min))
					}
				}
				want := map[int32]int{}
				for id := range int32(m.Len()) {
					if !fits(qn, m.source.n(id), min) {
						continue
					}
					shared, rare := 0, false
					for _, g := range qg {
						p := m.source.grams[g]
						if p == nil {
							continue
						}
						if _, ok := slices.BinarySearch(p.ids, id); ok {
							shared++
							rare = rare || p.bits == nil
						}
					}
					if rare || shared >= need {
						want[id] = shared
					}
				}
				got := map[int32]int{}
				for _, id := range c.touched {
					if _, twice := got[id]; twice {
						t.Fatalf("query %d at %d: entry %d touched twice", i, min, id)
					}
					got[id] = int(c.n[id])
				}
				if !maps.Equal(got, want) {
					t.Fatalf("dense from %d, query %d at %d: touched %d entries, want %d (need %d of %d bigrams)", denseAt, i, min, len(got), len(want), need, len(qg))
				}
			}
		}
	}
}

func mins(a, b int) int { return min(a, b) }

// TestAtLeastComparesBitSlicedCounts checks the bit-sliced comparison
// against plain counts for every count and bar.
func TestAtLeastComparesBitSlicedCounts(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for range 200 {
		k := 1 + rng.IntN(20)
		planes := make([]uint64, bits.Len(uint(k)))
		var counts [64]int
		for range k {
			b := rng.Uint64() & rng.Uint64()
			for i := range 64 {
				counts[i] += int(b >> i & 1)
			}
			carry := b
			for p := range planes {
				planes[p], carry = planes[p]^carry, planes[p]&carry
			}
		}
		for need := -1; need <= k+1; need++ {
			got := atLeast(planes, need)
			for i := range 64 {
				if (got>>i&1 == 1) != (counts[i] >= need) {
					t.Fatalf("entry %d counts %d, bar %d: mask says %v", i, counts[i], need, got>>i&1 == 1)
				}
			}
		}
	}
}
