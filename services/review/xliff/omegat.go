package xliff

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/tandemnews/tandem/services/review/inline"
)

// OmegaT translates the targets of a file written with SourceTargets, and
// fills from the TMX files of a project's tm/auto the segments whose
// source it finds there exactly. It shows the codes of a segment as tags
// of its own, <f0>…</f0> and <m1/>: a letter, the first letter the code's
// text holds (f when none), and a number counting the codes from 0 in
// order, an end code taking its start's. It reads an outside TMX's own
// codes as nothing (unless told otherwise), so a sentence with marks
// matches only when the TMX holds these tags as text. WriteOmegaTTMX
// writes them so.

// WriteOmegaTTMX writes, as a TMX 1.4b file for OmegaT's tm/auto, the
// segments of d that have a target, but those whose source changed (their
// target is of another sentence), with their codes as OmegaT names them in
// the file Write12 makes of d. A segment whose target has a code its
// source has not (same kind and marks) is left out: OmegaT could not put
// it back.
func WriteOmegaTTMX(w io.Writer, d *Doc) error {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	fmt.Fprintf(&b, "<tmx version=\"1.4\">\n  <header creationtool=\"Tandem\" creationtoolversion=\"1\" segtype=\"sentence\" o-tmf=\"tandem\" adminlang=\"en\" srclang=%s datatype=\"plaintext\"/>\n  <body>\n", attr(d.SrcLang))
	for _, u := range d.Units {
		for _, s := range u.Segments {
			if s.Target == "" || s.SubState == needsReview {
				continue
			}
			src, trg, ok := omegatPair(s.Source, s.Target)
			if !ok {
				continue
			}
			fmt.Fprintf(&b, "    <tu>\n      <tuv xml:lang=%s><seg>%s</seg></tuv>\n      <tuv xml:lang=%s><seg>%s</seg></tuv>\n    </tu>\n",
				attr(d.SrcLang), text(src), attr(d.TrgLang), text(trg))
		}
	}
	b.WriteString("  </body>\n</tmx>\n")
	_, err := w.Write(b.Bytes())
	return err
}

// omegatPair is source and target with their codes as OmegaT's tags, the
// target's codes numbered as the same codes of the source. ok is false
// when the target has a code the source has not.
func omegatPair(source, target string) (src, trg string, ok bool) {
	tags := map[code][]string{} // the source's tags of each code, in order
	src, _ = omegatText(source, func(k code, next int) (string, bool) {
		tag := fmt.Sprintf("%c%d", omegatLetter(k.open), next)
		tags[k] = append(tags[k], tag)
		return tag, true
	})
	used := map[code]int{}
	trg, ok = omegatText(target, func(k code, _ int) (string, bool) {
		if used[k] >= len(tags[k]) {
			return "", false
		}
		used[k]++
		return tags[k][used[k]-1], true
	})
	return src, trg, ok
}

// omegatText is s with each code replaced by the tag name returns for
// it, given the number of codes before it.
func omegatText(s string, name func(k code, next int) (string, bool)) (string, bool) {
	ps := inline.Split(s)
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
	var b strings.Builder
	open := map[int]string{}
	next := 0
	for _, p := range ps {
		switch p.Kind {
		case inline.Text:
			b.WriteString(p.Text)
		case inline.Open, inline.Standalone:
			tag, ok := name(code{p.Type, p.Text, closes[p.N]}, next)
			if !ok {
				return "", false
			}
			next++
			if p.Kind == inline.Standalone {
				b.WriteString("<" + tag + "/>")
				continue
			}
			open[p.N] = tag
			b.WriteString("<" + tag + ">")
		case inline.Close:
			b.WriteString("</" + open[p.N] + ">")
		}
	}
	return b.String(), true
}

// omegatLetter is the letter of OmegaT's tag for a code whose text is s.
func omegatLetter(s string) rune {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return unicode.ToLower(r)
		}
	}
	return 'f'
}
