// Package memory is the translation memory: approved source and target
// pairs, looked up exactly or by similarity, by their source or by their
// target. Similarity is edit distance over units, characters for Chinese
// and words for other languages, given as a score from 0 to 100. A bigram
// index of each side finds the candidates, so a lookup reads the entries
// that share enough of the query, not all of them, and the distance of a
// candidate is worked out only as far as the score allows.
package memory

import (
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// Entry is one translation unit of the memory.
type Entry struct {
	Source, Target         string
	SourceLang, TargetLang string
	// Article the pair was approved in; empty for imported pairs.
	Article string
	// Translator who approved or wrote it.
	Translator string
	// When it was approved or created.
	Date time.Time
}

// Match is an entry found for a query, with its similarity score.
type Match struct {
	Entry
	Score int
	// OnTarget is set when the query was compared with the entry's
	// target (FuzzyTarget), not its source.
	OnTarget bool
}

// Memory is an in-memory translation memory, safe for concurrent use.
type Memory struct {
	mu             sync.RWMutex
	entries        []Entry
	exact          map[string][]int32 // normalized source → entries
	pairs          map[[2]string]int32
	source, target index
	words          map[string]rune
}

// index is the bigram index of one side of the entries: each entry's text
// as one rune per unit, for edit distance (all in one arena, entry i at
// arena[end[i-1]:end[i]], so a lookup decodes nothing and the collector
// has one object to scan, not one per entry), and for each bigram of units
// the entries that contain it, in ascending order.
type index struct {
	arena []rune
	end   []int32
	grams map[gram][]int32
}

func newIndex() index { return index{grams: map[gram][]int32{}} }

func (x *index) add(id int32, units string) {
	x.arena = append(x.arena, []rune(units)...)
	x.end = append(x.end, int32(len(x.arena)))
	for _, g := range uniqueGrams(units) {
		x.grams[g] = append(x.grams[g], id)
	}
}

// units is entry id's text, one rune per unit.
func (x *index) units(id int32) []rune {
	start := int32(0)
	if id > 0 {
		start = x.end[id-1]
	}
	return x.arena[start:x.end[id]]
}

// n is the number of units of entry id.
func (x *index) n(id int32) int { return len(x.units(id)) }

type gram [2]rune

// New returns an empty memory.
func New() *Memory {
	return &Memory{exact: map[string][]int32{}, pairs: map[[2]string]int32{}, source: newIndex(), target: newIndex(), words: map[string]rune{}}
}

// Normalize is how sources are compared exactly: spaces collapsed,
// trimmed.
func Normalize(s string) string { return strings.Join(strings.Fields(s), " ") }

// Len is the number of entries.
func (m *Memory) Len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.entries)
}

// Add stores an entry. The same source and target pair is stored once: a
// later Add of it updates its article, translator and date when newer.
// Entries with an empty side are ignored. It reports whether the pair was
// new.
func (m *Memory) Add(e Entry) bool {
	e.Source, e.Target = Normalize(e.Source), Normalize(e.Target)
	if e.Source == "" || e.Target == "" {
		return false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	key := [2]string{e.Source, e.Target}
	if i, ok := m.pairs[key]; ok {
		if e.Date.After(m.entries[i].Date) {
			m.entries[i].Article, m.entries[i].Translator, m.entries[i].Date = e.Article, e.Translator, e.Date
		}
		return false
	}
	m.addLocked(e)
	return true
}

func (m *Memory) addLocked(e Entry) {
	id := int32(len(m.entries))
	m.entries = append(m.entries, e)
	m.pairs[[2]string{e.Source, e.Target}] = id
	m.exact[e.Source] = append(m.exact[e.Source], id)
	m.source.add(id, m.unitsLocked(e.Source))
	m.target.add(id, m.unitsLocked(e.Target))
}

// unitsLocked turns text into a string of one rune per unit: Han
// characters stand for themselves, words of other scripts are interned as
// private-use runes, and punctuation and space are dropped.
func (m *Memory) unitsLocked(s string) string {
	return units(s, func(w string) rune {
		r, ok := m.words[w]
		if !ok {
			r = rune(0xF0000 + len(m.words)%0x1FFFD)
			m.words[w] = r
		}
		return r
	})
}

// queryUnits is unitsLocked for lookups: unknown words get a rune no entry
// has, without growing the table.
func (m *Memory) queryUnits(s string) string {
	next := rune(0xE000)
	return units(s, func(w string) rune {
		if r, ok := m.words[w]; ok {
			return r
		}
		next++
		return next
	})
}

func units(s string, word func(string) rune) string {
	var b strings.Builder
	var w strings.Builder
	flush := func() {
		if w.Len() > 0 {
			b.WriteRune(word(strings.ToLower(w.String())))
			w.Reset()
		}
	}
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Han, r):
			flush()
			b.WriteRune(r)
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			w.WriteRune(r)
		default:
			flush()
		}
	}
	flush()
	return b.String()
}

// uniqueGrams lists the distinct unit bigrams of u (the unit itself when u
// is one unit long).
func uniqueGrams(u string) []gram {
	rs := []rune(u)
	if len(rs) == 1 {
		return []gram{{rs[0], 0}}
	}
	seen := map[gram]bool{}
	var out []gram
	for i := 0; i+1 < len(rs); i++ {
		g := gram{rs[i], rs[i+1]}
		if !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	return out
}

// Exact returns the entries whose source is source (after Normalize),
// newest first.
func (m *Memory) Exact(source string) []Entry {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []Entry
	for _, i := range m.exact[Normalize(source)] {
		out = append(out, m.entries[i])
	}
	slices.SortStableFunc(out, func(a, b Entry) int { return b.Date.Compare(a.Date) })
	return out
}

// Score is the similarity of two texts from 0 to 100: one minus the edit
// distance over units (characters for Chinese, words otherwise) divided
// by the longer length.
func Score(a, b string) int {
	m := New()
	ua, ub := m.unitsLocked(a), m.unitsLocked(b)
	return score(ua, ub, len([]rune(ua)), len([]rune(ub)))
}

func score(a, b string, na, nb int) int {
	longer := max(na, nb)
	if longer == 0 {
		return 100
	}
	d := distance([]rune(a), []rune(b), longer, nil)
	return scoreOf(d, longer)
}

// scoreOf is the score of an edit distance d between texts of which the
// longer has n units. Integer arithmetic: in floating point, 1 - 8/10 is a
// hair under 0.2, and a 20 would be shown as 19.
func scoreOf(d, n int) int { return 100 * (n - d) / n }

// Fuzzy returns up to limit entries whose source scores at least min
// against source, best first (newest first among equal scores). Exact
// matches score 100.
func (m *Memory) Fuzzy(source string, min, limit int) []Match {
	return m.fuzzy(&m.source, source, min, limit, false)
}

// FuzzyTarget is Fuzzy on the entries' targets: it finds what the memory
// holds for an English text, to see how a phrase was translated before.
func (m *Memory) FuzzyTarget(text string, min, limit int) []Match {
	return m.fuzzy(&m.target, text, min, limit, true)
}

func (m *Memory) fuzzy(x *index, text string, min, limit int, onTarget bool) []Match {
	if limit <= 0 {
		return nil
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	q := m.queryUnits(Normalize(text))
	qn := utf8.RuneCountInString(q)
	if qn == 0 {
		return nil
	}
	c := counterPool.Get().(*counter)
	defer counterPool.Put(c)
	qg := gather(x, q, qn, min, len(m.entries), c)
	c.query = append(c.query[:0], []rune(q)...)
	if qn <= maxPattern {
		c.pattern.prepare(c.query)
	}
	// The best limit so far, best first. Once there are limit of them, a
	// candidate must score at least as well as the last to matter, so its
	// distance is capped tighter, and it must share more bigrams. The
	// candidates that share the most come first, so the bar rises early
	// and most of the rest fall to the bigram count alone.
	var best []scored
	for _, id := range c.byShared(len(qg)) {
		bar := min
		if len(best) == limit {
			bar = max(bar, best[limit-1].score)
		}
		units := x.units(id)
		longer := max(qn, len(units))
		maxD := maxEdits(longer, bar)
		if !fits(qn, len(units), bar) || int(c.n[id]) < len(qg)-2*maxD {
			continue
		}
		var d int
		if qn <= maxPattern {
			d = c.pattern.distance(units, maxD)
		} else {
			d = distance(c.query, units, maxD, &c.rows)
		}
		if d > maxD {
			continue
		}
		cand := scored{id, scoreOf(d, longer)}
		at, _ := slices.BinarySearchFunc(best, cand, m.rank)
		if at >= limit {
			continue
		}
		best = slices.Insert(best, at, cand)
		if len(best) > limit {
			best = best[:limit]
		}
	}
	out := make([]Match, len(best))
	for i, b := range best {
		out[i] = Match{Entry: m.entries[b.id], Score: b.score, OnTarget: onTarget}
	}
	return out
}

// scored is a candidate entry with its score.
type scored struct {
	id    int32
	score int
}

// rank orders matches best first: higher score, then newer, then added
// earlier.
func (m *Memory) rank(a, b scored) int {
	if a.score != b.score {
		return b.score - a.score
	}
	if c := m.entries[b.id].Date.Compare(m.entries[a.id].Date); c != 0 {
		return c
	}
	return int(a.id - b.id)
}

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

// All returns every entry, in the order added.
func (m *Memory) All() []Entry {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return slices.Clone(m.entries)
}

// RemoveArticle drops every entry approved in article (legal removal) and
// reports how many there were. It rebuilds the index.
func (m *Memory) RemoveArticle(article string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	kept := m.entries[:0:0]
	removed := 0
	for _, e := range m.entries {
		if e.Article == article {
			removed++
			continue
		}
		kept = append(kept, e)
	}
	if removed == 0 {
		return 0
	}
	m.entries = nil
	m.exact, m.pairs, m.source, m.target = map[string][]int32{}, map[[2]string]int32{}, newIndex(), newIndex()
	for _, e := range kept {
		m.addLocked(e)
	}
	return removed
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
