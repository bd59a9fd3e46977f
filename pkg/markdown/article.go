package markdown

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
	"go.yaml.in/yaml/v3"

	"github.com/tandemnews/tandem/pkg/field"
	"github.com/tandemnews/tandem/pkg/rpc"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
)

// FilePath is how violations name the file of a locale:
// files["zh-CN"].
func FilePath(locale string) string { return fmt.Sprintf("files[%q]", locale) }

// Article builds one article from one file per locale (keyed by BCP 47
// tag). Date, section and slug are shared: where two files give them,
// they must agree. Every problem in every file is reported at once.
func Article(files map[string][]byte, sourceLocale string) (*articlev1.Article, error) {
	var v rpc.Violations
	a := Read(files, sourceLocale, &v.Violations)
	if err := v.Err(); err != nil {
		return nil, err
	}
	return a, nil
}

// Read is Article for a caller that checks the article further along with
// the files: it adds the files' problems to v and returns what it read
// even when there are some, without the blocks it refused. It returns nil
// when a file could not be read at all, front matter included.
func Read(files map[string][]byte, sourceLocale string, v *field.Violations) *articlev1.Article {
	a := &articlev1.Article{SourceLocale: sourceLocale, Locales: map[string]*articlev1.LocalizedContent{}}
	_, whole := files[sourceLocale]
	if !whole {
		v.Add(FilePath(sourceLocale), "the source locale's file is required")
	}
	locales := make([]string, 0, len(files))
	for l := range files {
		locales = append(locales, l)
	}
	// Source first, so its values are the ones others must agree with.
	slices.SortFunc(locales, func(x, y string) int {
		if x == sourceLocale {
			return -1
		}
		if y == sourceLocale {
			return 1
		}
		return strings.Compare(x, y)
	})
	var from string
	for _, l := range locales {
		p := FilePath(l)
		doc := parse(files[l], p, v)
		if doc == nil {
			whole = false
			continue
		}
		a.Locales[l] = doc.Content
		f := doc.Front
		if from == "" {
			a.Date, a.Section, a.Slug, from = f.Date, f.Section, f.Slug, l
			continue
		}
		if f.Date != "" && f.Date != a.Date {
			v.Add(p+".front_matter.date", "is %s but %s says %s; the date is shared", f.Date, FilePath(from), a.Date)
		}
		if len(f.Section) > 0 && !slices.Equal(f.Section, a.Section) {
			v.Add(p+".front_matter.section", "is %v but %s says %v; the section is shared", f.Section, FilePath(from), a.Section)
		}
		if f.Slug != "" && a.Slug != "" && f.Slug != a.Slug {
			v.Add(p+".front_matter.slug", "is %s but %s says %s; the slug is shared", f.Slug, FilePath(from), a.Slug)
		}
		if a.Slug == "" {
			a.Slug = f.Slug
		}
	}
	if !whole {
		return nil
	}
	return a
}

// Export writes one locale of an article as a Markdown file that Parse
// reads back into the same blocks.
func Export(a *articlev1.Article, locale string) ([]byte, error) {
	c, ok := a.GetLocales()[locale]
	if !ok {
		return nil, fmt.Errorf("markdown: the article has no %s content", locale)
	}
	f := FrontMatter{
		Title:    c.GetTitle(),
		Date:     a.GetDate(),
		Section:  a.GetSection(),
		Slug:     a.GetSlug(),
		Authors:  c.GetByline().GetAuthors(),
		Office:   c.GetByline().GetOffice(),
		Keywords: c.GetKeywords(),
		Summary:  c.GetSummary(),
	}
	if f.Authors == nil {
		f.Authors = []string{}
	}
	var buf bytes.Buffer
	buf.WriteString("---\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(f); err != nil {
		return nil, err
	}
	enc.Close()
	// A date reads back as a string whether quoted or not; editors write
	// it bare.
	front := quotedDate.ReplaceAll(buf.Bytes(), []byte("date: $1"))
	buf.Reset()
	buf.Write(front)
	buf.WriteString("---\n")
	prev := "" // the marker of the list just written, if any
	for _, b := range c.GetBlocks() {
		buf.WriteString("\n")
		prev = writeBlock(&buf, b, prev)
	}
	return buf.Bytes(), nil
}

// writeBlock writes b and returns its list marker ("" for other blocks).
// Two lists in a row must use different markers, or they would read back
// as one list.
func writeBlock(buf *bytes.Buffer, b *articlev1.Block, prev string) string {
	switch k := b.Kind.(type) {
	case *articlev1.Block_Paragraph:
		buf.WriteString(paragraph(k.Paragraph.Text) + "\n")
	case *articlev1.Block_Heading:
		buf.WriteString(strings.Repeat("#", int(k.Heading.Level)) + " " + k.Heading.Text + "\n")
	case *articlev1.Block_Figure:
		f := k.Figure
		src := f.File
		if f.Media != "" {
			src = MediaScheme + f.Media
		}
		fmt.Fprintf(buf, "![%s](%s", f.Caption, src)
		if f.Credit != "" {
			fmt.Fprintf(buf, " %q", f.Credit)
		}
		buf.WriteString(")\n")
	case *articlev1.Block_Quote:
		q := k.Quote
		paras := strings.Split(q.Text, "\n\n")
		for i, p := range paras {
			paras[i] = paragraph(p)
		}
		quoteLines(buf, strings.Join(paras, "\n\n"))
		if q.Attribution != "" {
			buf.WriteString(">\n> — " + q.Attribution + "\n")
		}
	case *articlev1.Block_List:
		m := listMarker(k.List, prev)
		for i, it := range k.List.Items {
			marker := m + " "
			if k.List.Ordered {
				marker = fmt.Sprintf("%d%s ", i+1, m)
			}
			indent := strings.Repeat(" ", len(marker))
			item := escapeUnderlines(it)
			if first, rest, _ := strings.Cut(item, "\n"); escapeLine(first) != first {
				item = strings.TrimSuffix(escapeLine(first)+"\n"+rest, "\n")
			}
			buf.WriteString(marker + strings.ReplaceAll(item, "\n", "\n"+indent) + "\n")
		}
		return m
	}
	return ""
}

// listMarker picks the bullet (or the delimiter after an ordered number):
// not the previous list's, and not one an item made only of that
// character would turn into a horizontal rule ("- --"). '+' never makes a
// rule.
func listMarker(l *articlev1.List, prev string) string {
	candidates := []string{"-", "*", "+"}
	if l.Ordered {
		candidates = []string{".", ")"}
	}
	for _, c := range candidates {
		if c == prev {
			continue
		}
		if !l.Ordered && c != "+" && slices.ContainsFunc(l.Items, func(it string) bool { return only(it, c) }) {
			continue
		}
		return c
	}
	return "+"
}

// only reports whether the first line of s is made of c alone, which
// after a marker c would read as a horizontal rule.
func only(s, c string) bool {
	first, _, _ := strings.Cut(s, "\n")
	return strings.Trim(first, c+" \t") == "" && strings.Contains(first, c)
}

func quoteLines(buf *bytes.Buffer, s string) {
	for _, line := range strings.Split(s, "\n") {
		if line == "" {
			buf.WriteString(">\n")
			continue
		}
		buf.WriteString("> " + line + "\n")
	}
}

// paragraph returns text as it must be written to read back as one
// paragraph: when its start would open another block (a list, a heading,
// a quote), that marker is escaped with a backslash, which renders the
// same.
func paragraph(t string) string {
	t = escapeUnderlines(t)
	if isParagraph(t) {
		return t
	}
	i := strings.IndexFunc(t, func(r rune) bool { return r != ' ' && r != '\t' })
	if i < 0 {
		return t
	}
	for i < len(t) && t[i] >= '0' && t[i] <= '9' {
		i++ // "1. text": escape the delimiter
	}
	if i < len(t) && strings.IndexByte("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", t[i]) >= 0 {
		if e := t[:i] + "\\" + t[i:]; isParagraph(e) {
			return e
		}
	}
	return t
}

func isParagraph(t string) bool {
	src := []byte(t + "\n")
	root := parser.Parse(text.NewReader(src))
	n := root.FirstChild()
	return n != nil && n.NextSibling() == nil && n.Kind() == ast.KindParagraph
}

// escapeUnderlines escapes each continuation line that would open a
// block or underline a heading when written inside a quote or list item,
// or once its indentation is gone. The backslash renders the same.
func escapeUnderlines(t string) string {
	ls := strings.Split(t, "\n")
	for i := 1; i < len(ls); i++ {
		ls[i] = escapeLine(ls[i])
	}
	return strings.Join(ls, "\n")
}

var (
	quotedDate  = regexp.MustCompile(`(?m)^date: "(\d{4}-\d{2}-\d{2})"$`)
	atxHeading  = regexp.MustCompile(`^#{1,6}(\s|$)`)
	bulletStart = regexp.MustCompile(`^[-*+](\s|$)`)
	orderStart  = regexp.MustCompile(`^\d{1,9}[.)](\s|$)`)
	ruleLine    = regexp.MustCompile(`^(=+|[-\s]+|[*\s]+|[_\s]+)$`)
)

// escapeLine puts a backslash before the marker of a line that would open
// a block (heading, quote, list, fence, rule, setext underline), and
// leaves every other line as it is.
func escapeLine(l string) string {
	t := strings.TrimLeft(l, " \t")
	switch {
	case t == "":
		return l
	case atxHeading.MatchString(t), strings.HasPrefix(t, ">"), bulletStart.MatchString(t),
		strings.HasPrefix(t, "```"), strings.HasPrefix(t, "~~~"), strings.HasPrefix(t, "<"),
		ruleLine.MatchString(t):
		return "\\" + t
	case orderStart.MatchString(t):
		j := strings.IndexAny(t, ".)")
		return t[:j] + "\\" + t[j:]
	}
	return l
}
