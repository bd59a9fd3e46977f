package xliff

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// XLIFF 1.2 (OASIS XLIFF Version 1.2), for the tools that read no XLIFF 2
// (translate-toolkit and OmegaT as Debian ships them read an XLIFF 2.1 file
// as empty, without an error). One <file>, one <group> per unit, one
// <trans-unit> per segment. The base of each segment travels in a
// tandem:base attribute, which XLIFF 1.2 allows from other namespaces and
// the tools keep.
const (
	NS12      = "urn:oasis:names:tc:xliff:document:1.2"
	Version12 = "1.2"
	// TandemNS is the namespace of Tandem's own attributes in XLIFF 1.2.
	TandemNS = "urn:tandem:xliff"
)

// The states of XLIFF 1.2 for the states of Doc (those of XLIFF 2), and
// back. A segment to review after a source change is
// needs-review-translation.
var (
	to12 = map[string]string{"initial": "needs-translation", "translated": "translated", "reviewed": "signed-off", "final": "final"}
	// from12 maps each 1.2 state to a Doc state and sub-state.
	from12 = map[string][2]string{
		"new": {"initial", ""}, "needs-translation": {"initial", ""},
		"needs-adaptation": {"translated", ""}, "needs-l10n": {"translated", ""}, "translated": {"translated", ""},
		"needs-review-translation": {"translated", needsReview}, "needs-review-adaptation": {"translated", needsReview},
		"needs-review-l10n": {"translated", needsReview},
		"signed-off":        {"reviewed", ""}, "final": {"final", ""},
	}
)

// needsReview is the sub-state of a segment whose source changed.
const needsReview = "tandem:needs-review"

// targetsSource is the value of the file's tandem:targets attribute when
// its targets are copies of their sources.
const targetsSource = "source"

// Write12 encodes d as XLIFF 1.2. With d.SourceTargets, every trans-unit
// has a target holding a copy of its source, codes included, with the
// segment's state, and the file says so in a tandem:targets attribute.
func Write12(w io.Writer, d *Doc) error {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	fmt.Fprintf(&b, "<xliff xmlns=%q xmlns:tandem=%q version=%q>\n", NS12, TandemNS, Version12)
	fmt.Fprintf(&b, "  <file original=%s source-language=%s target-language=%s datatype=\"plaintext\"",
		attr(OriginalPrefix+d.Article), attr(d.SrcLang), attr(d.TrgLang))
	if d.SourceTargets {
		fmt.Fprintf(&b, " tandem:targets=%q", targetsSource)
	}
	b.WriteString(">\n")
	if len(d.Notes) > 0 {
		b.WriteString("    <header>\n")
		for _, n := range d.Notes {
			fmt.Fprintf(&b, "      <note>%s</note>\n", text(n))
		}
		b.WriteString("    </header>\n")
	}
	b.WriteString("    <body>\n")
	for _, u := range d.Units {
		fmt.Fprintf(&b, "      <group id=%s", attr(u.ID))
		if u.Name != "" {
			fmt.Fprintf(&b, " resname=%s", attr(u.Name))
		}
		b.WriteString(">\n")
		for i, s := range u.Segments {
			fmt.Fprintf(&b, "        <trans-unit id=%s tandem:base=%s>\n", attr(s.ID), attr(s.Base))
			fmt.Fprintf(&b, "          <source xml:lang=%s>", attr(d.SrcLang))
			write12(&b, s.Source)
			b.WriteString("</source>\n")
			state := to12[s.State]
			if s.SubState == needsReview {
				state = "needs-review-translation"
			}
			switch {
			case d.SourceTargets:
				fmt.Fprintf(&b, "          <target xml:lang=%s state=%q>", attr(d.TrgLang), state)
				write12(&b, s.Source)
				b.WriteString("</target>\n")
			case s.Target != "" || state != "needs-translation":
				fmt.Fprintf(&b, "          <target xml:lang=%s state=%q>", attr(d.TrgLang), state)
				write12(&b, s.Target)
				b.WriteString("</target>\n")
			}
			if i == 0 {
				// Notes of 1.2 belong to a trans-unit: the unit's go to
				// its first.
				for _, n := range u.Notes {
					fmt.Fprintf(&b, "          <note>%s</note>\n", text(n))
				}
			}
			b.WriteString("        </trans-unit>\n")
		}
		b.WriteString("      </group>\n")
	}
	b.WriteString("    </body>\n  </file>\n</xliff>\n")
	_, err := w.Write(b.Bytes())
	return err
}

type x12Doc struct {
	XMLName xml.Name `xml:"xliff"`
	Version string   `xml:"version,attr"`
	Files   []struct {
		Original string `xml:"original,attr"`
		Targets  string `xml:"urn:tandem:xliff targets,attr"`
		SrcLang  string `xml:"source-language,attr"`
		TrgLang  string `xml:"target-language,attr"`
		Groups   []struct {
			ID     string    `xml:"id,attr"`
			Name   string    `xml:"resname,attr"`
			Units  []x12Unit `xml:"trans-unit"`
			Nested []x12Unit `xml:"group>trans-unit"`
		} `xml:"body>group"`
		Loose []x12Unit `xml:"body>trans-unit"`
	} `xml:"file"`
}

type x12Unit struct {
	ID     string  `xml:"id,attr"`
	Base   string  `xml:"urn:tandem:xliff base,attr"`
	Source content `xml:"source"`
	Target *target `xml:"target"`
}

type target struct {
	content
	State string `xml:"state,attr"`
}

// read12 decodes an XLIFF 1.2 document into a Doc, with the same checks as
// Read: one file naming an article, unique ids, known states.
func read12(data []byte) (*Doc, error) {
	var x x12Doc
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	if err := dec.Decode(&x); err != nil {
		return nil, fmt.Errorf("xliff: not a well-formed XLIFF document: %w", err)
	}
	var probs []Problem
	bad := func(path, format string, args ...any) {
		probs = append(probs, Problem{path, fmt.Sprintf(format, args...)})
	}
	if len(x.Files) != 1 {
		bad("xliff", "has %d <file> elements; a job is one file", len(x.Files))
		return nil, &ReadError{probs}
	}
	f := x.Files[0]
	d := &Doc{SrcLang: f.SrcLang, TrgLang: f.TrgLang}
	if !strings.HasPrefix(f.Original, OriginalPrefix) {
		bad("file", "original %q does not name a Tandem article", f.Original)
	}
	d.Article = strings.TrimPrefix(f.Original, OriginalPrefix)
	switch f.Targets {
	case "":
	case targetsSource:
		d.SourceTargets = true
	default:
		bad("file", "tandem:targets %q; want %q or none", f.Targets, targetsSource)
	}
	if len(f.Groups) == 0 && len(f.Loose) == 0 {
		bad("file", "has no trans-unit: an XLIFF 1.2 job has a group of trans-units per unit")
	}
	if len(f.Loose) > 0 {
		bad("body", "has %d trans-unit(s) outside a group; export the job again", len(f.Loose))
	}
	seen := map[string]bool{}
	for i, g := range f.Groups {
		path := fmt.Sprintf("group[%d]", i)
		if g.ID == "" || seen["u:"+g.ID] {
			bad(path, "id %q is missing or repeated", g.ID)
		}
		seen["u:"+g.ID] = true
		u := Unit{ID: g.ID, Name: g.Name}
		for j, xu := range append(g.Units, g.Nested...) {
			sp := fmt.Sprintf("%s.trans-unit[%d]", path, j)
			if xu.ID == "" || seen["s:"+xu.ID] {
				bad(sp, "id %q is missing or repeated", xu.ID)
			}
			seen["s:"+xu.ID] = true
			src, err := xu.Source.plain()
			if err != nil {
				bad(sp+".source", "%v", err)
			}
			s := Segment{ID: xu.ID, Source: src, State: "initial", Base: xu.Base}
			if xu.Target != nil {
				if s.Target, err = xu.Target.plain(); err != nil {
					bad(sp+".target", "%v", err)
				}
				st, ok := from12[xu.Target.State]
				switch {
				case xu.Target.State == "" && s.Target != "":
					st, ok = [2]string{"translated", ""}, true
				case xu.Target.State == "":
					st, ok = [2]string{"initial", ""}, true
				}
				if !ok {
					bad(sp+".target", "state %q is not a state of XLIFF 1.2", xu.Target.State)
				}
				s.State, s.SubState = st[0], st[1]
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
