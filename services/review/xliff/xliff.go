// Package xliff writes and reads translation jobs as XLIFF 2.1 documents
// (OASIS XLIFF Version 2.1, core plus the metadata module), the format CAT
// tools such as OmegaT, Trados and memoQ exchange. One <file> per article,
// one <unit> per block, one <segment> per segment, with the XLIFF 2 states.
// Each unit carries, in an mda:metaGroup, the base of each segment: a hash
// of what the segment held at export, so an import can tell what changed
// in the job since.
package xliff

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Namespaces of the document.
const (
	NS         = "urn:oasis:names:tc:xliff:document:2.0"
	MetadataNS = "urn:oasis:names:tc:xliff:metadata:2.0"
	Version    = "2.1"
	// MaxBytes is the largest document Read accepts.
	MaxBytes = 8 << 20
	// OriginalPrefix starts the file's original attribute, before the
	// article id.
	OriginalPrefix = "tandem:article/"
	baseCategory   = "tandem-base"
)

// Doc is one job.
type Doc struct {
	Article          string
	SrcLang, TrgLang string
	// Notes on the file (title, job revision), for the translator.
	Notes []string
	Units []Unit
	// SourceTargets is set on a file whose targets were written as copies
	// of their sources (XLIFF 1.2 only): OmegaT translates the text of the
	// targets. In such a file a target still equal to its source is not
	// translated.
	SourceTargets bool
}

// Unit is one block of the article.
type Unit struct {
	ID, Name string
	// Notes are comments for the translator (segment comment threads).
	Notes    []string
	Segments []Segment
}

// Segment is one segment.
type Segment struct {
	ID             string
	Source, Target string
	// State is an XLIFF 2 state: initial, translated, reviewed, final.
	State string
	// SubState refines it: "tandem:needs-review".
	SubState string
	// Base is the hash of the segment at export.
	Base string
}

// States are the XLIFF 2 segment states.
var States = []string{"initial", "translated", "reviewed", "final"}

// Write encodes d.
func Write(w io.Writer, d *Doc) error {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	fmt.Fprintf(&b, "<xliff xmlns=%q xmlns:mda=%q version=%q srcLang=%s trgLang=%s>\n", NS, MetadataNS, Version, attr(d.SrcLang), attr(d.TrgLang))
	fmt.Fprintf(&b, "  <file id=\"f1\" original=%s>\n", attr(OriginalPrefix+d.Article))
	notes(&b, "    ", d.Notes)
	for _, u := range d.Units {
		fmt.Fprintf(&b, "    <unit id=%s", attr(u.ID))
		if u.Name != "" {
			fmt.Fprintf(&b, " name=%s", attr(u.Name))
		}
		b.WriteString(">\n")
		b.WriteString("      <mda:metadata>\n")
		fmt.Fprintf(&b, "        <mda:metaGroup category=%q>\n", baseCategory)
		for _, s := range u.Segments {
			fmt.Fprintf(&b, "          <mda:meta type=%s>%s</mda:meta>\n", attr(s.ID), text(s.Base))
		}
		b.WriteString("        </mda:metaGroup>\n      </mda:metadata>\n")
		notes(&b, "      ", u.Notes)
		// The segments first, for the original data of their codes, which
		// comes before them.
		var segs bytes.Buffer
		var cw codeWriter
		for _, s := range u.Segments {
			fmt.Fprintf(&segs, "      <segment id=%s state=%s", attr(s.ID), attr(s.State))
			if s.SubState != "" {
				fmt.Fprintf(&segs, " subState=%s", attr(s.SubState))
			}
			segs.WriteString(">\n        <source>")
			src := cw.write(&segs, s.ID, s.Source, nil)
			segs.WriteString("</source>\n")
			if s.Target != "" {
				segs.WriteString("        <target>")
				cw.write(&segs, s.ID, s.Target, src)
				segs.WriteString("</target>\n")
			}
			segs.WriteString("      </segment>\n")
		}
		cw.originalData(&b)
		b.Write(segs.Bytes())
		b.WriteString("    </unit>\n")
	}
	b.WriteString("  </file>\n</xliff>\n")
	_, err := w.Write(b.Bytes())
	return err
}

func notes(b *bytes.Buffer, indent string, ns []string) {
	if len(ns) == 0 {
		return
	}
	fmt.Fprintf(b, "%s<notes>\n", indent)
	for _, n := range ns {
		fmt.Fprintf(b, "%s  <note>%s</note>\n", indent, text(n))
	}
	fmt.Fprintf(b, "%s</notes>\n", indent)
}

func attr(s string) string {
	var b bytes.Buffer
	xml.EscapeText(&b, []byte(s))
	return `"` + strings.ReplaceAll(b.String(), `"`, "&#34;") + `"`
}

func text(s string) string {
	var b bytes.Buffer
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// The decoding structure: local names only, so a tool that writes its own
// prefixes is read the same.
type xDoc struct {
	XMLName xml.Name `xml:"xliff"`
	Version string   `xml:"version,attr"`
	SrcLang string   `xml:"srcLang,attr"`
	TrgLang string   `xml:"trgLang,attr"`
	Files   []struct {
		Original string  `xml:"original,attr"`
		Units    []xUnit `xml:"unit"`
	} `xml:"file"`
}

type xUnit struct {
	ID   string `xml:"id,attr"`
	Name string `xml:"name,attr"`
	Data []struct {
		ID   string `xml:"id,attr"`
		Text string `xml:",chardata"`
	} `xml:"originalData>data"`
	Metadata struct {
		Groups []struct {
			Category string `xml:"category,attr"`
			Meta     []struct {
				Type  string `xml:"type,attr"`
				Value string `xml:",chardata"`
			} `xml:"meta"`
		} `xml:"metaGroup"`
	} `xml:"metadata"`
	Segments []struct {
		ID       string   `xml:"id,attr"`
		State    string   `xml:"state,attr"`
		SubState string   `xml:"subState,attr"`
		Source   content  `xml:"source"`
		Target   *content `xml:"target"`
	} `xml:"segment"`
}

// content is the inline content of a source or target, as written.
type content struct {
	Text string `xml:",innerxml"`
}

// plain is the text of the content: the text inside codes is kept, and
// codes are dropped (XLIFF 1.2, where a code holds its original text).
func (in content) plain() (string, error) {
	d := xml.NewDecoder(strings.NewReader("<x>" + in.Text + "</x>"))
	var b strings.Builder
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return b.String(), nil
		}
		if err != nil {
			return "", err
		}
		if c, ok := tok.(xml.CharData); ok {
			b.Write(c)
		}
	}
}

// Problem is something wrong in a document, with the path of the element.
type Problem struct {
	Path, Message string
}

// ReadError lists every problem of a document.
type ReadError struct{ Problems []Problem }

func (e *ReadError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Path + ": " + p.Message
	}
	return "xliff: " + strings.Join(parts, "; ")
}

// Read decodes a document written by Write or Write12 (or by a tool from
// one), XLIFF 2.x or 1.2 by its version. It checks the structure: one file
// naming an article, unique unit and segment ids, known states.
func Read(r io.Reader) (*Doc, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxBytes {
		return nil, fmt.Errorf("xliff: the document is larger than %d bytes", MaxBytes)
	}
	if v, err := version(data); err == nil && v == Version12 {
		return read12(data)
	}
	var x xDoc
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	if err := dec.Decode(&x); err != nil {
		return nil, fmt.Errorf("xliff: not a well-formed XLIFF document: %w", err)
	}
	var probs []Problem
	bad := func(path, format string, args ...any) {
		probs = append(probs, Problem{path, fmt.Sprintf(format, args...)})
	}
	if !strings.HasPrefix(x.Version, "2.") {
		bad("xliff", "version %q; want 2.1 or 1.2", x.Version)
	}
	if len(x.Files) != 1 {
		bad("xliff", "has %d <file> elements; a job is one file", len(x.Files))
		return nil, &ReadError{probs}
	}
	f := x.Files[0]
	d := &Doc{SrcLang: x.SrcLang, TrgLang: x.TrgLang}
	if !strings.HasPrefix(f.Original, OriginalPrefix) {
		bad("file", "original %q does not name a Tandem article", f.Original)
	}
	d.Article = strings.TrimPrefix(f.Original, OriginalPrefix)
	seen := map[string]bool{}
	for i, xu := range f.Units {
		path := fmt.Sprintf("unit[%d]", i)
		if xu.ID == "" || seen["u:"+xu.ID] {
			bad(path, "id %q is missing or repeated", xu.ID)
		}
		seen["u:"+xu.ID] = true
		base := map[string]string{}
		for _, g := range xu.Metadata.Groups {
			if g.Category == baseCategory {
				for _, m := range g.Meta {
					base[m.Type] = strings.TrimSpace(m.Value)
				}
			}
		}
		data := map[string]string{}
		for _, d := range xu.Data {
			data[d.ID] = d.Text
		}
		u := Unit{ID: xu.ID, Name: xu.Name}
		for j, xs := range xu.Segments {
			sp := fmt.Sprintf("%s.segment[%d]", path, j)
			if xs.ID == "" || seen["s:"+xs.ID] {
				bad(sp, "id %q is missing or repeated", xs.ID)
			}
			seen["s:"+xs.ID] = true
			state := xs.State
			if state == "" {
				state = "initial"
			}
			if !contains(States, state) {
				bad(sp, "state %q is not one of %s", xs.State, strings.Join(States, ", "))
			}
			src, err := restore(xs.Source.Text, data)
			if err != nil {
				bad(sp+".source", "%v", err)
			}
			s := Segment{ID: xs.ID, Source: src, State: state, SubState: xs.SubState, Base: base[xs.ID]}
			if xs.Target != nil {
				if s.Target, err = restore(xs.Target.Text, data); err != nil {
					bad(sp+".target", "%v", err)
				}
			}
			u.Segments = append(u.Segments, s)
		}
		d.Units = append(d.Units, u)
	}
	if len(probs) > 0 {
		return nil, &ReadError{probs}
	}
	return d, nil
}

// version is the version attribute of the document's root element.
func version(data []byte) (string, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", err
		}
		if se, ok := tok.(xml.StartElement); ok {
			for _, a := range se.Attr {
				if a.Name.Local == "version" && a.Name.Space == "" {
					return a.Value, nil
				}
			}
			return "", nil
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
