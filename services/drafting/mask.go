package drafting

import (
	"fmt"
	"slices"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/tandemnews/tandem/pkg/rpc"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
)

// localeFields are the parts of a locale a mask can name.
var localeFields = []string{"title", "summary", "blocks", "byline", "keywords"}

// checkMask reports every path of an update mask that names nothing.
func checkMask(paths []string, v *rpc.Violations) {
	for i, p := range paths {
		if !validPath(p) {
			v.Add(fmt.Sprintf("update_mask.paths[%d]", i), "%q is not a field of an article: use date, section, slug, locales.<tag> or locales.<tag>.(%s)", p, strings.Join(localeFields, "|"))
		}
	}
}

func validPath(p string) bool {
	switch p {
	case "date", "section", "slug":
		return true
	}
	rest, ok := strings.CutPrefix(p, "locales.")
	if !ok || rest == "" {
		return false
	}
	tag, field, hasField := strings.Cut(rest, ".")
	if !supportedLocales[tag] {
		return false
	}
	return !hasField || slices.Contains(localeFields, field)
}

// project returns an article holding only the field at path, so two
// articles can be compared on that field alone.
func project(a *articlev1.Article, path string) *articlev1.Article {
	out := &articlev1.Article{}
	copyField(out, a, path)
	return out
}

// sameField reports whether a and b agree on the field at path.
func sameField(a, b *articlev1.Article, path string) bool {
	return proto.Equal(project(a, path), project(b, path))
}

// copyField sets the field at path of dst to src's (removing a locale
// src does not have).
func copyField(dst, src *articlev1.Article, path string) {
	switch path {
	case "date":
		dst.Date = src.GetDate()
		return
	case "section":
		dst.Section = slices.Clone(src.GetSection())
		return
	case "slug":
		dst.Slug = src.GetSlug()
		return
	}
	tag, field, _ := strings.Cut(strings.TrimPrefix(path, "locales."), ".")
	s := src.GetLocales()[tag]
	if dst.Locales == nil {
		dst.Locales = map[string]*articlev1.LocalizedContent{}
	}
	if field == "" {
		if s == nil {
			delete(dst.Locales, tag)
		} else {
			dst.Locales[tag] = proto.Clone(s).(*articlev1.LocalizedContent)
		}
		return
	}
	d := dst.Locales[tag]
	if d == nil {
		d = &articlev1.LocalizedContent{}
		dst.Locales[tag] = d
	}
	switch field {
	case "title":
		d.Title = s.GetTitle()
	case "summary":
		d.Summary = s.GetSummary()
	case "blocks":
		d.Blocks = nil
		for _, b := range s.GetBlocks() {
			d.Blocks = append(d.Blocks, proto.Clone(b).(*articlev1.Block))
		}
	case "byline":
		d.Byline = proto.Clone(s.GetByline()).(*articlev1.Byline)
	case "keywords":
		d.Keywords = slices.Clone(s.GetKeywords())
	}
}
