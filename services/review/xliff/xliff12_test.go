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

func TestXLIFF12RoundTripsEveryState(t *testing.T) {
	d := goldenDoc()
	d.Units[1].Segments = append(d.Units[1].Segments,
		Segment{ID: "b1.3", Source: "三。", Target: "Three.", State: "reviewed", Base: "dd"},
		Segment{ID: "b1.4", Source: "四。", Target: "Four.", State: "translated", Base: "ee"},
	)
	var buf bytes.Buffer
	if err := Write12(&buf, d); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" xmlns:tandem="urn:tandem:xliff" version="1.2">`,
		`<file original="tandem:article/01HX&#34;7" source-language="zh-CN" target-language="en" datatype="plaintext">`,
		`<trans-unit id="b1.1" tandem:base="bb">`,
		`<target xml:lang="en" state="needs-review-translation">Opens &#34;September 2&#34;.</target>`,
		`<target xml:lang="en" state="signed-off">Three.</target>`,
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("XLIFF 1.2 lacks %s:\n%s", want, buf.String())
		}
	}
	got, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if want := withoutNotes(d); !reflect.DeepEqual(got, want) {
		t.Fatalf("round trip\n got %+v\nwant %+v", got, want)
	}
}

func TestXLIFF12ReadReportsEveryProblem(t *testing.T) {
	doc := `<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file original="x" source-language="zh-CN" target-language="en"><body>
<group id="u"><trans-unit id="s"><source>a</source><target state="done">b</target></trans-unit><trans-unit id="s"><source>b</source></trans-unit></group>
<trans-unit id="loose"><source>c</source></trans-unit>
</body></file></xliff>`
	_, err := Read(strings.NewReader(doc))
	re, ok := err.(*ReadError)
	if !ok || len(re.Problems) != 4 {
		t.Fatalf("problems %v, want original, loose unit, state and repeated id", err)
	}
}

// python is the interpreter translate-toolkit is installed for (Debian's).
func python(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		if path, err := exec.LookPath(p); err == nil {
			if exec.Command(path, "-c", "import translate.storage.factory").Run() == nil {
				return path
			}
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("translate-toolkit is not installed; .ci/run installs it (apt-get install translate-toolkit)")
	}
	t.Skip("translate-toolkit is not installed (apt-get install translate-toolkit)")
	return ""
}

// ttScript opens a file with translate-toolkit, prints how many units it
// holds and their ids, and, given a unit id and a text, sets that unit's
// target and saves the file as the tool does.
const ttScript = `
import sys
from translate.storage import factory
store = factory.getobject(sys.argv[1])
units = [u for u in store.units if not u.isheader()]
print(len(units))
for u in units:
    print(u.getid(), "|", u.target or "")
if len(sys.argv) > 3:
    for u in units:
        if u.getid().endswith(sys.argv[2]):
            u.target = sys.argv[3]
    store.save()
`

func TestCATToolOpensTheXLIFF12ExportAndEditsATarget(t *testing.T) {
	py := python(t)
	dir := t.TempDir()
	run := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(py, append([]string{"-c", ttScript}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("translate-toolkit: %v\n%s", err, out)
		}
		return string(out)
	}
	d := goldenDoc()
	var v2, v12 bytes.Buffer
	if err := Write(&v2, d); err != nil {
		t.Fatal(err)
	}
	if err := Write12(&v12, d); err != nil {
		t.Fatal(err)
	}
	p2, p12 := filepath.Join(dir, "job.xlf"), filepath.Join(dir, "job12.xlf")
	os.WriteFile(p2, v2.Bytes(), 0o600)
	os.WriteFile(p12, v12.Bytes(), 0o600)
	// translate-toolkit reads XLIFF 2.1 as 1.2, and finds nothing in it:
	// why the 1.2 export exists.
	if out := run(p2); !strings.HasPrefix(out, "0\n") {
		t.Logf("translate-toolkit now reads XLIFF 2.1: %q", out)
	}
	out := run(p12)
	if !strings.HasPrefix(out, "3\n") || !strings.Contains(out, "b1.2 | It has 280 seats.") {
		t.Fatalf("translate-toolkit read the XLIFF 1.2 export as %q, want its 3 segments", out)
	}
	run(p12, "b1.2", "There are 280 seats.")
	edited, err := os.ReadFile(p12)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Read(bytes.NewReader(edited))
	if err != nil {
		t.Fatalf("the file translate-toolkit saved: %v\n%s", err, edited)
	}
	want := withoutNotes(d)
	want.Units[1].Segments[1].Target = "There are 280 seats."
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("after the edit\n got %+v\nwant %+v\n%s", got, want, edited)
	}
}

func TestXLIFF12SourceTargetsCopyEverySourceWithItsCodes(t *testing.T) {
	d := marked()
	d.SourceTargets = true
	var buf bytes.Buffer
	if err := Write12(&buf, d); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		`<file original="tandem:article/A9" source-language="zh-CN" target-language="en" datatype="plaintext" tandem:targets="source">`,
		// A copy of the source, codes included, with the segment's state.
		`<target xml:lang="en" state="translated"><bpt id="1" ctype="x-bold">**</bpt>东楼<ept id="1">**</ept>将于周一开放，详见<bpt id="2" ctype="x-link">[</bpt>官网<ept id="2">](https://x.cn/a?b=1&amp;c=2)</ept>。</target>`,
		// An untranslated segment has a target too.
		`<target xml:lang="en" state="needs-translation">见<ph id="1" ctype="x-image">![校园](campus.jpg)</ph>。</target>`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the export lacks %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, "East Building") {
		t.Errorf("the English is in the file:\n%s", out)
	}
	got, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !got.SourceTargets {
		t.Fatal("read back without SourceTargets")
	}
	for _, s := range got.Units[0].Segments {
		if s.Target != s.Source {
			t.Errorf("%s: target %q, source %q", s.ID, s.Target, s.Source)
		}
	}
	_, err = Read(strings.NewReader(strings.Replace(out, `tandem:targets="source"`, `tandem:targets="english"`, 1)))
	if re, ok := err.(*ReadError); !ok || len(re.Problems) != 1 || !strings.Contains(re.Problems[0].Message, `tandem:targets "english"`) {
		t.Fatalf("unknown targets: %v", err)
	}
}
