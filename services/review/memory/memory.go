// Package memory is the translation memory: approved source and target
// pairs, looked up exactly or by similarity. Similarity is edit distance
// over units, characters for Chinese and words for other languages, given
// as a score from 0 to 100. A bigram index finds the candidates, so a
// lookup reads the entries that share enough of the query, not all of them.
package memory

import (
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/hbollon/go-edlib"
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
}

// Memory is an in-memory translation memory, safe for concurrent use.
type Memory struct {
	mu      sync.RWMutex
	entries []stored
	exact   map[string][]int32 // normalized source → entries
	pairs   map[[2]string]int32
	grams   map[gram][]int32
	words   map[string]rune
}

type stored struct {
	Entry
	units string // the source as one rune per unit, for edit distance
	n     int    // number of units
}

type gram [2]rune

// New returns an empty memory.
func New() *Memory {
	return &Memory{exact: map[string][]int32{}, pairs: map[[2]string]int32{}, grams: map[gram][]int32{}, words: map[string]rune{}}
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
	id := int32(len(m.entries))
	units := m.unitsLocked(e.Source)
	m.entries = append(m.entries, stored{Entry: e, units: units, n: len([]rune(units))})
	m.pairs[key] = id
	m.exact[e.Source] = append(m.exact[e.Source], id)
	for _, g := range uniqueGrams(units) {
		m.grams[g] = append(m.grams[g], id)
	}
	return true
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
		out = append(out, m.entries[i].Entry)
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
	d := edlib.LevenshteinDistance(a, b)
	// Integer arithmetic: in floating point, 1 - 8/10 is a hair under
	// 0.2, and a 20 would be shown as 19.
	return 100 * (longer - d) / longer
}

// Fuzzy returns up to limit entries whose source scores at least min
// against source, best first (newest first among equal scores). Exact
// matches score 100.
func (m *Memory) Fuzzy(source string, min, limit int) []Match {
	if limit <= 0 {
		return nil
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	q := m.queryUnits(Normalize(source))
	qn := len([]rune(q))
	if qn == 0 {
		return nil
	}
	c := counterPool.Get().(*counter)
	defer counterPool.Put(c)
	qg := m.gather(q, qn, min, c)
	var out []Match
	for _, id := range c.touched {
		shared := int(c.n[id])
		e := &m.entries[id]
		longer := max(qn, e.n)
		maxD := maxEdits(longer, min)
		if diff := qn - e.n; diff > maxD || -diff > maxD {
			continue
		}
		if need := len(qg) - 2*maxD; shared < need {
			continue
		}
		if s := score(q, e.units, qn, e.n); s >= min {
			out = append(out, Match{Entry: e.Entry, Score: s})
		}
	}
	slices.SortFunc(out, func(a, b Match) int {
		if a.Score != b.Score {
			return b.Score - a.Score
		}
		return b.Date.Compare(a.Date)
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out
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
func (m *Memory) gather(q string, qn, min int, c *counter) []gram {
	qg := uniqueGrams(q)
	maxLen := qn * 100 / max(min, 1)
	loose := len(qg) - 2*maxEdits(maxLen, min)
	slices.SortFunc(qg, func(a, b gram) int { return len(m.grams[a]) - len(m.grams[b]) })
	prefix := len(qg)
	if loose > 0 {
		prefix = len(qg) - loose + 1
	}
	c.reset(len(m.entries))
	for i, g := range qg {
		list := m.grams[g]
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
			case i < prefix:
				c.touched = append(c.touched, id)
				c.n[id] = 1
			}
		}
	}
	return qg
}

// maxEdits is the largest edit distance between texts of which the longer
// has n units that still scores min: 100*(n-d)/n >= min. It is worked out
// in integers, as score is: 10 * (1 - 0.9) is a hair under 1 in floating
// point, which would drop every match one edit away in ten units at 90.
func maxEdits(n, min int) int { return n * (100 - min) / 100 }

// counter is a dense count per entry and the list of entries touched:
// much cheaper than a map when common bigrams have long posting lists.
type counter struct {
	n       []uint16
	touched []int32
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
	out := make([]Entry, len(m.entries))
	for i, e := range m.entries {
		out[i] = e.Entry
	}
	return out
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
	m.exact, m.pairs, m.grams = map[string][]int32{}, map[[2]string]int32{}, map[gram][]int32{}
	for _, e := range kept {
		id := int32(len(m.entries))
		m.entries = append(m.entries, e)
		m.pairs[[2]string{e.Source, e.Target}] = id
		m.exact[e.Source] = append(m.exact[e.Source], id)
		for _, g := range uniqueGrams(e.units) {
			m.grams[g] = append(m.grams[g], id)
		}
	}
	return removed
}
