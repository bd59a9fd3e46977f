package memory

import (
	"slices"
	"sync"
)

// The candidates of a fuzzy lookup: the bigram index read with a prefix
// filter, and the buffers one lookup reuses.

// gather counts, in c, how many of the query's distinct bigrams each
// candidate entry shares, and returns those bigrams. q is the query in
// units, qn its length.
//
// An entry within score min has edit distance d <= (1-min/100)*longer;
// each edit removes at most two bigrams, and the lengths differ by at most
// d. Prefix filtering: an entry within the score shares at least need of
// the query's bigrams, so it appears in at least one of any
// len(qg)-need+1 of their posting lists. Candidates come from the rarest
// lists only; the common ones just add to their counts.
func gather(x *index, q string, qn, min, entries int, c *counter) []gram {
	qg := uniqueGrams(q)
	maxLen := qn * 100 / max(min, 1)
	loose := len(qg) - 2*maxEdits(maxLen, min)
	// Each posting list is looked up once, then sorted rarest first.
	c.lists = c.lists[:0]
	for _, g := range qg {
		c.lists = append(c.lists, posting{g, x.grams[g]})
	}
	slices.SortFunc(c.lists, func(a, b posting) int { return len(a.ids) - len(b.ids) })
	for i, p := range c.lists {
		qg[i] = p.g
	}
	prefix := len(qg)
	if loose > 0 {
		prefix = len(qg) - loose + 1
	}
	// The lengths an entry may have and still score min, worked out once.
	lo, hi := qn, qn
	for lo > 0 && fits(qn, lo-1, min) {
		lo--
	}
	for fits(qn, hi+1, min) {
		hi++
	}
	c.reset(entries)
	for i, p := range c.lists {
		list := p.ids
		if i >= prefix && len(c.touched)*16 < len(list) {
			// A common bigram: look the few candidates up in its posting
			// list (ids ascend, as entries are only appended) instead of
			// walking it.
			for _, id := range c.touched {
				if _, found := slices.BinarySearch(list, id); found {
					c.n[id]++
				}
			}
			continue
		}
		for _, id := range list {
			switch {
			case c.n[id] > 0:
				c.n[id]++
			case i < prefix && lo <= x.n(id) && x.n(id) <= hi:
				c.touched = append(c.touched, id)
				c.n[id] = 1
			}
		}
	}
	return qg
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

// posting is a bigram with the entries that contain it.
type posting struct {
	g   gram
	ids []int32
}

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
	lists   []posting
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
	}
	c.touched = c.touched[:0]
	if len(c.n) < size {
		c.n = make([]uint16, size+size/4)
	}
}

var counterPool = sync.Pool{New: func() any { return new(counter) }}
