// Package glossary holds the newsroom's terminology: a Chinese term and
// the English variants it must be translated with, or English words that
// must not be used. It finds terms in Chinese text by substring (no word
// boundaries exist there) with an Aho-Corasick automaton, leftmost-longest,
// so 副校长 is found as itself and not as 校长 inside it.
package glossary

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/coregx/ahocorasick"
)

// Limits of one term and of a glossary. docs/limits.md lists them.
const (
	MaxTerms        = 10000
	MaxSourceRunes  = 100
	MaxTargetRunes  = 200
	MaxVariants     = 8
	MaxNoteRunes    = 500
	MaxImportBytes  = 2 << 20
	variantSplitter = "|"
)

// Term is one glossary entry.
type Term struct {
	// Source is the term as it appears in the source text. It may be
	// empty for a forbidden entry that applies everywhere.
	Source string
	// Targets are the accepted translations, preferred first; for a
	// forbidden entry, the words that must not appear.
	Targets []string
	// Note explains the term to translators.
	Note string
	// CaseSensitive makes target matching exact in case ("Library" for
	// the university library); otherwise case is ignored.
	CaseSensitive bool
	// Forbidden turns the entry around: Targets must not appear in a
	// translation (of Source, when Source is set).
	Forbidden bool
	// Name marks the term as a person's or an organisation's name, which
	// must be written in full, with its case, spelling and word order.
	Name NameKind
}

// NameKind says whether a term is a proper name, and of what.
type NameKind int

// The kinds of term.
const (
	NotName NameKind = iota
	Person
	Organisation
)

func (k NameKind) String() string {
	switch k {
	case Person:
		return "person"
	case Organisation:
		return "organisation"
	}
	return ""
}

// ParseNameKind reads a name column: person, organisation (organization,
// org), or nothing (no, empty) for an ordinary term.
func ParseNameKind(s string) (NameKind, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "no", "none", "false", "n", "0":
		return NotName, nil
	case "person", "people", "individual":
		return Person, nil
	case "organisation", "organization", "org":
		return Organisation, nil
	}
	return NotName, fmt.Errorf("%q is not a kind of name: write person, organisation or nothing", s)
}

// Key is the identity of a term within a glossary: its source, or for a
// forbidden entry without one, its first target.
func (t Term) Key() string {
	if t.Forbidden {
		return "forbidden:" + strings.ToLower(t.Source) + ":" + strings.ToLower(first(t.Targets))
	}
	return t.Source
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// Problems lists what is wrong with a term, as field and message pairs for
// a field violation.
func (t Term) Problems() [][2]string {
	var p [][2]string
	add := func(field, msg string, args ...any) { p = append(p, [2]string{field, fmt.Sprintf(msg, args...)}) }
	src := strings.TrimSpace(t.Source)
	switch {
	case src == "" && !t.Forbidden:
		add("source", "is required")
	case src != t.Source:
		add("source", "has leading or trailing space")
	case utf8.RuneCountInString(src) > MaxSourceRunes:
		add("source", "is longer than %d characters", MaxSourceRunes)
	}
	if len(t.Targets) == 0 {
		add("targets", "needs at least one English variant")
	}
	if len(t.Targets) > MaxVariants {
		add("targets", "has more than %d variants", MaxVariants)
	}
	for i, v := range t.Targets {
		f := fmt.Sprintf("targets[%d]", i)
		switch {
		case strings.TrimSpace(v) == "":
			add(f, "is empty")
		case strings.TrimSpace(v) != v:
			add(f, "has leading or trailing space")
		case utf8.RuneCountInString(v) > MaxTargetRunes:
			add(f, "is longer than %d characters", MaxTargetRunes)
		case strings.Contains(v, variantSplitter):
			add(f, "contains %q, which separates variants", variantSplitter)
		}
	}
	switch {
	case t.Name < NotName || t.Name > Organisation:
		add("name", "%d is not a kind of name", int(t.Name))
	case t.Forbidden && t.Name != NotName:
		add("name", "cannot mark a forbidden entry")
	}
	if utf8.RuneCountInString(t.Note) > MaxNoteRunes {
		add("note", "is longer than %d characters", MaxNoteRunes)
	}
	return p
}

// Glossary is a set of terms compiled for lookup. It is immutable and safe
// for concurrent use; build a new one when terms change.
type Glossary struct {
	terms   []Term
	sources *ahocorasick.Automaton
	// bySource maps an automaton pattern index to the terms with that
	// source.
	bySource [][]int
	patterns []string
	// everywhere holds forbidden entries with no source.
	everywhere []int
}

// New compiles terms. Terms are expected to be valid (see Problems).
func New(terms []Term) *Glossary {
	g := &Glossary{terms: slices.Clone(terms)}
	index := map[string]int{}
	for i, t := range g.terms {
		if t.Source == "" {
			g.everywhere = append(g.everywhere, i)
			continue
		}
		p, ok := index[t.Source]
		if !ok {
			p = len(g.patterns)
			index[t.Source] = p
			g.patterns = append(g.patterns, asciiLower(t.Source))
			g.bySource = append(g.bySource, nil)
		}
		g.bySource[p] = append(g.bySource[p], i)
	}
	a, err := ahocorasick.NewBuilder().SetMatchKind(ahocorasick.LeftmostLongest).AddStrings(g.patterns).Build()
	if err != nil {
		// Only an empty pattern set or an automaton beyond its size
		// limit fails; MaxTerms keeps far below that.
		g.patterns = nil
		return g
	}
	g.sources = a
	return g
}

// asciiLower lowers ASCII letters only, so byte offsets stay those of the
// original text (Latin letters in Chinese terms: "AI实验室", "5G").
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// Terms returns the glossary's terms in the order given to New.
func (g *Glossary) Terms() []Term { return slices.Clone(g.terms) }

// Len is the number of terms.
func (g *Glossary) Len() int { return len(g.terms) }

// Hit is a term found in a text, with its byte offsets.
type Hit struct {
	Term       Term
	Start, End int
}

// InSource finds the terms whose source occurs in text: leftmost-longest,
// not overlapping. Forbidden entries without a source are not returned.
func (g *Glossary) InSource(text string) []Hit {
	if g == nil || len(g.patterns) == 0 {
		return nil
	}
	var out []Hit
	for _, m := range g.sources.FindAll([]byte(asciiLower(text)), -1) {
		for _, i := range g.bySource[m.PatternID] {
			out = append(out, Hit{Term: g.terms[i], Start: m.Start, End: m.End})
		}
	}
	return out
}

// Everywhere returns the forbidden entries that apply to every text.
func (g *Glossary) Everywhere() []Term {
	if g == nil {
		return nil
	}
	out := make([]Term, len(g.everywhere))
	for i, t := range g.everywhere {
		out[i] = g.terms[t]
	}
	return out
}

// Occurrence is a place where a target variant appears in a translation.
type Occurrence struct {
	Variant    string
	Start, End int
	// RunTogether is set when the variant is glued to a neighbouring word
	// ("theLibrary", "Libraryservice") rather than standing as a word.
	RunTogether bool
}

// FindTarget finds the variants of t in text, as words: case-insensitive
// unless t is case-sensitive. An occurrence followed by an inflection (s,
// es, 's, ed, ing) counts as the word; one glued to other letters is
// reported with RunTogether.
func FindTarget(t Term, text string) []Occurrence {
	var out []Occurrence
	lower := strings.ToLower(text)
	for _, v := range t.Targets {
		hay, needle := text, v
		if !t.CaseSensitive && len(lower) == len(text) {
			// Case folding that changes byte lengths (rare non-ASCII
			// letters) would shift offsets: those texts match exactly.
			hay, needle = lower, strings.ToLower(v)
		}
		if needle == "" {
			continue
		}
		for from := 0; ; {
			i := strings.Index(hay[from:], needle)
			if i < 0 {
				break
			}
			start := from + i
			end := start + len(needle)
			before := wordBefore(text[:start])
			after := wordAfter(text[end:])
			out = append(out, Occurrence{
				Variant:     v,
				Start:       start,
				End:         end,
				RunTogether: glued(before, prefixes) || glued(after, suffixes),
			})
			from = end
		}
	}
	return out
}

// wordBefore is the run of letters and digits directly before a position.
func wordBefore(s string) string {
	i := len(s)
	for i > 0 {
		r, size := utf8.DecodeLastRuneInString(s[:i])
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			break
		}
		i -= size
	}
	return s[i:]
}

func wordAfter(s string) string {
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\'' {
			break
		}
		i += size
	}
	return s[:i]
}

// glued reports whether the letters next to a variant make it part of
// another word rather than an inflection or a prefix of it.
func glued(letters string, allowed map[string]bool) bool {
	return letters != "" && !allowed[strings.ToLower(letters)]
}

var suffixes = map[string]bool{
	"s": true, "es": true, "'s": true, "'": true, "s'": true, "d": true, "ed": true, "ing": true,
	"al": true, "ial": true, "ly": true, "er": true, "ers": true, "ies": true, "ion": true, "ions": true,
}

var prefixes = map[string]bool{
	"non": true, "pre": true, "re": true, "un": true, "co": true, "sub": true, "inter": true, "multi": true, "anti": true, "vice": true,
}
