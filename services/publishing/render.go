package publishing

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/tandemnews/tandem/pkg/siteconfig"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	"github.com/tandemnews/tandem/services/publishing/publication"
)

//go:embed templates/page.html
var templates embed.FS

var pageTemplate = template.Must(template.New("page.html").Funcs(template.FuncMap{"credit": credit, "inline": inline}).ParseFS(templates, "templates/page.html"))

// credit writes a photo credit after its caption in the locale's brackets.
func credit(locale, who string) string {
	if locale == "zh-CN" {
		return "（" + who + "）"
	}
	return " (" + who + ")"
}

// Renderer turns published content into article pages.
type Renderer struct {
	Site *siteconfig.Config
}

// Page is what one article page shows.
type Page struct {
	Locale  string
	Section []string
	Date    string // YYYY-MM-DD
	Slug    string
	Content *articlev1.LocalizedContent
	// Published lists every locale published after this change, for the
	// alternate links.
	Published []string
	// FirstPublished is when the locale first went public; Updated, when
	// set, when it was last corrected, with the public note.
	FirstPublished, Updated time.Time
	Correction              string
	// Released is when this version was published: the page's
	// dateModified. Zero in a preview, which has not been published.
	Released time.Time
	// Lead is the page's first image, as the event lists it: the Open
	// Graph and structured-data image. Nil when the page shows none.
	Lead *eventsv1.PublishedImage
	// Images are the media items the figures show
	// (PublishedLocale.images); a figure whose image is not among them
	// (a preview) shows its caption alone.
	Images []*eventsv1.PublishedImage
	// Media is the address the images load from, ending in a slash:
	// empty for the site's /media/; a preview link's page names its own
	// (/preview/<token>/media/), where the link is the permission.
	Media string
}

// siteMedia is where the site serves images. The page's Open Graph and
// structured-data image is always there: it is the published page's.
const siteMedia = "/media/"

type crumb struct{ Label, Href string }

type alternate struct{ Hreflang, Href, Label string }

type pageData struct {
	Lang, Title, SiteName, Motto, Address string
	Home, Canonical, Media                string
	ISODate, Date, Byline                 string
	Description, OGLocale, Image          string
	Updated, UpdatedISO, Correction       string
	// PublishedISO and ModifiedISO are the release times of the locale
	// (first and latest), with time and zone; empty in a preview.
	PublishedISO, ModifiedISO, Icon string
	ImageAlt                        string
	ImageWidth, ImageHeight         int32
	Alternates                      []alternate
	Breadcrumb                      []crumb
	// Nav is the site's top-level sections, as the front page lists them.
	Nav    []crumb
	Blocks []*articlev1.Block
	images map[string]*eventsv1.PublishedImage
	lead   string
	// JSONLD is the schema.org NewsArticle; html/template writes it as
	// JSON, escaped for a script element.
	JSONLD map[string]any
}

var languageNames = map[string]string{"zh-CN": "中文", "en": "English"}

// Render returns the HTML of one page.
func (r *Renderer) Render(p Page) ([]byte, error) {
	site := r.Site
	c := p.Content
	d := pageData{
		Lang:       p.Locale,
		Title:      c.GetTitle(),
		SiteName:   site.Name[p.Locale],
		Motto:      site.Motto[p.Locale],
		Address:    site.Address[p.Locale],
		Home:       siteconfig.HomePath(p.Locale),
		Canonical:  site.URL(siteconfig.ArticlePath(p.Locale, p.Section, p.Slug)),
		Media:      cmp.Or(p.Media, siteMedia),
		ISODate:    p.Date,
		Date:       formatDate(p.Date, p.Locale),
		Byline:     byline(c.GetByline(), p.Locale),
		Blocks:     c.GetBlocks(),
		OGLocale:   map[string]string{"zh-CN": "zh_CN", "en": "en_US"}[p.Locale],
		Correction: p.Correction,
		Icon:       siteconfig.IconPath,
	}
	d.Description = description(c)
	d.images = map[string]*eventsv1.PublishedImage{}
	for _, img := range p.Images {
		d.images[img.Media] = img
	}
	lead := p.Lead
	if lead == nil && len(p.Images) > 0 {
		lead = p.Images[0]
	}
	if im := lead; im != nil && im.GetMedia() != "" {
		d.lead = im.GetMedia()
		d.Image = site.URL(fmt.Sprintf("%s%s-%d.%s", siteMedia, im.GetMedia(), im.GetWidth(), im.GetExt()))
		d.ImageAlt, d.ImageWidth, d.ImageHeight = im.GetAlt(), im.GetWidth(), im.GetHeight()
	} else {
		for _, b := range c.GetBlocks() {
			if f := b.GetFigure(); f != nil && f.File != "" {
				d.Image = site.URL(siteMedia + f.File)
				break
			}
		}
	}
	if !p.FirstPublished.IsZero() {
		d.PublishedISO = p.FirstPublished.UTC().Format(time.RFC3339)
		d.ModifiedISO = d.PublishedISO
	}
	if !p.Released.IsZero() {
		d.ModifiedISO = p.Released.UTC().Format(time.RFC3339)
	}
	if !p.Updated.IsZero() {
		d.UpdatedISO = p.Updated.UTC().Format(time.RFC3339)
		d.Updated = formatDate(p.Updated.UTC().Format(time.DateOnly), p.Locale)
	}
	d.JSONLD = newsArticle(d, p, site)
	for _, l := range siteconfig.Locales {
		for _, pub := range p.Published {
			if pub == l {
				d.Alternates = append(d.Alternates, alternate{Hreflang: l, Href: site.URL(siteconfig.ArticlePath(l, p.Section, p.Slug)), Label: languageNames[l]})
			}
		}
	}
	if len(d.Alternates) > 0 {
		// x-default: the source language, the first one listed.
		d.Alternates = append(d.Alternates, alternate{Hreflang: "x-default", Href: d.Alternates[0].Href})
	}
	for _, key := range site.SectionPaths() {
		if !strings.Contains(key, "/") {
			d.Nav = append(d.Nav, crumb{Label: site.SectionLabel([]string{key}, p.Locale), Href: d.Home + key + "/"})
		}
	}
	home := map[string]string{"zh-CN": "首页", "en": "Home"}[p.Locale]
	content := map[string]string{"zh-CN": "正文", "en": "Content"}[p.Locale]
	d.Breadcrumb = append(d.Breadcrumb, crumb{Label: home, Href: d.Home})
	for i := range p.Section {
		href := d.Home + strings.Join(p.Section[:i+1], "/") + "/"
		d.Breadcrumb = append(d.Breadcrumb, crumb{Label: site.SectionLabel(p.Section[:i+1], p.Locale), Href: href})
	}
	d.Breadcrumb = append(d.Breadcrumb, crumb{Label: content})
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, d); err != nil {
		return nil, fmt.Errorf("render %s: %w", p.Locale, err)
	}
	return buf.Bytes(), nil
}

// Publication renders every published locale of p into p: its page, the
// page's content hash, its description and its canonical URL (which
// clients print, so they need not know where the site runs). Every page
// links every published language, so a change to one locale renders them
// all.
func (r *Renderer) Publication(p *eventsv1.Publication) error {
	published := publication.Published(p)
	for _, l := range published {
		pl := p.Locales[l]
		page := Page{Locale: l, Section: pl.Section, Date: pl.Date, Slug: pl.Slug, Content: pl.Content, Published: published, Images: pl.Images,
			FirstPublished: pl.GetFirstPublished().GetTime().AsTime(), Released: pl.GetPublished().GetTime().AsTime()}
		if pl.GetFirstPublished() == nil {
			page.FirstPublished = page.Released
		}
		if pl.GetPublished() == nil {
			page.FirstPublished, page.Released = time.Time{}, time.Time{}
		}
		if len(pl.GetImages()) > 0 {
			page.Lead = pl.GetImages()[0]
		}
		if c := pl.GetCorrection(); c != nil {
			page.Correction, page.Updated = c.Note, c.GetChange().GetTime().AsTime()
		}
		html, err := r.Render(page)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(html)
		pl.Description = description(pl.Content)
		pl.Html = html
		pl.ContentHash = hex.EncodeToString(sum[:])
		pl.Url = r.Site.URL(pl.Path)
	}
	return nil
}

// description is the page's summary, or its first paragraph, as plain
// text of at most 160 characters.
func description(c *articlev1.LocalizedContent) string {
	text := c.GetSummary()
	if text == "" {
		for _, b := range c.GetBlocks() {
			if p := b.GetParagraph(); p != nil {
				text = p.Text
				break
			}
		}
	}
	text = plain(text)
	if r := []rune(text); len(r) > 160 {
		text = string(r[:159]) + "…"
	}
	return text
}

// newsArticle is the schema.org NewsArticle of a page. Its dates are
// the release's, not the story's: datePublished is when the locale was
// first published and dateModified when this version was, both with
// time and zone, as the feeds and the sitemap date them. The story date
// is the page's dateline. A preview, never published, carries the story
// date alone.
func newsArticle(d pageData, p Page, site *siteconfig.Config) map[string]any {
	a := map[string]any{
		"@context":         "https://schema.org",
		"@type":            "NewsArticle",
		"headline":         d.Title,
		"inLanguage":       p.Locale,
		"datePublished":    d.ISODate,
		"mainEntityOfPage": d.Canonical,
		"url":              d.Canonical,
		"description":      d.Description,
		"publisher": map[string]any{
			"@type": "CollegeOrUniversity", "name": d.SiteName, "url": site.URL(d.Home),
			"logo": map[string]any{"@type": "ImageObject", "url": site.URL(siteconfig.LogoPath)},
		},
	}
	if d.PublishedISO != "" {
		a["datePublished"] = d.PublishedISO
		a["dateModified"] = d.ModifiedISO
	}
	if d.Image != "" {
		if d.ImageWidth > 0 {
			a["image"] = []any{map[string]any{"@type": "ImageObject", "url": d.Image, "width": d.ImageWidth, "height": d.ImageHeight}}
		} else {
			a["image"] = []string{d.Image}
		}
	}
	var authors []map[string]any
	for _, name := range p.Content.GetByline().GetAuthors() {
		authors = append(authors, map[string]any{"@type": "Person", "name": name})
	}
	if o := p.Content.GetByline().GetOffice(); o != "" {
		authors = append(authors, map[string]any{"@type": "Organization", "name": o})
	}
	if len(authors) > 0 {
		a["author"] = authors
	}
	return a
}

// formatDate writes 2023-12-05 as "2023年12月5日" or "Dec 5, 2023".
func formatDate(date, locale string) string {
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return date
	}
	if locale == "zh-CN" {
		return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day())
	}
	return t.Format("Jan 2, 2006")
}

// byline writes the office's style: "(Li Ming, Wang Fang, Office of ...)"
// or "（李明、王芳，国际合作与交流处）".
func byline(b *articlev1.Byline, locale string) string {
	if b == nil || (len(b.Authors) == 0 && b.Office == "") {
		return ""
	}
	if locale == "zh-CN" {
		parts := []string{}
		if len(b.Authors) > 0 {
			parts = append(parts, strings.Join(b.Authors, "、"))
		}
		if b.Office != "" {
			parts = append(parts, b.Office)
		}
		return "（" + strings.Join(parts, "，") + "）"
	}
	parts := append([]string{}, b.Authors...)
	if b.Office != "" {
		parts = append(parts, b.Office)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
