package search

import (
	"bytes"
	"html"
	"strings"
)

// Fragment is a piece of a snippet; Hit marks the words the query found.
type Fragment struct {
	Text string
	Hit  bool
}

// Snippet is about n characters of text around the first place a term
// of query occurs, cut into fragments with the matching words marked; the
// start of text when no term occurs there. An ellipsis marks a cut.
func Snippet(text, query string, n int) []Fragment {
	want := map[string]bool{}
	for _, t := range Terms(query) {
		want[t] = true
	}
	runes := []rune(text)
	var hits [][2]int // rune ranges, in order, merged when they touch
	tokens(text, func(t token) {
		if !want[string(t.term)] {
			return
		}
		if k := len(hits) - 1; k >= 0 && t.start <= hits[k][1] {
			hits[k][1] = max(hits[k][1], t.end)
			return
		}
		hits = append(hits, [2]int{t.start, t.end})
	})
	begin := 0
	if len(hits) > 0 && len(runes) > n {
		begin = max(0, hits[0][0]-n/4)
	}
	end := min(len(runes), begin+n)
	var out []Fragment
	add := func(s string, hit bool) {
		if s != "" {
			out = append(out, Fragment{s, hit})
		}
	}
	if begin > 0 {
		add("…", false)
	}
	at := begin
	for _, h := range hits {
		s, e := max(h[0], begin), min(h[1], end)
		if s >= e {
			continue
		}
		add(string(runes[at:s]), false)
		add(string(runes[s:e]), true)
		at = e
	}
	add(string(runes[at:end]), false)
	if end < len(runes) {
		add("…", false)
	}
	return out
}

// ArticleText is the text of a rendered article page's body: what lies
// in its <article> after the heading and the date line, without tags.
func ArticleText(page []byte) string {
	start := bytes.Index(page, []byte("<article"))
	stop := bytes.LastIndex(page, []byte("</article>"))
	if start < 0 || stop < start {
		return ""
	}
	body := page[start:stop]
	if i := bytes.Index(body, []byte("</h1>")); i >= 0 {
		body = body[i+len("</h1>"):]
	}
	if t := bytes.TrimLeft(body, " \n"); bytes.HasPrefix(t, []byte(`<p class="date">`)) {
		if i := bytes.Index(t, []byte("</p>")); i >= 0 {
			body = t[i+len("</p>"):]
		}
	}
	var b strings.Builder
	var tag []byte
	inTag := false
	space := true
	sep := func() {
		if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	for _, c := range string(body) {
		switch {
		case c == '<':
			inTag, tag = true, tag[:0]
		case c == '>' && inTag:
			inTag = false
			// Blocks end words; inline tags (emphasis, links) do not.
			if blockTags[tagName(tag)] {
				sep()
			}
		case inTag:
			tag = append(tag, string(c)...)
		case c == ' ' || c == '\n' || c == '\t' || c == '\r':
			sep()
		default:
			b.WriteRune(c)
			space = false
		}
	}
	return strings.TrimSpace(html.UnescapeString(b.String()))
}

var blockTags = map[string]bool{"p": true, "h2": true, "h3": true, "li": true, "ul": true, "ol": true, "figure": true,
	"figcaption": true, "blockquote": true, "footer": true, "aside": true, "br": true, "img": true, "div": true, "section": true}

// tagName is the lowercase name of a tag from its text between < and >.
func tagName(tag []byte) string {
	t := strings.TrimPrefix(string(tag), "/")
	if i := strings.IndexAny(t, " \t\n/"); i >= 0 {
		t = t[:i]
	}
	return strings.ToLower(t)
}
