package main

import (
	"compress/gzip"
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tandemnews/tandem/internal/stack"

	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"

	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/cache"
	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/testkit"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
	"github.com/tandemnews/tandem/services/site"
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
	for path, v := range map[string]any{"/" + seg + "/feed.xml": &r, "/" + seg + "/atom.xml": &a, "/sitemap.xml": &m} {
		code, body := fetch(t, site+path)
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

// TestLocalesLiveTheirOwnLives publishes the Chinese first and the English
// later, corrects the English, takes it down, and moves the Chinese to a
// new slug, checking pages, listings, feeds and the sitemap at each step.
func TestLocalesLiveTheirOwnLives(t *testing.T) {
	e := startEnv(t, testkit.StartNATS(t).URL())
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cl := e.client(t)
	a := sampleArticle()
	id, err := cl.approve(ctx, a, e.tokens)
	if err != nil {
		t.Fatal(err)
	}
	pubAs := e.as(auth.Publisher)
	zhPath, enPath := "/zh/news-events/news/"+a.Slug, "/en/news-events/news/"+a.Slug
	zhURL, enURL := e.siteURL+zhPath, e.siteURL+enPath
	site := e.siteURL
	waitCode := func(url string, code int) string {
		t.Helper()
		var body string
		eventually(t, url+" answers "+http.StatusText(code), func() bool {
			var c int
			c, body = fetch(t, url)
			return c == code
		})
		return body
	}

	// Chinese first.
	if _, err := cl.publishing.PublishArticle(ctx, &publishingv1.PublishArticleRequest{ArticleId: id, Locales: []string{"zh-CN"}}, pubAs); err != nil {
		t.Fatal(err)
	}
	zh := waitCode(zhURL, http.StatusOK)
	if strings.Contains(zh, `hreflang="en"`) {
		t.Error("the Chinese page links an English page that is not published")
	}
	waitCode(enURL, http.StatusNotFound)
	r, _, m := feeds(t, site, "zh-CN")
	if !rssHas(r, site+zhPath) {
		t.Error("the Chinese feed lacks the article")
	}
	if alts, ok := sitemapEntry(m, site+zhPath); !ok || len(alts) != 0 {
		t.Errorf("sitemap entry for the Chinese page: %v %v, want it without alternates", ok, alts)
	}
	if r, _, _ := feeds(t, site, "en"); len(r.Channel.Items) != 0 {
		t.Error("the English feed lists an unpublished article")
	}

	// English later: both pages link each other.
	if _, err := cl.publishing.PublishArticle(ctx, &publishingv1.PublishArticleRequest{ArticleId: id, Locales: []string{"en"}}, pubAs); err != nil {
		t.Fatal(err)
	}
	waitCode(enURL, http.StatusOK)
	eventually(t, "the Chinese page links the English", func() bool { _, b := fetch(t, zhURL); return strings.Contains(b, `hreflang="en"`) })
	_, _, m = feeds(t, site, "en")
	if alts, _ := sitemapEntry(m, site+enPath); !slices.Equal(alts, []string{"zh-CN", "en", "x-default"}) {
		t.Errorf("sitemap alternates of the English page: %v", alts)
	}

	// A correction shows its note and an Updated date.
	if _, err := cl.publishing.CorrectArticle(ctx, &publishingv1.CorrectArticleRequest{ArticleId: id, Locales: []string{"en"}}, pubAs); err == nil {
		t.Error("a correction without a note was accepted")
	}
	if _, err := cl.publishing.CorrectArticle(ctx, &publishingv1.CorrectArticleRequest{ArticleId: id, Locales: []string{"en"}, Note: "An earlier version gave the wrong floor."}, pubAs); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the correction is on the page", func() bool {
		_, b := fetch(t, enURL)
		return strings.Contains(b, "An earlier version gave the wrong floor.") && strings.Contains(b, "Updated")
	})
	last, err := e.bus.Public.Last(ctx, mustSubject(t, e.bus.Public, id))
	if err != nil {
		t.Fatal(err)
	}
	if last.Type != eventsv1.ArticleCorrected {
		t.Errorf("last PUBLIC event is %s, want %s", last.Type, eventsv1.ArticleCorrected)
	}

	// The same event delivered again changes nothing.
	_, listBefore := fetch(t, site+"/en/")
	if _, err := e.bus.Public.Publish(ctx, mustSubject(t, e.bus.Public, id), &events.Event{Type: last.Type, Source: last.Source, Subject: last.Subject, Actor: last.Actor, Data: last.Data}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	if _, listAfter := fetch(t, site+"/en/"); listAfter != listBefore {
		t.Error("the English listing changed after the same event came twice")
	}

	// Taken down: 410, and gone from listings, feeds and the sitemap.
	if _, err := cl.publishing.UnpublishArticle(ctx, &publishingv1.UnpublishArticleRequest{ArticleId: id, Locales: []string{"en"}, Reason: "rights to the photo withdrawn"}, pubAs); err != nil {
		t.Fatal(err)
	}
	waitCode(enURL, http.StatusGone)
	if _, b := fetch(t, site+"/en/"); strings.Contains(b, enPath) {
		t.Error("the English listing still shows the article")
	}
	r, a2, m := feeds(t, site, "en")
	if rssHas(r, site+enPath) || len(a2.Entries) != 0 {
		t.Error("the English feeds still list the article")
	}
	if _, ok := sitemapEntry(m, site+enPath); ok {
		t.Error("the sitemap still lists the English page")
	}
	eventually(t, "the Chinese page stops linking the English", func() bool { _, b := fetch(t, zhURL); return !strings.Contains(b, `hreflang="en"`) })

	// A new slug for the Chinese: the old address answers 301.
	d, err := cl.drafting.GetDraft(ctx, &draftingv1.GetDraftRequest{Id: id}, e.as(auth.Editor))
	if err != nil {
		t.Fatal(err)
	}
	d.Draft.Article.Slug = "library-night-study-space-opens"
	up, err := cl.drafting.UpdateDraft(ctx, &draftingv1.UpdateDraftRequest{Article: d.Draft.Article, ExpectedRevision: d.Draft.Revision}, e.as(auth.Editor))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.drafting.SubmitDraft(ctx, &draftingv1.SubmitDraftRequest{Id: id, ExpectedRevision: up.Draft.Revision}, e.as(auth.Editor)); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.publishing.PublishArticle(ctx, &publishingv1.PublishArticleRequest{ArticleId: id, Locales: []string{"zh-CN"}}, pubAs); err != nil {
		t.Fatal(err)
	}
	newZh := "/zh/news-events/news/library-night-study-space-opens"
	waitCode(site+newZh, http.StatusOK)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noRedirect.Get(zhURL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != newZh {
		t.Errorf("old slug: %d to %q, want 301 to %s", res.StatusCode, res.Header.Get("Location"), newZh)
	}
	t.Logf("verified: zh first, en later, correction, duplicate event, takedown (410), new slug (301)")
}

func mustSubject(t *testing.T, s *events.Stream, id string) string {
	t.Helper()
	subj, err := s.Subject(eventsv1.KindArticles, id)
	if err != nil {
		t.Fatal(err)
	}
	return subj
}

// TestHTTPValidatorsGzipAndEnglishFallback checks what a CDN and a browser
// rely on: gzip bodies that decompress to the page, 304s for ETag and
// Last-Modified, and, with the fallback on, the Chinese page with a notice
// at an English address until the English is published.
func TestHTTPValidatorsGzipAndEnglishFallback(t *testing.T) {
	rdb, prefix := testkit.Redis(t)
	e := startEnvWith(t, testkit.StartNATS(t).URL(), cache.New(rdb, prefix), func(c *stack.Config) { c.SiteFallback = site.FallbackSource })
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cl := e.client(t)
	a := sampleArticle()
	id, err := cl.approve(ctx, a, e.tokens)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.publishing.PublishArticle(ctx, &publishingv1.PublishArticleRequest{ArticleId: id, Locales: []string{"zh-CN"}}, e.as(auth.Publisher)); err != nil {
		t.Fatal(err)
	}
	zhURL := e.siteURL + "/zh/news-events/news/" + a.Slug
	enURL := e.siteURL + "/en/news-events/news/" + a.Slug
	eventually(t, "the Chinese page", func() bool { c, _ := fetch(t, zhURL); return c == http.StatusOK })
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	get := func(url string, hdr ...string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { res.Body.Close() })
		return res
	}
	body := func(res *http.Response) string {
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for _, url := range []string{zhURL, e.siteURL + "/zh/", e.siteURL + "/zh/feed.xml", e.siteURL + "/sitemap.xml"} {
		plain := get(url)
		plainBody := body(plain)
		gz := get(url, "Accept-Encoding", "gzip")
		if gz.Header.Get("Content-Encoding") != "gzip" || gz.Header.Get("Vary") != "Accept-Encoding" {
			t.Errorf("%s: Content-Encoding %q, Vary %q", url, gz.Header.Get("Content-Encoding"), gz.Header.Get("Vary"))
			continue
		}
		zr, err := gzip.NewReader(gz.Body)
		if err != nil {
			t.Fatalf("%s: %v", url, err)
		}
		unzipped, _ := io.ReadAll(zr)
		if string(unzipped) != plainBody {
			t.Errorf("%s: the gzip body is not the page", url)
		}
		if !strings.Contains(plain.Header.Get("Content-Type"), "charset=utf-8") || plain.Header.Get("Cache-Control") == "" {
			t.Errorf("%s: Content-Type %q, Cache-Control %q", url, plain.Header.Get("Content-Type"), plain.Header.Get("Cache-Control"))
		}
		for _, cond := range [][2]string{{"If-None-Match", plain.Header.Get("ETag")}, {"If-Modified-Since", plain.Header.Get("Last-Modified")}} {
			if cond[1] == "" {
				t.Errorf("%s: no %s validator", url, cond[0])
				continue
			}
			if res := get(url, cond[0], cond[1]); res.StatusCode != http.StatusNotModified {
				t.Errorf("%s with %s: %d, want 304", url, cond[0], res.StatusCode)
			}
		}
	}

	// The listings were rendered once and shared through Redis, under a
	// key that names the stream position they show.
	if keys, err := rdb.Keys(ctx, prefix+"list:*").Result(); err != nil || len(keys) < 3 {
		t.Errorf("listings in Redis: %v %v", keys, err)
	}

	// Before the English exists: the Chinese page, with a notice.
	fb := get(enURL)
	fbBody := body(fb)
	if fb.StatusCode != http.StatusOK || !strings.Contains(fbBody, "not yet available in English") || !strings.Contains(fbBody, `<html lang="zh-CN">`) || fb.Header.Get("Content-Language") != "zh-CN" {
		t.Fatalf("fallback: %d, Content-Language %q", fb.StatusCode, fb.Header.Get("Content-Language"))
	}
	if key, err := e.pages.Resolve(ctx, "/en/news-events/news/"+a.Slug); err == nil {
		t.Errorf("the fallback was stored as the English page: %s", key)
	}
	// Once published, the English address shows the English.
	if _, err := cl.publishing.PublishArticle(ctx, &publishingv1.PublishArticleRequest{ArticleId: id, Locales: []string{"en"}}, e.as(auth.Publisher)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the English page replaces the fallback", func() bool {
		_, b := fetch(t, enURL)
		return strings.Contains(b, `<html lang="en">`) && !strings.Contains(b, "not yet available in English")
	})
}
