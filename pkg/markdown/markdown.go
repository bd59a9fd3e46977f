// Package markdown reads and writes articles as editors write them: one
// file per locale, a YAML front matter block, then a CommonMark body.
//
//	---
//	title: 学校举办2024智能制造国际论坛
//	date: 2024-05-16
//	section: [news-events, news]
//	slug: 2024-international-forum          # optional; the same in every locale
//	authors: [李明, 王芳]
//	office: 国际合作与交流处
//	keywords: [智能制造, 论坛]
//	summary: ...                            # optional
//	---
//
//	Paragraphs, "## " and "### " headings, "![caption](media:<id> "credit")"
//	figures, "> " quotes (a last line "— Name" is the attribution), and
//	bulleted or numbered lists.
//
// Inline text stays CommonMark inline source (emphasis, strong, links,
// code). Anything else — raw HTML, code blocks, tables, rules, nested
// lists, images inside text — is rejected with a field violation, all of
// them at once. A last paragraph that is only the byline in brackets
// ("（国际合作与交流处 李明、王芳）") is taken as the byline, which the
// front matter already holds, and not kept as body text.
package markdown

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
	"go.yaml.in/yaml/v3"

	"github.com/tandemnews/tandem/pkg/field"
	"github.com/tandemnews/tandem/pkg/rpc"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
)

// MaxFileBytes bounds one Markdown file.
const MaxFileBytes = 256 << 10

// MediaScheme starts a figure's source that names a media library item:
// ![caption](media:<id> "credit"), where id is what `tandem media add`
// printed.
const MediaScheme = "media:"

// FrontMatter is the YAML block at the top of a file.
type FrontMatter struct {
	Title    string   `yaml:"title"`
	Date     string   `yaml:"date"`
	Section  []string `yaml:"section,flow"`
	Slug     string   `yaml:"slug,omitempty"`
	Authors  []string `yaml:"authors,flow"`
	Office   string   `yaml:"office,omitempty"`
	Keywords []string `yaml:"keywords,flow,omitempty"`
	Summary  string   `yaml:"summary,omitempty"`
}

// Document is one locale of an article as read from a file.
type Document struct {
	Front   FrontMatter
	Content *articlev1.LocalizedContent
}

// parser reads CommonMark, and pipe tables too, so that a table is
// refused rather than kept as a paragraph of pipes.
var parser = goldmark.New(goldmark.WithExtensions(extension.Table)).Parser()

var (
	figureSource = regexp.MustCompile(`^!\[((?:[^\]\\]|\\.)*)\]\(\s*(\S+?)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\)$`)
	attribution  = regexp.MustCompile(`^(?:—|--|――)\s*(.+)$`)
)

// Parse reads one file. path names the file in violations (e.g.
// `files["zh-CN"]`). Every rejection is an InvalidArgument status listing
// all problems.
func Parse(src []byte, path string) (*Document, error) {
	var v rpc.Violations
	doc := parse(src, path, &v.Violations)
	if err := v.Err(); err != nil {
		return nil, err
	}
	return doc, nil
}

func parse(src []byte, path string, v *field.Violations) *Document {
	if len(src) > MaxFileBytes {
		v.Add(path, "is %d bytes; a file may be at most %d", len(src), MaxFileBytes)
		return nil
	}
	if !utf8.Valid(src) {
		v.Add(path, "is not UTF-8 text")
		return nil
	}
	// CommonMark ends lines at \r\n, \n or a lone \r; read them all as \n.
	src = bytes.ReplaceAll(bytes.ReplaceAll(src, []byte("\r\n"), []byte("\n")), []byte("\r"), []byte("\n"))
	front, body, ok := splitFrontMatter(src)
	if !ok {
		v.Add(path, "must start with a front matter block between two '---' lines")
		return nil
	}
	doc := &Document{}
	dec := yaml.NewDecoder(bytes.NewReader(front))
	dec.KnownFields(true)
	frontOK := true
	if err := dec.Decode(&doc.Front); err != nil && err.Error() != "EOF" {
		// Reported, and the body is still read for its own problems.
		v.Add(path+".front_matter", "%s", strings.TrimPrefix(err.Error(), "yaml: "))
		frontOK = false
	}
	c := &articlev1.LocalizedContent{
		Title:    strings.TrimSpace(doc.Front.Title),
		Summary:  strings.TrimSpace(doc.Front.Summary),
		Keywords: doc.Front.Keywords,
		Byline:   &articlev1.Byline{Authors: doc.Front.Authors, Office: doc.Front.Office},
	}
	if len(body) > 0 && body[len(body)-1] != '\n' {
		// A last line without its newline can read differently ("#" is
		// text there, a heading elsewhere); read every line alike.
		body = append(body[:len(body):len(body)], '\n')
	}
	root := parser.Parse(text.NewReader(body))
	// Blocks are numbered as written, refused ones too, so that each
	// problem names its own block.
	i := 0
	for n := root.FirstChild(); n != nil; n = n.NextSibling() {
		before := v.Len()
		b := block(n, body, fmt.Sprintf("%s.blocks[%d]", path, i), v)
		if b != nil {
			c.Blocks = append(c.Blocks, b)
		}
		if b != nil || v.Len() > before {
			i++
		}
	}
	if k := len(c.Blocks); k > 0 && isByline(c.Blocks[k-1], c.Byline) {
		c.Blocks = c.Blocks[:k-1]
	}
	if !frontOK {
		return nil
	}
	doc.Content = c
	return doc
}

// splitFrontMatter returns the YAML between the opening and closing
// "---" lines, and the body after them.
func splitFrontMatter(src []byte) (front, body []byte, ok bool) {
	src = bytes.TrimPrefix(src, []byte("\ufeff"))
	if !bytes.HasPrefix(src, []byte("---\n")) {
		return nil, nil, false
	}
	rest := src[4:]
	if bytes.HasPrefix(rest, []byte("---\n")) || bytes.Equal(rest, []byte("---")) {
		return nil, bytes.TrimPrefix(rest[3:], []byte("\n")), true
	}
	i := bytes.Index(rest, []byte("\n---\n"))
	if i < 0 {
		if bytes.HasSuffix(rest, []byte("\n---")) {
			return rest[:len(rest)-4], nil, true
		}
		return nil, nil, false
	}
	return rest[:i+1], rest[i+5:], true
}

func lines(n ast.Node, src []byte) string {
	ls := n.Lines()
	parts := make([]string, 0, ls.Len())
	for i := 0; i < ls.Len(); i++ {
		seg := ls.At(i)
		parts = append(parts, strings.TrimRight(string(seg.Value(src)), " \t\n"))
	}
	return strings.TrimSpace(strings.Join(parts, "\n"))
}

// inline checks a paragraph-like node's inline content: CommonMark inline
// only, no raw HTML, no images inside text.
func inline(n ast.Node, path string, v *field.Violations) {
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering || c == n {
			return ast.WalkContinue, nil
		}
		switch c.Kind() {
		case ast.KindRawHTML:
			v.Add(path, "contains raw HTML; use Markdown (emphasis, strong, links, code)")
			return ast.WalkStop, nil
		case ast.KindImage:
			v.Add(path, "has an image inside text; put a figure in a paragraph of its own")
			return ast.WalkStop, nil
		}
		return ast.WalkContinue, nil
	})
}

func block(n ast.Node, src []byte, path string, v *field.Violations) *articlev1.Block {
	switch n := n.(type) {
	case *ast.Paragraph:
		raw := lines(n, src)
		if raw == "" {
			return nil // white space goldmark kept as a paragraph (a form feed, say)
		}
		if img, ok := n.FirstChild().(*ast.Image); ok && img.NextSibling() == nil {
			m := figureSource.FindStringSubmatch(raw)
			if m == nil {
				v.Add(path, "a figure is written ![caption](media:<id> \"credit\")")
				return nil
			}
			f := &articlev1.Figure{Caption: m[1], File: m[2], Credit: strings.ReplaceAll(m[3], `\"`, `"`)}
			if id, ok := strings.CutPrefix(m[2], MediaScheme); ok {
				f.File, f.Media = "", id
			}
			return &articlev1.Block{Kind: &articlev1.Block_Figure{Figure: f}}
		}
		inline(n, path+".paragraph.text", v)
		return &articlev1.Block{Kind: &articlev1.Block_Paragraph{Paragraph: &articlev1.Paragraph{Text: raw}}}
	case *ast.Heading:
		if n.Level != 2 && n.Level != 3 {
			v.Add(path+".heading.level", "headings inside the body are ## or ###, not %s (the title is in the front matter)", strings.Repeat("#", n.Level))
			return nil
		}
		inline(n, path+".heading.text", v)
		// A setext heading may span lines; a heading is one line.
		t := strings.ReplaceAll(lines(n, src), "\n", " ")
		return &articlev1.Block{Kind: &articlev1.Block_Heading{Heading: &articlev1.Heading{Level: int32(n.Level), Text: t}}}
	case *ast.Blockquote:
		var paras []string
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			p, ok := c.(*ast.Paragraph)
			if !ok {
				v.Add(path+".quote.text", "a quote holds paragraphs only")
				return nil
			}
			inline(p, path+".quote.text", v)
			paras = append(paras, lines(p, src))
		}
		q := &articlev1.Quote{}
		if k := len(paras); k > 1 {
			if m := attribution.FindStringSubmatch(paras[k-1]); m != nil {
				q.Attribution, paras = m[1], paras[:k-1]
			}
		}
		q.Text = strings.Join(paras, "\n\n")
		return &articlev1.Block{Kind: &articlev1.Block_Quote{Quote: q}}
	case *ast.List:
		l := &articlev1.List{Ordered: n.IsOrdered()}
		for item := n.FirstChild(); item != nil; item = item.NextSibling() {
			ip := fmt.Sprintf("%s.list.items[%d]", path, len(l.Items))
			first := item.FirstChild()
			if first == nil || lines(first, src) == "" {
				v.Add(ip, "is empty")
				continue
			}
			if first.NextSibling() != nil || (first.Kind() != ast.KindTextBlock && first.Kind() != ast.KindParagraph) {
				v.Add(ip, "a list item is one line of text; nested lists and blocks are not supported")
				continue
			}
			inline(first, ip, v)
			l.Items = append(l.Items, lines(first, src))
		}
		return &articlev1.Block{Kind: &articlev1.Block_List{List: l}}
	case *ast.HTMLBlock:
		v.Add(path, "raw HTML is not allowed; use Markdown")
	case *ast.FencedCodeBlock, *ast.CodeBlock:
		v.Add(path, "code blocks are not supported in articles")
	case *ast.ThematicBreak:
		v.Add(path, "horizontal rules are not supported; use a ## heading to start a part")
	case *east.Table:
		v.Add(path, "tables are not supported in articles; write the figures in a list or in the text")
	default:
		v.Add(path, "%s is not supported in articles", n.Kind())
	}
	return nil
}

// isByline reports whether a block is the byline written as the last
// paragraph in brackets, naming an author or the office.
func isByline(b *articlev1.Block, by *articlev1.Byline) bool {
	p := b.GetParagraph()
	if p == nil {
		return false
	}
	t := strings.TrimSpace(p.Text)
	bracketed := (strings.HasPrefix(t, "（") && strings.HasSuffix(t, "）")) ||
		(strings.HasPrefix(t, "(") && strings.HasSuffix(t, ")"))
	if !bracketed {
		return false
	}
	names := append([]string{by.GetOffice()}, by.GetAuthors()...)
	for _, n := range names {
		if n != "" && strings.Contains(t, n) {
			return true
		}
	}
	return false
}
