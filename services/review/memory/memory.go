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
// the entries that contain it, in ascending order. A bigram held by a
// large share of the entries also gets a bitmap of them (dense), which a
// lookup counts 64 entries at a time instead of one by one.
type index struct {
	arena []rune
	end   []int32
	grams map[gram]*postings
	// denseAt is the fewest entries a bigram's list has before it gets a
	// bitmap (and then only if they are a 1/denseShare part of all).
	denseAt int
}

// postings are the entries holding one bigram; bits, once set, has bit
// id%64 of word id/64 set for each of them.
type postings struct {
	ids  []int32
	bits []uint64
}

// denseShare: a bigram in at least one entry of 128 is dense. Counting a
// bitmap costs a few operations per 64 entries, walking a list a cache
// miss per entry; the bitmap takes at most four times its list's memory.
const denseShare = 128

func newIndex() index { return index{grams: map[gram]*postings{}, denseAt: 2048} }

func (x *index) add(id int32, units string) {
	x.arena = append(x.arena, []rune(units)...)
	x.end = append(x.end, int32(len(x.arena)))
	for _, g := range grams(units) {
		p := x.grams[g]
		if p == nil {
			p = new(postings)
			x.grams[g] = p
		}
		p.ids = append(p.ids, id)
		switch {
		case p.bits != nil:
			p.set(id)
		case len(p.ids) >= x.denseAt && len(p.ids)*denseShare >= len(x.end):
			for _, id := range p.ids {
				p.set(id)
			}
		}
	}
}

func (p *postings) set(id int32) {
	w := int(id / 64)
	for len(p.bits) <= w {
		p.bits = append(p.bits, 0)
	}
	p.bits[w] |= 1 << (id % 64)
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

// gram is a bigram of units and its occurrence number in the text.
type gram [3]rune

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

// grams lists the bigrams of u, each occurrence of one as its own key:
// the bigram with its occurrence number, 1 for the first. Two texts then
// share as many keys as they share bigram occurrences (the smaller count
// of each bigram), which the count filter bounds. A text of one unit has
// the unit itself as its key.
func grams(u string) []gram {
	rs := []rune(u)
	if len(rs) == 1 {
		return []gram{{rs[0], 0, 1}}
	}
	seen := make(map[[2]rune]rune, len(rs))
	out := make([]gram, 0, len(rs))
	for i := 0; i+1 < len(rs); i++ {
		b := [2]rune{rs[i], rs[i+1]}
		seen[b]++
		out = append(out, gram{b[0], b[1], seen[b]})
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
	qg := gather(x, q, qn, min, c)
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
		if !fits(qn, len(units), bar) || int(c.n[id]) < sharedAtLeast(longer, maxD) {
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
	source, target := newIndex(), newIndex()
	source.denseAt, target.denseAt = m.source.denseAt, m.target.denseAt
	m.exact, m.pairs, m.source, m.target = map[string][]int32{}, map[[2]string]int32{}, source, target
	for _, e := range kept {
		m.addLocked(e)
	}
	return removed
}
