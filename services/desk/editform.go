package desk

import (
	"bytes"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/tandemnews/tandem/pkg/markdown"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
)

// locales of the editor, source first, with their form prefixes.
var editLocales = []struct{ Tag, Key string }{{"zh-CN", "zh"}, {"en", "en"}}

// localeForm is one language of the editor.
type localeForm struct {
	Tag, Key                        string
	Title, Summary, Authors, Office string
	Body                            string // Markdown
}

// editForm is the editor's fields, as the page shows them and as they
// come back.
type editForm struct {
	ID       string
	Revision uint64
	Date     string
	Section  string
	Slug     string
	Locales  []*localeForm
}

// formOf is the form of a stored article.
func formOf(a *articlev1.Article, rev uint64) *editForm {
	f := &editForm{ID: a.GetId(), Revision: rev, Date: a.GetDate(), Section: strings.Join(a.GetSection(), "/"), Slug: a.GetSlug()}
	for _, l := range editLocales {
		lf := &localeForm{Tag: l.Tag, Key: l.Key}
		if c := a.GetLocales()[l.Tag]; c != nil {
			lf.Title, lf.Summary = c.GetTitle(), c.GetSummary()
			lf.Authors, lf.Office = strings.Join(c.GetByline().GetAuthors(), ", "), c.GetByline().GetOffice()
			if md, err := markdown.Export(a, l.Tag); err == nil {
				lf.Body = bodyOf(md)
			}
		}
		f.Locales = append(f.Locales, lf)
	}
	return f
}

// bodyOf is a Markdown file without its front matter.
func bodyOf(md []byte) string {
	if rest, ok := bytes.CutPrefix(md, []byte("---\n")); ok {
		if i := bytes.Index(rest, []byte("\n---\n")); i >= 0 {
			return strings.TrimLeft(string(rest[i+5:]), "\n")
		}
	}
	return string(md)
}

// readForm is the form a request posted.
func readForm(r *http.Request, id string) *editForm {
	f := &editForm{ID: id, Date: strings.TrimSpace(r.PostFormValue("date")), Section: r.PostFormValue("section"), Slug: strings.TrimSpace(r.PostFormValue("slug"))}
	f.Revision = parseUint(r.PostFormValue("revision"))
	for _, l := range editLocales {
		v := func(k string) string { return r.PostFormValue(l.Key + "_" + k) }
		f.Locales = append(f.Locales, &localeForm{Tag: l.Tag, Key: l.Key,
			Title: strings.TrimSpace(v("title")), Summary: strings.TrimSpace(v("summary")),
			Authors: v("authors"), Office: strings.TrimSpace(v("office")),
			Body: strings.ReplaceAll(v("body"), "\r\n", "\n")})
	}
	return f
}

func (lf *localeForm) empty() bool {
	return lf.Title == "" && lf.Summary == "" && strings.TrimSpace(lf.Authors) == "" && lf.Office == "" && strings.TrimSpace(lf.Body) == ""
}

// article is the article the form describes. Problems of the Markdown
// bodies are returned by field ("zh_body"); the article then lacks the
// blocks it could not read, and the services check the rest.
func (f *editForm) article() (*articlev1.Article, map[string]string) {
	a := &articlev1.Article{Id: f.ID, Date: f.Date, Slug: f.Slug, SourceLocale: "zh-CN", Locales: map[string]*articlev1.LocalizedContent{}}
	if f.Section != "" {
		a.Section = strings.Split(f.Section, "/")
	}
	problems := map[string]string{}
	for _, lf := range f.Locales {
		if lf.Tag != "zh-CN" && lf.empty() {
			continue
		}
		c := &articlev1.LocalizedContent{Title: lf.Title, Summary: lf.Summary, Byline: &articlev1.Byline{Office: lf.Office}}
		for _, name := range strings.Split(lf.Authors, ",") {
			if name = strings.TrimSpace(name); name != "" {
				c.Byline.Authors = append(c.Byline.Authors, name)
			}
		}
		field := lf.Key + "_body"
		doc, err := markdown.Parse([]byte("---\n---\n\n"+lf.Body), field)
		if err != nil {
			for k, v := range violations(err) {
				problems[field] = join(problems[field], strings.TrimPrefix(strings.TrimPrefix(k, field), ".")+" "+v)
			}
		} else {
			c.Blocks = doc.Content.GetBlocks()
		}
		a.Locales[lf.Tag] = c
	}
	return a, problems
}

func join(a, b string) string {
	if a == "" {
		return strings.TrimSpace(b)
	}
	return a + "; " + strings.TrimSpace(b)
}

// violations are the field violations of an error, by field path.
func violations(err error) map[string]string {
	m := map[string]string{}
	st, _ := status.FromError(err)
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.GetFieldViolations() {
				m[v.GetField()] = join(m[v.GetField()], v.GetDescription())
			}
		}
	}
	return m
}

// localePath reads `locales["en"].title` or `article.locales["zh-CN"].byline.authors[0]`.
var localePath = regexp.MustCompile(`^(?:article\.)?locales\["([^"]+)"\]\.?([a-z_]*)`)

// formField is the editor field that a service's field path names, ""
// for none.
func formField(path string) string {
	if m := localePath.FindStringSubmatch(path); m != nil {
		key := ""
		for _, l := range editLocales {
			if l.Tag == m[1] {
				key = l.Key
			}
		}
		if key == "" {
			return ""
		}
		switch m[2] {
		case "title", "summary", "office":
			return key + "_" + m[2]
		case "byline":
			if strings.Contains(path, "office") {
				return key + "_office"
			}
			return key + "_authors"
		case "blocks":
			return key + "_body"
		}
		return key + "_title"
	}
	p := strings.TrimPrefix(path, "article.")
	for _, f := range []string{"date", "section", "slug"} {
		if p == f || strings.HasPrefix(p, f+"[") || strings.HasPrefix(p, f+".") {
			return f
		}
	}
	return ""
}

// mask is the update mask of what the form changes in base, the revision
// it was read at: only those fields are written, so people editing other
// fields (the other language) at the same time do not collide.
func mask(base, next *articlev1.Article) []string {
	var paths []string
	if base.GetDate() != next.GetDate() {
		paths = append(paths, "date")
	}
	if !slices.Equal(base.GetSection(), next.GetSection()) {
		paths = append(paths, "section")
	}
	if base.GetSlug() != next.GetSlug() {
		paths = append(paths, "slug")
	}
	for _, l := range editLocales {
		b, n := base.GetLocales()[l.Tag], next.GetLocales()[l.Tag]
		switch {
		case b == nil && n == nil:
			continue
		case b == nil || n == nil:
			paths = append(paths, "locales."+l.Tag)
			continue
		}
		p := "locales." + l.Tag + "."
		if b.GetTitle() != n.GetTitle() {
			paths = append(paths, p+"title")
		}
		if b.GetSummary() != n.GetSummary() {
			paths = append(paths, p+"summary")
		}
		if !proto.Equal(byline(b), byline(n)) {
			paths = append(paths, p+"byline")
		}
		if !sameBlocks(b.GetBlocks(), n.GetBlocks()) {
			paths = append(paths, p+"blocks")
		}
	}
	return paths
}

func byline(c *articlev1.LocalizedContent) *articlev1.Byline {
	b := proto.Clone(c.GetByline()).(*articlev1.Byline)
	if b == nil {
		b = &articlev1.Byline{}
	}
	if len(b.Authors) == 0 {
		b.Authors = nil
	}
	return b
}

// sameBlocks compares blocks without their ids, which the form does not
// carry: the server assigns them.
func sameBlocks(a, b []*articlev1.Block) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := proto.Clone(a[i]).(*articlev1.Block), proto.Clone(b[i]).(*articlev1.Block)
		x.Id, y.Id = "", ""
		if !proto.Equal(x, y) {
			return false
		}
	}
	return true
}

// keepIDs gives the blocks of next the ids of the blocks of base at the
// same places, where they are of the same kind: the server keeps a
// block's id across edits, and review follows a segment by it.
func keepIDs(base, next *articlev1.Article) {
	for tag, n := range next.GetLocales() {
		b := base.GetLocales()[tag]
		for i, blk := range n.GetBlocks() {
			if i < len(b.GetBlocks()) && kindOf(b.Blocks[i]) == kindOf(blk) {
				blk.Id = b.Blocks[i].GetId()
			}
		}
	}
}

func kindOf(b *articlev1.Block) string {
	m := b.ProtoReflect()
	if fd := m.WhichOneof(m.Descriptor().Oneofs().ByName("kind")); fd != nil {
		return string(fd.Name())
	}
	return ""
}

func parseUint(s string) uint64 {
	n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return 0
	}
	return n
}
