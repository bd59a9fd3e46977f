package xliff

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// The document Write makes for a small job, byte for byte: CAT tools
// read it, and translators diff it.
const golden = `<?xml version="1.0" encoding="UTF-8"?>
<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" xmlns:mda="urn:oasis:names:tc:xliff:metadata:2.0" version="2.1" srcLang="zh-CN" trgLang="en">
  <file id="f1" original="tandem:article/01HX&#34;7">
    <notes>
      <note>图书馆开放 &amp; more</note>
    </notes>
    <unit id="title">
      <mda:metadata>
        <mda:metaGroup category="tandem-base">
          <mda:meta type="title.1">aa</mda:meta>
        </mda:metaGroup>
      </mda:metadata>
      <segment id="title.1" state="initial">
        <source>图书馆开放</source>
      </segment>
    </unit>
    <unit id="b&#34;1" name="paragraph">
      <mda:metadata>
        <mda:metaGroup category="tandem-base">
          <mda:meta type="b1.1">bb</mda:meta>
          <mda:meta type="b1.2">cc</mda:meta>
        </mda:metaGroup>
      </mda:metadata>
      <notes>
        <note>wang: &lt;check&gt;</note>
        <note>li: done</note>
      </notes>
      <segment id="b1.1" state="translated" subState="tandem:needs-review">
        <source>9月2日起开放。</source>
        <target>Opens &#34;September 2&#34;.</target>
      </segment>
      <segment id="b1.2" state="final">
        <source>座位共280个。</source>
        <target>It has 280 seats.</target>
      </segment>
    </unit>
  </file>
</xliff>
`

func goldenDoc() *Doc {
	return &Doc{Article: `01HX"7`, SrcLang: "zh-CN", TrgLang: "en", Notes: []string{"图书馆开放 & more"},
		Units: []Unit{
			{ID: "title", Segments: []Segment{{ID: "title.1", Source: "图书馆开放", State: "initial", Base: "aa"}}},
			{ID: `b"1`, Name: "paragraph", Notes: []string{"wang: <check>", "li: done"}, Segments: []Segment{
				{ID: "b1.1", Source: "9月2日起开放。", Target: `Opens "September 2".`, State: "translated", SubState: "tandem:needs-review", Base: "bb"},
				{ID: "b1.2", Source: "座位共280个。", Target: "It has 280 seats.", State: "final", Base: "cc"},
			}},
		}}
}

func TestWriteMakesTheDocumentByteForByte(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, goldenDoc()); err != nil {
		t.Fatal(err)
	}
	if buf.String() != golden {
		t.Fatalf("got\n%s\nwant\n%s", buf.String(), golden)
	}
	got, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if want := withoutNotes(goldenDoc()); !reflect.DeepEqual(got, want) {
		t.Fatalf("read back\n got %+v\nwant %+v", got, want)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteReportsTheWritersError(t *testing.T) {
	if err := Write(failingWriter{}, goldenDoc()); err == nil || err.Error() != "disk full" {
		t.Fatalf("error %v", err)
	}
}

func TestReadTakesADocumentOfExactlyMaxBytes(t *testing.T) {
	var buf bytes.Buffer
	Write(&buf, goldenDoc())
	doc := strings.TrimSuffix(buf.String(), "\n")
	full := doc + strings.Repeat(" ", MaxBytes-len(doc))
	if _, err := Read(strings.NewReader(full)); err != nil {
		t.Fatalf("a document of %d bytes: %v", MaxBytes, err)
	}
	if _, err := Read(strings.NewReader(full + " ")); err == nil || err.Error() != "xliff: the document is larger than 8388608 bytes" {
		t.Fatalf("a document one byte over: %v", err)
	}
}
