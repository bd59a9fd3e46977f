// Package segment splits article text into sentences and pairs the
// sentences of a source block with those of its translation.
//
// Chinese ends a sentence at 。！？；and the ellipsis …, keeping closing
// quotes and brackets with the sentence they close. English ends one at
// . ! ? followed by a space and a capital, a digit or an opening quote, but
// not after a known abbreviation (Dr., e.g., Sept.) or an initial (J.), and
// never inside a number (96.5, 1.2). When in doubt the splitter does not
// split: a block with fewer, longer sentences is reviewed as one segment,
// while a wrong split would pair sentences that do not translate each other.
package segment

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Span is one sentence: its text without surrounding space, and its byte
// offsets in the text it was cut from.
type Span struct {
	Text       string
	Start, End int
}

// Split cuts text into sentences by the rules of lang (a BCP 47 tag; "zh"
// and its regional forms use the Chinese rules, everything else the
// English ones). Empty or blank text gives no sentences.
func Split(text, lang string) []Span {
	if IsChinese(lang) {
		return split(text, chineseEnd)
	}
	return split(text, englishEnd)
}

// IsChinese reports whether lang is a Chinese tag ("zh", "zh-CN", ...).
func IsChinese(lang string) bool {
	return lang == "zh" || strings.HasPrefix(lang, "zh-")
}

// Join puts sentences back together the way lang writes them: Chinese
// without spaces, other languages with one space.
func Join(sentences []string, lang string) string {
	if IsChinese(lang) {
		return strings.Join(sentences, "")
	}
	return strings.Join(sentences, " ")
}

// Hash is the identity of a source text: a segment records the hash of the
// source it was translated from, so a changed source is noticed.
func Hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}

// Pair is a source sentence and its translation.
type Pair struct {
	Source, Target Span
}

// Align pairs the sentences of one block: one to one when both sides have
// the same number of sentences, otherwise the whole block as one pair. An
// empty target pairs each source sentence with nothing.
func Align(source, sourceLang, target, targetLang string) []Pair {
	ss := Split(source, sourceLang)
	ts := Split(target, targetLang)
	switch {
	case len(ss) == 0 && len(ts) == 0:
		return nil
	case len(ts) == 0:
		out := make([]Pair, len(ss))
		for i, s := range ss {
			out[i] = Pair{Source: s}
		}
		return out
	case len(ss) == len(ts):
		out := make([]Pair, len(ss))
		for i := range ss {
			out[i] = Pair{Source: ss[i], Target: ts[i]}
		}
		return out
	}
	return []Pair{{Source: whole(source), Target: whole(target)}}
}

func whole(s string) Span {
	t := strings.TrimSpace(s)
	start := strings.Index(s, t)
	return Span{Text: t, Start: start, End: start + len(t)}
}

// endFunc reports, for a terminator at byte i of text, whether a sentence
// ends there.
type endFunc func(text string, i int, r rune) bool

func split(text string, ends endFunc) []Span {
	var out []Span
	start := 0
	emit := func(end int) {
		seg := text[start:end]
		t := strings.TrimSpace(seg)
		if t != "" {
			lead := strings.Index(seg, t)
			out = append(out, Span{Text: t, Start: start + lead, End: start + lead + len(t)})
		}
		start = end
	}
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !ends(text, i, r) {
			i += size
			continue
		}
		// Take the rest of a run of terminators (……, ?!, ...) and the
		// closing quotes and brackets after it.
		j := i + size
		for j < len(text) {
			r2, s2 := utf8.DecodeRuneInString(text[j:])
			if !isTerminator(r2) && !isCloser(r2) {
				break
			}
			j += s2
		}
		if j < len(text) && !IsChineseTerminator(r) && !followsSentence(text[j:]) {
			i = j
			continue
		}
		emit(j)
		i = j
	}
	emit(len(text))
	return out
}

func isTerminator(r rune) bool {
	return IsChineseTerminator(r) || r == '.' || r == '!' || r == '?'
}

// IsChineseTerminator reports whether r ends a Chinese sentence.
func IsChineseTerminator(r rune) bool {
	switch r {
	case '。', '！', '？', '；', '…':
		return true
	}
	return false
}

func isCloser(r rune) bool {
	switch r {
	case '"', '\'', ')', ']', '”', '’', '」', '』', '）', '》', '】', '〉', '〕':
		return true
	}
	return false
}

func chineseEnd(_ string, _ int, r rune) bool { return IsChineseTerminator(r) }

// followsSentence reports whether rest (the text after a terminator and
// its closers) starts a new English sentence: space, then a capital, a
// digit or an opening quote or bracket.
func followsSentence(rest string) bool {
	t := strings.TrimLeft(rest, " \t\n")
	if len(t) == len(rest) {
		return false // no space: 96.5, e.g., www.x.edu
	}
	r, _ := utf8.DecodeRuneInString(t)
	return unicode.IsUpper(r) || unicode.IsDigit(r) || strings.ContainsRune("\"'“‘([", r)
}

func englishEnd(text string, i int, r rune) bool {
	switch r {
	case '!', '?':
		return true
	case '.':
	default:
		return false
	}
	// The word before the period.
	w := i
	for w > 0 {
		r, size := utf8.DecodeLastRuneInString(text[:w])
		if !unicode.IsLetter(r) && r != '.' {
			break
		}
		w -= size
	}
	word := text[w:i]
	if word == "" {
		return true
	}
	// An initial: "J. Smith", or the last letter of "U.S." handled below.
	if utf8.RuneCountInString(word) == 1 {
		r, _ := utf8.DecodeRuneInString(word)
		if unicode.IsUpper(r) {
			return false
		}
	}
	// Dotted abbreviations: e.g., i.e., U.S., a.m., Ph.D.
	if strings.Contains(word, ".") {
		return false
	}
	return !abbreviations[strings.ToLower(word)]
}

// abbreviations end with a period that does not end a sentence.
var abbreviations = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "prof": true, "st": true, "jr": true, "sr": true,
	"mt": true, "gen": true, "col": true, "lt": true, "sgt": true, "rev": true, "hon": true, "assoc": true,
	"vs": true, "etc": true, "no": true, "nos": true, "vol": true, "pp": true, "fig": true, "figs": true,
	"inc": true, "ltd": true, "co": true, "corp": true, "dept": true, "univ": true, "est": true, "approx": true,
	"jan": true, "feb": true, "mar": true, "apr": true, "jun": true, "jul": true, "aug": true,
	"sep": true, "sept": true, "oct": true, "nov": true, "dec": true,
	"mon": true, "tue": true, "tues": true, "wed": true, "thu": true, "thur": true, "thurs": true, "fri": true, "sat": true, "sun": true,
	"ave": true, "rd": true, "blvd": true, "bldg": true, "rm": true, "ext": true, "tel": true,
}
