package field

import (
	"slices"
	"testing"
)

func TestTextRefusesControlAndBidiCharacters(t *testing.T) {
	cases := []struct {
		s           string
		line, block bool // accepted as a line, as a block
	}{
		{"校园开放日 Open day", true, true},
		{"עברית and English\u200f", true, true}, // a right-to-left mark changes no order
		{"a\nb\tc", false, true},
		{"a\r\nb", false, false},
		{"nul\x00", false, false},
		{"esc\x1b[31m", false, false},
		{"vt\x0b", false, false},
		{"del\x7f", false, false},
		{"c1\u0085", false, false},
		{"\u202eevil", false, false},
		{"\u202a", false, false},
		{"x\u2066y\u2069", false, false},
		{"T\xff", false, false},
	}
	for _, c := range cases {
		if got := Line.Problem(c.s) == ""; got != c.line {
			t.Errorf("Line.Problem(%q) accepted = %v, want %v", c.s, got, c.line)
		}
		if got := Block.Problem(c.s) == ""; got != c.block {
			t.Errorf("Block.Problem(%q) accepted = %v, want %v", c.s, got, c.block)
		}
	}
	var v Violations
	Line.Check(&v, "title", "a\x1bb")
	Block.Check(&v, "text", "a\nb")
	Line.Check(&v, "note", "\u202e")
	if !slices.Equal(v.Fields(), []string{"title", "note"}) {
		t.Fatalf("violations %v, want title and note", v.Fields())
	}
}

func TestBlankSeesThroughInvisibleCharacters(t *testing.T) {
	for _, s := range []string{"", " \t", "\u200b", "\u200c\u200d", "\u2060\ufeff", " \u200b\u3000"} {
		if !Blank(s) {
			t.Errorf("Blank(%q) = false", s)
		}
	}
	for _, s := range []string{"a", "\u200b标题", "·"} {
		if Blank(s) {
			t.Errorf("Blank(%q) = true", s)
		}
	}
}
