package xliff

import (
	"bytes"
	"encoding/xml"
	"reflect"
	"strings"
	"testing"
)

func sample() *Doc {
	return &Doc{
		Article: "01HX", SrcLang: "zh-CN", TrgLang: "en", Notes: []string{"图书馆开放 (job revision 7)"},
		Units: []Unit{
			{ID: "title", Name: "title", Segments: []Segment{{ID: "title.1", Source: "图书馆开放", Target: "Library Opens", State: "reviewed", Base: "aa"}}},
			{ID: "b1", Name: "paragraph", Notes: []string{"wang: check the date"}, Segments: []Segment{
				{ID: "b1.1", Source: "9月2日起开放。", Target: `Opens on "September 2" & <later>.`, State: "translated", SubState: "tandem:needs-review", Base: "bb"},
				{ID: "b1.2", Source: "座位共280个。", State: "initial", Base: "cc"},
			}},
		},
	}
}

// withoutNotes is d as Read gives it back: notes are for the translator
// and are not read.
func withoutNotes(d *Doc) *Doc {
	d.Notes = nil
	for i := range d.Units {
		d.Units[i].Notes = nil
	}
	return d
}

func TestWriteThenReadGivesTheSameJob(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, sample()); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{`<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0"`, `version="2.1"`, `srcLang="zh-CN" trgLang="en"`, `<segment id="b1.1" state="translated" subState="tandem:needs-review">`} {
		if !strings.Contains(out, want) {
			t.Errorf("document lacks %s:\n%s", want, out)
		}
	}
	// Well-formed XML throughout.
	d := xml.NewDecoder(strings.NewReader(out))
	for {
		if _, err := d.Token(); err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("not well-formed: %v", err)
			}
			break
		}
	}
	got, err := Read(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if want := withoutNotes(sample()); !reflect.DeepEqual(got, want) {
		t.Fatalf("round trip\n got %+v\nwant %+v", got, want)
	}
}

func TestReadTakesTextInsideInlineCodesAndReportsEveryProblem(t *testing.T) {
	doc := `<?xml version="1.0"?>
<x:xliff xmlns:x="urn:oasis:names:tc:xliff:document:2.0" version="2.1" srcLang="zh-CN" trgLang="en">
 <x:file id="f1" original="tandem:article/A1">
  <x:unit id="b1"><x:segment id="b1.1" state="final"><x:source>开放</x:source><x:target>Opens <x:pc id="1">now</x:pc><x:ph id="2"/></x:target></x:segment></x:unit>
 </x:file>
</x:xliff>`
	got, err := Read(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if s := got.Units[0].Segments[0]; s.Target != "Opens now" || s.State != "final" || got.Article != "A1" {
		t.Fatalf("read %+v", got)
	}
	bad := `<xliff version="3.0"><file original="x"><unit id="u"><segment id="s" state="done"><source>a</source></segment><segment id="s"><source>b</source></segment></unit></file></xliff>`
	_, err = Read(strings.NewReader(bad))
	re, ok := err.(*ReadError)
	if !ok || len(re.Problems) != 4 {
		t.Fatalf("problems %v, want version, original, state and repeated id", err)
	}
	if _, err := Read(strings.NewReader("<xliff><file>")); err == nil {
		t.Fatal("broken XML accepted")
	}
}

func FuzzRead(f *testing.F) {
	var buf bytes.Buffer
	Write(&buf, sample())
	f.Add(buf.String())
	f.Add(`<xliff version="2.0"><file original="tandem:article/a"><unit id="u"><segment id="s"><source>a<pc>b</pc></source></segment></unit></file></xliff>`)
	f.Fuzz(func(t *testing.T, data string) {
		d, err := Read(strings.NewReader(data))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := Write(&out, d); err != nil {
			t.Fatal(err)
		}
		again, err := Read(&out)
		if err != nil {
			t.Fatalf("a document read back from Write fails: %v\n%s", err, out.String())
		}
		if len(again.Units) != len(d.Units) {
			t.Fatalf("units %d, then %d", len(d.Units), len(again.Units))
		}
	})
}
