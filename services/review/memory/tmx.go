package memory

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tandemnews/tandem/services/review/inline"
)

// Limits of a TMX file. docs/review.md lists them.
const (
	MaxTMXBytes = 32 << 20
	MaxTMXUnits = 200000
)

const tmxTime = "20060102T150405Z"

// TMX reading errors name the unit and line they are about.
type TMXError struct {
	Line    int
	Message string
}

func (e *TMXError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Message) }

// ImportTMX reads a TMX 1.4b file and returns its pairs of sourceLang
// (matched by primary language: "zh" matches "zh-CN") and targetLang.
// Inline codes (bpt, ept, ph, it, ut) are dropped, highlighted text (hi,
// sub) kept, except in a file Tandem wrote (creationtool Tandem): there
// the codes hold Markdown marks, which are put back. A unit without both
// languages is skipped and counted.
func ImportTMX(r io.Reader, sourceLang, targetLang string) (entries []Entry, skipped int, err error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxTMXBytes+1))
	if err != nil {
		return nil, 0, err
	}
	if len(data) > MaxTMXBytes {
		return nil, 0, fmt.Errorf("the TMX file is larger than %d bytes", MaxTMXBytes)
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	line := func() int { l, _ := d.InputPos(); return l }
	var (
		sawTMX, inBody, ours bool
		tu                   *tuState
		errs                 []error
	)
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, 0, &TMXError{Line: line(), Message: err.Error()}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "tmx":
				sawTMX = true
				if v := attr(t, "version"); v != "" && !strings.HasPrefix(v, "1.") {
					return nil, 0, &TMXError{Line: line(), Message: fmt.Sprintf("TMX version %q; want 1.4", v)}
				}
			case "header":
				ours = attr(t, "creationtool") == tmxTool
			case "body":
				inBody = true
			case "tu":
				if !inBody {
					continue
				}
				tu = &tuState{line: line(), id: attr(t, "tuid"), by: attr(t, "creationid"), date: attr(t, "changedate")}
				if tu.date == "" {
					tu.date = attr(t, "creationdate")
				}
			case "prop":
				if tu != nil && attr(t, "type") == "x-article" {
					var v string
					if err := d.DecodeElement(&v, &t); err != nil {
						return nil, 0, &TMXError{Line: line(), Message: err.Error()}
					}
					tu.article = strings.TrimSpace(v)
				}
			case "tuv":
				if tu != nil {
					tu.lang = attr(t, "lang")
				}
			case "seg":
				if tu == nil {
					continue
				}
				text, err := segText(d, ours)
				if err != nil {
					return nil, 0, &TMXError{Line: line(), Message: err.Error()}
				}
				switch {
				case sameLanguage(tu.lang, sourceLang) && tu.source == "":
					tu.source = text
				case sameLanguage(tu.lang, targetLang) && tu.target == "":
					tu.target = text
				}
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "tu":
				if tu == nil {
					continue
				}
				if strings.TrimSpace(tu.source) == "" || strings.TrimSpace(tu.target) == "" {
					skipped++
				} else {
					e := Entry{Source: tu.source, Target: tu.target, SourceLang: sourceLang, TargetLang: targetLang, Article: tu.article, Translator: tu.by}
					if tu.date != "" {
						at, err := time.Parse(tmxTime, tu.date)
						if err != nil {
							errs = append(errs, &TMXError{Line: tu.line, Message: fmt.Sprintf("date %q is not YYYYMMDDThhmmssZ", tu.date)})
						}
						e.Date = at
					}
					entries = append(entries, e)
					if len(entries) > MaxTMXUnits {
						return nil, 0, fmt.Errorf("the TMX file has more than %d units", MaxTMXUnits)
					}
				}
				tu = nil
			case "body":
				inBody = false
			}
		}
	}
	if !sawTMX {
		return nil, 0, errors.New("not a TMX file: no <tmx> element")
	}
	if len(errs) > 0 {
		return nil, 0, errors.Join(errs...)
	}
	return entries, skipped, nil
}

type tuState struct {
	line               int
	id, by, date, lang string
	article            string
	source, target     string
}

func attr(e xml.StartElement, name string) string {
	for _, a := range e.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// segText reads the content of a <seg> up to its end: text and the text of
// hi and sub; the native codes inside bpt, ept, ph, it and ut are dropped
// unless keepCodes is set.
func segText(d *xml.Decoder, keepCodes bool) (string, error) {
	var b strings.Builder
	depth, skip := 0, 0
	for {
		tok, err := d.Token()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch t.Name.Local {
			case "bpt", "ept", "ph", "it", "ut":
				skip++
			}
		case xml.EndElement:
			if depth == 0 {
				return b.String(), nil // </seg>
			}
			depth--
			switch t.Name.Local {
			case "bpt", "ept", "ph", "it", "ut":
				skip--
			}
		case xml.CharData:
			if skip == 0 || keepCodes {
				b.Write(t)
			}
		}
	}
}

// sameLanguage compares language tags by their primary language.
func sameLanguage(a, b string) bool {
	p := func(s string) string {
		s = strings.ToLower(s)
		if i := strings.IndexAny(s, "-_"); i >= 0 {
			s = s[:i]
		}
		return s
	}
	return a != "" && p(a) == p(b)
}

// ExportTMX writes entries as a TMX 1.4b file.
func ExportTMX(w io.Writer, entries []Entry, sourceLang string) error {
	type seg struct {
		Inner string `xml:",innerxml"`
	}
	type tuv struct {
		Lang string `xml:"xml:lang,attr"`
		Seg  seg    `xml:"seg"`
	}
	type prop struct {
		Type  string `xml:"type,attr"`
		Value string `xml:",chardata"`
	}
	type tu struct {
		CreationDate string `xml:"creationdate,attr,omitempty"`
		CreationID   string `xml:"creationid,attr,omitempty"`
		Props        []prop `xml:"prop"`
		Tuvs         []tuv  `xml:"tuv"`
	}
	type header struct {
		CreationTool        string `xml:"creationtool,attr"`
		CreationToolVersion string `xml:"creationtoolversion,attr"`
		SegType             string `xml:"segtype,attr"`
		OTMF                string `xml:"o-tmf,attr"`
		AdminLang           string `xml:"adminlang,attr"`
		SrcLang             string `xml:"srclang,attr"`
		DataType            string `xml:"datatype,attr"`
	}
	type tmx struct {
		XMLName xml.Name `xml:"tmx"`
		Version string   `xml:"version,attr"`
		Header  header   `xml:"header"`
		Body    []tu     `xml:"body>tu"`
	}
	doc := tmx{Version: "1.4", Header: header{
		CreationTool: tmxTool, CreationToolVersion: "1", SegType: "sentence", OTMF: "tandem",
		AdminLang: "en", SrcLang: sourceLang, DataType: "plaintext",
	}}
	for _, e := range entries {
		u := tu{CreationID: e.Translator, Tuvs: []tuv{{Lang: e.SourceLang, Seg: seg{codes(e.Source)}}, {Lang: e.TargetLang, Seg: seg{codes(e.Target)}}}}
		if !e.Date.IsZero() {
			u.CreationDate = e.Date.UTC().Format(tmxTime)
		}
		if e.Article != "" {
			u.Props = append(u.Props, prop{Type: "x-article", Value: e.Article})
		}
		doc.Body = append(doc.Body, u)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// tmxTool is the creationtool of the files Tandem writes.
const tmxTool = "Tandem"

// codes is s as the content of a TMX <seg>: its Markdown marks as inline
// codes holding them, <bpt>/<ept> around marked text and <ph> for what
// stands alone (code spans, images, autolinks), so a tool protects them.
func codes(s string) string {
	var b strings.Builder
	esc := func(t string) {
		var e bytes.Buffer
		xml.EscapeText(&e, []byte(t))
		b.Write(e.Bytes())
	}
	for _, p := range inline.Split(s) {
		switch p.Kind {
		case inline.Text:
			esc(p.Text)
		case inline.Open:
			fmt.Fprintf(&b, `<bpt i="%d" type="%s">`, p.N, tmxType(p.Type))
			esc(p.Text)
			b.WriteString("</bpt>")
		case inline.Close:
			fmt.Fprintf(&b, `<ept i="%d">`, p.N)
			esc(p.Text)
			b.WriteString("</ept>")
		case inline.Standalone:
			fmt.Fprintf(&b, `<ph x="%d" type="%s">`, p.N, tmxType(p.Type))
			esc(p.Text)
			b.WriteString("</ph>")
		}
	}
	return b.String()
}

// tmxType is the TMX type of a code: bold, italic and link are TMX's own,
// the others Tandem's (x-).
func tmxType(t string) string {
	switch t {
	case "bold", "italic", "link":
		return t
	}
	return "x-" + t
}
