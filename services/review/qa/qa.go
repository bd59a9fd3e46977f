// Package qa holds the quality checks run on every translated segment:
// completeness, numbers, glossary, punctuation and spacing, consistency
// and length. A check reports findings a translator can act on, each with
// its check id, severity, message and the character offsets it points at.
package qa

import (
	"fmt"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hbollon/go-edlib"

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
	var src, tgt []Number
	if isChinese(f.seg.SourceLang) {
		src = ChineseNumbers(f.seg.Source)
	} else {
		src = EnglishNumbers(f.seg.Source)
	}
	if isChinese(f.seg.TargetLang) {
		tgt = ChineseNumbers(f.seg.Target)
	} else {
		tgt = EnglishNumbers(f.seg.Target)
	}
	m := Compare(src, tgt)
	if len(m.Missing) == 0 && len(m.Extra) == 0 {
		return
	}
	var parts []string
	var spans []Span
	for _, n := range m.Missing {
		what := show(n)
		if n.Text != n.Key {
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

func (c *Checker) glossary(f *findings) {
	if c.Glossary == nil {
		return
	}
	t := f.seg.Target
	seen := map[string]bool{}
	for _, h := range c.Glossary.InSource(f.seg.Source) {
		term := h.Term
		if seen[term.Key()] {
			continue
		}
		seen[term.Key()] = true
		occ := glossary.FindTarget(term, t)
		if term.Forbidden {
			c.forbidden(f, term, occ)
			continue
		}
		for _, o := range occ {
			if o.RunTogether {
				f.add(CheckGlossaryJoined, Warning,
					fmt.Sprintf("the glossary term %q runs into the word next to it: %q", o.Variant, around(t, o.Start, o.End)),
					f.target(o.Start, o.End))
			}
		}
		if len(occ) > 0 {
			continue
		}
		if word, start, end, ok := nearMiss(term, t); ok {
			f.add(CheckGlossaryNearMiss, Warning,
				fmt.Sprintf("%q looks like a misspelling of the glossary term %q (for %s)", word, term.Targets[0], term.Source),
				f.source(h.Start, h.End), f.target(start, end))
			continue
		}
		f.add(CheckGlossaryMissing, Warning,
			fmt.Sprintf("the glossary translates %s as %s, which the target does not use", term.Source, quoteAll(term.Targets)),
			f.source(h.Start, h.End))
	}
	for _, term := range c.Glossary.Everywhere() {
		c.forbidden(f, term, glossary.FindTarget(term, t))
	}
}

func (c *Checker) forbidden(f *findings, term glossary.Term, occ []glossary.Occurrence) {
	for _, o := range occ {
		if o.RunTogether {
			continue
		}
		msg := fmt.Sprintf("%q is a forbidden term", o.Variant)
		if term.Note != "" {
			msg += ": " + term.Note
		}
		f.add(CheckGlossaryForbid, Error, msg, f.target(o.Start, o.End))
	}
}

func quoteAll(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, " or ")
}

// around is the word an occurrence is glued into.
func around(t string, start, end int) string {
	for start > 0 {
		r, size := utf8.DecodeLastRuneInString(t[:start])
		if unicode.IsSpace(r) {
			break
		}
		start -= size
	}
	for end < len(t) {
		r, size := utf8.DecodeRuneInString(t[end:])
		if unicode.IsSpace(r) {
			break
		}
		end += size
	}
	return strings.Trim(t[start:end], ".,;:!?\"'()")
}

// word is a run of letters, digits, apostrophes and hyphens, with its byte
// offsets.
type word struct {
	text       string
	start, end int
}

func words(s string) []word {
	var out []word
	start := -1
	for i, r := range s {
		in := unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'' || r == '-'
		switch {
		case in && start < 0:
			start = i
		case !in && start >= 0:
			out = append(out, word{s[start:i], start, i})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, word{s[start:], start, len(s)})
	}
	return out
}

// nearMiss looks for a run of words in t as long as one of the term's
// variants and within a small edit distance of it: one edit for a variant
// up to 8 letters, two beyond.
func nearMiss(term glossary.Term, t string) (string, int, int, bool) {
	ws := words(t)
	for _, v := range term.Targets {
		n := len(words(v))
		if n == 0 || utf8.RuneCountInString(v) < 4 {
			continue
		}
		limit := 1
		if utf8.RuneCountInString(v) > 8 {
			limit = 2
		}
		want := strings.ToLower(v)
		for i := 0; i+n <= len(ws); i++ {
			start, end := ws[i].start, ws[i+n-1].end
			got := strings.ToLower(t[start:end])
			if d := edlib.OSADamerauLevenshteinDistance(got, want); d > 0 && d <= limit {
				return t[start:end], start, end, true
			}
		}
	}
	return "", 0, 0, false
}

// fullWidth is Chinese punctuation that has no place in English text.
const fullWidth = "，。：；！？（）“”、《》【】"

// ends maps closing punctuation to the class that is compared: 。 and .
// are the same sentence end.
var ends = map[rune]rune{
	'.': '.', '。': '.', '!': '!', '！': '!', '?': '?', '？': '?',
	':': ':', '：': ':', ';': ';', '；': ';', '…': '…',
}

var pairs = [][2]rune{{'(', ')'}, {'[', ']'}, {'{', '}'}, {'“', '”'}, {'‘', '’'}}

func (c *Checker) punctuation(f *findings) {
	t := f.seg.Target
	if !isChinese(f.seg.TargetLang) {
		var spans []Span
		var marks []string
		for i, r := range t {
			if strings.ContainsRune(fullWidth, r) {
				spans = append(spans, f.target(i, i+utf8.RuneLen(r)))
				marks = append(marks, string(r))
			}
		}
		if len(spans) > 0 {
			f.add(CheckFullWidth, Warning, "full-width punctuation in the English: "+strings.Join(marks, " "), spans...)
		}
	}
	for _, p := range pairs {
		if spans := unpaired(t, p[0], p[1]); len(spans) > 0 {
			open, close := strings.Count(t, string(p[0])), strings.Count(t, string(p[1]))
			var where []Span
			for _, sp := range spans {
				where = append(where, f.target(sp[0], sp[1]))
			}
			f.add(CheckUnbalanced, Warning, fmt.Sprintf("%d %q but %d %q", open, p[0], close, p[1]), where...)
		}
	}
	if n := strings.Count(t, `"`); n%2 != 0 {
		last := strings.LastIndex(t, `"`)
		f.add(CheckUnbalanced, Warning, fmt.Sprintf("an odd number (%d) of double quotes", n), f.target(last, last+1))
	}
	se, te := endClass(f.seg.Source), endClass(t)
	if se != te && !(se == ';' && te == '.') {
		var spans []Span
		if tt := strings.TrimRightFunc(t, unicode.IsSpace); tt != "" {
			_, size := utf8.DecodeLastRuneInString(tt)
			spans = append(spans, f.target(len(tt)-size, len(tt)))
		}
		f.add(CheckEndPunctuation, Warning, fmt.Sprintf("the source ends with %s, the target with %s", describe(se), describe(te)), spans...)
	}
}

// unpaired returns the byte ranges of the opening and closing marks of t
// that have no partner.
func unpaired(t string, open, close rune) [][2]int {
	var stack, lone [][2]int
	for i, r := range t {
		switch r {
		case open:
			stack = append(stack, [2]int{i, i + utf8.RuneLen(r)})
		case close:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			} else {
				lone = append(lone, [2]int{i, i + utf8.RuneLen(r)})
			}
		}
	}
	return append(lone, stack...)
}

// endClass is the class of the sentence-ending mark of s, looking past
// closing quotes and brackets; 0 when s ends without one.
func endClass(s string) rune {
	s = strings.TrimRightFunc(s, unicode.IsSpace)
	s = strings.TrimRight(s, `"')]”’」』）》】`)
	if strings.HasSuffix(s, "...") {
		return '…'
	}
	r, _ := utf8.DecodeLastRuneInString(s)
	return ends[r]
}

func describe(r rune) string {
	switch r {
	case 0:
		return "no punctuation"
	case '…':
		return "an ellipsis"
	}
	return fmt.Sprintf("%q", r)
}

func (c *Checker) spacing(f *findings) {
	t := f.seg.Target
	trimmed := strings.TrimSpace(t)
	if trimmed != t {
		var spans []Span
		if lead := len(t) - len(strings.TrimLeftFunc(t, unicode.IsSpace)); lead > 0 {
			spans = append(spans, f.target(0, lead))
		}
		if trail := len(strings.TrimRightFunc(t, unicode.IsSpace)); trail < len(t) && trimmed != "" {
			spans = append(spans, f.target(trail, len(t)))
		}
		f.add(CheckEdgeSpace, Warning, "the target starts or ends with a space", spans...)
	}
	// Runs of two or more spaces inside the text.
	inner := strings.TrimSpace(t)
	offset := strings.Index(t, inner)
	var spans []Span
	var where []string
	for i := 0; i < len(inner); {
		j := strings.Index(inner[i:], "  ")
		if j < 0 {
			break
		}
		start := i + j
		end := start
		for end < len(inner) && inner[end] == ' ' {
			end++
		}
		spans = append(spans, f.target(offset+start, offset+end))
		where = append(where, fmt.Sprintf("%q", context(inner, start, end)))
		i = end
	}
	if len(spans) > 0 {
		f.add(CheckDoubleSpace, Warning, "double space in "+strings.Join(where, ", "), spans...)
	}
}

// context is the text around a run of spaces, two words each side, for
// messages.
func context(s string, start, end int) string {
	from := start
	for words := 0; from > 0; from-- {
		if s[from-1] == ' ' && from < start && s[from] != ' ' {
			if words++; words == 2 {
				break
			}
		}
	}
	to := end
	for words := 0; to < len(s); to++ {
		if s[to] == ' ' && to > end && s[to-1] != ' ' {
			if words++; words == 2 {
				break
			}
		}
	}
	return s[from:to]
}

func (c *Checker) repeated(f *findings) {
	t := f.seg.Target
	ws := words(t)
	for i := 1; i < len(ws); i++ {
		a, b := ws[i-1], ws[i]
		if !strings.EqualFold(a.text, b.text) || !hasLetters(a.text) {
			continue
		}
		if capitalised(a.text) && capitalised(b.text) {
			continue // a name: Chen Chen, Sun Sun
		}
		if strings.TrimSpace(t[a.end:b.start]) != "" {
			continue // "very, very" has punctuation between
		}
		f.add(CheckRepeatedWord, Warning, fmt.Sprintf("%q twice in a row", b.text), f.target(a.start, b.end))
	}
}

func capitalised(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsUpper(r)
}

// Normalize is how translations are compared for consistency: trimmed,
// with runs of space made one.
func Normalize(s string) string { return strings.Join(strings.Fields(s), " ") }

func (c *Checker) consistency(f *findings, others []string) {
	// Case is not an inconsistency: "library" as a keyword and "Library"
	// as the office are the same translation.
	mine := strings.ToLower(Normalize(f.seg.Target))
	seen := map[string]bool{}
	for _, o := range others {
		o = Normalize(o)
		k := strings.ToLower(o)
		if o == "" || k == mine || seen[k] {
			continue
		}
		seen[k] = true
		f.add(CheckInconsistent, Warning, fmt.Sprintf("the same source is translated elsewhere as %q", o), f.target(0, len(f.seg.Target)))
	}
}

// Ratio describes how long translations are against their sources: the
// running mean and spread of the natural log of target characters over
// source characters, from N approved segments (Welford's method).
type Ratio struct {
	N    int
	Mean float64
	M2   float64
}

// SD is the standard deviation.
func (r Ratio) SD() float64 {
	if r.N < 2 {
		return 0
	}
	return math.Sqrt(r.M2 / float64(r.N-1))
}

// MinRatioSamples is how many approved segments the ratio check needs
// before it trusts them over the default band.
const MinRatioSamples = 30

// defaultMean and defaultSD are used until enough segments are approved:
// English is usually two to five times as many characters as the Chinese
// it translates.
var defaultMean, defaultSD = math.Log(3.2), 0.4

// minRatioRunes is the shortest source the ratio check judges; headings
// and names vary too much.
const minRatioRunes = 12

// RatioOf is the statistic a ratio is made of, for one segment pair.
func RatioOf(source, target string) (float64, bool) {
	s, t := utf8.RuneCountInString(strings.TrimSpace(source)), utf8.RuneCountInString(strings.TrimSpace(target))
	if s < minRatioRunes || t == 0 {
		return 0, false
	}
	return math.Log(float64(t) / float64(s)), true
}

// Add folds one approved pair's statistic into r.
func (r *Ratio) Add(x float64) {
	r.N++
	d := x - r.Mean
	r.Mean += d / float64(r.N)
	r.M2 += d * (x - r.Mean)
}

func (c *Checker) length(f *findings) {
	x, ok := RatioOf(f.seg.Source, f.seg.Target)
	if !ok {
		return
	}
	mean, sd := c.Ratio.Mean, c.Ratio.SD()
	if c.Ratio.N < MinRatioSamples || sd <= 0 {
		mean, sd = defaultMean, defaultSD
	}
	// Four standard deviations, never narrower than a fixed floor: only
	// what is far outside the usual.
	sd = max(sd, 0.15)
	lo, hi := mean-4*sd, mean+4*sd
	if x < lo || x > hi {
		want := fmt.Sprintf("%.1f to %.1f", math.Exp(lo), math.Exp(hi))
		f.add(CheckLengthRatio, Info, fmt.Sprintf("the target is %.1f times the length of the source; approved translations are %s times", math.Exp(x), want), f.target(0, len(f.seg.Target)))
	}
}
