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

// inline renders one text field of a block (a paragraph, a caption, a list
// item) as sanitised inline HTML.
func inline(text string) template.HTML {
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
	return strings.TrimSpace(html.UnescapeString(bluemonday.StrictPolicy().Sanitize(string(inline(text)))))
}
