package main

import (
	"os"
	"strings"
	"testing"

	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/auth"
)

func TestVerbGlossaryImportListAndExport(t *testing.T) {
	e := startVerbEnv(t)
	terms := "zh,en,note,case_sensitive,forbidden,name\n" +
		"图书馆,Library | University Library,the name on the building,false,false,organisation\n" +
		"机器人,robot,,false,false,\n"

	// A .csv file is read as CSV without --format.
	csv := e.file(t, "terms.csv", terms)
	e.fails(t, auth.Translator, "not allowed: importing the glossary requires the admin role; test-translator has the translator role",
		"glossary", "import", csv)
	wantOutput(t, "glossary import", e.run(t, auth.Admin, "glossary", "import", csv), "2 added, 0 changed, 0 unchanged\n")
	wantOutput(t, "glossary import (again)", e.run(t, auth.Admin, "glossary", "import", csv), "0 added, 0 changed, 2 unchanged\n")
	tsv := e.file(t, "more.txt", "zh\ten\n机器人\trobot|robotic\n")
	wantOutput(t, "glossary import (TSV)", e.run(t, auth.Admin, "glossary", "import", tsv), "0 added, 1 changed, 0 unchanged\n")
	e.fails(t, auth.Admin, `--format "xml": tsv or csv`, "glossary", "import", tsv, "--format", "xml")

	wantOutput(t, "glossary list", e.run(t, auth.Translator, "glossary", "list"),
		"SOURCE  ENGLISH                       FLAGS         NOTE\n"+
			"图书馆     Library | University Library  organisation  the name on the building\n"+
			"机器人     robot | robotic               -             \n"+
			"2 term(s)\n")
	after := strings.Replace(terms, "robot,", "robot | robotic,", 1)
	wantOutput(t, "glossary export --format csv", e.run(t, auth.Translator, "glossary", "export", "--format", "csv"), after)
	wantOutput(t, "glossary export", e.run(t, auth.Translator, "glossary", "export"), strings.ReplaceAll(after, ",", "\t"))
	out := e.dir + "/out.tsv"
	wantOutput(t, "glossary export -o", e.run(t, auth.Translator, "glossary", "export", "-o", out), "")
	if b, err := os.ReadFile(out); err != nil || string(b) != strings.ReplaceAll(after, ",", "\t") {
		t.Errorf("glossary export -o wrote %q (%v)", b, err)
	}
	e.fails(t, auth.Translator, `--format "xml": tsv or csv`, "glossary", "export", "--format", "xml")
}

const tmx = `<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header srclang="zh-CN" datatype="plaintext" segtype="sentence" adminlang="en" o-tmf="test" creationtool="test" creationtoolversion="1"/>
<body>
<tu tuid="1"><tuv xml:lang="zh-CN"><seg>图书馆延长开放时间</seg></tuv><tuv xml:lang="en"><seg>The Library extends its opening hours</seg></tuv></tu>
<tu><tuv xml:lang="zh-CN"><seg>只有中文</seg></tuv></tu>
</body></tmx>`

func TestVerbTMImportSearchAndExport(t *testing.T) {
	e := startVerbEnv(t)
	file := e.file(t, "memory.tmx", tmx)
	wantOutput(t, "tm import", e.run(t, auth.Admin, "tm", "import", file), "1 added, 0 already in memory, 1 skipped (not Chinese and English)\n")
	wantOutput(t, "tm import (again)", e.run(t, auth.Admin, "tm", "import", file), "0 added, 1 already in memory, 1 skipped (not Chinese and English)\n")

	wantOutput(t, "tm search", e.run(t, auth.Translator, "tm", "search", "图书馆延长开放时间"),
		"100%  图书馆延长开放时间\n      The Library extends its opening hours\n1 match(es) among 1 unit(s)\n")
	wantOutput(t, "tm search --min 100", e.run(t, auth.Translator, "tm", "search", "图书馆延长开放", "--min", "100"), "0 match(es) among 1 unit(s)\n")

	// A unit from an approved article names it and its translator.
	id := e.approved(t)
	stacktest.Eventually(t, "the approved units reach the memory", func() bool {
		return strings.Contains(e.run(t, auth.Translator, "tm", "search", "考试周"), "("+id+", test-translator)")
	})
	wantLines(t, "tm search", e.run(t, auth.Translator, "tm", "search", "考试周", "--limit", "1"),
		"100%  考试周", "      examinations", "      ("+id+", test-translator)")

	exported := e.run(t, auth.Translator, "tm", "export")
	if !strings.HasPrefix(exported, "<?xml") || !strings.Contains(exported, "<seg>The Library extends its opening hours</seg>") {
		t.Errorf("tm export printed:\n%s\nwant TMX with the imported unit", exported)
	}
	out := e.dir + "/out.tmx"
	wantOutput(t, "tm export -o", e.run(t, auth.Translator, "tm", "export", "-o", out), "")
	if b, err := os.ReadFile(out); err != nil || !strings.Contains(string(b), "<seg>图书馆延长开放时间</seg>") {
		t.Errorf("tm export -o wrote %q (%v)", b, err)
	}
}
