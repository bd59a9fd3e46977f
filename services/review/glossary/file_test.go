package glossary

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestImportTakesAFileOfExactlyTheLimit(t *testing.T) {
	const terms = "zh\ten\n校长\tPresident\n"
	fill := strings.Repeat("\n", MaxImportBytes-len(terms))
	got, err := Import(strings.NewReader(terms+fill), TSV)
	if err != nil || len(got) != 1 || got[0].Source != "校长" {
		t.Fatalf("a file of %d bytes: %+v, %v", MaxImportBytes, got, err)
	}
	_, err = Import(strings.NewReader(terms+fill+"\n"), TSV)
	if err == nil || err.Error() != fmt.Sprintf("glossary file is larger than %d bytes", MaxImportBytes) {
		t.Fatalf("a file one byte over the limit: %v", err)
	}
}

func TestImportTakesAtMostMaxTerms(t *testing.T) {
	file := func(n int) string {
		var b strings.Builder
		b.WriteString("zh,en\n")
		for i := range n {
			fmt.Fprintf(&b, "术语%d,term %d\n", i, i)
		}
		return b.String()
	}
	if got, err := Import(strings.NewReader(file(MaxTerms)), CSV); err != nil || len(got) != MaxTerms {
		t.Fatalf("%d terms: %d read, %v", MaxTerms, len(got), err)
	}
	_, err := Import(strings.NewReader(file(MaxTerms+1)), CSV)
	if want := fmt.Sprintf("the file has %d terms; a glossary holds at most %d", MaxTerms+1, MaxTerms); err == nil || err.Error() != want {
		t.Fatalf("%d terms: %v, want %q", MaxTerms+1, err, want)
	}
}

func TestImportReportsEveryMalformedLineWithItsNumber(t *testing.T) {
	// Lines 3 and 5 have a quote in a cell that is not quoted.
	const in = `zh,en
校长,President
图书"馆,Library
教务处,Office of Academic Affairs
副校"长,Vice President
`
	_, err := Import(strings.NewReader(in), CSV)
	var lines []int
	for _, e := range unjoin(err) {
		var ie *ImportError
		if !errors.As(e, &ie) {
			t.Fatalf("%v is not an ImportError", e)
		}
		lines = append(lines, ie.Line)
	}
	if !reflect.DeepEqual(lines, []int{3, 5}) {
		t.Fatalf("errors on lines %v, want 3 and 5: %v", lines, err)
	}
	if !strings.Contains(err.Error(), `line 3: bare " in non-quoted-field`) {
		t.Errorf("error %q does not say what is wrong", err)
	}
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	if err == nil {
		return nil
	}
	return []error{err}
}

func TestImportSkipsBlankLinesAndIgnoresCellsPastTheHeader(t *testing.T) {
	in := "zh\ten\n" +
		"校长\tPresident\n" +
		"   \n" +
		"图书馆\tLibrary\tan extra cell\tand another\n"
	got, err := Import(strings.NewReader(in), TSV)
	want := []Term{{Source: "校长", Targets: []string{"President"}}, {Source: "图书馆", Targets: []string{"Library"}}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, %v", got, err)
	}
	// A line with a source and no tab is a term without a translation.
	_, err = Import(strings.NewReader("zh\ten\n校长\n"), TSV)
	if err == nil || err.Error() != "line 2: targets needs at least one English variant" {
		t.Fatalf("a line without a target: %v", err)
	}
}

func TestImportReadsColumnsByNameAndVariantsFromNotes(t *testing.T) {
	in := "\ufeffNote,Chinese,English,Variants,Case,Forbidden,owner\n" +
		`"also: industrial robots, robot arm",工业机器人,` + "industrial robot,robots | industrial robot,no,n,wang\n" +
		"the university library,图书馆,Library,,YES,0,li\n" +
		",,Principal,,,y,\n"
	got, err := Import(strings.NewReader(in), CSV)
	if err != nil {
		t.Fatal(err)
	}
	want := []Term{
		{Source: "工业机器人", Targets: []string{"industrial robots", "robot arm", "industrial robot", "robots"}, Note: "also: industrial robots, robot arm"},
		{Source: "图书馆", Targets: []string{"Library"}, Note: "the university library", CaseSensitive: true},
		{Targets: []string{"Principal"}, Forbidden: true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
	if _, err := Import(strings.NewReader(""), TSV); err == nil || !strings.Contains(err.Error(), "glossary file is empty") {
		t.Errorf("empty file: %v", err)
	}
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]Format{"tsv": TSV, "TAB": TSV, "Csv": CSV} {
		if got, err := ParseFormat(in); err != nil || got != want {
			t.Errorf("%q: %v, %v", in, got, err)
		}
	}
	if _, err := ParseFormat("xlsx"); err == nil || err.Error() != `format "xlsx": want tsv or csv` {
		t.Errorf("xlsx: %v", err)
	}
}

func TestImportErrorNamesItsLineAndField(t *testing.T) {
	if got := (&ImportError{Line: 4, Field: "source", Message: "is required"}).Error(); got != "line 4: source is required" {
		t.Error(got)
	}
	if got := (&ImportError{Line: 7, Message: "extraneous quote"}).Error(); got != "line 7: extraneous quote" {
		t.Error(got)
	}
}
