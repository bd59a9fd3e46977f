package qa

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The checks of how the English is written: punctuation, spacing,
// repeated words and consistency with earlier translations.

// wrongInEnglish reports whether r at i of t is punctuation English never
// uses: the CJK symbols and punctuation block (、。「」《》【】, the
// ideographic space), the full-width forms of ASCII (，：；！？（）Ａ１), the
// other half- and full-width forms, and the Chinese ellipsis …… (two
// ellipses in a row). English typographic quotes, apostrophes, dashes and
// a single ellipsis are English, and are not reported.
func wrongInEnglish(t string, i int, r rune) bool {
	switch {
	case r >= 0x3000 && r <= 0x303F && r != 0x3003: // 〃 is a ditto mark
		return true
	case r >= 0xFF01 && r <= 0xFF65, r >= 0xFFE0 && r <= 0xFFEE:
		return true
	case r >= 0xFE10 && r <= 0xFE1F, r >= 0xFE30 && r <= 0xFE4F: // vertical and compatibility forms
		return true
	case r == '…':
		return strings.HasPrefix(t[i+len("…"):], "…") || strings.HasSuffix(t[:i], "…")
	}
	return false
}

// ends maps closing punctuation to the class that is compared: 。 and .
// are the same sentence end.
var ends = map[rune]rune{
	'.': '.', '。': '.', '!': '!', '！': '!', '?': '?', '？': '?',
	':': ':', '：': ':', ';': ';', '；': ';', '…': '…',
}

var pairs = [][2]rune{{'(', ')'}, {'[', ']'}, {'{', '}'}, {'“', '”'}}

func (c *Checker) punctuation(f *findings) {
	t := f.seg.Target
	if !isChinese(f.seg.TargetLang) {
		var spans []Span
		var marks []string
		for i, r := range t {
			if wrongInEnglish(t, i, r) {
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
