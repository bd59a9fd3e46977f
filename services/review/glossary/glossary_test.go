package glossary

import (
	"bytes"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/tandemnews/tandem/pkg/testkit"
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
	f, err := os.Open(testkit.Shared(t, "corpus", "glossary.tsv"))
	if err != nil {
		t.Fatal(err)
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
		{Source: "陈伟", Targets: []string{"Chen Wei"}, Name: Person},
		{Source: "深圳职业技术大学", Targets: []string{"Shenzhen Polytechnic University"}, Name: Organisation},
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

func TestTermKeyIsItsSourceOrItsForbiddenWord(t *testing.T) {
	cases := []struct {
		term Term
		want string
	}{
		{Term{Source: "校长", Targets: []string{"President"}}, "校长"},
		{Term{Source: "校长", Targets: []string{"Headmaster"}, Forbidden: true}, "forbidden:校长:headmaster"},
		{Term{Targets: []string{"Principal", "Head Teacher"}, Forbidden: true}, "forbidden::principal"},
		{Term{Forbidden: true}, "forbidden::"},
	}
	for _, c := range cases {
		if got := c.term.Key(); got != c.want {
			t.Errorf("%+v: key %q, want %q", c.term, got, c.want)
		}
	}
}

func TestProblemsNameEachBadFieldUpToTheLimits(t *testing.T) {
	variants := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("President %d", i)
		}
		return out
	}
	cases := []struct {
		name string
		term Term
		want [][2]string
	}{
		{"fine", Term{Source: "校长", Targets: []string{"President"}, Note: strings.Repeat("注", MaxNoteRunes)}, nil},
		{"forbidden everywhere", Term{Targets: []string{"Principal"}, Forbidden: true}, nil},
		{"longest source and target", Term{Source: strings.Repeat("校", MaxSourceRunes), Targets: []string{strings.Repeat("P", MaxTargetRunes)}}, nil},
		{"most variants", Term{Source: "校长", Targets: variants(MaxVariants)}, nil},
		{"no source", Term{Source: " ", Targets: []string{"President"}}, [][2]string{{"source", "is required"}}},
		{"spaced source", Term{Source: " 校长", Targets: []string{"President"}}, [][2]string{{"source", "has leading or trailing space"}}},
		{"long source", Term{Source: strings.Repeat("校", MaxSourceRunes+1), Targets: []string{"President"}}, [][2]string{{"source", "is longer than 100 characters"}}},
		{"no targets", Term{Source: "校长"}, [][2]string{{"targets", "needs at least one English variant"}}},
		{"too many variants", Term{Source: "校长", Targets: variants(MaxVariants + 1)}, [][2]string{{"targets", "has more than 8 variants"}}},
		{"bad variants", Term{Source: "校长", Targets: []string{"President", " ", "Head ", strings.Repeat("P", MaxTargetRunes+1), "Head|Dean"}}, [][2]string{
			{"targets[1]", "is empty"},
			{"targets[2]", "has leading or trailing space"},
			{"targets[3]", "is longer than 200 characters"},
			{"targets[4]", `contains "|", which separates variants`},
		}},
		{"long note", Term{Source: "校长", Targets: []string{"President"}, Note: strings.Repeat("注", MaxNoteRunes+1)}, [][2]string{{"note", "is longer than 500 characters"}}},
	}
	for _, c := range cases {
		if got := c.term.Problems(); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

func TestInSourceIgnoresTheCaseOfLatinLettersAndKeepsOffsets(t *testing.T) {
	g := New([]Term{
		{Source: "AI实验室", Targets: []string{"AI Lab"}},
		{Source: "z世代", Targets: []string{"Generation Z"}},
		{Source: "MBA", Targets: []string{"MBA"}},
	})
	text := "学校Ai实验室面向Z世代招收mba学员"
	var got []string
	for _, h := range g.InSource(text) {
		got = append(got, fmt.Sprintf("%s=%s", h.Term.Source, text[h.Start:h.End]))
	}
	if want := []string{"AI实验室=Ai实验室", "z世代=Z世代", "MBA=mba"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("hits %q, want %q", got, want)
	}
	// Letters next to A-Z in the byte table are not letters to fold.
	if hits := g.InSource("@I实验室 [世代"); len(hits) != 0 {
		t.Fatalf("@ and [ matched A and z: %+v", hits)
	}
}

func TestGlossaryListsItsTermsAndForbiddenWordsEverywhere(t *testing.T) {
	terms := []Term{
		{Source: "校长", Targets: []string{"President"}},
		{Targets: []string{"Principal"}, Forbidden: true},
		{Source: "校长", Targets: []string{"Headmaster"}, Forbidden: true},
		{Targets: []string{"Chancellor"}, Forbidden: true},
	}
	g := New(terms)
	if g.Len() != 4 || !reflect.DeepEqual(g.Terms(), terms) {
		t.Fatalf("terms %+v", g.Terms())
	}
	g.Terms()[0].Source = "changed"
	if g.Terms()[0].Source != "校长" {
		t.Fatal("Terms exposes the glossary's own slice")
	}
	if got := g.Everywhere(); !reflect.DeepEqual(got, []Term{terms[1], terms[3]}) {
		t.Fatalf("everywhere %+v", got)
	}
	hits := g.InSource("校长讲话")
	if len(hits) != 2 || hits[0].Term.Targets[0] != "President" || hits[1].Term.Targets[0] != "Headmaster" {
		t.Fatalf("both entries of one source: %+v", hits)
	}
	var none *Glossary
	if none.InSource("校长") != nil || none.Everywhere() != nil {
		t.Fatal("a nil glossary finds terms")
	}
	if New(nil).InSource("校长") != nil {
		t.Fatal("an empty glossary finds terms")
	}
}

func TestFindTargetReportsEveryOccurrenceWithOffsets(t *testing.T) {
	robot := Term{Source: "工业机器人", Targets: []string{"industrial robot", "robot arm"}}
	text := "Industrial robots and a robot arm; the industrial robot's arm."
	var got []string
	for _, o := range FindTarget(robot, text) {
		got = append(got, fmt.Sprintf("%s@%d-%d %v", o.Variant, o.Start, o.End, o.RunTogether))
	}
	want := []string{"industrial robot@0-16 false", "industrial robot@39-55 false", "robot arm@24-33 false"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("occurrences %q, want %q", got, want)
	}
	// Prefixes and suffixes that make a new word of the term.
	for text, glued := range map[string]bool{
		"the re-elected President": false, "the vice President": false, "the PresidentElect": true,
		"Presidents' day": false, "a pre-President era": false, "exPresident": true, "President's": false,
	} {
		occ := FindTarget(Term{Targets: []string{"President"}}, text)
		if len(occ) != 1 || occ[0].RunTogether != glued {
			t.Errorf("%q: %+v, want run together %v", text, occ, glued)
		}
	}
	// Case folding that changes byte lengths makes the match exact.
	if occ := FindTarget(Term{Targets: []string{"library"}}, "İstanbul Library"); len(occ) != 0 {
		t.Errorf("a folded match in a text whose folding shifts offsets: %+v", occ)
	}
	if occ := FindTarget(Term{Targets: []string{"", "Library"}}, "the Library"); len(occ) != 1 {
		t.Errorf("an empty variant: %+v", occ)
	}
}

func TestImportReadsNameKindsAndRefusesOthers(t *testing.T) {
	in := "zh\ten\tname\n陈伟\tChen Wei\tperson\n深职大\tShenzhen Polytechnic University\torganization\n东楼\tEast Building\t\n"
	got, err := Import(strings.NewReader(in), TSV)
	if err != nil {
		t.Fatal(err)
	}
	if kinds := []NameKind{got[0].Name, got[1].Name, got[2].Name}; !reflect.DeepEqual(kinds, []NameKind{Person, Organisation, NotName}) {
		t.Errorf("kinds %v", kinds)
	}
	_, err = Import(strings.NewReader("zh\ten\tname\n陈伟\tChen Wei\tplace\n"), TSV)
	if err == nil || !strings.Contains(err.Error(), `line 2: name "place" is not a kind of name`) {
		t.Errorf("a bad kind: %v", err)
	}
	if p := (Term{Targets: []string{"Principal"}, Forbidden: true, Name: Person}).Problems(); len(p) != 1 || p[0][0] != "name" {
		t.Errorf("a forbidden name: %v", p)
	}
}
