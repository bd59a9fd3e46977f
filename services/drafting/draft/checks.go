package draft

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	source "github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"github.com/tandemnews/tandem/pkg/field"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
)

// Limits on the dates and names inside an article.
const (
	// MinDate is the earliest date an article may carry.
	MinDate = "1900-01-01"
	// MaxDateAhead is how far after today an article may be dated, today
	// being the date in the earliest time zone (UTC+14), so that no
	// newsroom's today is refused.
	MaxDateAhead = 1 // year

	// MaxFileLength bounds a figure's file name.
	MaxFileLength = 200
	// MaxBlockIDLength bounds a block id.
	MaxBlockIDLength = 64
)

var (
	// filePattern is a figure's file: a plain media name, relative to the
	// site's media folder, so no folders, schemes or "..".
	filePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)
	// blockIDPattern is a block id: a short token.
	blockIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
)

// checkDate reports a missing or malformed date, and one outside the
// range an article may be dated in: a date far in the past or future
// would top or trail every listing and feed.
func checkDate(date, path string, v *field.Violations) {
	if date == "" {
		v.Add(path, "is required, as YYYY-MM-DD")
		return
	}
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		v.Add(path, "%q is not a date as YYYY-MM-DD", date)
		return
	}
	latest := LatestDate(time.Now())
	if date < MinDate || d.After(latest) {
		v.Add(path, "%s is outside the dates an article may carry: %s to %s", date, MinDate, latest.Format(time.DateOnly))
	}
}

// LatestDate is the latest date an article may carry at now: one year
// after today in the earliest time zone.
func LatestDate(now time.Time) time.Time {
	y, m, d := now.In(earliestZone).Date()
	return time.Date(y+MaxDateAhead, m, d, 0, 0, 0, 0, time.UTC)
}

var earliestZone = time.FixedZone("UTC+14", 14*60*60)

// checkFile reports a figure file that is not a plain media name.
func checkFile(file, path string, v *field.Violations) {
	switch {
	case file == "":
		v.Add(path, "is required")
	case len(file) > MaxFileLength || !filePattern.MatchString(file) || strings.Contains(file, ".."):
		v.Add(path, "%q is not a media file name: lowercase letters, digits, '.', '_' and '-', starting with a letter or digit, no \"..\", at most %d characters (e.g. open-day.jpg)", abridge(file), MaxFileLength)
	}
}

// checkMedia reports a figure's media id that is not one: 64 lowercase
// hex digits (the SHA-256 the library names an image by). Whether the
// library holds it is the service's to check (MediaPaths).
func checkMedia(id, path string, v *field.Violations) {
	if !MediaID(id) {
		v.Add(path, "%q is not a media id: 64 lowercase hex digits (tandem media list shows them)", abridge(id))
	}
}

// MediaID reports whether id has the form of a media library id.
func MediaID(id string) bool {
	if len(id) != 64 {
		return false
	}
	for _, c := range id {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// MediaPaths lists every well-formed media id the figures of a name,
// with the field path of that figure (path is the article's own, e.g.
// "article"), in the order of the locales and then the blocks. An id
// used twice is listed twice.
func MediaPaths(a *articlev1.Article, path string) (ids, paths []string) {
	for _, tag := range slices.Sorted(maps.Keys(a.GetLocales())) {
		for i, b := range a.GetLocales()[tag].GetBlocks() {
			if m := b.GetFigure().GetMedia(); MediaID(m) {
				ids = append(ids, m)
				paths = append(paths, fmt.Sprintf("%s.locales[%q].blocks[%d].figure.media", path, tag, i))
			}
		}
	}
	return ids, paths
}

// checkBlockID reports a block id that is not a short token. An empty id
// is given one when the draft is stored.
func checkBlockID(id, path string, v *field.Violations) {
	if id != "" && (len(id) > MaxBlockIDLength || !blockIDPattern.MatchString(id)) {
		v.Add(path, "%q is not a block id: 1 to %d letters, digits, '_' or '-'", abridge(id), MaxBlockIDLength)
	}
}

// abridge keeps a quoted value short in a message.
func abridge(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// inlineParser reads text as one paragraph of CommonMark inline syntax,
// the way publishing renders block text: no block structure, so "2024."
// or "# 1" at the start of a title is no list or heading.
var inlineParser = parser.NewParser(
	parser.WithBlockParsers(util.Prioritized(parser.NewParagraphParser(), 100)),
	parser.WithInlineParsers(parser.DefaultInlineParsers()...),
)

// markKinds are the inline marks a plain-text field must not hold.
var markKinds = map[ast.NodeKind]string{
	ast.KindEmphasis: "emphasis",
	ast.KindCodeSpan: "code",
	ast.KindLink:     "a link",
	ast.KindImage:    "an image",
	ast.KindAutoLink: "a link",
}

// inlineMark names the first Markdown mark in s ("" for none). A title is
// plain text: <title>, headings, feeds and search results show it as it
// is, so a mark would show as its asterisks and brackets.
func inlineMark(s string) string {
	src := []byte(s)
	found := ""
	_ = ast.Walk(inlineParser.Parse(source.NewReader(src)), func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if name, ok := markKinds[n.Kind()]; ok && entering {
			found = name
			return ast.WalkStop, nil
		}
		return ast.WalkContinue, nil
	})
	return found
}
