package qa

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/golangci/misspell"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
)

// The checks of what must travel unchanged: links, web and e-mail
// addresses and Markdown inline marks; and the spelling of the English.

var (
	// webAddress is a URL with its scheme or starting www., of the
	// characters a URL may hold unescaped (so it ends where Chinese
	// text begins).
	webAddress = regexp.MustCompile(`(?i)\b(?:(?:https?|ftp)://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+`)
	// mailAddress is an e-mail address.
	mailAddress = regexp.MustCompile(`\b[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}\b`)
)

// address is a link, web address or e-mail address in a text, with its
// byte offsets.
type address struct {
	text       string
	start, end int
}

// addresses finds the web and e-mail addresses of s, including the
// destinations of Markdown links, in order. Punctuation that ends a
// sentence after an address is not part of it.
func addresses(s string) []address {
	var out []address
	for _, m := range webAddress.FindAllStringIndex(s, -1) {
		a := trimAddress(s[m[0]:m[1]])
		out = append(out, address{a, m[0], m[0] + len(a)})
	}
	for _, m := range mailAddress.FindAllStringIndex(s, -1) {
		if slices.ContainsFunc(out, func(a address) bool { return m[0] < a.end && a.start < m[1] }) {
			continue // user@host inside a URL
		}
		out = append(out, address{s[m[0]:m[1]], m[0], m[1]})
	}
	slices.SortFunc(out, func(a, b address) int { return a.start - b.start })
	return out
}

// trimAddress drops the sentence punctuation after a URL, and a closing
// bracket it did not open (a Markdown link's, or the sentence's).
func trimAddress(a string) string {
	for {
		b := strings.TrimRight(a, ".,;:!?'\"")
		for _, p := range [][2]string{{"(", ")"}, {"[", "]"}} {
			if strings.HasSuffix(b, p[1]) && strings.Count(b, p[0]) < strings.Count(b, p[1]) {
				b = b[:len(b)-1]
			}
		}
		if b == a {
			return a
		}
		a = b
	}
}

// withoutAddresses is s with its addresses blanked out by spaces, so
// byte offsets stay those of s.
func withoutAddresses(s string) string {
	as := addresses(s)
	if len(as) == 0 {
		return s
	}
	b := []byte(s)
	for _, a := range as {
		for i := a.start; i < a.end; i++ {
			b[i] = ' '
		}
	}
	return string(b)
}

func addressKey(a string) string {
	if strings.Contains(a, "@") && !strings.Contains(a, "/") {
		return strings.ToLower(a)
	}
	return a
}

func (c *Checker) links(f *findings) {
	src, tgt := addresses(f.seg.Source), addresses(f.seg.Target)
	left := map[string]int{}
	for _, a := range tgt {
		left[addressKey(a.text)]++
	}
	var parts []string
	var spans []Span
	for _, a := range src {
		k := addressKey(a.text)
		if left[k] > 0 {
			left[k]--
			continue
		}
		parts = append(parts, fmt.Sprintf("%s is in the source but not in the target", a.text))
		spans = append(spans, f.source(a.start, a.end))
	}
	for _, a := range tgt {
		k := addressKey(a.text)
		if left[k] == 0 {
			continue
		}
		left[k]--
		parts = append(parts, fmt.Sprintf("%s is in the target but not in the source", a.text))
		spans = append(spans, f.target(a.start, a.end))
	}
	if len(parts) > 0 {
		f.add(CheckLinks, Error, "addresses differ: "+strings.Join(parts, "; "), spans...)
	}
}

// inlineParser reads CommonMark inline marks as the site renders them.
var inlineParser = goldmark.New().Parser()

// marks counts the inline marks of s as CommonMark reads them (bold,
// italic, code spans, links), and finds the mark characters (* and `) it
// leaves as text because they do not pair up.
type marks struct {
	counts map[string]int
	code   []string
	lone   []int // byte offsets
}

var markNames = []string{"bold", "italic", "code", "link"}

func readMarks(s string) marks {
	m := marks{counts: map[string]int{}}
	src := []byte(s)
	doc := inlineParser.Parse(text.NewReader(src))
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Emphasis:
			if n.Level >= 2 {
				m.counts["bold"]++
			} else {
				m.counts["italic"]++
			}
		case *ast.CodeSpan:
			m.counts["code"]++
			var b strings.Builder
			for c := n.FirstChild(); c != nil; c = c.NextSibling() {
				if t, ok := c.(*ast.Text); ok {
					b.Write(t.Segment.Value(src))
				}
			}
			m.code = append(m.code, b.String())
			return ast.WalkSkipChildren, nil
		case *ast.Link, *ast.AutoLink:
			m.counts["link"]++
		case *ast.Text:
			seg := n.Segment
			for i, r := range string(seg.Value(src)) {
				if r == '*' || r == '`' {
					m.lone = append(m.lone, seg.Start+i)
				}
			}
		}
		return ast.WalkContinue, nil
	})
	return m
}

func (c *Checker) markup(f *findings) {
	if !strings.ContainsAny(f.seg.Source+f.seg.Target, "*_`[<") {
		return
	}
	sm, tm := readMarks(f.seg.Source), readMarks(f.seg.Target)
	if len(tm.lone) > len(sm.lone) {
		var spans []Span
		for _, i := range tm.lone {
			spans = append(spans, f.target(i, i+1))
		}
		f.add(CheckMarkup, Warning, fmt.Sprintf("%d mark(s) (* or `) in the target pair with nothing and would show as written", len(tm.lone)), spans...)
	}
	var parts []string
	for _, k := range markNames {
		if s, t := sm.counts[k], tm.counts[k]; s != t {
			parts = append(parts, fmt.Sprintf("%s %s in the source, %d in the target", count(s), k, t))
		}
	}
	if len(parts) == 0 && !slices.Equal(sortedCopy(sm.code), sortedCopy(tm.code)) {
		parts = append(parts, fmt.Sprintf("the code differs: %s in the source, %s in the target", quoteAll(sm.code), quoteAll(tm.code)))
	}
	if len(parts) > 0 {
		f.add(CheckMarkup, Warning, "inline marks differ: "+strings.Join(parts, "; "), f.target(0, len(f.seg.Target)))
	}
}

func count(n int) string {
	if n == 0 {
		return "no"
	}
	return fmt.Sprint(n)
}

func sortedCopy(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// misspellings maps common English misspellings to their correction, from
// the misspell project's main list (not its British or American lists:
// both spellings are English).
var misspellings = sync.OnceValue(func() map[string]string {
	m := make(map[string]string, len(misspell.DictMain)/2)
	for i := 0; i+1 < len(misspell.DictMain); i += 2 {
		m[misspell.DictMain[i]] = misspell.DictMain[i+1]
	}
	return m
})

func (c *Checker) spelling(f *findings) {
	if isChinese(f.seg.TargetLang) {
		return
	}
	t := f.seg.Target
	dict := misspellings()
	var parts []string
	var spans []Span
	for _, w := range words(t) {
		lower := strings.ToLower(w.text)
		fix, ok := dict[lower]
		if !ok || inAddress(t, w.start) || f.pointedAt(w.start, w.end) {
			continue
		}
		if r, _ := utf8.DecodeRuneInString(w.text); unicode.IsUpper(r) {
			fr, size := utf8.DecodeRuneInString(fix)
			fix = string(unicode.ToUpper(fr)) + fix[size:]
		}
		parts = append(parts, fmt.Sprintf("%q (%q)", w.text, fix))
		spans = append(spans, f.target(w.start, w.end))
	}
	if len(parts) > 0 {
		f.add(CheckSpelling, Warning, "misspelt: "+strings.Join(parts, ", "), spans...)
	}
}

// pointedAt reports whether a finding so far points at target bytes
// start to end already (a misspelt glossary term is reported once).
func (f *findings) pointedAt(start, end int) bool {
	sp := f.target(start, end)
	for _, fd := range f.out {
		for _, o := range fd.Spans {
			if o.Side == Target && o.Start <= sp.Start && sp.End <= o.End {
				return true
			}
		}
	}
	return false
}

// inAddress reports whether byte i of t is inside a web or e-mail address.
func inAddress(t string, i int) bool {
	return slices.ContainsFunc(addresses(t), func(a address) bool { return a.start <= i && i < a.end })
}
