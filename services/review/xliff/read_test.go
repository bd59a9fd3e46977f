package xliff

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestReadListsEveryProblemWithItsPath(t *testing.T) {
	doc := `<xliff version="3.0" srcLang="zh-CN" trgLang="en"><file original="article/A1">
<unit id="b1"><segment id="b1"><source>一</source></segment><segment><source>二</source></segment></unit>
<unit><segment id="b1"><source>三</source></segment></unit>
<unit id="b1"><segment id="s4" state="signed-off"><source>四</source></segment></unit>
</file></xliff>`
	_, err := Read(strings.NewReader(doc))
	var re *ReadError
	if !errors.As(err, &re) {
		t.Fatalf("error %v is not a ReadError", err)
	}
	want := []Problem{
		{"xliff", `version "3.0"; want 2.1 or 1.2`},
		{"file", `original "article/A1" does not name a Tandem article`},
		{"unit[0].segment[1]", `id "" is missing or repeated`},
		{"unit[1]", `id "" is missing or repeated`},
		{"unit[1].segment[0]", `id "b1" is missing or repeated`},
		{"unit[2]", `id "b1" is missing or repeated`},
		{"unit[2].segment[0]", `state "signed-off" is not one of initial, translated, reviewed, final`},
	}
	if !reflect.DeepEqual(re.Problems, want) {
		t.Fatalf("problems\n got %q\nwant %q", re.Problems, want)
	}
	if !strings.HasPrefix(err.Error(), `xliff: xliff: version "3.0"; want 2.1 or 1.2; file: original "article/A1" does not name a Tandem article; unit[0].segment[1]: `) {
		t.Errorf("message %q", err)
	}
}

func TestReadWantsOneFile(t *testing.T) {
	for doc, n := range map[string]string{
		`<xliff version="2.1"></xliff>`: "0",
		`<xliff version="2.1"><file original="tandem:article/A"/><file original="tandem:article/B"/></xliff>`: "2",
	} {
		_, err := Read(strings.NewReader(doc))
		var re *ReadError
		if !errors.As(err, &re) || len(re.Problems) != 1 || re.Problems[0].Message != "has "+n+" <file> elements; a job is one file" {
			t.Errorf("%s: %v", doc, err)
		}
	}
	if _, err := Read(strings.NewReader(`<html version="2.1"/>`)); err == nil || !strings.HasPrefix(err.Error(), "xliff: not a well-formed XLIFF document") {
		t.Errorf("not xliff: %v", err)
	}
}

func TestReadDefaultsTheStateAndTakesBasesOfItsOwnCategory(t *testing.T) {
	doc := `<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" xmlns:mda="urn:oasis:names:tc:xliff:metadata:2.0" version="2.0" srcLang="zh-CN" trgLang="en">
<file id="f1" original="tandem:article/01HX">
<unit id="b1">
  <mda:metadata>
    <mda:metaGroup category="omegat"><mda:meta type="b1.1">not a base</mda:meta></mda:metaGroup>
    <mda:metaGroup category="tandem-base"><mda:meta type="b1.1"> aa
    </mda:meta></mda:metaGroup>
  </mda:metadata>
  <segment id="b1.1"><source>开放</source><target></target></segment>
  <segment id="b1.2" state="reviewed"><source>座位<ph id="1"/>共280个</source></segment>
</unit>
</file></xliff>`
	got, err := Read(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	want := &Doc{Article: "01HX", SrcLang: "zh-CN", TrgLang: "en", Units: []Unit{{ID: "b1", Segments: []Segment{
		{ID: "b1.1", Source: "开放", State: "initial", Base: "aa"},
		{ID: "b1.2", Source: "座位共280个", State: "reviewed"},
	}}}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
}
