// Package qa holds the quality checks run on every translated segment:
// completeness, numbers, glossary, punctuation and spacing, consistency
// and length. A check reports findings a translator can act on, each with
// its check id, severity, message and the character offsets it points at.
package qa

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tandemnews/tandem/services/review/glossary"
)

// Severity says how much a finding matters. Errors block approval unless
// the approver overrides them with a reason.
type Severity int

// Severities, least to most serious.
const (
	Info Severity = iota + 1
	Warning
	Error
)

func (s Severity) String() string {
	switch s {
	case Info:
		return "info"
	case Warning:
		return "warning"
	case Error:
		return "error"
	}
	return "unknown"
}

// Check ids. They are stable: dismissals and clients refer to them.
const (
	CheckEmpty            = "empty"
	CheckSameAsSource     = "same-as-source"
	CheckHanInTarget      = "han-in-target"
	CheckNumbers          = "numbers"
	CheckGlossaryMissing  = "glossary-missing"
	CheckGlossaryForbid   = "glossary-forbidden"
	CheckGlossaryJoined   = "glossary-run-together"
	CheckGlossaryNearMiss = "glossary-near-miss"
	CheckFullWidth        = "fullwidth-punctuation"
	CheckDoubleSpace      = "double-space"
	CheckEdgeSpace        = "edge-space"
	CheckUnbalanced       = "unbalanced"
	CheckRepeatedWord     = "repeated-word"
	CheckEndPunctuation   = "end-punctuation"
	CheckInconsistent     = "inconsistent"
	CheckLengthRatio      = "length-ratio"
	CheckName             = "name"
	CheckLinks            = "links"
	CheckMarkup           = "markup"
	CheckSpelling         = "spelling"
)

// Checks lists every check id with what it looks for, for help texts.
var Checks = []struct{ ID, About string }{
	{CheckEmpty, "the target is empty"},
	{CheckSameAsSource, "the target is the source, unchanged"},
	{CheckHanInTarget, "Chinese characters left in the English"},
	{CheckNumbers, "a number of the source is missing from the target, or the target has one the source lacks"},
	{CheckGlossaryMissing, "a glossary term of the source is not translated with one of its variants"},
	{CheckGlossaryForbid, "a forbidden term is used"},
	{CheckGlossaryJoined, "a glossary term is run into the word next to it"},
	{CheckGlossaryNearMiss, "a word is a near miss of the glossary term (a misspelling)"},
	{CheckFullWidth, "full-width Chinese punctuation in the English"},
	{CheckDoubleSpace, "two or more spaces in a row"},
	{CheckEdgeSpace, "space at the start or end"},
	{CheckUnbalanced, "brackets or quotes that do not pair up"},
	{CheckRepeatedWord, "the same word twice in a row"},
	{CheckEndPunctuation, "the sentence ends with different punctuation than the source"},
	{CheckInconsistent, "the same source is translated differently elsewhere in the job or in memory"},
	{CheckLengthRatio, "the target is far shorter or longer than translations usually are"},
	{CheckName, "a person's or organisation's name of the glossary cut short, misspelt, turned round or missing"},
	{CheckLinks, "a link, web address or e-mail address differs between source and target"},
	{CheckMarkup, "bold, italic or code marks that do not pair up, or differ from the source's"},
	{CheckSpelling, "a common English misspelling"},
}

// Side says which text a span points into.
type Side int

// The two sides of a segment.
const (
	Source Side = iota + 1
	Target
)

// Span is a range of characters (Unicode code points, not bytes) in one
// side of a segment.
type Span struct {
	Side       Side
	Start, End int
}

// Finding is one problem found in a segment.
type Finding struct {
	Check    string
	Severity Severity
	Message  string
	Spans    []Span
}

// Segment is what the checks read: one source sentence (or block) and its
// translation.
type Segment struct {
	Source, Target         string
	SourceLang, TargetLang string
}

// Checker runs the checks with the job's surroundings: the glossary, the
// translations the same source has elsewhere, and the length ratios of
// approved segments.
type Checker struct {
	Glossary *glossary.Glossary
	Ratio    Ratio
}

// Check runs every check on seg. others are the translations the same
// source text has elsewhere in the job or in memory.
func (c *Checker) Check(seg Segment, others []string) []Finding {
	f := &findings{seg: seg}
	src, tgt := seg.Source, seg.Target
	if strings.TrimSpace(tgt) == "" {
		if strings.TrimSpace(src) != "" {
			f.add(CheckEmpty, Error, "the segment is not translated yet", f.source(0, len(src)))
		}
		return f.out
	}
	if strings.TrimSpace(tgt) == strings.TrimSpace(src) && hasLetters(src) {
		f.add(CheckSameAsSource, Error, "the target is the source text, unchanged", f.target(0, len(tgt)))
		return f.out
	}
	c.han(f)
	c.numbers(f)
	c.glossary(f)
	c.punctuation(f)
	c.links(f)
	c.markup(f)
	c.spelling(f)
	c.spacing(f)
	c.repeated(f)
	c.consistency(f, others)
	c.length(f)
	return f.out
}

type findings struct {
	seg Segment
	out []Finding
}

func (f *findings) add(check string, sev Severity, msg string, spans ...Span) {
	f.out = append(f.out, Finding{Check: check, Severity: sev, Message: msg, Spans: spans})
}

// target and source turn byte offsets into a span of characters.
func (f *findings) target(start, end int) Span { return span(Target, f.seg.Target, start, end) }
func (f *findings) source(start, end int) Span { return span(Source, f.seg.Source, start, end) }

func span(side Side, s string, start, end int) Span {
	a := utf8.RuneCountInString(s[:start])
	return Span{Side: side, Start: a, End: a + utf8.RuneCountInString(s[start:end])}
}

func hasLetters(s string) bool {
	return strings.IndexFunc(s, unicode.IsLetter) >= 0
}

func (c *Checker) han(f *findings) {
	t := f.seg.Target
	var spans []Span
	var runs []string
	for i := 0; i < len(t); {
		r, size := utf8.DecodeRuneInString(t[i:])
		if !unicode.Is(unicode.Han, r) {
			i += size
			continue
		}
		j := i
		for j < len(t) {
			r, s := utf8.DecodeRuneInString(t[j:])
			if !unicode.Is(unicode.Han, r) {
				break
			}
			j += s
		}
		spans = append(spans, f.target(i, j))
		runs = append(runs, t[i:j])
		i = j
	}
	if len(spans) > 0 {
		f.add(CheckHanInTarget, Error, fmt.Sprintf("Chinese left in the English: %s", strings.Join(runs, ", ")), spans...)
	}
}

func (c *Checker) numbers(f *findings) {
	// The digits of addresses are the links check's.
	s, t := withoutAddresses(f.seg.Source), withoutAddresses(f.seg.Target)
	var src, tgt []Number
	if isChinese(f.seg.SourceLang) {
		src = ChineseNumbers(s)
	} else {
		src = EnglishNumbers(s)
	}
	if isChinese(f.seg.TargetLang) {
		tgt = ChineseNumbers(t)
	} else {
		tgt = EnglishNumbers(t)
	}
	m := Compare(src, tgt)
	if len(m.Missing) == 0 && len(m.Extra) == 0 {
		return
	}
	var parts []string
	var spans []Span
	for _, n := range m.Missing {
		what := show(n)
		if !strings.HasSuffix(what, " "+n.Text) && what != n.Text {
			what += fmt.Sprintf(" (%s)", n.Text)
		}
		parts = append(parts, what+" is in the source but not in the target")
		spans = append(spans, f.source(n.Start, n.End))
	}
	for _, n := range m.Extra {
		parts = append(parts, fmt.Sprintf("%s is in the target but not in the source", n.Text))
		spans = append(spans, f.target(n.Start, n.End))
	}
	f.add(CheckNumbers, Error, "numbers differ: "+strings.Join(parts, "; "), spans...)
}

// show is how a number reads in a message.
func show(n Number) string {
	switch n.Key[0] {
	case 't':
		return "the time " + n.Key[1:]
	case 'p':
		return "the phone number " + n.Key[1:]
	}
	return n.Key
}

func isChinese(lang string) bool { return lang == "zh" || strings.HasPrefix(lang, "zh-") }
