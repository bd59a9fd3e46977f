package xliff

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// marked is a job whose segments carry Markdown marks, links and code.
func marked() *Doc {
	return &Doc{Article: "A9", SrcLang: "zh-CN", TrgLang: "en", Units: []Unit{{ID: "b1", Name: "paragraph", Segments: []Segment{
		{ID: "b1.1", Source: "**东楼**将于周一开放，详见[官网](https://x.cn/a?b=1&c=2)。", Target: "The **East Building** reopens on Monday; see [the website](https://x.cn/a?b=1&c=2).", State: "translated", Base: "aa"},
		{ID: "b1.2", Source: "运行`make test`即可，*不必*重启。", Target: "Just run `make test`; no *restart* is needed.", State: "reviewed", Base: "bb"},
		{ID: "b1.3", Source: "见![校园](campus.jpg)。", State: "initial", Base: "cc"},
	}}}}
}

func TestMarksTravelAsInlineCodesAndComeBackUnchanged(t *testing.T) {
	var v2 bytes.Buffer
	if err := Write(&v2, marked()); err != nil {
		t.Fatal(err)
	}
	out := v2.String()
	for _, want := range []string{
		`<source><pc id="b1.1-1" dataRefStart="db1.1-1s" dataRefEnd="db1.1-1e" type="fmt" subType="tandem:bold">东楼</pc>将于周一开放，详见<pc id="b1.1-2" dataRefStart="db1.1-2s" dataRefEnd="db1.1-2e" type="fmt" subType="tandem:link">官网</pc>。</source>`,
		// The target's codes are the source's: same ids.
		`<target>The <pc id="b1.1-1" dataRefStart="db1.1-1s" dataRefEnd="db1.1-1e" type="fmt" subType="tandem:bold">East Building</pc>`,
		`<data id="db1.1-2e">](https://x.cn/a?b=1&amp;c=2)</data>`,
		`<ph id="b1.2-1" dataRef="db1.2-1" type="fmt" subType="tandem:code"/>`,
		`<data id="db1.3-1">![校园](campus.jpg)</data>`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("XLIFF 2.1 lacks %s:\n%s", want, out)
		}
	}
	if _, segs, _ := strings.Cut(out, "</originalData>"); strings.Contains(segs, "**") || strings.Contains(segs, "`make") {
		t.Errorf("marks left as text:\n%s", out)
	}
	if probs := specProblems(parseTree(t, v2.Bytes())); len(probs) > 0 {
		t.Errorf("the export breaks XLIFF 2.1:\n%s", strings.Join(probs, "\n"))
	}
	got, err := Read(&v2)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, marked()) {
		t.Fatalf("2.1 round trip\n got %+v\nwant %+v", got, marked())
	}

	var v12 bytes.Buffer
	if err := Write12(&v12, marked()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`<source xml:lang="zh-CN"><bpt id="1" ctype="x-bold">**</bpt>东楼<ept id="1">**</ept>将于周一开放，详见<bpt id="2" ctype="x-link">[</bpt>官网<ept id="2">](https://x.cn/a?b=1&amp;c=2)</ept>。</source>`,
		`<ph id="1" ctype="x-code">` + "`make test`" + `</ph>`,
	} {
		if !strings.Contains(v12.String(), want) {
			t.Errorf("XLIFF 1.2 lacks %s:\n%s", want, v12.String())
		}
	}
	got, err = Read(&v12)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, marked()) {
		t.Fatalf("1.2 round trip\n got %+v\nwant %+v", got, marked())
	}
}

func TestReadRefusesACodeWithoutItsData(t *testing.T) {
	var v2 bytes.Buffer
	Write(&v2, marked())
	broken := strings.Replace(v2.String(), `<data id="db1.2-1">`, `<data id="gone">`, 1)
	if _, err := Read(strings.NewReader(broken)); err == nil || !strings.Contains(err.Error(), `refers to data "db1.2-1"`) {
		t.Fatalf("a code without data: %v", err)
	}
}

func TestCATToolKeepsTheCodesOfTheXLIFF12Export(t *testing.T) {
	py := python(t)
	p := filepath.Join(t.TempDir(), "job12.xlf")
	var v12 bytes.Buffer
	Write12(&v12, marked())
	os.WriteFile(p, v12.Bytes(), 0o600)
	// The tool edits the segment without marks, and saves every other one
	// with its codes as they were.
	out, err := exec.Command(py, "-c", ttScript, p, "b1.3", "See the campus.").CombinedOutput()
	if err != nil {
		t.Fatalf("translate-toolkit: %v\n%s", err, out)
	}
	edited, _ := os.ReadFile(p)
	got, err := Read(bytes.NewReader(edited))
	if err != nil {
		t.Fatalf("%v\n%s", err, edited)
	}
	want := marked()
	want.Units[0].Segments[2].Target = "See the campus."
	// A target given to a segment without one is translated.
	want.Units[0].Segments[2].State = got.Units[0].Segments[2].State
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("after the edit\n got %+v\nwant %+v\n%s", got, want, edited)
	}
}
