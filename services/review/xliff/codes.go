package xliff

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/tandemnews/tandem/services/review/inline"
)

// Inline codes: the Markdown marks of a segment (bold, italic, links, code
// spans, images) travel as codes a translation tool shows and protects,
// not as text the translator could break: <pc> around marked text and
// <ph> for what stands alone in XLIFF 2, their original text in the unit's
// <originalData>; <bpt>/<ept> and <ph> holding it in XLIFF 1.2. Reading
// puts the original text back, so a segment comes back byte for byte.

// datum is one <data> element of a unit's originalData.
type datum struct{ id, text string }

// codeWriter writes the source and target of a unit's segments with their
// codes, collecting the original data.
type codeWriter struct {
	data []datum
}

// code is a code of a source, by what it is and holds, with its id.
type code struct{ kind, open, close string }

// write writes s as XLIFF 2 inline content; codes of the target that are
// codes of the source (same kind and marks, in order) take their ids.
func (w *codeWriter) write(b *bytes.Buffer, prefix, s string, source map[code][]string) map[code][]string {
	ps := inline.Split(s)
	mine := map[code][]string{}
	used := map[code]int{}
	ids := map[int]string{}
	closes := map[int]string{}
	for i, p := range ps {
		if p.Kind == inline.Open {
			for _, q := range ps[i+1:] {
				if q.Kind == inline.Close && q.N == p.N {
					closes[p.N] = q.Text
					break
				}
			}
		}
	}
	for _, p := range ps {
		switch p.Kind {
		case inline.Text:
			b.WriteString(text(p.Text))
		case inline.Open, inline.Standalone:
			k := code{p.Type, p.Text, closes[p.N]}
			id := fmt.Sprintf("%s-%d", prefix, p.N)
			if source != nil {
				id = fmt.Sprintf("%s-t%d", prefix, p.N)
				if list := source[k]; used[k] < len(list) {
					id = list[used[k]]
					used[k]++
				}
			}
			mine[k] = append(mine[k], id)
			ids[p.N] = id
			if p.Kind == inline.Standalone {
				ref := w.datum(id, p.Text)
				fmt.Fprintf(b, `<ph id=%s dataRef=%s type="fmt" subType=%s/>`, attr(id), attr(ref), attr("tandem:"+p.Type))
				continue
			}
			start, end := w.datum(id+"s", p.Text), w.datum(id+"e", closes[p.N])
			fmt.Fprintf(b, `<pc id=%s dataRefStart=%s dataRefEnd=%s type="fmt" subType=%s>`, attr(id), attr(start), attr(end), attr("tandem:"+p.Type))
		case inline.Close:
			b.WriteString("</pc>")
		}
	}
	return mine
}

// datum records the original text of a code once, and returns its id.
func (w *codeWriter) datum(id, text string) string {
	id = "d" + id
	for _, d := range w.data {
		if d.id == id {
			return id
		}
	}
	w.data = append(w.data, datum{id, text})
	return id
}

// originalData writes the unit's data, when it has any.
func (w *codeWriter) originalData(b *bytes.Buffer) {
	if len(w.data) == 0 {
		return
	}
	b.WriteString("      <originalData>\n")
	for _, d := range w.data {
		fmt.Fprintf(b, "        <data id=%s>%s</data>\n", attr(d.id), text(d.text))
	}
	b.WriteString("      </originalData>\n")
}

// restore is the text of XLIFF 2 inline content, with the original text
// of its codes put back from data. Text inside <pc> and <mrk> is kept;
// <ph>, <sc> and <ec> give their data.
func restore(innerXML string, data map[string]string) (string, error) {
	d := xml.NewDecoder(strings.NewReader("<x>" + innerXML + "</x>"))
	var b strings.Builder
	var ends []string
	ref := func(se xml.StartElement, name string) (string, error) {
		for _, a := range se.Attr {
			if a.Name.Local == name {
				v, ok := data[a.Value]
				if !ok {
					return "", fmt.Errorf("<%s> refers to data %q, which the unit does not have", se.Name.Local, a.Value)
				}
				return v, nil
			}
		}
		return "", nil
	}
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return b.String(), nil
		}
		if err != nil {
			return "", err
		}
		switch tok := tok.(type) {
		case xml.CharData:
			b.Write(tok)
		case xml.StartElement:
			switch tok.Name.Local {
			case "pc":
				start, err := ref(tok, "dataRefStart")
				if err != nil {
					return "", err
				}
				end, err := ref(tok, "dataRefEnd")
				if err != nil {
					return "", err
				}
				b.WriteString(start)
				ends = append(ends, end)
			case "ph", "sc", "ec":
				v, err := ref(tok, "dataRef")
				if err != nil {
					return "", err
				}
				b.WriteString(v)
			}
		case xml.EndElement:
			if tok.Name.Local == "pc" && len(ends) > 0 {
				b.WriteString(ends[len(ends)-1])
				ends = ends[:len(ends)-1]
			}
		}
	}
}

// write12 writes s as XLIFF 1.2 inline content: <bpt>/<ept> around marked
// text and <ph> for what stands alone, each holding the original text.
func write12(b *bytes.Buffer, s string) {
	for _, p := range inline.Split(s) {
		switch p.Kind {
		case inline.Text:
			b.WriteString(text(p.Text))
		case inline.Open:
			fmt.Fprintf(b, `<bpt id="%d" ctype=%s>%s</bpt>`, p.N, attr("x-"+p.Type), text(p.Text))
		case inline.Close:
			fmt.Fprintf(b, `<ept id="%d">%s</ept>`, p.N, text(p.Text))
		case inline.Standalone:
			fmt.Fprintf(b, `<ph id="%d" ctype=%s>%s</ph>`, p.N, attr("x-"+p.Type), text(p.Text))
		}
	}
}
