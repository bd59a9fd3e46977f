package site

import (
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tandemnews/tandem/pkg/siteconfig"
	"github.com/tandemnews/tandem/services/site/index"
)

// The sitemaps protocol's bounds on one file (docs/limits.md): a part
// lists at most SitemapURLs addresses in at most SitemapBytes.
const (
	SitemapURLs  = 50000
	SitemapBytes = 50 << 20
)

// sitemapPartPath is the address of part n (from 1) of the sitemap.
func sitemapPartPath(n int) string { return "/sitemap-" + strconv.Itoa(n) + ".xml" }

// sitemapPartOf reads n from a path /sitemap-{n}.xml; 0 when it is none.
func sitemapPartOf(path string) int {
	num, ok := strings.CutPrefix(path, "/sitemap-")
	if !ok {
		return 0
	}
	if num, ok = strings.CutSuffix(num, ".xml"); !ok || num == "" || num[0] == '0' {
		return 0
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 1 {
		return 0
	}
	return n
}

// sitemapURLBytes bounds what one address takes in a part: the <url>
// element with its <loc>, <lastmod> and an <xhtml:link> per alternate.
func sitemapURLBytes(site *siteconfig.Config, byLocale map[string]*index.Page, pg *index.Page) int {
	base := len(site.BaseURL)
	n := 120 + base + len(pg.Path)
	if len(byLocale) > 1 {
		for _, alt := range byLocale {
			n += 80 + base + len(alt.Path)
		}
		n += 80 + base + len(pg.Path) // x-default
	}
	return n
}

// sitemapParts cuts the articles, in the index's order (by id, so a new
// article joins the last part), into parts of at most SitemapURLs
// addresses and SitemapBytes; an article's pages stay in one part.
// There is always one part, empty when nothing is published.
func (s *Site) sitemapParts() [][]map[string]*index.Page {
	articles := s.index.Articles()
	parts := [][]map[string]*index.Page{nil}
	urls, size := 0, 0
	const head = 512 // the XML declaration and <urlset>
	for _, a := range articles {
		n, b := len(a), 0
		for _, pg := range a {
			b += sitemapURLBytes(s.o.Site, a, pg)
		}
		if last := len(parts) - 1; len(parts[last]) > 0 && (urls+n > s.sitemapURLs || head+size+b > s.sitemapBytes) {
			parts = append(parts, nil)
			urls, size = 0, 0
		}
		parts[len(parts)-1] = append(parts[len(parts)-1], a)
		urls += n
		size += b
	}
	return parts
}

type sitemapIndex struct {
	XMLName  xml.Name       `xml:"sitemapindex"`
	NS       string         `xml:"xmlns,attr"`
	Sitemaps []sitemapEntry `xml:"sitemap"`
}

type sitemapEntry struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

// sitemapIndexXML names every part of the sitemap with when its newest
// page changed.
func (s *Site) sitemapIndexXML() []byte {
	ix := sitemapIndex{NS: "http://www.sitemaps.org/schemas/sitemap/0.9"}
	for i, part := range s.sitemapParts() {
		var newest time.Time
		for _, a := range part {
			for _, pg := range a {
				if m := pg.Modified(); m.After(newest) {
					newest = m
				}
			}
		}
		e := sitemapEntry{Loc: s.o.Site.URL(sitemapPartPath(i + 1))}
		if !newest.IsZero() {
			e.LastMod = newest.UTC().Format(time.RFC3339)
		}
		ix.Sitemaps = append(ix.Sitemaps, e)
	}
	return marshal(ix)
}

// sitemap serves /sitemap.xml, the index of the parts, and each part,
// /sitemap-{n}.xml; a part past the last is not found.
func (s *Site) sitemap(w http.ResponseWriter, r *http.Request, part int) {
	const ctype = "application/xml; charset=utf-8"
	if part == 0 {
		s.serveList(w, r, "sitemap", ctype, s.sitemapIndexXML)
		return
	}
	key := "sitemap:" + strconv.Itoa(part)
	if s.lists.get(key, s.index.Seq()) == nil && part > s.sitemapPartCount() {
		s.notFound(w, siteconfig.Locales[0])
		return
	}
	s.serveList(w, r, key, ctype, func() []byte {
		parts := s.sitemapParts()
		if part > len(parts) {
			return s.sitemapPart(nil) // the index changed since the check above
		}
		return s.sitemapPart(parts[part-1])
	})
}

// partCount remembers how many parts the sitemap has at one index
// position, so that asking for parts past the last (never cached: any
// number will do) costs a sort of every article once per event, not
// once per request.
type partCount struct {
	mu  sync.Mutex
	seq uint64
	n   int
	set bool
}

// sitemapPartCount is the number of parts of the sitemap now.
func (s *Site) sitemapPartCount() int {
	c := &s.partCount
	seq := s.index.Seq()
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.set || c.seq != seq {
		c.n, c.seq, c.set = len(s.sitemapParts()), seq, true
	}
	return c.n
}
