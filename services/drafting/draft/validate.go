package draft

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/language"
	"google.golang.org/protobuf/proto"

	"github.com/tandemnews/tandem/pkg/field"
	"github.com/tandemnews/tandem/pkg/siteconfig"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
)

// Limits on what an article may hold. They keep one event, which carries
// the article and later its rendered pages, well inside NATS's default
// 1 MiB message size. docs/limits.md lists them.
const (
	MaxTitleRunes     = 200
	MaxSummaryRunes   = 1000
	MaxBlocks         = 300
	MaxBlockBytes     = 16 << 10
	MaxListItems      = 100
	MaxKeywords       = 20
	MaxKeywordRunes   = 50
	MaxAuthors        = 20
	MaxNameRunes      = 100
	MaxSectionDepth   = 4
	MaxSlugLength     = 100
	MaxArticleBytes   = eventsv1.MaxArticleBytes
	DefaultSourceLang = "zh-CN"
	TargetLang        = "en"
)

// Locales Tandem publishes. The source is Chinese, the target English.
var supportedLocales = map[string]bool{"zh-CN": true, "en": true}

// Supported reports whether Tandem publishes locale.
func Supported(locale string) bool { return supportedLocales[locale] }

var (
	slugPattern    = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	sectionPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	// rawHTML catches a tag or comment opening in inline text.
	rawHTML = regexp.MustCompile(`<\s*[a-zA-Z!/?]`)
)

// Rules are what an article must satisfy beyond its own fields: it is
// filed under a section the site has, and it does not take the slug of
// another published article.
type Rules struct {
	// Site holds the sections an article may be filed under.
	Site *siteconfig.Config
	// SlugOwner returns the published article other than id that uses
	// slug, if there is one. Nil: no slug is taken.
	SlugOwner func(slug, id string) (owner string, taken bool)
	// MaxPayload is the NATS server's max_payload. An article may take a
	// quarter of it (ArticleLimit), so that every event that carries it
	// (the draft, the translation job, the publication with both
	// locales) fits. Zero: the server default, 1 MiB.
	MaxPayload int
}

// ArticleLimit is the size an article may have on a NATS server whose
// max_payload is maxPayload (eventsv1.ArticleLimit).
func ArticleLimit(maxPayload int) int { return eventsv1.ArticleLimit(maxPayload) }

// Check is Validate, then the site's rules, all reported together. The
// section is looked up unless Validate found it missing or malformed, so
// that it is reported once.
func (r Rules) Check(a *articlev1.Article, path string, v *field.Violations) {
	n := v.Len()
	Validate(a, path, v)
	malformed := slices.ContainsFunc(v.Fields()[n:], func(f string) bool { return f == path || strings.HasPrefix(f, path+".section") })
	if limit := ArticleLimit(r.MaxPayload); limit < MaxArticleBytes {
		if size := proto.Size(a); size > limit && size <= MaxArticleBytes {
			v.Add(path, "is %d bytes; on this event store (max_payload %d) an article may be at most %d", size, r.MaxPayload, limit)
		}
	}
	if !malformed && r.Site != nil && !r.Site.HasSection(a.Section) {
		v.Add(path+".section", "%q is not a section of the site (%s)", strings.Join(a.Section, "/"), strings.Join(r.Site.SectionPaths(), ", "))
	}
	if r.SlugOwner == nil {
		return
	}
	if other, taken := r.SlugOwner(a.GetSlug(), a.GetId()); taken {
		v.Add(path+".slug", "%q is the slug of published article %s; choose another", a.Slug, other)
	}
}

// Validate checks an article as an editor submits it and reports every
// problem at once. path is the proto path of the article in the request,
// e.g. "article". It fills in the default source locale.
func Validate(a *articlev1.Article, path string, v *field.Violations) {
	if a == nil {
		v.Add(path, "is required")
		return
	}
	if a.SourceLocale == "" {
		a.SourceLocale = DefaultSourceLang
	}
	if !supportedLocales[a.SourceLocale] {
		v.Add(path+".source_locale", "must be zh-CN or en, not %q", a.SourceLocale)
	}
	if len(a.Section) == 0 {
		v.Add(path+".section", "is required: the section path, e.g. [\"news-events\", \"news\"]")
	}
	if len(a.Section) > MaxSectionDepth {
		v.Add(path+".section", "has %d levels; at most %d", len(a.Section), MaxSectionDepth)
	}
	for i, s := range a.Section {
		if !sectionPattern.MatchString(s) {
			v.Add(fmt.Sprintf("%s.section[%d]", path, i), "%q is not a section key (lowercase letters, digits and '-')", s)
		}
	}
	checkDate(a.Date, path+".date", v)
	if a.Slug != "" && (len(a.Slug) > MaxSlugLength || !slugPattern.MatchString(a.Slug)) {
		v.Add(path+".slug", "must be lowercase letters, digits and single '-' between them, at most %d characters", MaxSlugLength)
	}
	if _, ok := a.Locales[a.SourceLocale]; !ok && supportedLocales[a.SourceLocale] {
		v.Add(fmt.Sprintf("%s.locales[%q]", path, a.SourceLocale), "the source locale must have content")
	}
	for tag, c := range a.Locales {
		lp := fmt.Sprintf("%s.locales[%q]", path, tag)
		if _, err := language.Parse(tag); err != nil {
			v.Add(lp, "%q is not a BCP 47 language tag", tag)
			continue
		}
		if !supportedLocales[tag] {
			v.Add(lp, "Tandem publishes zh-CN and en; %q is not one of them", tag)
			continue
		}
		validateContent(c, lp, v)
	}
	if n := proto.Size(a); n > MaxArticleBytes {
		v.Add(path, "is %d bytes; an article may be at most %d", n, MaxArticleBytes)
	}
}

func validateContent(c *articlev1.LocalizedContent, path string, v *field.Violations) {
	if c == nil {
		v.Add(path, "has no content")
		return
	}
	if field.Blank(c.Title) {
		v.Add(path+".title", "is required")
	}
	text(c.Title, path+".title", chars(MaxTitleRunes), v)
	if m := inlineMark(c.Title); m != "" {
		v.Add(path+".title", "holds Markdown (%s); a title is plain text, shown as written", m)
	}
	text(c.Summary, path+".summary", chars(MaxSummaryRunes), v)
	if len(c.Keywords) > MaxKeywords {
		v.Add(path+".keywords", "has %d keywords; at most %d", len(c.Keywords), MaxKeywords)
	}
	for i, k := range c.Keywords {
		text(k, fmt.Sprintf("%s.keywords[%d]", path, i), chars(MaxKeywordRunes), v)
	}
	if b := c.Byline; b != nil {
		if len(b.Authors) > MaxAuthors {
			v.Add(path+".byline.authors", "has %d authors; at most %d", len(b.Authors), MaxAuthors)
		}
		for i, a := range b.Authors {
			text(a, fmt.Sprintf("%s.byline.authors[%d]", path, i), chars(MaxNameRunes), v)
		}
		text(b.Office, path+".byline.office", chars(MaxNameRunes), v)
	}
	if len(c.Blocks) > MaxBlocks {
		v.Add(path+".blocks", "has %d blocks; at most %d", len(c.Blocks), MaxBlocks)
		return
	}
	seen := map[string]int{}
	for i, b := range c.Blocks {
		bp := fmt.Sprintf("%s.blocks[%d]", path, i)
		if b == nil {
			v.Add(bp, "is empty")
			continue
		}
		checkBlockID(b.Id, bp+".id", v)
		if b.Id != "" {
			if j, dup := seen[b.Id]; dup {
				v.Add(bp+".id", "%q is also the id of blocks[%d]", b.Id, j)
			}
			seen[b.Id] = i
		}
		validateBlock(b, bp, v)
	}
}

func validateBlock(b *articlev1.Block, path string, v *field.Violations) {
	required := func(s, name string) {
		if field.Blank(s) {
			v.Add(path+name, "is required")
		}
		text(s, path+name, blockBytes, v)
	}
	switch k := b.Kind.(type) {
	case *articlev1.Block_Paragraph:
		required(k.Paragraph.GetText(), ".paragraph.text")
	case *articlev1.Block_Heading:
		if l := k.Heading.GetLevel(); l != 2 && l != 3 {
			v.Add(path+".heading.level", "must be 2 or 3, not %d", l)
		}
		required(k.Heading.GetText(), ".heading.text")
	case *articlev1.Block_Figure:
		f := k.Figure
		switch {
		case f.GetMedia() != "" && f.GetFile() != "":
			v.Add(path+".figure.file", "must be empty when the figure names a media item (figure.media)")
		case f.GetMedia() != "":
			checkMedia(f.GetMedia(), path+".figure.media", v)
		default:
			checkFile(f.GetFile(), path+".figure.file", v)
		}
		text(f.GetCaption(), path+".figure.caption", blockBytes, v)
		text(f.GetAlt(), path+".figure.alt", blockBytes, v)
		text(f.GetCredit(), path+".figure.credit", chars(MaxNameRunes), v)
	case *articlev1.Block_Quote:
		required(k.Quote.GetText(), ".quote.text")
		text(k.Quote.GetAttribution(), path+".quote.attribution", chars(MaxNameRunes), v)
	case *articlev1.Block_List:
		items := k.List.GetItems()
		if len(items) == 0 {
			v.Add(path+".list.items", "a list needs at least one item")
		}
		if len(items) > MaxListItems {
			v.Add(path+".list.items", "has %d items; at most %d", len(items), MaxListItems)
		}
		for i, it := range items {
			required(it, fmt.Sprintf(".list.items[%d]", i))
		}
	default:
		v.Add(path, "must be a paragraph, heading, figure, quote or list")
	}
}

// bound is a length limit: in characters for short fields, in bytes for
// block text.
type bound struct {
	max   int
	bytes bool
}

func chars(n int) bound { return bound{max: n} }

var blockBytes = bound{max: MaxBlockBytes, bytes: true}

// text checks a length bound, the characters (block text may run over
// lines, the short fields are one line each: field.Text), and the absence
// of raw HTML.
func text(s, path string, b bound, v *field.Violations) {
	kind, n, unit := field.Line, utf8.RuneCountInString(s), "characters"
	if b.bytes {
		kind, n, unit = field.Block, len(s), "bytes"
	}
	if p := kind.Problem(s); p != "" {
		v.Add(path, "%s", p)
		if !utf8.ValidString(s) {
			return
		}
	}
	if n > b.max {
		v.Add(path, "is %d %s; at most %d", n, unit, b.max)
	}
	if rawHTML.MatchString(s) {
		v.Add(path, "contains raw HTML; use Markdown (emphasis, strong, links, code)")
	}
}
