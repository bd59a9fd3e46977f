package site

import (
	"encoding/xml"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestSitemapIsAnIndexOfBoundedParts(t *testing.T) {
	h := newHarness(t)
	site := h.run()
	var ix struct {
		XMLName  xml.Name `xml:"sitemapindex"`
		Sitemaps []struct {
			Loc     string `xml:"loc"`
			LastMod string `xml:"lastmod"`
		} `xml:"sitemap"`
	}
	decode(t, h, "/sitemap.xml", "application/xml; charset=utf-8", &ix)
	if len(ix.Sitemaps) != 1 || ix.Sitemaps[0].Loc != "http://localhost:8080/sitemap-1.xml" || ix.Sitemaps[0].LastMod != "" {
		t.Fatalf("empty site: %+v", ix.Sitemaps)
	}
	var m sitemapDoc
	decode(t, h, "/sitemap-1.xml", "application/xml; charset=utf-8", &m)
	if len(m.URLs) != 0 {
		t.Fatalf("empty part: %v", m.URLs)
	}

	site.sitemapURLs = 3 // parts of 3 addresses at most
	h.put("A1", dated("zh-CN", 1), dated("en", 1))
	h.put("A2", dated("zh-CN", 2), dated("en", 2))
	h.put("A3", dated("zh-CN", 3))
	h.put("A4", dated("en", 4))
	ix.Sitemaps = nil
	decode(t, h, "/sitemap.xml", "application/xml; charset=utf-8", &ix)
	var locs []string
	for _, s := range ix.Sitemaps {
		locs = append(locs, strings.TrimPrefix(s.Loc, "http://localhost:8080"))
		if s.LastMod == "" {
			t.Errorf("%s has no lastmod", s.Loc)
		}
	}
	// An article's pages stay together: A1 (2), A2 and A3 (3), A4 (1).
	if !slices.Equal(locs, []string{"/sitemap-1.xml", "/sitemap-2.xml", "/sitemap-3.xml"}) {
		t.Fatalf("parts %v", locs)
	}
	want := [][]string{
		{dated("zh-CN", 1).path(), dated("en", 1).path()},
		{dated("zh-CN", 2).path(), dated("en", 2).path(), dated("zh-CN", 3).path()},
		{dated("en", 4).path()},
	}
	for i, part := range locs {
		var m sitemapDoc
		decode(t, h, part, "application/xml; charset=utf-8", &m)
		var got []string
		for _, u := range m.URLs {
			got = append(got, strings.TrimPrefix(u.Loc, "http://localhost:8080"))
		}
		if !slices.Equal(got, want[i]) {
			t.Errorf("%s lists %v, want %v", part, got, want[i])
		}
	}
	for _, p := range []string{"/sitemap-4.xml", "/sitemap-0.xml", "/sitemap-01.xml", "/sitemap-x.xml", "/sitemap-.xml"} {
		if res := h.get(p); res.Code != http.StatusNotFound {
			t.Errorf("%s: %d", p, res.Code)
		}
	}

	// The byte bound cuts parts too.
	site.sitemapURLs, site.sitemapBytes = SitemapURLs, 1200
	site.lists.clear()
	ix.Sitemaps = nil
	decode(t, h, "/sitemap.xml", "application/xml; charset=utf-8", &ix)
	if len(ix.Sitemaps) < 3 {
		t.Fatalf("byte bound: %d parts", len(ix.Sitemaps))
	}
	for i := range ix.Sitemaps {
		res := h.get(sitemapPartPath(i + 1))
		if res.Code != http.StatusOK || res.Body.Len() > 1200 {
			t.Errorf("part %d: %d, %d bytes", i+1, res.Code, res.Body.Len())
		}
	}
}

// A large answer is kept compressed only, and still served whole to a
// client that does not take gzip.
func TestLargeAnswerIsKeptCompressedOnly(t *testing.T) {
	body := []byte(strings.Repeat("<url><loc>https://example.edu/en/a</loc></url>\n", keepPlainBytes/40))
	r := newRendered(body, time.Time{}, 1)
	if r.body != nil || len(r.gz) == 0 || len(r.gz) > len(body)/4 {
		t.Fatalf("kept %d plain bytes, %d compressed", len(r.body), len(r.gz))
	}
	if got := r.plain(); string(got) != string(body) {
		t.Fatal("the unpacked body differs")
	}
	small := newRendered([]byte("<p>x</p>"), time.Time{}, 1)
	if string(small.plain()) != "<p>x</p>" || small.body == nil {
		t.Fatal("a small answer is not kept plain")
	}
}
