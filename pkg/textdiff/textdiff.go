// Package textdiff compares two versions of a text the way a reader of
// that language would: English by words, Chinese by characters.
package textdiff

import (
	"strings"
	"unicode"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// Op is what happened to a run of text.
type Op int

// The operations.
const (
	Equal Op = iota
	Insert
	Delete
)

// Span is one run of a diff.
type Span struct {
	Op   Op
	Text string
}

// Diff returns the spans that turn a into b, by characters for Chinese
// (a locale starting with "zh") and by words for everything else. Runs of
// the same operation are merged, and the diff is cleaned up to read as
// whole changes rather than coincidental matches.
func Diff(a, b, locale string) []Span {
	if a == b {
		if a == "" {
			return nil
		}
		return []Span{{Equal, a}}
	}
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0 // exact and repeatable; block texts are small
	var diffs []diffmatchpatch.Diff
	if strings.HasPrefix(locale, "zh") {
		diffs = dmp.DiffMainRunes([]rune(a), []rune(b), false)
		diffs = dmp.DiffCleanupSemantic(diffs)
	} else {
		diffs = words(dmp, a, b)
	}
	out := make([]Span, 0, len(diffs))
	for _, d := range diffs {
		op := Equal
		switch d.Type {
		case diffmatchpatch.DiffInsert:
			op = Insert
		case diffmatchpatch.DiffDelete:
			op = Delete
		}
		if n := len(out); n > 0 && out[n-1].Op == op {
			out[n-1].Text += d.Text
			continue
		}
		out = append(out, Span{op, d.Text})
	}
	return out
}

// words diffs whole words: each distinct token (a word, a run of spaces,
// one punctuation mark) stands for one rune, the runes are diffed, and
// the tokens put back.
func words(dmp *diffmatchpatch.DiffMatchPatch, a, b string) []diffmatchpatch.Diff {
	index := map[string]rune{}
	var tokens []string
	encode := func(s string) []rune {
		var rs []rune
		for _, t := range tokenize(s) {
			r, ok := index[t]
			if !ok {
				r = rune(len(tokens))
				index[t] = r
				tokens = append(tokens, t)
			}
			rs = append(rs, r)
		}
		return rs
	}
	ra, rb := encode(a), encode(b)
	diffs := dmp.DiffMainRunes(ra, rb, false)
	for i, d := range diffs {
		var sb strings.Builder
		for _, r := range d.Text {
			sb.WriteString(tokens[r])
		}
		diffs[i].Text = sb.String()
	}
	return diffs
}

// tokenize splits text into words (letters, digits and inner apostrophes
// or hyphens), runs of white space, and single other characters.
func tokenize(s string) []string {
	var out []string
	rs := []rune(s)
	for i := 0; i < len(rs); {
		j := i + 1
		switch {
		case isWord(rs[i]):
			for j < len(rs) && (isWord(rs[j]) || (j+1 < len(rs) && (rs[j] == '\'' || rs[j] == '-' || rs[j] == '’') && isWord(rs[j+1]))) {
				j++
			}
		case unicode.IsSpace(rs[i]):
			for j < len(rs) && unicode.IsSpace(rs[j]) {
				j++
			}
		}
		out = append(out, string(rs[i:j]))
		i = j
	}
	return out
}

func isWord(r rune) bool {
	return (unicode.IsLetter(r) || unicode.IsDigit(r)) && !unicode.Is(unicode.Han, r)
}
