package glossary

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestInSourceFindsLeftmostLongestSubstrings(t *testing.T) {
	g := New([]Term{
		{Source: "校长", Targets: []string{"President"}},
		{Source: "副校长", Targets: []string{"Vice President"}},
		{Source: "智能制造", Targets: []string{"intelligent manufacturing"}},
	})
	hits := g.InSource("副校长周静表示，校长陈志强和智能制造实训中心")
	var got []string
	for _, h := range hits {
		got = append(got, h.Term.Source)
	}
	if want := []string{"副校长", "校长", "智能制造"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("hits %v, want %v", got, want)
	}
	if h := hits[0]; h.Start != 0 || h.End != len("副校长") {
		t.Errorf("offsets %d-%d", h.Start, h.End)
	}
}

func TestFindTargetAllowsInflectionsAndReportsRunTogether(t *testing.T) {
	robot := Term{Source: "工业机器人", Targets: []string{"industrial robot"}}
	if occ := FindTarget(robot, "equipped with 120 Industrial Robots."); len(occ) != 1 || occ[0].RunTogether {
		t.Fatalf("plural: %+v", occ)
	}
	lib := Term{Source: "图书馆", Targets: []string{"Library"}, CaseSensitive: true}
	if occ := FindTarget(lib, "the library"); len(occ) != 0 {
		t.Fatalf("case-sensitive term matched other case: %+v", occ)
	}
	for _, text := range []string{"theLibrary staff", "Libraryservice desk", "2024Library"} {
		occ := FindTarget(lib, text)
		if len(occ) != 1 || !occ[0].RunTogether {
			t.Errorf("%q: %+v, want one run-together occurrence", text, occ)
		}
	}
	if occ := FindTarget(Term{Targets: []string{"President"}}, "Vice President Zhou"); len(occ) != 1 || occ[0].RunTogether {
		t.Errorf("Vice President: %+v", occ)
	}
}

func TestImportReadsTheCorpusGlossary(t *testing.T) {
	path := filepath.Join("..", "..", "..", "shared", "corpus", "glossary.tsv")
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("the shared corpus is not beside the project (%v); CI always has it", err)
	}
	defer f.Close()
	terms, err := Import(f, TSV)
	if err != nil {
		t.Fatal(err)
	}
	byZh := map[string]Term{}
	for _, t := range terms {
		byZh[t.Source] = t
	}
	if len(terms) != 10 {
		t.Errorf("%d terms, want 10", len(terms))
	}
	if got := byZh["工业机器人"].Targets; !reflect.DeepEqual(got, []string{"industrial robot", "industrial robots"}) {
		t.Errorf("工业机器人 variants %q", got)
	}
	if got := byZh["职业院校技能大赛"].Targets; !reflect.DeepEqual(got, []string{"Vocational College Skills Competition", "National Vocational College Skills Competition"}) {
		t.Errorf("职业院校技能大赛 variants %q", got)
	}
}

func TestExportThenImportGivesTheSameTerms(t *testing.T) {
	terms := []Term{
		{Source: "图书馆", Targets: []string{"Library", "university library"}, Note: `the "main" library`, CaseSensitive: true},
		{Source: "校长", Targets: []string{"President"}, Note: "variants: President"},
		{Targets: []string{"Principal"}, Forbidden: true, Note: "a school head, not ours"},
	}
	for _, f := range []Format{TSV, CSV} {
		var buf bytes.Buffer
		if err := Export(&buf, terms, f); err != nil {
			t.Fatal(err)
		}
		got, err := Import(&buf, f)
		if err != nil {
			t.Fatalf("format %d: %v\n%s", f, err, buf.String())
		}
		if !reflect.DeepEqual(got, terms) {
			t.Errorf("format %d: round trip\n got %+v\nwant %+v", f, got, terms)
		}
	}
}

func TestImportReportsEveryBadLine(t *testing.T) {
	in := "zh\ten\tforbidden\n" +
		"校长\tPresident\tno\n" +
		"\tLibrary\tno\n" +
		"校长\tHead\tno\n" +
		"教务处\t\tmaybe\n"
	_, err := Import(strings.NewReader(in), TSV)
	if err == nil {
		t.Fatal("bad file accepted")
	}
	for _, want := range []string{"line 3: source is required", "line 4: source \"校长\" is already defined on line 2", "line 5: targets needs at least one", `line 5: forbidden "maybe" is not yes or no`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if _, err := Import(strings.NewReader("a\tb\n"), TSV); err == nil || !strings.Contains(err.Error(), "must name a source column") {
		t.Errorf("header error: %v", err)
	}
}

func FuzzImport(f *testing.F) {
	f.Add("zh\ten\tnote\n校长\tPresident\tvariants: Head\n", true)
	f.Add("source,target,case_sensitive\n\"a,b\",\"x | y\",yes\n", false)
	f.Add("zh\ten\n\"unterminated\tx\n", true)
	f.Fuzz(func(t *testing.T, data string, tsv bool) {
		format := CSV
		if tsv {
			format = TSV
		}
		terms, err := Import(strings.NewReader(data), format)
		if err != nil {
			return
		}
		for _, term := range terms {
			if len(term.Problems()) > 0 {
				t.Fatalf("imported an invalid term %+v", term)
			}
		}
		g := New(terms)
		for _, term := range terms {
			g.InSource(term.Source + data)
			FindTarget(term, data)
		}
	})
}
