package qa

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tandemnews/tandem/services/review/glossary"
)

// corpusCase is one paragraph of testdata/corpus: Chinese, a correct
// English, the English with an error, and the checks that must find it.
type corpusCase struct {
	file, zh, en, bad string
	line              int
	want              []string
}

func readCorpus(t *testing.T) ([]corpusCase, *glossary.Glossary) {
	t.Helper()
	dir := filepath.Join("testdata", "corpus")
	gf, err := os.Open(filepath.Join(dir, "glossary.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer gf.Close()
	terms, err := glossary.Import(gf, glossary.TSV)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.txt"))
	var cases []corpusCase
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var cur corpusCase
		flush := func() {
			if cur.zh != "" {
				cases = append(cases, cur)
			}
			cur = corpusCase{}
		}
		sc := bufio.NewScanner(strings.NewReader(string(data)))
		for n := 1; sc.Scan(); n++ {
			line := sc.Text()
			key, value, ok := strings.Cut(line, ": ")
			switch {
			case strings.TrimSpace(line) == "":
				flush()
				continue
			case !ok:
				t.Fatalf("%s:%d: want key: value, got %q", path, n, line)
			}
			cur.file = filepath.Base(path)
			switch key {
			case "zh":
				cur.zh, cur.line = value, n
			case "en":
				cur.en = value
			case "bad":
				cur.bad = value
			case "want":
				for _, c := range strings.Split(value, ",") {
					cur.want = append(cur.want, strings.TrimSpace(c))
				}
			default:
				t.Fatalf("%s:%d: unknown key %q", path, n, key)
			}
		}
		flush()
	}
	return cases, glossary.New(terms)
}

// tally counts, for one check, the erroneous paragraphs it found (true
// positives), those it missed, and its findings where nothing of its kind
// was wrong (false positives, on correct and on erroneous English).
type tally struct{ found, missed, falsePos, cases int }

func (t tally) precision() float64 {
	if t.found+t.falsePos == 0 {
		return 1
	}
	return float64(t.found) / float64(t.found+t.falsePos)
}

func (t tally) recall() float64 {
	if t.found+t.missed == 0 {
		return 1
	}
	return float64(t.found) / float64(t.found+t.missed)
}

// TestCorpusPrecisionAndRecall runs every check on the corpus written for
// them (testdata/corpus): each class of error is found in at least 95% of
// its paragraphs, and correct English draws no finding at all. With -v it
// prints the precision and recall of each check (make qa-report).
func TestCorpusPrecisionAndRecall(t *testing.T) {
	cases, g := readCorpus(t)
	c := &Checker{Glossary: g}
	perClass := map[string]int{}
	tallies := map[string]*tally{}
	of := func(check string) *tally {
		if tallies[check] == nil {
			tallies[check] = &tally{}
		}
		return tallies[check]
	}
	correct := 0
	for _, cs := range cases {
		where := fmt.Sprintf("%s:%d", cs.file, cs.line)
		correct++
		for _, f := range run(c, cs.zh, cs.en) {
			of(f.Check).falsePos++
			t.Errorf("%s: correct English %q: %s: %s", where, cs.en, f.Check, f.Message)
		}
		if cs.bad == "" {
			continue
		}
		if len(cs.want) == 0 {
			t.Errorf("%s: an erroneous English without the checks that must find it", where)
		}
		got := map[string]bool{}
		for _, f := range run(c, cs.zh, cs.bad) {
			if got[f.Check] {
				continue
			}
			got[f.Check] = true
			if !slices.Contains(cs.want, f.Check) {
				of(f.Check).falsePos++
				t.Logf("%s: %q: unexpected %s: %s", where, cs.bad, f.Check, f.Message)
			}
		}
		for _, w := range cs.want {
			perClass[w]++
			of(w).cases++
			if got[w] {
				of(w).found++
			} else {
				of(w).missed++
				t.Logf("%s: %q: %s missed", where, cs.bad, w)
			}
		}
	}
	ids := slices.Sorted(func(yield func(string) bool) {
		for k := range tallies {
			if !yield(k) {
				return
			}
		}
	})
	t.Logf("%d paragraphs, %d with an error", correct, len(cases)-countClean(cases))
	t.Logf("| check | paragraphs with the error | found | missed | false findings | precision | recall |")
	t.Logf("|---|---:|---:|---:|---:|---:|---:|")
	for _, id := range ids {
		ta := tallies[id]
		t.Logf("| `%s` | %d | %d | %d | %d | %.0f%% | %.0f%% |", id, ta.cases, ta.found, ta.missed, ta.falsePos, 100*ta.precision(), 100*ta.recall())
		if ta.cases > 0 && ta.recall() < 0.95 {
			t.Errorf("%s finds %d of %d paragraphs with its error (%.0f%%), under 95%%", id, ta.found, ta.cases, 100*ta.recall())
		}
	}
	for _, id := range []string{CheckGlossaryNearMiss, CheckGlossaryMissing, CheckGlossaryJoined, CheckGlossaryForbid, CheckNumbers,
		CheckFullWidth, CheckHanInTarget, CheckSpelling, CheckLinks, CheckMarkup, CheckName, CheckDoubleSpace, CheckRepeatedWord,
		CheckUnbalanced, CheckEndPunctuation} {
		if perClass[id] < 3 {
			t.Errorf("the corpus has %d paragraphs with a %s error; it needs at least 3", perClass[id], id)
		}
	}
}

func countClean(cases []corpusCase) int {
	n := 0
	for _, c := range cases {
		if c.bad == "" {
			n++
		}
	}
	return n
}
