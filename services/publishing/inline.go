package publishing

import (
	"bytes"
	"html"
	"html/template"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
)

// markdown converts inline Markdown (emphasis, code, links) to HTML. Raw
// HTML in the text is not passed through: goldmark omits it unless told
// otherwise.
var markdown = goldmark.New()

// sanitizer keeps only inline formatting and links to http, https and
// mailto addresses; everything else is removed, whatever the text holds.
var sanitizer = func() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("em", "strong", "code", "br", "sub", "sup", "del")
	p.AllowAttrs("href").OnElements("a")
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireParseableURLs(true)
	p.AllowRelativeURLs(false)
	p.RequireNoFollowOnFullyQualifiedLinks(false)
	return p
}()

// markup lists the characters that can start Markdown or HTML inline
// syntax; text without any of them (most news prose) renders as itself.
const markup = "*_`[]<>&\\!~\n\r"

// isPlain reports whether text has no Markdown to render: none of the
// markup characters, and no line start that makes a block (a heading, a
// list, a quote, a numbered item).
func isPlain(text string) bool {
	if strings.ContainsAny(text, markup) {
		return false
	}
	t := strings.TrimLeft(text, " ")
	if t == "" {
		return true
	}
	switch t[0] {
	case '#', '-', '+', '=', '|':
		return false
	}
	if i := strings.IndexFunc(t, func(r rune) bool { return r < '0' || r > '9' }); i > 0 && (t[i] == '.' || t[i] == ')') {
		return false
	}
	return true
}

// inline renders one text field of a block (a paragraph, a caption, a list
// item) as sanitised inline HTML.
func inline(text string) template.HTML {
	if isPlain(text) {
		// The same output as the Markdown path, without parsing and
		// sanitising text that has nothing to render.
		return template.HTML(template.HTMLEscapeString(text))
	}
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(text), &buf); err != nil {
		return template.HTML(template.HTMLEscapeString(text))
	}
	out := strings.TrimSpace(buf.String())
	// One paragraph in, its content out; several become lines.
	out = strings.TrimSuffix(strings.TrimPrefix(out, "<p>"), "</p>")
	out = strings.ReplaceAll(out, "</p>\n<p>", "<br>")
	return template.HTML(sanitizer.Sanitize(out))
}

// plain is a text field without its Markdown, for meta descriptions and
// feeds.
func plain(text string) string {
	if isPlain(text) {
		return strings.TrimSpace(text)
	}
	return strings.TrimSpace(html.UnescapeString(bluemonday.StrictPolicy().Sanitize(string(inline(text)))))
}
