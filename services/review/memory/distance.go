package memory

// The two capped edit distances of a lookup.

// pattern is a query of at most 64 units prepared for the bit-parallel
// edit distance of Myers (1999), in Hyyrö's formulation for whole texts:
// one machine word per column of the table, so a candidate costs a few
// operations per unit instead of a row of cells.
type pattern struct {
	n int
	// masks holds, for each distinct unit of the query, the positions
	// where it occurs. Units below U+10000 (Han) and in plane 15 (the
	// private-use runes words are interned as) find theirs through a
	// direct table holding index+1; the rare others through a map.
	masks      []uint64
	bmp, plane [1 << 16]uint8
	set        []rune
	other      map[rune]uint64
}

// maxPattern is the longest query the bit-parallel distance takes.
const maxPattern = 64

// prepare makes p the pattern of q, which has at most maxPattern units.
func (p *pattern) prepare(q []rune) {
	for _, r := range p.set {
		*p.direct(r) = 0
	}
	p.set, p.masks = p.set[:0], p.masks[:0]
	clear(p.other)
	p.n = len(q)
	for i, r := range q {
		bit := uint64(1) << i
		d := p.direct(r)
		switch {
		case d == nil:
			if p.other == nil {
				p.other = map[rune]uint64{}
			}
			p.other[r] |= bit
		case *d == 0:
			p.masks = append(p.masks, bit)
			*d = uint8(len(p.masks))
			p.set = append(p.set, r)
		default:
			p.masks[*d-1] |= bit
		}
	}
}

// direct is r's entry in a direct table, or nil when r has none.
func (p *pattern) direct(r rune) *uint8 {
	switch {
	case r < 1<<16:
		return &p.bmp[r]
	case r>>16 == 0xF:
		return &p.plane[r&0xFFFF]
	}
	return nil
}

func (p *pattern) eq(r rune) uint64 {
	if d := p.direct(r); d != nil {
		if *d == 0 {
			return 0
		}
		return p.masks[*d-1]
	}
	return p.other[r]
}

// distance is the Levenshtein distance between the pattern and t when it
// is at most limit, and limit+1 otherwise. It stops once the distance
// cannot come back within limit: each unit of t left changes it by one at
// most.
func (p *pattern) distance(t []rune, limit int) int {
	over := limit + 1
	if d := len(t) - p.n; d > limit || -d > limit {
		return over
	}
	if p.n == 0 {
		return len(t)
	}
	pv, mv := ^uint64(0), uint64(0)
	top := uint64(1) << (p.n - 1)
	score := p.n
	for i, r := range t {
		eq := p.eq(r)
		xv := eq | mv
		xh := (((eq & pv) + pv) ^ pv) | eq
		ph := mv | ^(xh | pv)
		mh := pv & xh
		switch {
		case ph&top != 0:
			score++
		case mh&top != 0:
			score--
		}
		if score-(len(t)-i-1) > limit {
			return over
		}
		ph = ph<<1 | 1
		mh <<= 1
		pv = mh | ^(xv | ph)
		mv = ph & xv
	}
	return min(score, over)
}

// distance is the Levenshtein distance of a and b when it is at most
// limit, and limit+1 otherwise. Only the band of cells within limit of the
// diagonal is worked out (a path outside it costs more than limit), and
// the work stops at the first row whose cells all exceed limit: the
// distance only grows from there. rows, when given, is reused for the two
// rows of the table.
func distance(a, b []rune, limit int, rows *[]int) int {
	if len(a) < len(b) {
		a, b = b, a
	}
	n, m := len(a), len(b)
	over := limit + 1
	if n-m > limit {
		return over
	}
	if m == 0 {
		return n
	}
	var buf []int
	if rows != nil {
		buf = *rows
	}
	if cap(buf) < 2*(m+1) {
		buf = make([]int, 2*(m+1))
		if rows != nil {
			*rows = buf
		}
	}
	prev, cur := buf[:m+1], buf[m+1:2*(m+1)]
	for j := range prev {
		prev[j] = min(j, over)
	}
	for i := 1; i <= n; i++ {
		lo, hi := max(1, i-limit), min(m, i+limit)
		if lo == 1 {
			cur[0] = min(i, over)
		} else {
			cur[lo-1] = over
		}
		best := cur[lo-1]
		for j := lo; j <= hi; j++ {
			v := prev[j-1]
			if a[i-1] != b[j-1] {
				v++
			}
			v = min(v, prev[j]+1, cur[j-1]+1, over)
			cur[j] = v
			best = min(best, v)
		}
		if hi < m {
			cur[hi+1] = over // right of the band, read by the next row
		}
		if best > limit {
			return over
		}
		prev, cur = cur, prev
	}
	return prev[m]
}
