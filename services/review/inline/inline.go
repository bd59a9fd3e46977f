// Package inline splits a segment's text into the words a translator
// writes and the Markdown inline marks a translation tool must protect:
// bold and italic marks and link brackets around text, which come in
// pairs, and code spans, images and autolinks, which stand alone. Joining
// the pieces gives the text back byte for byte, whatever it holds: a mark
// that pairs with nothing stays text.
//
// It reads the CommonMark inline syntax the newsroom's articles use:
// * and _ runs of one or two (an _ inside a word is a letter), backtick
// code spans, [text](destination) links, ![alt](source) images and
// <scheme://...> autolinks, with backslash escapes.
package inline

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kind is what a piece is.
type Kind int

// The kinds of piece.
const (
	Text Kind = iota
	// Open starts a pair of marks around text (** or [).
	Open
	// Close ends it (** or ](destination)).
	Close
	// Standalone is a mark with no text to translate inside: a code span,
	// an image, an autolink.
	Standalone
)

// Piece is a run of the text.
type Piece struct {
	Kind Kind
	// Text is the run as written: the words, or the mark ("**",
	// "](https://…)", "`make test`").
	Text string
	// N numbers the codes of a text from 1, in order; the two marks of a
	// pair share theirs.
	N int
	// Type says what the code is: bold, italic, link, code, image,
	// autolink.
	Type string
}

// Join is the text the pieces were split from.
func Join(ps []Piece) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(p.Text)
	}
	return b.String()
}

// waiting marks, while splitting, an opening mark that has found no
// partner yet; it ends as text if it finds none.
const waiting Kind = -1

// opener is a mark waiting for its partner: a delimiter run or a link.
type opener struct {
	piece int
	delim string // "**", "*", "__", "_"; "" for a link
	close int    // for a link: where its "](" starts
	end   int    // and where its ")" ends
}

// Split cuts s into pieces.
func Split(s string) []Piece {
	var out []Piece
	var stack []opener
	text := func(t string) {
		if t == "" {
			return
		}
		if n := len(out); n > 0 && out[n-1].Kind == Text {
			out[n-1].Text += t
			return
		}
		out = append(out, Piece{Kind: Text, Text: t})
	}
	// pending marks an opener that may yet stay text.
	pending := func(t string) int {
		out = append(out, Piece{Kind: waiting, Text: t})
		return len(out) - 1
	}
	for i := 0; i < len(s); {
		// A link whose closing part starts here.
		if n := len(stack); n > 0 {
			if top := topLink(stack); top >= 0 && stack[top].close == i {
				l := stack[top]
				stack = stack[:top] // openers inside the link that found no partner stay text
				out[l.piece] = Piece{Kind: Open, Text: "[", Type: "link"}
				out = append(out, Piece{Kind: Close, Text: s[i:l.end], Type: "link"})
				i = l.end
				continue
			}
		}
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && isPunct(s[i+1]):
			text(s[i : i+2])
			i += 2
		case c == '`':
			run := runOf(s, i, '`')
			if end := closingRun(s, i+run, run); end >= 0 {
				out = append(out, Piece{Kind: Standalone, Text: s[i:end], Type: "code"})
				i = end
				continue
			}
			text(s[i : i+run])
			i += run
		case c == '!' && strings.HasPrefix(s[i+1:], "["):
			if cl, end := link(s, i+1); cl >= 0 {
				out = append(out, Piece{Kind: Standalone, Text: s[i:end], Type: "image"})
				i = end
				continue
			}
			text("!")
			i++
		case c == '[':
			if cl, end := link(s, i); cl >= 0 {
				stack = append(stack, opener{piece: pending("["), close: cl, end: end})
				i++
				continue
			}
			text("[")
			i++
		case c == '<':
			if end := autolink(s, i); end > 0 {
				out = append(out, Piece{Kind: Standalone, Text: s[i:end], Type: "autolink"})
				i = end
				continue
			}
			text("<")
			i++
		case c == '*' || c == '_':
			run := runOf(s, i, c)
			if run > 2 {
				text(s[i : i+run])
				i += run
				continue
			}
			d := s[i : i+run]
			before, _ := utf8.DecodeLastRuneInString(s[:i])
			after, _ := utf8.DecodeRuneInString(s[i+run:])
			canOpen := i+run < len(s) && !unicode.IsSpace(after)
			canClose := i > 0 && !unicode.IsSpace(before)
			if c == '_' {
				canOpen = canOpen && !(i > 0 && isWord(before))
				canClose = canClose && !(i+run < len(s) && isWord(after))
			}
			if canClose {
				if k := matching(stack, d); k >= 0 {
					o := stack[k]
					stack = stack[:k]
					typ := "italic"
					if run == 2 {
						typ = "bold"
					}
					out[o.piece] = Piece{Kind: Open, Text: d, Type: typ}
					out = append(out, Piece{Kind: Close, Text: d, Type: typ})
					i += run
					continue
				}
			}
			if canOpen {
				stack = append(stack, opener{piece: pending(d), delim: d})
			} else {
				text(d)
			}
			i += run
		default:
			j := i + 1
			for j < len(s) && !strings.ContainsRune("\\`![<*_", rune(s[j])) && !isLinkClose(stack, j) {
				j++
			}
			text(s[i:j])
			i = j
		}
	}
	return number(merge(out))
}

// isLinkClose reports whether a link of the stack closes at i.
func isLinkClose(stack []opener, i int) bool {
	top := topLink(stack)
	return top >= 0 && stack[top].close == i
}

func topLink(stack []opener) int {
	for k := len(stack) - 1; k >= 0; k-- {
		if stack[k].delim == "" {
			return k
		}
	}
	return -1
}

// matching is the opener of the stack a closing delimiter d pairs with: the
// nearest of the same delimiter, not beyond a link still open.
func matching(stack []opener, d string) int {
	for k := len(stack) - 1; k >= 0; k-- {
		switch stack[k].delim {
		case "":
			return -1
		case d:
			return k
		}
	}
	return -1
}

// merge joins neighbouring text pieces (openers that stayed text).
func merge(ps []Piece) []Piece {
	var out []Piece
	for _, p := range ps {
		if p.Kind == waiting {
			p.Kind = Text
		}
		if n := len(out); n > 0 && p.Kind == Text && out[n-1].Kind == Text {
			out[n-1].Text += p.Text
			continue
		}
		if p.Kind == Text && p.Text == "" {
			continue
		}
		out = append(out, p)
	}
	return out
}

// number gives each code its number: pairs share the number of their
// opening.
func number(ps []Piece) []Piece {
	n := 0
	var open []int
	for i := range ps {
		switch ps[i].Kind {
		case Open:
			n++
			ps[i].N = n
			open = append(open, n)
		case Close:
			ps[i].N = open[len(open)-1]
			open = open[:len(open)-1]
		case Standalone:
			n++
			ps[i].N = n
		}
	}
	return ps
}

func runOf(s string, i int, c byte) int {
	j := i
	for j < len(s) && s[j] == c {
		j++
	}
	return j - i
}

// closingRun is the end of the first run of exactly n backticks from i,
// or -1.
func closingRun(s string, i, n int) int {
	for i < len(s) {
		j := strings.IndexByte(s[i:], '`')
		if j < 0 {
			return -1
		}
		start := i + j
		run := runOf(s, start, '`')
		if run == n {
			return start + run
		}
		i = start + run
	}
	return -1
}

// link checks that the [ at i starts [text](destination): it returns where
// "](" starts and where the closing ")" ends, or -1.
func link(s string, i int) (int, int) {
	depth := 0
	for j := i; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '`':
			run := runOf(s, j, '`')
			if end := closingRun(s, j+run, run); end >= 0 {
				j = end - 1
			} else {
				j += run - 1
			}
		case '[':
			depth++
		case ']':
			depth--
			if depth > 0 {
				continue
			}
			if !strings.HasPrefix(s[j+1:], "(") {
				return -1, -1
			}
			parens := 0
			for k := j + 1; k < len(s); k++ {
				switch s[k] {
				case '\\':
					k++
				case '(':
					parens++
				case ')':
					parens--
					if parens == 0 {
						return j, k + 1
					}
				case '\n':
					return -1, -1
				}
			}
			return -1, -1
		}
	}
	return -1, -1
}

// autolink is the end of the autolink <scheme:...> or <user@host> at i, or
// -1.
func autolink(s string, i int) int {
	j := strings.IndexByte(s[i:], '>')
	if j < 0 {
		return -1
	}
	inner := s[i+1 : i+j]
	if inner == "" || strings.ContainsAny(inner, " <\n") {
		return -1
	}
	scheme, _, ok := strings.Cut(inner, ":")
	if ok && len(scheme) >= 2 && strings.IndexFunc(scheme, func(r rune) bool { return !isWord(r) && r != '+' && r != '.' && r != '-' }) < 0 {
		return i + j + 1
	}
	if strings.Contains(inner, "@") && strings.Contains(inner, ".") {
		return i + j + 1
	}
	return -1
}

func isPunct(c byte) bool {
	return c < utf8.RuneSelf && unicode.IsPunct(rune(c)) || strings.IndexByte("$+<=>^`|~", c) >= 0
}

func isWord(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
