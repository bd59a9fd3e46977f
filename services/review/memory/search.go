package memory

import (
	"math/bits"
	"sync"
)

// The candidates of a fuzzy lookup: the bigram index read with a count
// filter, and the buffers one lookup reuses.

// gather finds, in c, the candidate entries of a lookup at score min with
// the number of the query's bigram occurrences each one shares (grams),
// and returns the query's keys. q is the query in units, qn its length.
//
// The filter never drops a match. An entry of n units within score min has
// edit distance d <= maxEdits(max(qn, n), min), so its length is within d
// of qn (the window lo..hi), and it shares at least sharedAtLeast(max(qn,
// n), d) bigram occurrences with the query. Over the window that is at
// least need, so the candidates are exactly the entries in the window that
// share one of the rare (not dense) keys or need of the dense ones. Their
// counts are exact: the rare lists are walked, the dense bitmaps summed 64
// entries at a time in bit slices, and each candidate's count is then all
// the query's keys it holds. When need is 0 or less, every entry in the
// window is a candidate.
func gather(x *index, q string, qn, min int, c *counter) []gram {
	qg := grams(q)
	lo, hi := qn, qn
	for lo > 0 && fits(qn, lo-1, min) {
		lo--
	}
	for fits(qn, hi+1, min) {
		hi++
	}
	need := sharedAtLeast(qn, maxEdits(qn, min))
	for n := qn + 1; n <= hi; n++ {
		if at := sharedAtLeast(n, maxEdits(n, min)); at < need {
			need = at
		}
	}
	entries := len(x.end)
	c.reset(entries)
	c.dense = c.dense[:0]
	for _, g := range qg {
		p := x.grams[g]
		switch {
		case p == nil:
		case p.bits != nil:
			c.dense = append(c.dense, p.bits)
		default:
			for _, id := range p.ids {
				if c.n[id] > 0 {
					c.n[id]++
				} else if n := x.n(id); lo <= n && n <= hi {
					c.touched = append(c.touched, id)
					c.n[id] = 1
					c.rare[id/64] |= 1 << (id % 64)
				}
			}
		}
	}
	if need <= 0 || len(c.dense) > 0 {
		c.sumDense(x, entries, need, lo, hi)
	}
	return qg
}

// sumDense adds the dense bitmaps each candidate holds to its count, and
// adds to the candidates the entries in the length window lo..hi that
// share at least need of the dense bitmaps and none of the rare lists
// (those are marked in c.rare). The count of 64 entries is held in bit
// slices: planes[p] has bit i set when entry i's count has bit p set, and
// adding a bitmap is a ripple carry through the planes.
func (c *counter) sumDense(x *index, entries, need, lo, hi int) {
	planes := c.planes[:0]
	for range bits.Len(uint(len(c.dense))) {
		planes = append(planes, 0)
	}
	c.planes = planes
	for w := 0; w*64 < entries; w++ {
		clear(planes)
		for _, b := range c.dense {
			if w >= len(b) {
				continue
			}
			carry := b[w]
			for p := range planes {
				if carry == 0 {
					break
				}
				planes[p], carry = planes[p]^carry, planes[p]&carry
			}
		}
		rare := c.rare[w]
		for m := rare; m != 0; m &= m - 1 {
			bit := bits.TrailingZeros64(m)
			c.n[w*64+bit] += uint16(countOf(planes, bit))
		}
		mask := atLeast(planes, need) &^ rare
		if rest := entries - w*64; rest < 64 {
			mask &= 1<<rest - 1
		}
		for ; mask != 0; mask &= mask - 1 {
			bit := bits.TrailingZeros64(mask)
			id := int32(w*64 + bit)
			if n := x.n(id); n < lo || n > hi {
				continue
			}
			c.n[id] = uint16(countOf(planes, bit))
			c.touched = append(c.touched, id)
		}
	}
}

// countOf is entry bit's count in the bit slices planes.
func countOf(planes []uint64, bit int) int {
	count := 0
	for p, plane := range planes {
		count |= int(plane>>bit&1) << p
	}
	return count
}

// atLeast is the mask of the entries whose count, in bit slices, is at
// least need: compared from the highest bit down.
func atLeast(planes []uint64, need int) uint64 {
	switch {
	case need <= 0:
		return ^uint64(0)
	case need >= 1<<len(planes):
		return 0
	}
	var gt uint64
	eq := ^uint64(0)
	for p := len(planes) - 1; p >= 0; p-- {
		if need>>p&1 == 1 {
			eq &= planes[p]
		} else {
			gt |= eq & planes[p]
			eq &^= planes[p]
		}
	}
	return gt | eq
}

// fits reports whether texts of qn and en units differ in length by no
// more than the edits a score of min allows: those that do not are never
// candidates.
func fits(qn, en, min int) bool {
	d := qn - en
	if d < 0 {
		d = -d
	}
	return d <= maxEdits(max(qn, en), min)
}

// sharedAtLeast is the fewest bigram occurrences two texts within edit
// distance d share, the longer of them n units long: its n-1 occurrences
// less the two each edit can destroy.
func sharedAtLeast(n, d int) int { return n - 1 - 2*d }

// maxEdits is the largest edit distance between texts of which the longer
// has n units that still scores min: 100*(n-d)/n >= min. It is worked out
// in integers, as score is: 10 * (1 - 0.9) is a hair under 1 in floating
// point, which would drop every match one edit away in ten units at 90.
func maxEdits(n, min int) int { return n * (100 - min) / 100 }

// counter is a dense count per entry and the list of entries touched:
// much cheaper than a map when common bigrams have long posting lists.
// It also holds the buffers of the distances of one lookup.
type counter struct {
	n       []uint16
	touched []int32
	// rare marks the entries touched by a rare bigram's list.
	rare    []uint64
	dense   [][]uint64
	planes  []uint64
	order   []int32
	pattern pattern
	start   []int
	query   []rune
	rows    []int
}

// byShared returns the touched entries, those that share the most of the
// query's grams bigrams first (a counting sort).
func (c *counter) byShared(grams int) []int32 {
	c.start = append(c.start[:0], make([]int, grams+2)...)
	for _, id := range c.touched {
		c.start[grams-int(c.n[id])+1]++
	}
	for i := 1; i < len(c.start); i++ {
		c.start[i] += c.start[i-1]
	}
	c.order = append(c.order[:0], make([]int32, len(c.touched))...)
	for _, id := range c.touched {
		k := grams - int(c.n[id])
		c.order[c.start[k]] = id
		c.start[k]++
	}
	return c.order
}

func (c *counter) reset(size int) {
	for _, id := range c.touched {
		c.n[id] = 0
		c.rare[id/64] = 0
	}
	c.touched = c.touched[:0]
	if len(c.n) < size {
		c.n = make([]uint16, size+size/4)
		c.rare = make([]uint64, len(c.n)/64+1)
	}
}

var counterPool = sync.Pool{New: func() any { return new(counter) }}
