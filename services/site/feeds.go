package site

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/tandemnews/tandem/pkg/siteconfig"
	"github.com/tandemnews/tandem/services/site/index"
)

// FeedItems is how many entries a feed holds.
const FeedItems = 50

// feed serves the RSS (feed.xml) or Atom (atom.xml) feed of a locale or
// of a section.
func (s *Site) feed(w http.ResponseWriter, r *http.Request, locale string, section []string, name string) {
	kind, ctype := "rss", "application/rss+xml; charset=utf-8"
	if name == "atom.xml" {
		kind, ctype = "atom", "application/atom+xml; charset=utf-8"
	}
	s.serveList(w, r, kind+":"+locale+":"+strings.Join(section, "/"), ctype, func() []byte {
		pages, _ := s.index.Latest(locale, section, 0, FeedItems)
		if kind == "atom" {
			return s.renderAtom(locale, section, pages)
		}
		return s.renderRSS(locale, section, pages)
	})
}

type rss struct {
	XMLName xml.Name   `xml:"rss"`
	Version string     `xml:"version,attr"`
	Atom    string     `xml:"xmlns:atom,attr"`
	Channel rssChannel `xml:"channel"`
}

type rssChannel struct {
	Title       string    `xml:"title"`
	Link        string    `xml:"link"`
	Self        atomLink  `xml:"atom:link"`
	Description string    `xml:"description"`
	Language    string    `xml:"language"`
	LastBuild   string    `xml:"lastBuildDate,omitempty"`
	Items       []rssItem `xml:"item"`
}

type rssItem struct {
	Title       string `xml:"title"`
	Link        string `xml:"link"`
	GUID        rssGUID
	PubDate     string `xml:"pubDate"`
	Description string `xml:"description,omitempty"`
}

type rssGUID struct {
	XMLName   xml.Name `xml:"guid"`
	Permalink bool     `xml:"isPermaLink,attr"`
	Value     string   `xml:",chardata"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Lang string `xml:"hreflang,attr,omitempty"`
}

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"xml:lang,attr"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomAuthor  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

type atomAuthor struct {
	Name string `xml:"name"`
}

type atomEntry struct {
	ID        string   `xml:"id"`
	Title     string   `xml:"title"`
	Link      atomLink `xml:"link"`
	Published string   `xml:"published"`
	Updated   string   `xml:"updated"`
	Summary   string   `xml:"summary,omitempty"`
}

// feedTitle names a feed: the site, and the section when there is one.
func (s *Site) feedTitle(locale string, section []string) string {
	t := s.o.Site.Name[locale]
	if len(section) > 0 {
		t += " - " + s.o.Site.SectionLabel(section, locale)
	}
	return t
}

// feedUpdated is when a feed last changed: the newest change of its
// entries (listed by first publication, so a corrected older entry may
// be the newest change). A feed with no entries changed when anything
// public last did, or, before anything was ever published, when this
// site started: never a date before the site existed.
func (s *Site) feedUpdated(pages []*index.Page) time.Time {
	var t time.Time
	for _, pg := range pages {
		if pg.Modified().After(t) {
			t = pg.Modified()
		}
	}
	if t.IsZero() {
		t = s.index.Changed()
	}
	if t.IsZero() {
		t = s.started
	}
	return t.UTC()
}

// entryID names a feed entry for good: a tag URI (RFC 4151) of the
// site's host, the day the locale was first published, the article id
// and the locale. Unlike the page's URL it stays when the slug or the
// section changes, so feed readers do not show a renamed story twice.
func (s *Site) entryID(pg *index.Page) string {
	return "tag:" + s.host + "," + pg.First.UTC().Format(time.DateOnly) + ":" + pg.Article + "/" + pg.Locale
}

func (s *Site) renderRSS(locale string, section []string, pages []*index.Page) []byte {
	site := s.o.Site
	home := listPath(locale, section)
	ch := rssChannel{
		Title:       s.feedTitle(locale, section),
		Link:        site.URL(home),
		Self:        atomLink{Href: site.URL(home + "feed.xml"), Rel: "self", Type: "application/rss+xml"},
		Description: site.Motto[locale],
		Language:    locale,
	}
	ch.LastBuild = s.feedUpdated(pages).Format(time.RFC1123Z)
	for _, pg := range pages {
		url := site.URL(pg.Path)
		ch.Items = append(ch.Items, rssItem{
			Title: pg.Title, Link: url, GUID: rssGUID{Value: s.entryID(pg)},
			PubDate: pg.First.UTC().Format(time.RFC1123Z), Description: pg.Description,
		})
	}
	return marshal(rss{Version: "2.0", Atom: "http://www.w3.org/2005/Atom", Channel: ch})
}

func (s *Site) renderAtom(locale string, section []string, pages []*index.Page) []byte {
	site := s.o.Site
	home := listPath(locale, section)
	f := atomFeed{
		Lang:  locale,
		ID:    site.URL(home),
		Title: s.feedTitle(locale, section),
		Links: []atomLink{
			{Href: site.URL(home + "atom.xml"), Rel: "self", Type: "application/atom+xml"},
			{Href: site.URL(home), Rel: "alternate", Type: "text/html"},
		},
		Author:  atomAuthor{Name: site.Name[locale]},
		Updated: s.feedUpdated(pages).Format(time.RFC3339),
	}
	for _, pg := range pages {
		url := site.URL(pg.Path)
		f.Entries = append(f.Entries, atomEntry{
			ID: s.entryID(pg), Title: pg.Title, Link: atomLink{Href: url, Rel: "alternate", Type: "text/html"},
			Published: pg.First.UTC().Format(time.RFC3339), Updated: pg.Modified().UTC().Format(time.RFC3339),
			Summary: pg.Description,
		})
	}
	return marshal(f)
}

type urlset struct {
	XMLName xml.Name     `xml:"urlset"`
	NS      string       `xml:"xmlns,attr"`
	XHTML   string       `xml:"xmlns:xhtml,attr"`
	URLs    []sitemapURL `xml:"url"`
}

type sitemapURL struct {
	Loc     string         `xml:"loc"`
	LastMod string         `xml:"lastmod"`
	Links   []sitemapXHTML `xml:"xhtml:link"`
}

type sitemapXHTML struct {
	Rel      string `xml:"rel,attr"`
	Hreflang string `xml:"hreflang,attr"`
	Href     string `xml:"href,attr"`
}

// sitemapPart lists the published pages of articles with hreflang
// alternates for the locales each article is actually published in.
func (s *Site) sitemapPart(articles []map[string]*index.Page) []byte {
	site := s.o.Site
	set := urlset{NS: "http://www.sitemaps.org/schemas/sitemap/0.9", XHTML: "http://www.w3.org/1999/xhtml"}
	for _, byLocale := range articles {
		var alts []sitemapXHTML
		for _, l := range siteconfig.Locales {
			if pg := byLocale[l]; pg != nil {
				alts = append(alts, sitemapXHTML{Rel: "alternate", Hreflang: l, Href: site.URL(pg.Path)})
			}
		}
		if len(alts) > 1 {
			alts = append(alts, sitemapXHTML{Rel: "alternate", Hreflang: "x-default", Href: alts[0].Href})
		} else {
			alts = nil // one language: no alternates to announce
		}
		for _, l := range siteconfig.Locales {
			if pg := byLocale[l]; pg != nil {
				set.URLs = append(set.URLs, sitemapURL{Loc: site.URL(pg.Path), LastMod: pg.Modified().UTC().Format(time.RFC3339), Links: alts})
			}
		}
	}
	return marshal(set)
}

func (s *Site) renderRobots() []byte {
	// Search results are pages without end (one per query), so crawlers
	// stay out of them: "search?" is every query, "search$" the bare
	// form; a section named "search" (/zh/search/) is not caught.
	var b strings.Builder
	b.WriteString("User-agent: *\nAllow: /\nDisallow: /healthz\nDisallow: /livez\nDisallow: /readyz\n")
	for _, l := range siteconfig.Locales {
		fmt.Fprintf(&b, "Disallow: %s?\nDisallow: %s$\n", searchPath(l), searchPath(l))
	}
	fmt.Fprintf(&b, "\nSitemap: %s\n", s.o.Site.URL("/sitemap.xml"))
	return []byte(b.String())
}

func marshal(v any) []byte {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("site: encoding %T: %v", v, err)) // fixed structures of strings: cannot fail
	}
	buf.WriteByte('\n')
	return buf.Bytes()
}
