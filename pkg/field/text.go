package field

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// Text is a kind of text a reader sees: a line (a title, a name, a
// keyword, a note) or a block (a paragraph, a comment), which may also
// hold line feeds and tabs.
type Text int

const (
	// Line is one line of plain text.
	Line Text = iota
	// Block is text that may run over several lines.
	Block
)

// Problem says what makes s unfit as text of kind t, or "" when nothing
// does: invalid UTF-8, a control character (a block may hold line feeds
// and tabs; nothing else, not even a carriage return), or a bidirectional
// embedding, override or isolate (U+202A–U+202E, U+2066–U+2069), which
// make text read differently from what it holds. Right-to-left and
// left-to-right marks stay allowed: they change no order but their own.
func (t Text) Problem(s string) string {
	if !utf8.ValidString(s) {
		return "is not valid UTF-8"
	}
	for i, r := range s {
		if t == Block && (r == '\n' || r == '\t') {
			continue
		}
		switch {
		case unicode.IsControl(r):
			return fmt.Sprintf("holds the control character %U at byte %d%s", r, i, t.allowed())
		case bidiControl(r):
			return fmt.Sprintf("holds the bidirectional control %U at byte %d; write the text in its reading order", r, i)
		}
	}
	return ""
}

func (t Text) allowed() string {
	if t == Block {
		return "; only line feeds and tabs may stand in a block of text"
	}
	return "; it must be one line of plain text"
}

// Check adds a violation of path to v when s is unfit as text of kind t.
func (t Text) Check(v *Violations, path, s string) {
	if p := t.Problem(s); p != "" {
		v.Add(path, "%s", p)
	}
}

func bidiControl(r rune) bool {
	return r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069
}

// Blank reports whether s shows nothing: it is empty or holds only white
// space and invisible format characters, such as the zero-width space
// (U+200B), joiners (U+200C, U+200D), the word joiner (U+2060) and the
// byte order mark (U+FEFF). A required field must hold more.
func Blank(s string) bool {
	for _, r := range s {
		if !unicode.IsSpace(r) && !unicode.Is(unicode.Cf, r) {
			return false
		}
	}
	return true
}
