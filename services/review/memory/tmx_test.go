package memory

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

func TestImportTMXReadsAFileOfExactlyTheLimit(t *testing.T) {
	// A file broken on its first line: at the limit it is parsed (and
	// the parser fails at once), one byte over it is refused unread.
	file := "<tmx><<" + strings.Repeat(" ", MaxTMXBytes-len("<tmx><<"))
	_, _, err := ImportTMX(strings.NewReader(file), "zh", "en")
	var te *TMXError
	if !errors.As(err, &te) || te.Line != 1 {
		t.Fatalf("a file of %d bytes: %v, want it parsed", MaxTMXBytes, err)
	}
	_, _, err = ImportTMX(io.MultiReader(strings.NewReader(file), strings.NewReader(" ")), "zh", "en")
	if want := fmt.Sprintf("the TMX file is larger than %d bytes", MaxTMXBytes); err == nil || err.Error() != want {
		t.Fatalf("a file one byte over: %v", err)
	}
}

func TestImportTMXReadsDatesArticlesAndTheFirstSegmentOfEachLanguage(t *testing.T) {
	const file = `<tmx version="1.4b"><header srclang="zh-CN"/>
<tu><tuv xml:lang="zh-CN"><seg>页眉</seg></tuv><tuv xml:lang="en"><seg>outside the body</seg></tuv></tu>
<body>
  <tu tuid="7" creationid="wang" creationdate="20240516T083000Z">
    <prop type="x-article"> A1 </prop><prop type="x-other">ignored</prop>
    <tuv xml:lang="zh_CN"><seg>校长<hi>致辞</hi>。</seg></tuv>
    <tuv xml:lang="zh-TW"><seg>校長致辭。</seg></tuv>
    <tuv xml:lang="en-US"><seg>The President <sub>spoke</sub>.</seg></tuv>
    <tuv xml:lang="en-GB"><seg>The President gave a speech.</seg></tuv>
  </tu>
  <tu creationdate="20240101T000000Z" changedate="20240601T120000Z">
    <tuv lang="ZH"><seg>开放<ph x="1">&lt;br/&gt;</ph>时间</seg></tuv><tuv lang="EN"><seg>Opening <it pos="begin">&lt;i&gt;</it>hours</seg></tuv>
  </tu>
  <tu><tuv xml:lang="zh-CN"><seg>  </seg></tuv><tuv xml:lang="en"><seg>Blank source</seg></tuv></tu>
  <tu><tuv xml:lang="fr"><seg>Bonjour</seg></tuv><tuv xml:lang="en"><seg>Hello</seg></tuv></tu>
</body></tmx>`
	got, skipped, err := ImportTMX(strings.NewReader(file), "zh-CN", "en")
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{
		{Source: "校长致辞。", Target: "The President spoke.", SourceLang: "zh-CN", TargetLang: "en", Article: "A1", Translator: "wang", Date: time.Date(2024, 5, 16, 8, 30, 0, 0, time.UTC)},
		{Source: "开放时间", Target: "Opening hours", SourceLang: "zh-CN", TargetLang: "en", Date: time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)},
	}
	if skipped != 2 || len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("got %+v, %d skipped\nwant %+v, 2 skipped", got, skipped, want)
	}
}

func TestImportTMXNamesTheLineOfEachBadDate(t *testing.T) {
	const file = `<tmx version="1.4">
<body>
<tu creationdate="2024-05-16"><tuv xml:lang="zh"><seg>一</seg></tuv><tuv xml:lang="en"><seg>one</seg></tuv></tu>
<tu creationdate="yesterday"><tuv xml:lang="zh"><seg>二</seg></tuv><tuv xml:lang="en"><seg>two</seg></tuv></tu>
</body></tmx>`
	_, _, err := ImportTMX(strings.NewReader(file), "zh", "en")
	want := `line 3: date "2024-05-16" is not YYYYMMDDThhmmssZ` + "\n" + `line 4: date "yesterday" is not YYYYMMDDThhmmssZ`
	if err == nil || err.Error() != want {
		t.Fatalf("error %v, want %q", err, want)
	}
	_, _, err = ImportTMX(strings.NewReader("<tmx>\n<body>\n<tu></body>"), "zh", "en")
	var te *TMXError
	if !errors.As(err, &te) || te.Line != 3 {
		t.Fatalf("broken XML: %v", err)
	}
}

type failingWriter struct{ after int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.after -= len(p); w.after < 0 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

func TestExportTMXReportsTheWritersError(t *testing.T) {
	entries := []Entry{{Source: "校长致辞。", Target: "The President spoke.", SourceLang: "zh-CN", TargetLang: "en"}}
	var buf bytes.Buffer
	ExportTMX(&buf, entries, "zh-CN")
	for _, after := range []int{0, 100, buf.Len() - 1} {
		if err := ExportTMX(&failingWriter{after: after}, entries, "zh-CN"); err == nil {
			t.Errorf("a writer failing after %d bytes: no error", after)
		}
	}
}

func TestExportTMXWritesTheDocumentByteForByte(t *testing.T) {
	day := time.Date(2024, 5, 16, 16, 30, 0, 0, time.FixedZone("CST", 8*3600))
	var buf bytes.Buffer
	err := ExportTMX(&buf, []Entry{
		{Source: "校长致辞。", Target: "The President spoke.", SourceLang: "zh-CN", TargetLang: "en", Article: "01HX", Translator: "wang", Date: day},
		{Source: "面积 & <更多>", Target: `"more"`, SourceLang: "zh-CN", TargetLang: "en"},
	}, "zh-CN")
	if err != nil {
		t.Fatal(err)
	}
	// Dates in UTC; no date, translator or article when there is none.
	const want = `<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4">
  <header creationtool="Tandem" creationtoolversion="1" segtype="sentence" o-tmf="tandem" adminlang="en" srclang="zh-CN" datatype="plaintext"></header>
  <body>
    <tu creationdate="20240516T083000Z" creationid="wang">
      <prop type="x-article">01HX</prop>
      <tuv xml:lang="zh-CN">
        <seg>校长致辞。</seg>
      </tuv>
      <tuv xml:lang="en">
        <seg>The President spoke.</seg>
      </tuv>
    </tu>
    <tu>
      <tuv xml:lang="zh-CN">
        <seg>面积 &amp; &lt;更多&gt;</seg>
      </tuv>
      <tuv xml:lang="en">
        <seg>&#34;more&#34;</seg>
      </tuv>
    </tu>
  </body>
</tmx>
`
	if buf.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", buf.String(), want)
	}
}
