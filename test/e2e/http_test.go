package e2e

import (
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tandemnews/tandem/internal/stack"
	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/cache"
	"github.com/tandemnews/tandem/pkg/testkit"
	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
	"github.com/tandemnews/tandem/services/site"
)

// TestHTTPValidatorsGzipAndEnglishFallback checks what a CDN and a browser
// rely on: gzip bodies that decompress to the page, 304s for ETag and
// Last-Modified, and, with the fallback on, the Chinese page with a notice
// at an English address until the English is published.
func TestHTTPValidatorsGzipAndEnglishFallback(t *testing.T) {
	rdb, prefix := testkit.Redis(t)
	e := stacktest.StartWith(t, testkit.StartNATS(t).URL(), cache.New(rdb, prefix), func(c *stack.Config) { c.SiteFallback = site.FallbackSource })
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cl := e.Client(t)
	a := stacktest.SampleArticle()
	id, err := cl.Approve(ctx, a, e.Tokens)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.Publishing.PublishArticle(ctx, &publishingv1.PublishArticleRequest{ArticleId: id, Locales: []string{"zh-CN"}}, e.As(auth.Publisher)); err != nil {
		t.Fatal(err)
	}
	zhURL := e.SiteURL + "/zh/news-events/news/" + a.Slug
	enURL := e.SiteURL + "/en/news-events/news/" + a.Slug
	stacktest.Eventually(t, "the Chinese page", func() bool { c, _ := stacktest.Fetch(t, zhURL); return c == http.StatusOK })
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
	for _, url := range []string{zhURL, e.SiteURL + "/zh/", e.SiteURL + "/zh/feed.xml", e.SiteURL + "/sitemap.xml"} {
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
	if keys, err := rdb.Keys(ctx, prefix+"list:*").Result(); err != nil || len(keys) != 0 {
		t.Errorf("listings in Redis: %v %v; the site renders them from its index alone", keys, err)
	}

	// Before the English exists: the Chinese page, with a notice.
	fb := get(enURL)
	fbBody := body(fb)
	if fb.StatusCode != http.StatusOK || !strings.Contains(fbBody, "not yet available in English") || !strings.Contains(fbBody, `<html lang="zh-CN">`) || fb.Header.Get("Content-Language") != "zh-CN" {
		t.Fatalf("fallback: %d, Content-Language %q", fb.StatusCode, fb.Header.Get("Content-Language"))
	}
	if keys, err := rdb.Keys(ctx, prefix+"page:en:*").Result(); err != nil || len(keys) != 0 {
		t.Errorf("the fallback was stored as an English page: %v %v", keys, err)
	}
	// Once published, the English address shows the English.
	if _, err := cl.Publishing.PublishArticle(ctx, &publishingv1.PublishArticleRequest{ArticleId: id, Locales: []string{"en"}}, e.As(auth.Publisher)); err != nil {
		t.Fatal(err)
	}
	stacktest.Eventually(t, "the English page replaces the fallback", func() bool {
		_, b := stacktest.Fetch(t, enURL)
		return strings.Contains(b, `<html lang="en">`) && !strings.Contains(b, "not yet available in English")
	})
}
