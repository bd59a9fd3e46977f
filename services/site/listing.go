package site

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tandemnews/tandem/pkg/siteconfig"
	"github.com/tandemnews/tandem/services/site/index"
)

// PageSize is how many articles a listing page shows.
const PageSize = 20

var (
	//go:embed layout.html
	layoutHTML string
	//go:embed home.html
	homeHTML string
)

// homeTemplate renders listings, and searchTemplate search results, in
// the shared layout (layout.html: style, header, navigation, footer).
var (
	homeTemplate   = template.Must(template.Must(template.New("home").Parse(layoutHTML)).Parse(homeHTML))
	searchTemplate = template.Must(template.Must(template.New("search").Parse(layoutHTML)).Parse(searchHTML))
)

// serveList serves a listing, feed or sitemap from the cache, rendering it
// from the index on the first request after a change.
func (s *Site) serveList(w http.ResponseWriter, r *http.Request, key, ctype string, render func() []byte) {
	seq := s.index.Seq()
	c := s.lists.get(key, seq)
	if c == nil {
		// Rendered here from the index alone, once for every reader
		// waiting on it: a listing never comes from Redis.
		v, _, _ := s.tiers.group.Do(fmt.Sprintf("list|%d|%s", seq, key), func() (any, error) {
			if c := s.lists.get(key, seq); c != nil {
				return c, nil
			}
			c := newRendered(render(), s.index.LastChange(), seq)
			s.lists.put(key, c)
			return c, nil
		})
		c = v.(*rendered)
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Cache-Control", cacheList)
	h["Vary"] = varyGzip
	if strings.HasPrefix(ctype, "text/html") {
		pageCSP(h, c.plain())
	}
	if acceptsGzip(r) {
		serveGzip(w, r, c.gz, c.etag, c.modified)
		return
	}
	serveBytes(w, r, c.plain(), c.etag, c.modified)
}

// listed is one article as a listing shows it.
type listed struct {
	Path, Title, Summary, Section string
	// Date is the story date as readers read it; ISODate, as a machine does.
	Date, ISODate string
	Image         *picture
}

// picture is a responsive <img>: the smallest variant as src, every
// variant in srcset, and its intrinsic size so the layout does not shift.
type picture struct {
	Src, Srcset, Alt string
	Width, Height    int32
}

// block is a section's newest stories on the listing of the section
// above it.
type block struct {
	Path, Title string
	Stories     []listed
}

type alt struct{ Hreflang, Href, Label string }

type pageLink struct {
	Href    string
	N       int
	Current bool
}

// chrome is what the shared header, navigation and footer show.
type chrome struct {
	Lang, SiteName, Motto, Address, Home, Icon string
	// Search is the locale's search page, which the header's form asks;
	// empty on the search page itself, whose form is its content.
	Search, SearchLabel string
	SearchMax           int
	// Alternates are the page in each language.
	Alternates []alt
	// Nav is the top-level sections.
	Nav []block
}

// chrome fills the shared parts of a page in locale.
func (s *Site) chrome(locale string) chrome {
	site := s.o.Site
	c := chrome{
		Lang: locale, SiteName: site.Name[locale], Motto: site.Motto[locale], Address: site.Address[locale],
		Home: siteconfig.HomePath(locale), Icon: siteconfig.IconPath,
		Search: searchPath(locale), SearchLabel: searchWords["heading"][locale], SearchMax: MaxQueryRunes,
	}
	for _, p := range site.SectionPaths() {
		if parts := strings.Split(p, "/"); len(parts) == 1 {
			c.Nav = append(c.Nav, block{Path: listPath(locale, parts), Title: site.SectionLabel(parts, locale)})
		}
	}
	return c
}

type listData struct {
	chrome
	Heading, Empty                          string
	Title, Description, Canonical, OGLocale string
	Feed, Atom, Prev, Next, PageLabel       string
	LatestLabel, MoreLabel, PagesLabel      string
	// OGImage is the lead story's photo, absolute, for link previews.
	OGImage string
	// HrefLang says whether the head announces the listing in each
	// language (only the first page has a twin).
	HrefLang bool
	// InSection is true on a section's listing, which lists its
	// subsections under its heading (the home page has them in its
	// navigation already).
	InSection bool
	Sections  []block
	Lead      *listed
	Stories   []listed
	Blocks    []block
	Pages     []pageLink
}

// sectionsShown is how many stories a section's block lists.
const sectionsShown = 4

// listPath is the path of a listing: the locale's home or a section.
func listPath(locale string, section []string) string {
	p := siteconfig.HomePath(locale)
	if len(section) > 0 {
		p += strings.Join(section, "/") + "/"
	}
	return p
}

// listing serves the latest articles of a locale or of a section, 20 a
// page (?page=2 for the next).
func (s *Site) listing(w http.ResponseWriter, r *http.Request, locale string, section []string) {
	n := 1
	if q := r.URL.Query().Get("page"); q != "" {
		v, err := strconv.Atoi(q)
		if err != nil || v < 1 {
			s.notFound(w, locale)
			return
		}
		n = v
	}
	key := "list:" + locale + ":" + strings.Join(section, "/") + ":" + strconv.Itoa(n)
	// Only an uncached page asks whether it is past the last one, so a
	// listing read does not sort the index on every request.
	cached := s.lists.get(key, s.index.Seq()) != nil
	if !cached && n > 1 && (n-1)*PageSize >= s.index.Count(locale, section) {
		s.notFound(w, locale)
		return
	}
	s.serveList(w, r, key, "text/html; charset=utf-8", func() []byte { return s.renderListing(locale, section, n) })
}

func (s *Site) renderListing(locale string, section []string, n int) []byte {
	pages, total := s.index.Latest(locale, section, (n-1)*PageSize, PageSize)
	site := s.o.Site
	home := listPath(locale, section)
	zh := locale == "zh-CN"
	d := listData{
		chrome: s.chrome(locale), Feed: home + "feed.xml", Atom: home + "atom.xml",
		Heading:     pick(zh, "最新消息", "Latest news"),
		Empty:       pick(zh, "暂无文章。", "Nothing published yet."),
		LatestLabel: pick(zh, "最新文章", "Latest stories"),
		MoreLabel:   pick(zh, "更多", "More"),
		PagesLabel:  pick(zh, "分页", "Pages"),
		OGLocale:    pick(zh, "zh_CN", "en_US"),
		Canonical:   site.URL(home),
		HrefLang:    n == 1,
		InSection:   len(section) > 0,
	}
	if len(section) > 0 {
		d.Heading = site.SectionLabel(section, locale)
	}
	// Each listing has a title and a description of its own.
	d.Title = d.SiteName
	switch {
	case len(section) > 0:
		d.Title = d.Heading + " - " + d.SiteName
		d.Description = pick(zh, d.SiteName+"“"+d.Heading+"”栏目的最新文章", "The latest "+d.Heading+" stories from "+d.SiteName)
	default:
		d.Description = pick(zh, d.SiteName+"："+d.Motto+"。学校新闻、通知与校园生活的最新消息", d.SiteName+": "+d.Motto+". The latest news, notices and campus life")
	}
	last := max(1, (total+PageSize-1)/PageSize)
	if n > 1 {
		d.Canonical = site.URL(home + "?page=" + strconv.Itoa(n))
		d.Title = d.Heading + pick(zh, fmt.Sprintf("（第 %d 页）", n), fmt.Sprintf(", page %d", n)) + " - " + d.SiteName
		d.Description += pick(zh, fmt.Sprintf("，第 %d 页", n), fmt.Sprintf(", page %d", n))
		d.Prev = home + "?page=" + strconv.Itoa(n-1)
		if n == 2 {
			d.Prev = home
		}
	}
	d.Description += pick(zh, "。", ".")
	if n*PageSize < total {
		d.Next = home + "?page=" + strconv.Itoa(n+1)
	}
	if total > PageSize {
		d.PageLabel = fmt.Sprintf(pick(zh, "第 %d 页，共 %d 页", "Page %d of %d"), n, last)
		for i := max(1, n-3); i <= min(last, n+3); i++ {
			href := home
			if i > 1 {
				href += "?page=" + strconv.Itoa(i)
			}
			d.Pages = append(d.Pages, pageLink{Href: href, N: i, Current: i == n})
		}
	}
	for _, l := range siteconfig.Locales {
		d.Alternates = append(d.Alternates, alt{l, site.URL(listPath(l, section)), map[string]string{"zh-CN": "中文", "en": "English"}[l]})
	}
	for _, p := range site.SectionPaths() {
		parts := strings.Split(p, "/")
		if len(parts) == len(section)+1 && index.InSection(parts, section) {
			d.Sections = append(d.Sections, block{Path: listPath(locale, parts), Title: site.SectionLabel(parts, locale)})
		}
	}
	for i, pg := range pages {
		st := s.listed(pg, locale)
		if i == 0 && n == 1 {
			d.Lead = &st
			if pg.Lead != nil {
				d.OGImage = site.URL(pg.Lead.URL(pg.Lead.Width))
			}
			continue
		}
		d.Stories = append(d.Stories, st)
	}
	if n == 1 {
		// The newest of each section below this one, in blocks.
		for _, sec := range d.Sections {
			parts := append(append([]string{}, section...), sec.Path[len(home):len(sec.Path)-1])
			latest, _ := s.index.Latest(locale, parts, 0, sectionsShown)
			if len(latest) == 0 {
				continue
			}
			b := block{Path: sec.Path, Title: sec.Title}
			for _, pg := range latest {
				b.Stories = append(b.Stories, s.listed(pg, locale))
			}
			d.Blocks = append(d.Blocks, b)
		}
	}
	var buf bytes.Buffer
	if err := homeTemplate.Execute(&buf, d); err != nil {
		s.log.Error("listing", "err", err)
	}
	return buf.Bytes()
}

// listed is a page as a listing shows it.
func (s *Site) listed(pg *index.Page, locale string) listed {
	st := listed{Path: pg.Path, Title: pg.Title, Summary: pg.Description, ISODate: pg.Date, Date: formatDate(pg.Date, locale)}
	if len(pg.Section) > 0 {
		st.Section = s.o.Site.SectionLabel(pg.Section, locale)
	}
	if im := pg.Lead; im != nil {
		p := &picture{Src: im.URL(im.Widths[0]), Alt: im.Alt, Width: im.Width, Height: im.Height}
		var set []string
		for _, w := range im.Widths {
			set = append(set, im.URL(w)+" "+strconv.Itoa(int(w))+"w")
		}
		p.Srcset = strings.Join(set, ", ")
		st.Image = p
	}
	return st
}

// pick is zh when the page is Chinese, else en.
func pick(zh bool, zhText, en string) string {
	if zh {
		return zhText
	}
	return en
}

// formatDate writes a story date, 2023-12-05, as "2023年12月5日" or
// "Dec 5, 2023", as article pages do.
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
