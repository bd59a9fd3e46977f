package search

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/english"
	"golang.org/x/text/width"
)

// isCJK reports whether r is written without spaces between words: Han,
// kana and Hangul. Such runs are cut into overlapping bigrams.
func isCJK(r rune) bool {
	return r >= 0x2E80 && unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}

// isWord reports whether r belongs to a spaced word (letters and digits).
func isWord(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// stopWords are English words too common to index: they would make the
// longest posting lists and tell no article from another.
var stopWords = map[string]bool{}

// maxStopWord is the length of the longest stop word: longer words are
// not looked up.
const maxStopWord = 5

func init() {
	for _, w := range strings.Fields("a an and are as at be but by for if in into is it no not of on or such that the their then there these they this to was will with") {
		stopWords[w] = true
	}
}

// token is one term at its place in a text: runes [start, end). Its
// term is valid only during the call that receives it.
type token struct {
	term       []byte
	start, end int
}

// tokens cuts text into terms, calling fn with each: spaced words
// lowercased, folded to half width and stemmed (English snowball), stop
// words left out; runs of CJK characters as overlapping bigrams, a lone
// character as itself. Positions are rune offsets in text.
func tokens(text string, fn func(token)) {
	var buf [64]byte
	word := buf[:0]
	var pair [8]byte
	wordStart := 0
	var prev rune // the previous CJK character of the current run, or 0
	prevAt := 0
	flush := func(at int) {
		if len(word) > 0 {
			if len(word) > maxStopWord || !stopWords[string(word)] {
				fn(token{stem(word), wordStart, at})
			}
			word = word[:0]
		}
	}
	i := 0
	lone := false // prev has not been part of a bigram yet
	endRun := func() {
		if prev != 0 && lone {
			fn(token{utf8.AppendRune(pair[:0], prev), prevAt, prevAt + 1})
		}
		prev = 0
	}
	for _, r := range text {
		if r < utf8.RuneSelf {
			// ASCII, most of an English text: a letter or digit goes
			// into the word, anything else ends it.
			switch {
			case 'a' <= r && r <= 'z' || '0' <= r && r <= '9':
			case 'A' <= r && r <= 'Z':
				r += 'a' - 'A'
			default:
				endRun()
				flush(i)
				i++
				continue
			}
			endRun()
			if len(word) == 0 {
				wordStart = i
			}
			word = append(word, byte(r))
			i++
			continue
		}
		r = foldRune(r)
		switch {
		case isCJK(r):
			flush(i)
			if prev != 0 {
				fn(token{utf8.AppendRune(utf8.AppendRune(pair[:0], prev), r), prevAt, i + 1})
				lone = false
			} else {
				lone = true
			}
			prev, prevAt = r, i
		case isWord(r):
			endRun()
			if len(word) == 0 {
				wordStart = i
			}
			if r < utf8.RuneSelf {
				if 'A' <= r && r <= 'Z' {
					r += 'a' - 'A'
				}
				word = append(word, byte(r))
			} else {
				word = utf8.AppendRune(word, unicode.ToLower(r))
			}
		default:
			endRun()
			flush(i)
		}
		i++
	}
	endRun()
	flush(i)
}

// foldRune maps full-width Latin letters and digits to their usual forms.
func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		return r
	}
	if r >= 0xFF01 && r <= 0xFF5E {
		p := width.LookupRune(r)
		if n := p.Narrow(); n != 0 {
			return n
		}
	}
	return r
}

// stems caches the stems of words already seen: an archive repeats its
// vocabulary, and the snowball stemmer costs a microsecond a word.
var stems = struct {
	sync.Mutex
	m map[string]string
}{m: map[string]string{}}

// maxStems bounds the cache; it starts again empty when full.
const maxStems = 1 << 17

// stem is the English snowball stem of a lowercased word; words with
// digits or letters beyond a to z are kept as they are.
func stem(w []byte) []byte {
	for _, c := range w {
		if c < 'a' || c > 'z' {
			return w
		}
	}
	stems.Lock()
	s, ok := stems.m[string(w)]
	stems.Unlock()
	if ok {
		return unsafeBytes(s)
	}
	env := snowballstem.NewEnv(string(w))
	english.Stem(env)
	s = env.Current()
	stems.Lock()
	if len(stems.m) >= maxStems {
		clear(stems.m)
	}
	stems.m[string(w)] = s
	stems.Unlock()
	return unsafeBytes(s)
}

// unsafeBytes is s as bytes, which the caller only reads.
func unsafeBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// Terms returns the distinct terms of a query, in order of appearance.
func Terms(query string) []string {
	var out []string
	seen := map[string]bool{}
	tokens(query, func(t token) {
		if !seen[string(t.term)] {
			seen[string(t.term)] = true
			out = append(out, string(t.term))
		}
	})
	return out
}
