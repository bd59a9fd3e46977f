package draft

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/tandemnews/tandem/pkg/field"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
)

var (
	// ErrConflict is a masked edit of a field that someone else changed
	// after the editor read it. A *ConflictError says which field and the
	// revision to read again.
	ErrConflict = errors.New("changed by someone else")
	// ErrUnknownRevision is a masked edit made from a revision the draft
	// never had.
	ErrUnknownRevision = errors.New("not a revision of the draft")
)

// ConflictError is ErrConflict for one draft and field.
type ConflictError struct {
	// ID is the article's, Field the mask path that both edits touched.
	ID, Field string
	// Current is the draft's revision now.
	Current uint64
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("draft %s (%s) was changed by someone else: the current revision is %d; read it again and reapply your change", e.ID, e.Field, e.Current)
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// Metadata tells the caller which revision to read again.
func (e *ConflictError) Metadata() map[string]string {
	return map[string]string{"current_revision": strconv.FormatUint(e.Current, 10)}
}

// localeFields are the parts of a locale a mask can name.
var localeFields = []string{"title", "summary", "blocks", "byline", "keywords"}

// CheckMask reports every path of an update mask that names nothing, and
// writes each locale a path names as its tag. A tag may be written with
// '_' for '-', in any case: the JSON form of a field mask, one string of
// lowerCamel paths, cannot hold a '-', and "locales.zhCn" there reaches
// the service as "locales.zh_cn", which names zh-CN.
func CheckMask(paths []string, v *field.Violations) {
	for i, p := range paths {
		if c, ok := canonicalPath(p); ok {
			paths[i] = c
			continue
		}
		v.Add(fmt.Sprintf("update_mask.paths[%d]", i), "%q is not a field of an article: use date, section, slug, locales.<tag> or locales.<tag>.(%s)", p, strings.Join(localeFields, "|"))
	}
}

// canonicalPath is p with its locale written as the tag, if p names a
// field of an article.
func canonicalPath(p string) (string, bool) {
	switch p {
	case "date", "section", "slug":
		return p, true
	}
	rest, ok := strings.CutPrefix(p, "locales.")
	if !ok || rest == "" {
		return "", false
	}
	written, f, hasField := strings.Cut(rest, ".")
	if hasField && !slices.Contains(localeFields, f) {
		return "", false
	}
	for tag := range supportedLocales {
		if strings.EqualFold(strings.ReplaceAll(written, "_", "-"), tag) {
			return strings.TrimSuffix("locales."+tag+"."+f, "."), true
		}
	}
	return "", false
}

// Merge applies the fields at paths of edit on top of cur, the draft as
// it is now, and returns the merged article. The editor read revision
// expected, whose state is base (nil when the draft has no such
// revision). When cur has moved on since, the edit still applies unless
// an edit made in between touched one of the same fields: then it is a
// *ConflictError, so that no one's change is silently lost.
func Merge(cur, base *draftingv1.Draft, expected uint64, edit *articlev1.Article, paths []string) (*articlev1.Article, error) {
	if cur.GetRevision() != expected {
		if base == nil {
			return nil, fmt.Errorf("%w: %w", ErrUnknownRevision,
				field.Invalid("expected_revision", "%d is not a revision of draft %s", expected, cur.GetArticle().GetId()))
		}
		for _, p := range paths {
			if !SameField(base.GetArticle(), cur.GetArticle(), p) {
				return nil, &ConflictError{ID: cur.GetArticle().GetId(), Field: p, Current: cur.GetRevision()}
			}
		}
	}
	merged := proto.Clone(cur.GetArticle()).(*articlev1.Article)
	for _, p := range paths {
		CopyField(merged, edit, p)
	}
	return merged, nil
}

// Patch is a masked edit of d: Merge, then the rules on the merged
// article, then Replace.
func (r Rules) Patch(d, base *draftingv1.Draft, expected uint64, edit *articlev1.Article, paths []string, who *articlev1.Actor, now time.Time) error {
	if Purged(d) {
		return notFound(d)
	}
	merged, err := Merge(d, base, expected, edit, paths)
	if err != nil {
		return err
	}
	var v field.Violations
	r.Check(merged, "article", &v)
	if err := v.Err(); err != nil {
		return err
	}
	return Replace(d, merged, who, now)
}

// project returns an article holding only the field at path, so two
// articles can be compared on that field alone.
func project(a *articlev1.Article, path string) *articlev1.Article {
	out := &articlev1.Article{}
	CopyField(out, a, path)
	return out
}

// SameField reports whether a and b agree on the field at path.
func SameField(a, b *articlev1.Article, path string) bool {
	return proto.Equal(project(a, path), project(b, path))
}

// CopyField sets the field at path of dst to src's (removing a locale
// src does not have).
func CopyField(dst, src *articlev1.Article, path string) {
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
