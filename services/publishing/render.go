package publishing

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/tandemnews/tandem/pkg/siteconfig"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
)

//go:embed templates/page.html
var templates embed.FS

var pageTemplate = template.Must(template.New("page.html").Funcs(template.FuncMap{"credit": credit}).ParseFS(templates, "templates/page.html"))

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
}

type crumb struct{ Label, Href string }

type alternate struct{ Hreflang, Href, Label string }

type pageData struct {
	Lang, Title, SiteName, Motto, Address string
	Home, Canonical, Media                string
	ISODate, Date, Byline                 string
	Alternates                            []alternate
	Breadcrumb                            []crumb
	Blocks                                []*articlev1.Block
}

var languageNames = map[string]string{"zh-CN": "中文", "en": "English"}

// Render returns the HTML of one page.
func (r *Renderer) Render(p Page) ([]byte, error) {
	site := r.Site
	c := p.Content
	d := pageData{
		Lang:      p.Locale,
		Title:     c.GetTitle(),
		SiteName:  site.Name[p.Locale],
		Motto:     site.Motto[p.Locale],
		Address:   site.Address[p.Locale],
		Home:      siteconfig.HomePath(p.Locale),
		Canonical: site.URL(siteconfig.ArticlePath(p.Locale, p.Section, p.Slug)),
		Media:     "/media/",
		ISODate:   p.Date,
		Date:      formatDate(p.Date, p.Locale),
		Byline:    byline(c.GetByline(), p.Locale),
		Blocks:    c.GetBlocks(),
	}
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
