package job

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tandemnews/tandem/pkg/testkit"

	"github.com/tandemnews/tandem/pkg/markdown"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
	"github.com/tandemnews/tandem/services/review/glossary"
	"github.com/tandemnews/tandem/services/review/qa"
)

// corpusDir is the sample corpus shared beside the project root; the test
// is skipped without it, and fails without it in CI.
func corpusDir(t testing.TB) string {
	t.Helper()
	return testkit.Shared(t, "corpus")
}

// corpusJob builds the job the review service opens for a corpus article:
// the Chinese source with the English file as the editor's English.
func corpusJob(t testing.TB, dir, name string) *reviewv1.Job {
	t.Helper()
	files := map[string][]byte{}
	for _, l := range []string{"zh-CN", "en"} {
		ext := map[string]string{"zh-CN": "zh", "en": "en"}[l]
		b, err := os.ReadFile(filepath.Join(dir, name+"."+ext+".md"))
		if err != nil {
			t.Fatal(err)
		}
		files[l] = b
	}
	a, err := markdown.Article(files, "zh-CN")
	if err != nil {
		t.Fatal(err)
	}
	a.Id = name
	j := &reviewv1.Job{ArticleId: name, SourceLocale: "zh-CN", TargetLocale: "en", Source: a.Locales["zh-CN"]}
	j.Units = buildUnits(textsOf(a.Locales["zh-CN"], a.Locales["en"]), j.SourceLocale, j.TargetLocale)
	return j
}

func corpusGlossary(t testing.TB, dir string) *glossary.Glossary {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "glossary.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	terms, err := glossary.Import(f, glossary.TSV)
	if err != nil {
		t.Fatal(err)
	}
	return glossary.New(terms)
}

// TestChecksMeetTheCorpusExpectations pins qa-expected.md: on the three
// sample articles the checks report exactly these findings (unit "b2" is
// body block 2, counted from 1 with headings and figures) and nothing else,
// in titles, bylines and keywords included.
func TestChecksMeetTheCorpusExpectations(t *testing.T) {
	dir := corpusDir(t)
	checker := &qa.Checker{Glossary: corpusGlossary(t, dir)}
	want := map[string][]string{
		"forum":   {"b2 double-space warning", "b6 numbers error"},
		"skills":  {"b1 numbers error", "b3 double-space warning"},
		"library": nil,
	}
	// What each finding's message must name.
	mentions := map[string][]string{
		"forum b2 double-space":  {"training in  intelligent"},
		"forum b6 numbers":       {"12000", "1,200"},
		"skills b1 numbers":      {"1 is in the source", "2 is in the target"},
		"skills b3 double-space": {"learning,  and"},
	}
	for name, expected := range want {
		j := corpusJob(t, dir, name)
		Check(j, Checks{Checker: checker})
		var got []string
		for _, u := range j.Units {
			for _, s := range u.Segments {
				for _, f := range s.Findings {
					sev := strings.ToLower(strings.TrimPrefix(f.Severity.String(), "SEVERITY_"))
					got = append(got, u.Id+" "+f.Check+" "+sev)
					for _, m := range mentions[name+" "+u.Id+" "+f.Check] {
						if !strings.Contains(f.Message, m) {
							t.Errorf("%s %s %s: message %q does not name %q", name, u.Id, f.Check, f.Message, m)
						}
					}
					if len(f.Spans) == 0 {
						t.Errorf("%s %s %s: no offsets", name, u.Id, f.Check)
					}
				}
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, expected) {
			t.Errorf("%s: findings\n got %q\nwant %q", name, got, expected)
			for _, u := range j.Units {
				for _, s := range u.Segments {
					for _, f := range s.Findings {
						t.Logf("  %s %s: %s", s.Id, f.Check, f.Message)
					}
				}
			}
		}
	}
}

// TestCorpusSegmentsPairSentences shows the segmenter on real prose: the
// first forum paragraph is two sentence pairs, the Dr. in block 4 does not
// split it.
func TestCorpusSegmentsPairSentences(t *testing.T) {
	dir := corpusDir(t)
	j := corpusJob(t, dir, "forum")
	count := map[string]int{}
	for _, u := range j.Units {
		count[u.Id] = len(u.Segments)
	}
	if count["b1"] != 2 || count["b2"] != 2 || count["b4"] != 1 || count["b6"] != 1 {
		t.Fatalf("segments per unit %v", count)
	}
	s := j.Units[1].Segments[1]
	if !strings.HasPrefix(s.Source, "来自德国") || !strings.HasPrefix(s.Target, "More than 30") {
		t.Errorf("b1.2 pairs %q with %q", s.Source, s.Target)
	}
}

// BenchmarkCheckArticle runs every check on every segment of one article
// (the forum article of the corpus, with its glossary).
func BenchmarkCheckArticle(b *testing.B) {
	dir := corpusDir(b)
	checker := &qa.Checker{Glossary: corpusGlossary(b, dir)}
	j := corpusJob(b, dir, "forum")
	b.ReportAllocs()
	for b.Loop() {
		Check(j, Checks{Checker: checker})
	}
}

// BenchmarkSegmentArticle segments one article into aligned units.
func BenchmarkSegmentArticle(b *testing.B) {
	dir := corpusDir(b)
	j := corpusJob(b, dir, "forum")
	src := j.Source
	en := Assemble(j)
	b.ReportAllocs()
	for b.Loop() {
		buildUnits(textsOf(src, en), "zh-CN", "en")
	}
}

// TestExampleAndDemoArticlesHaveNoErrorFindings keeps the README
// walkthrough and the demo loader true: their articles are approved without
// an override.
func TestExampleAndDemoArticlesHaveNoErrorFindings(t *testing.T) {
	dirs := map[string][]string{
		filepath.Join("..", "..", "..", "docs", "examples"):      {"article"},
		filepath.Join("..", "..", "..", "cmd", "tandem", "demo"): {"autumn-sports-meet", "library-exam-hours", "robotics-gold"},
	}
	for dir, names := range dirs {
		for _, name := range names {
			j := corpusJob(t, dir, name)
			Check(j, Checks{Checker: &qa.Checker{}})
			if errs := OpenErrors(j); len(errs) > 0 {
				t.Errorf("%s/%s: %v", dir, name, errs)
			}
		}
	}
}
