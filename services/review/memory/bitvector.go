package memory

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
