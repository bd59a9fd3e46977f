package e2e

import (
	"encoding/xml"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tandemnews/tandem/internal/stack/stacktest"
)

// The formats the feeds and the sitemap must follow, as far as a reader
// of them relies on.
type rssDoc struct {
	XMLName xml.Name `xml:"rss"`
	Version string   `xml:"version,attr"`
	Channel struct {
		Title string `xml:"title"`
		// link and atom:link share the local name; the RSS one has no
		// namespace.
		Links []struct {
			XMLName xml.Name
			Href    string `xml:"href,attr"`
			Value   string `xml:",chardata"`
		} `xml:"link"`
		Description string    `xml:"description"`
		Language    string    `xml:"language"`
		Items       []rssItem `xml:"item"`
	} `xml:"channel"`
}

type rssItem struct {
	Title   string `xml:"title"`
	Link    string `xml:"link"`
	PubDate string `xml:"pubDate"`
	GUID    string `xml:"guid"`
}

type atomDoc struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Entries []struct {
		ID        string `xml:"id"`
		Title     string `xml:"title"`
		Updated   string `xml:"updated"`
		Published string `xml:"published"`
		Link      struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
	} `xml:"entry"`
}

type sitemapDoc struct {
	XMLName xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []struct {
		Loc     string `xml:"loc"`
		LastMod string `xml:"lastmod"`
		Links   []struct {
			Rel      string `xml:"rel,attr"`
			Hreflang string `xml:"hreflang,attr"`
			Href     string `xml:"href,attr"`
		} `xml:"http://www.w3.org/1999/xhtml link"`
	} `xml:"url"`
}

// feeds fetches and checks the RSS, Atom and sitemap documents of the
// site: well-formed, with the elements their formats require.
func feeds(t *testing.T, site, locale string) (rssDoc, atomDoc, sitemapDoc) {
	t.Helper()
	seg := map[string]string{"zh-CN": "zh", "en": "en"}[locale]
	var r rssDoc
	var a atomDoc
	var m sitemapDoc
	for path, v := range map[string]any{"/" + seg + "/feed.xml": &r, "/" + seg + "/atom.xml": &a, "/sitemap-1.xml": &m} {
		code, body := stacktest.Fetch(t, site+path)
		if code != http.StatusOK {
			t.Fatalf("%s: %d", path, code)
		}
		if err := xml.Unmarshal([]byte(body), v); err != nil {
			t.Fatalf("%s is not valid: %v\n%s", path, err, body)
		}
	}
	var link, self string
	for _, l := range r.Channel.Links {
		if l.XMLName.Space == "" {
			link = l.Value
		} else if l.XMLName.Space == "http://www.w3.org/2005/Atom" {
			self = l.Href
		}
	}
	if r.Version != "2.0" || r.Channel.Title == "" || link == "" || r.Channel.Description == "" || !strings.HasSuffix(self, "/feed.xml") {
		t.Errorf("RSS channel lacks a required element: %+v", r.Channel)
	}
	for _, it := range r.Channel.Items {
		if it.Title == "" || it.Link == "" || it.GUID == "" {
			t.Errorf("RSS item lacks title, link or guid: %+v", it)
		}
		if _, err := time.Parse(time.RFC1123Z, it.PubDate); err != nil {
			t.Errorf("RSS pubDate %q: %v", it.PubDate, err)
		}
	}
	if a.ID == "" || a.Title == "" || a.Updated == "" {
		t.Errorf("Atom feed lacks id, title or updated: %+v", a)
	}
	for _, e := range a.Entries {
		if _, err := time.Parse(time.RFC3339, e.Updated); err != nil || e.ID == "" || e.Title == "" || e.Link.Href == "" {
			t.Errorf("Atom entry incomplete: %+v (%v)", e, err)
		}
	}
	for _, u := range m.URLs {
		if u.Loc == "" {
			t.Errorf("sitemap url without loc")
		}
	}
	return r, a, m
}

func rssHas(r rssDoc, url string) bool {
	return slices.ContainsFunc(r.Channel.Items, func(it rssItem) bool { return it.Link == url })
}

func sitemapEntry(m sitemapDoc, url string) (alternates []string, ok bool) {
	for _, u := range m.URLs {
		if u.Loc == url {
			for _, l := range u.Links {
				alternates = append(alternates, l.Hreflang)
			}
			return alternates, true
		}
	}
	return nil, false
}
