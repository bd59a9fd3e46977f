package memory

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestTMXCarriesMarksAsInlineCodes(t *testing.T) {
	in := []Entry{{Source: "**东楼**详见[官网](https://x.cn/?a=1&b=2)，运行`make`。", Target: "The **East Building**: see [the site](https://x.cn/?a=1&b=2) and run `make`.", SourceLang: "zh-CN", TargetLang: "en"}}
	var buf bytes.Buffer
	if err := ExportTMX(&buf, in, "zh-CN"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`<seg><bpt i="1" type="bold">**</bpt>东楼<ept i="1">**</ept>详见<bpt i="2" type="link">[</bpt>官网<ept i="2">](https://x.cn/?a=1&amp;b=2)</ept>，运行<ph x="3" type="x-code">` + "`make`" + `</ph>。</seg>`,
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("TMX lacks %s:\n%s", want, buf.String())
		}
	}
	tmx := buf.String()
	out, _, err := ImportTMX(strings.NewReader(tmx), "zh-CN", "en")
	if err != nil || !slices.Equal(out, in) {
		t.Fatalf("round trip: %v\n got %+v\nwant %+v", err, out, in)
	}
	// Another tool's codes are its own native data: dropped.
	other := strings.Replace(tmx, `creationtool="Tandem"`, `creationtool="OmegaT"`, 1)
	out, _, err = ImportTMX(strings.NewReader(other), "zh-CN", "en")
	if err != nil || len(out) != 1 || out[0].Source != "东楼详见官网，运行。" {
		t.Fatalf("another tool's file: %v %+v", err, out)
	}
}

func TestCATToolOpensTheTMX(t *testing.T) {
	py := ""
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		if path, err := exec.LookPath(p); err == nil && exec.Command(path, "-c", "import translate.storage.factory").Run() == nil {
			py = path
			break
		}
	}
	if py == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("translate-toolkit is not installed; .ci/run installs it")
		}
		t.Skip("translate-toolkit is not installed (apt-get install translate-toolkit)")
	}
	p := filepath.Join(t.TempDir(), "memory.tmx")
	var buf bytes.Buffer
	ExportTMX(&buf, []Entry{
		{Source: "**东楼**开放。", Target: "The **East Building** opens.", SourceLang: "zh-CN", TargetLang: "en"},
		{Source: "座位共280个。", Target: "It has 280 seats.", SourceLang: "zh-CN", TargetLang: "en"},
	}, "zh-CN")
	os.WriteFile(p, buf.Bytes(), 0o600)
	out, err := exec.Command(py, "-c", `
import sys
from translate.storage import factory
store = factory.getobject(sys.argv[1])
print(len(store.units))
for u in store.units:
    print(u.source, "|", u.target)
`, p).CombinedOutput()
	if err != nil {
		t.Fatalf("translate-toolkit: %v\n%s", err, out)
	}
	if !strings.HasPrefix(string(out), "2\n") || !strings.Contains(string(out), "座位共280个。 | It has 280 seats.") {
		t.Fatalf("translate-toolkit read the TMX as %q", out)
	}
}
