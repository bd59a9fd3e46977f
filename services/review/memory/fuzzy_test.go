package memory

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hbollon/go-edlib"
)

// scanner scores a query against every entry, the way Score does, with
// the units of the entries worked out once: a full scan to check the
// bigram index against.
type scanner struct {
	t       *testing.T
	intern  *Memory
	sources []string
	units   []string
}

func newScanner(t *testing.T, sources []string) *scanner {
	s := &scanner{t: t, intern: New(), sources: sources}
	for _, src := range sources {
		s.units = append(s.units, s.intern.unitsLocked(Normalize(src)))
	}
	return s
}

// scores maps each source to its score against q.
func (s *scanner) scores(q string) map[string]int {
	qu := s.intern.unitsLocked(Normalize(q))
	qn := len([]rune(qu))
	out := map[string]int{}
	for i, u := range s.units {
		out[s.sources[i]] = score(qu, u, qn, len([]rune(u)))
		if i%500 == 0 {
			// Any one-to-one naming of words gives the same distances:
			// the shared table agrees with Score's own.
			if want := Score(q, s.sources[i]); out[s.sources[i]] != want {
				s.t.Fatalf("scan scores %q against %q %d, Score %d", q, s.sources[i], out[s.sources[i]], want)
			}
		}
	}
	return out
}

var enWords = []string{
	"the", "university", "library", "opens", "a", "new", "study", "space", "for", "students",
	"forum", "on", "intelligent", "manufacturing", "experts", "from", "Germany", "and", "Singapore", "attended",
	"President", "Chen", "delivered", "welcome", "speech", "at", "opening", "ceremony", "gold", "medal",
	"national", "skills", "competition", "won", "teachers", "will", "deepen", "cooperation", "24-hour", "May",
}

func englishSentence(rng *rand.Rand) string { return compose(rng, enWords, 5, " ", ".") }

// mutateWords replaces, drops or adds a few words of s.
func mutateWords(rng *rand.Rand, s string) string {
	return strings.Join(edit(rng, strings.Fields(strings.TrimSuffix(s, ".")), "campus", "also"), " ") + "."
}

// TestFuzzyAgreesWithAFullScanAtEveryThreshold checks the count filter
// and the length bounds at the thresholds a client may ask for, on Chinese
// and English sources in one memory, with short texts and texts that
// repeat a phrase: with the bigram lists alone, with some bigrams counted
// as bitmaps and with every bigram a bitmap. Besides the results, every
// entry the scan finds at a threshold must be among the filter's
// candidates, so the filter itself is shown to drop no match.
func TestFuzzyAgreesWithAFullScanAtEveryThreshold(t *testing.T) {
	for _, denseAt := range []int{1 << 30, 20, 1} {
		rng := rand.New(rand.NewPCG(3, 4))
		m := New()
		m.source.denseAt = denseAt
		var all []string
		for i := range 600 {
			s := sentence(rng)
			switch {
			case i%3 == 0:
				s = englishSentence(rng)
			case i%7 == 0:
				s = phrases[rng.IntN(len(phrases))][:3] // one character
			case i%5 == 0:
				p := phrases[rng.IntN(len(phrases))]
				s = strings.Repeat(p, 2+rng.IntN(4)) + sentence(rng)
			}
			all = append(all, s)
			m.Add(Entry{Source: s, Target: "x"})
		}
		scan := newScanner(t, all)
		for i := range 60 {
			q := all[rng.IntN(len(all))]
			switch {
			case strings.HasSuffix(q, "."):
				q = mutateWords(rng, q)
			case len([]rune(q)) > 1:
				q = mutate(rng, q)
			}
			if i%10 == 0 {
				q += q // far longer than its source
			}
			scores := scan.scores(q)
			units := m.queryUnits(Normalize(q))
			c := new(counter)
			for _, min := range []int{50, 60, 67, 75, 80, 83, 88, 90, 95, 100} {
				want := map[string]int{}
				for s, sc := range scores {
					if sc >= min {
						want[s] = sc
					}
				}
				got := map[string]int{}
				for _, mt := range m.Fuzzy(q, min, 1000) {
					got[mt.Source] = mt.Score
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("dense from %d, query %q at %d: index found %v, scan %v", denseAt, q, min, got, want)
				}
				gather(&m.source, units, len([]rune(units)), min, c)
				candidates := map[string]bool{}
				for _, id := range c.touched {
					candidates[m.entries[id].Source] = true
				}
				for s := range want {
					if !candidates[s] {
						t.Fatalf("dense from %d, query %q at %d: %q scores %d but is no candidate", denseAt, q, min, s, want[s])
					}
				}
			}
		}
	}
}

// TestFuzzyFindsMatchesThatShareNoBigram: a two-character query and an
// entry of one of its characters, or of one other beside it, share no
// bigram and still score 50.
func TestFuzzyFindsMatchesThatShareNoBigram(t *testing.T) {
	m := New()
	for _, s := range []string{"学", "学生", "教师"} {
		m.Add(Entry{Source: s, Target: "x"})
	}
	got := []string{}
	for _, mt := range m.Fuzzy("学校", 50, 10) {
		got = append(got, fmt.Sprint(mt.Source, " ", mt.Score))
	}
	if want := []string{"学 50", "学生 50"}; !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestFuzzyFindsMatchesRightAtTheLimits(t *testing.T) {
	m := New()
	for _, s := range []string{"校长陈志强致欢迎辞。", "副校长陈志强致欢迎辞。", "校长陈志刚致欢迎辞。", "图书馆24小时自习空间正式开放。"} {
		m.Add(Entry{Source: s, Target: "x"})
	}
	cases := []struct {
		query string
		min   int
		want  []string
	}{
		// One character added to nine: 90, as far in length as 90 allows.
		{"副校长陈志强致欢迎辞。", 90, []string{"副校长陈志强致欢迎辞。 100", "校长陈志强致欢迎辞。 90"}},
		// One character fewer than ten.
		{"校长陈志强致欢迎辞。", 90, []string{"校长陈志强致欢迎辞。 100", "副校长陈志强致欢迎辞。 90"}},
		// One changed in nine: 88, sharing just the bigrams 88 needs, none
		// of them in the rarest lists.
		{"校长陈志刚致欢迎辞。", 88, []string{"校长陈志刚致欢迎辞。 100", "校长陈志强致欢迎辞。 88"}},
		{"校长陈志刚致欢迎辞。", 89, []string{"校长陈志刚致欢迎辞。 100"}},
		// Two characters fewer than fourteen units (24 is one word): 85.
		{"图书馆24小时自习空间开放", 85, []string{"图书馆24小时自习空间正式开放。 85"}},
		{"图书馆24小时自习空间开放", 86, []string{}},
	}
	for _, c := range cases {
		got := []string{}
		for _, mt := range m.Fuzzy(c.query, c.min, 10) {
			got = append(got, fmt.Sprint(mt.Source, " ", mt.Score))
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s at %d: %q, want %q", c.query, c.min, got, c.want)
		}
	}
}

// TestFuzzyCountsCommonBigramsOfFewCandidates has a candidate that needs
// the bigram it shares with many other entries to reach the score.
func TestFuzzyCountsCommonBigramsOfFewCandidates(t *testing.T) {
	m := New()
	m.Add(Entry{Source: "校长陈志强致欢迎辞。", Target: "President Chen Zhiqiang delivered a welcome speech."})
	for i := range 40 {
		// Forty other sentences about the president (校长).
		rs := []rune("校长")
		for j := range 4 {
			rs = append(rs, rune(0x5500+4*i+j))
		}
		m.Add(Entry{Source: string(rs), Target: "x"})
	}
	got := m.Fuzzy("校长陈志刚致欢迎辞。", 88, 5)
	if len(got) != 1 || got[0].Score != 88 || got[0].Source != "校长陈志强致欢迎辞。" {
		t.Fatalf("got %+v", got)
	}
}

func TestFuzzyOrdersBestFirstThenNewestAndStopsAtTheLimit(t *testing.T) {
	day := time.Date(2024, 5, 16, 0, 0, 0, 0, time.UTC)
	m := New()
	m.Add(Entry{Source: "校长陈志刚致欢迎辞。", Target: "President Chen Zhigang spoke.", Date: day})
	m.Add(Entry{Source: "副校长陈志强致欢迎辞。", Target: "Vice President Chen spoke.", Date: day})
	m.Add(Entry{Source: "校长陈志强致欢迎辞。", Target: "President Chen spoke.", Date: day})
	m.Add(Entry{Source: "校长陈志强致欢迎辞。", Target: "President Chen Zhiqiang spoke.", Date: day.Add(time.Hour)})
	var got []string
	for _, mt := range m.Fuzzy("校长陈志强致欢迎辞。", 80, 10) {
		got = append(got, fmt.Sprint(mt.Score, " ", mt.Target))
	}
	want := []string{"100 President Chen Zhiqiang spoke.", "100 President Chen spoke.", "90 Vice President Chen spoke.", "88 President Chen Zhigang spoke."}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	if got := m.Fuzzy("校长陈志强致欢迎辞。", 80, 3); len(got) != 3 || got[2].Score != 90 {
		t.Fatalf("limit 3: %+v", got)
	}
	for _, limit := range []int{0, -1} {
		if got := m.Fuzzy("校长陈志强致欢迎辞。", 80, limit); got != nil {
			t.Errorf("limit %d: %+v", limit, got)
		}
	}
	if got := m.Fuzzy("。！  ", 0, 5); got != nil {
		t.Errorf("a query of punctuation: %+v", got)
	}
}

func TestScoreComparesWordsAndCharactersAsWholeUnits(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"The forum opened on May 14.", "The forum closed on May 14.", 83},
		{"The library opens a new study space.", "The library opens a new reading space.", 85},
		{"The forum opened on May 14.", "the FORUM opened, on May 14!", 100},
		{"The forum opened on May 14.", "The forum opened on 14 May.", 66},
		{"图书馆24小时自习空间", "图书馆24小时学习空间", 90},
		// Four of five characters changed: 20, not a rounding below it.
		{"学校开放日", "学院运动会", 20},
		{"学校开放日", "", 0},
		{"。", "！", 100},
	}
	for _, c := range cases {
		if got := Score(c.a, c.b); got != c.want {
			t.Errorf("Score(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestAddKeepsOnePairAndItsNewestApproval(t *testing.T) {
	day := time.Date(2024, 5, 16, 0, 0, 0, 0, time.UTC)
	m := New()
	if m.Add(Entry{Source: "校长致辞。", Target: " "}) || m.Add(Entry{Source: "", Target: "The President spoke."}) || m.Len() != 0 {
		t.Fatal("a pair with an empty side was stored")
	}
	if !m.Add(Entry{Source: "校长致辞。", Target: "The President spoke.", Article: "A", Translator: "wang", Date: day}) {
		t.Fatal("a new pair was not added")
	}
	if m.Add(Entry{Source: "校长致辞。", Target: "The  President spoke.", Article: "B", Translator: "li", Date: day.Add(-time.Hour)}) {
		t.Fatal("an older approval of the same pair was added")
	}
	if got := m.All(); len(got) != 1 || got[0].Article != "A" || got[0].Translator != "wang" || !got[0].Date.Equal(day) {
		t.Fatalf("an older approval replaced a newer one: %+v", got)
	}
	m.Add(Entry{Source: "校长致辞。", Target: "The President spoke.", Article: "C", Translator: "zhao", Date: day.Add(time.Hour)})
	if got := m.All(); len(got) != 1 || got[0].Article != "C" || got[0].Translator != "zhao" || !got[0].Date.Equal(day.Add(time.Hour)) {
		t.Fatalf("a newer approval was not kept: %+v", got)
	}
	m.Add(Entry{Source: "图书馆开放。", Target: "The Library opens."})
	if got := m.All(); len(got) != 2 || got[1].Source != "图书馆开放。" {
		t.Fatalf("entries not in the order added: %+v", got)
	}
	if n := m.RemoveArticle("nothing"); n != 0 || m.Len() != 2 {
		t.Fatalf("removing an unknown article removed %d", n)
	}
}

// TestDistanceIsLevenshteinUpToItsLimit checks the banded distance against
// go-edlib's full one on random unit strings, at every limit.
func TestDistanceIsLevenshteinUpToItsLimit(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	alphabet := []rune("校长致欢迎辞图书馆ab")
	text := func() []rune {
		r := make([]rune, rng.IntN(14))
		for i := range r {
			r[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return r
	}
	var rows []int
	for range 3000 {
		a, b := text(), text()
		if len(a) >= 4 && rng.IntN(3) == 0 {
			b = edit(rng, slices.Clone(a), '新', '大')
		}
		want := edlib.LevenshteinDistance(string(a), string(b))
		for limit := range max(len(a), len(b)) + 2 {
			got := distance(a, b, limit, &rows)
			if w := min(want, limit+1); got != w {
				t.Fatalf("distance(%q, %q, %d) = %d, want %d (Levenshtein %d)", string(a), string(b), limit, got, w, want)
			}
		}
	}
}

func TestFuzzyTargetFindsEnglishText(t *testing.T) {
	m := New()
	m.Add(Entry{Source: "校长致欢迎辞。", Target: "The President delivered a welcome speech."})
	m.Add(Entry{Source: "图书馆开放。", Target: "The Library opens."})
	got := m.FuzzyTarget("the president delivered the welcome speech", 75, 5)
	if len(got) != 1 || got[0].Source != "校长致欢迎辞。" || got[0].Score != 83 || !got[0].OnTarget {
		t.Fatalf("English search: %+v", got)
	}
	if got := m.Fuzzy("the president delivered the welcome speech", 50, 5); len(got) != 0 {
		t.Errorf("the sources are Chinese, yet %+v", got)
	}
	m.RemoveArticle("")
	if got := m.FuzzyTarget("The Library opens.", 100, 5); len(got) != 0 {
		t.Errorf("after removal %+v", got)
	}
}

// TestBitParallelDistanceIsLevenshteinUpToItsLimit checks Myers's
// distance against go-edlib's on random texts, with patterns up to the
// longest it takes.
func TestBitParallelDistanceIsLevenshteinUpToItsLimit(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	alphabet := []rune("校长致欢迎辞图书馆ab\U000F0001\U000F0002")
	text := func(n int) []rune {
		r := make([]rune, n)
		for i := range r {
			r[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return r
	}
	var p pattern
	for range 3000 {
		a := text(rng.IntN(maxPattern + 1))
		b := text(rng.IntN(maxPattern + 8))
		if len(a) >= 4 && rng.IntN(2) == 0 {
			b = edit(rng, slices.Clone(a), '新', '大')
		}
		p.prepare(a)
		want := edlib.LevenshteinDistance(string(a), string(b))
		for _, limit := range []int{0, 1, 2, 5, 10, 40, 80} {
			if got, w := p.distance(b, limit), min(want, limit+1); got != w {
				t.Fatalf("distance(%q, %q, %d) = %d, want %d (Levenshtein %d)", string(a), string(b), limit, got, w, want)
			}
		}
	}
}
