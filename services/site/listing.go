package site

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/tandemnews/tandem/pkg/siteconfig"
	"github.com/tandemnews/tandem/services/site/index"
)

// PageSize is how many articles a listing page shows.
const PageSize = 20

//go:embed home.html
var homeHTML string

var homeTemplate = template.Must(template.New("home").Parse(homeHTML))

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

type listed struct{ Path, Title, Date string }

type alt struct{ Hreflang, Href, Label string }

type listData struct {
	Lang, SiteName, Motto, Address, Heading, Empty string
	Home, Feed, Atom, Prev, Next, PageLabel        string
	Alternates                                     []alt
	Sections                                       []listed
	Articles                                       []listed
}

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
	d := listData{
		Lang: locale, SiteName: site.Name[locale], Motto: site.Motto[locale], Address: site.Address[locale],
		Home: siteconfig.HomePath(locale), Feed: home + "feed.xml", Atom: home + "atom.xml",
		Heading: map[string]string{"zh-CN": "最新消息", "en": "Latest news"}[locale],
		Empty:   map[string]string{"zh-CN": "暂无文章。", "en": "Nothing published yet."}[locale],
	}
	if len(section) > 0 {
		d.Heading = site.SectionLabel(section, locale)
	}
	if n > 1 {
		d.Prev = home + "?page=" + strconv.Itoa(n-1)
		if n == 2 {
			d.Prev = home
		}
	}
	if n*PageSize < total {
		d.Next = home + "?page=" + strconv.Itoa(n+1)
	}
	if total > PageSize {
		d.PageLabel = map[string]string{"zh-CN": "第 %d 页，共 %d 页", "en": "Page %d of %d"}[locale]
		d.PageLabel = fmt.Sprintf(d.PageLabel, n, (total+PageSize-1)/PageSize)
	}
	for _, l := range siteconfig.Locales {
		d.Alternates = append(d.Alternates, alt{l, site.URL(listPath(l, section)), map[string]string{"zh-CN": "中文", "en": "English"}[l]})
	}
	for _, p := range site.SectionPaths() {
		parts := strings.Split(p, "/")
		if len(parts) == len(section)+1 && index.InSection(parts, section) {
			d.Sections = append(d.Sections, listed{Path: listPath(locale, parts), Title: site.SectionLabel(parts, locale)})
		}
	}
	for _, pg := range pages {
		d.Articles = append(d.Articles, listed{Path: pg.Path, Title: pg.Title, Date: pg.Date})
	}
	var buf bytes.Buffer
	if err := homeTemplate.Execute(&buf, d); err != nil {
		s.log.Error("listing", "err", err)
	}
	return buf.Bytes()
}
