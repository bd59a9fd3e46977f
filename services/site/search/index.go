// Package search finds the published pages of one language by the words
// of their titles, summaries and bodies.
//
// It is an inverted index kept in memory: each term (a stemmed English
// word, or a bigram of Chinese characters) lists the pages that hold it,
// by a page number, with a small weight (title words count three times,
// summary words twice). The text itself is not kept: a replica builds
// the index from the PUBLIC stream and reads a result's page from its
// cache tiers to show a snippet. The package does no I/O.
package search

import (
	"math"
	"sort"
	"sync"
)

// Doc is the text of one page.
type Doc struct {
	Title, Summary, Body string
}

// The weights of a term's occurrences by where they are.
const (
	weightTitle   = 3
	weightSummary = 2
	weightBody    = 1
)

type entry struct {
	id      string // "" once the page is replaced or removed
	version string
	length  uint32 // terms in the page, weighted
}

type postings struct {
	docs    []uint32 // page numbers, ascending
	weights []uint8  // the term's weight in each, at most 255
}

// Index is safe for concurrent use: one writer puts and removes pages
// while any number of readers search.
type Index struct {
	mu       sync.RWMutex
	terms    map[string]*postings
	docs     []entry
	live     map[string]uint32 // id → page number
	dead     int
	totalLen uint64
}

// New returns an empty index.
func New() *Index {
	return &Index{terms: map[string]*postings{}, live: map[string]uint32{}}
}

// Len is how many pages the index holds.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.live)
}

// Put indexes the page id at version in place of what the index held
// for it. Putting the version already held changes nothing.
func (x *Index) Put(id, version string, d Doc) {
	x.mu.RLock()
	n, ok := x.live[id]
	same := ok && x.docs[n].version == version
	x.mu.RUnlock()
	if same {
		return
	}
	// The text is cut into terms before taking the lock: readers wait
	// only for the postings to grow.
	weights := map[string]*int{}
	length := 0
	for _, f := range []struct {
		text   string
		weight int
	}{{d.Title, weightTitle}, {d.Summary, weightSummary}, {d.Body, weightBody}} {
		tokens(f.text, func(t token) {
			if w := weights[string(t.term)]; w != nil {
				*w += f.weight
			} else {
				w := f.weight
				weights[string(t.term)] = &w
			}
			length += f.weight
		})
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if n, ok := x.live[id]; ok {
		x.kill(n)
	}
	num := uint32(len(x.docs))
	x.docs = append(x.docs, entry{id: id, version: version, length: uint32(length)})
	x.live[id] = num
	x.totalLen += uint64(length)
	for term, w := range weights {
		p := x.terms[term]
		if p == nil {
			p = &postings{}
			x.terms[term] = p
		}
		p.docs = append(p.docs, num)
		p.weights = append(p.weights, uint8(min(*w, math.MaxUint8)))
	}
	x.compactIfDue()
}

// Remove forgets the page id: it is found no more from now on.
func (x *Index) Remove(id string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if n, ok := x.live[id]; ok {
		x.kill(n)
		x.compactIfDue()
	}
}

func (x *Index) kill(n uint32) {
	delete(x.live, x.docs[n].id)
	x.totalLen -= uint64(x.docs[n].length)
	x.docs[n] = entry{}
	x.dead++
}

// compactIfDue drops replaced and removed pages from the postings once
// they are as many as the live ones (and not a handful): the index then
// never holds more than twice what it serves.
func (x *Index) compactIfDue() {
	if x.dead < 1024 || x.dead < len(x.live) {
		return
	}
	renumber := make([]uint32, len(x.docs))
	docs := make([]entry, 0, len(x.live))
	for i, e := range x.docs {
		if e.id != "" {
			renumber[i] = uint32(len(docs))
			x.live[e.id] = uint32(len(docs))
			docs = append(docs, e)
		}
	}
	for term, p := range x.terms {
		k := 0
		for i, d := range p.docs {
			if x.docs[d].id != "" {
				p.docs[k], p.weights[k] = renumber[d], p.weights[i]
				k++
			}
		}
		if k == 0 {
			delete(x.terms, term)
			continue
		}
		p.docs = append([]uint32(nil), p.docs[:k]...)
		p.weights = append([]uint8(nil), p.weights[:k]...)
	}
	x.docs, x.dead = docs, 0
}

// Hit is one page found.
type Hit struct {
	ID    string
	Score float64
}

// BM25's parameters.
const (
	k1 = 1.2
	b  = 0.75
)

// Search returns the pages holding every term of query, best first (by
// BM25 on the weighted terms; of equal scores, the page indexed last),
// from offset, at most limit; and how many there are in all.
func (x *Index) Search(query string, offset, limit int) ([]Hit, int) {
	terms := Terms(query)
	if len(terms) == 0 || limit <= 0 {
		return nil, 0
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	lists := make([]*postings, len(terms))
	for i, t := range terms {
		if lists[i] = x.terms[t]; lists[i] == nil {
			return nil, 0
		}
	}
	sort.Slice(lists, func(i, j int) bool { return len(lists[i].docs) < len(lists[j].docs) })
	n := float64(len(x.live))
	if n == 0 {
		return nil, 0
	}
	avg := float64(x.totalLen) / n
	idf := make([]float64, len(lists))
	for i, p := range lists {
		df := float64(len(p.docs))
		idf[i] = math.Log(1 + (n-min(df, n)+0.5)/(min(df, n)+0.5))
	}
	// Pages are visited newest first, so that of equal scores the one
	// kept is the newest without touching the heap; each other list is
	// followed down from where the last page left it.
	at := make([]int, len(lists))
	for j, p := range lists {
		at[j] = len(p.docs) - 1
	}
	top := &hitHeap{}
	keep := offset + limit
	total := 0
	first := lists[0]
	for i := len(first.docs) - 1; i >= 0; i-- {
		d := first.docs[i]
		e := &x.docs[d]
		if e.id == "" {
			continue
		}
		norm := k1 * (1 - b + b*float64(e.length)/avg)
		score := idf[0] * tf(first.weights[i], norm)
		found := true
		for j := 1; j < len(lists) && found; j++ {
			k := seekDown(lists[j].docs, at[j], d)
			at[j] = k
			if found = k >= 0 && lists[j].docs[k] == d; found {
				score += idf[j] * tf(lists[j].weights[k], norm)
			}
		}
		if !found {
			continue
		}
		total++
		h := scored{d, score}
		if len(*top) < keep {
			top.push(h)
		} else if (*top)[0].less(h) {
			(*top)[0] = h
			top.down(0)
		}
	}
	best := []scored(*top)
	sort.Slice(best, func(i, j int) bool { return best[j].less(best[i]) })
	if offset >= len(best) {
		return nil, total
	}
	out := make([]Hit, 0, len(best)-offset)
	for _, h := range best[offset:] {
		out = append(out, Hit{ID: x.docs[h.doc].id, Score: h.score})
	}
	return out, total
}

func tf(w uint8, norm float64) float64 {
	f := float64(w)
	return f * (k1 + 1) / (f + norm)
}

type scored struct {
	doc   uint32
	score float64
}

// less orders hits worst first: lower score, then indexed earlier.
func (s scored) less(t scored) bool {
	if s.score != t.score {
		return s.score < t.score
	}
	return s.doc < t.doc
}

// seekDown is the index of the last doc at or before from that is at
// most d, -1 when there is none: a step back first (the lists of common
// terms mostly hold the same pages), then a binary search.
func seekDown(docs []uint32, from int, d uint32) int {
	if from < 0 || docs[from] <= d {
		return from
	}
	if from > 0 && docs[from-1] <= d {
		return from - 1
	}
	// The first index in [0, from) whose doc exceeds d, less one.
	return sort.Search(from, func(k int) bool { return docs[k] > d }) - 1
}

// hitHeap keeps the best hits, the worst of them on top.
type hitHeap []scored

func (h *hitHeap) push(s scored) {
	*h = append(*h, s)
	for i := len(*h) - 1; i > 0; {
		parent := (i - 1) / 2
		if !(*h)[i].less((*h)[parent]) {
			break
		}
		(*h)[i], (*h)[parent] = (*h)[parent], (*h)[i]
		i = parent
	}
}

func (h hitHeap) down(i int) {
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		m := l
		if r := l + 1; r < len(h) && h[r].less(h[l]) {
			m = r
		}
		if !h[m].less(h[i]) {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}
