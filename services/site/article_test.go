package site

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	"github.com/tandemnews/tandem/services/site/index"
)

func TestArticlePageIsServedFromThePublicEvent(t *testing.T) {
	h := newHarness(t)
	h.run()
	st := news("en", "forum", 3)
	pl := h.put("A1", st).Locales["en"]
	res := h.get(st.path())
	if res.Code != http.StatusOK || res.Body.String() != string(st.html()) {
		t.Fatalf("GET %s: %d %q", st.path(), res.Code, res.Body)
	}
	hd := res.Header()
	want := map[string]string{
		"Content-Type": "text/html; charset=utf-8", "Content-Language": "en", "Cache-Control": cacheArticle,
		"ETag": `"` + pl.ContentHash[:12] + `"`, "Last-Modified": t0.Format(http.TimeFormat), "Vary": "Accept-Encoding",
		"Content-Length": strconv.Itoa(len(st.html())), "Content-Encoding": "",
	}
	for k, v := range want {
		if hd.Get(k) != v {
			t.Errorf("%s: %q, want %q", k, hd.Get(k), v)
		}
	}
	if h.render.calls.Load() != 0 {
		t.Errorf("publishing was asked %d times for a page the event carried", h.render.calls.Load())
	}
	head := h.do(http.MethodHead, st.path())
	if head.Code != http.StatusOK || head.Body.Len() != 0 || head.Header().Get("ETag") != hd.Get("ETag") {
		t.Errorf("HEAD: %d, %d bytes, ETag %q", head.Code, head.Body.Len(), head.Header().Get("ETag"))
	}
	post := h.do(http.MethodPost, st.path())
	if post.Code != http.StatusMethodNotAllowed || post.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: %d, Allow %q", post.Code, post.Header().Get("Allow"))
	}
}

func TestArticleValidatorsAnswerNotModifiedAndGzip(t *testing.T) {
	h := newHarness(t)
	h.run()
	st := news("zh-CN", "gzip", 1)
	h.put("A1", st)
	plain := h.get(st.path())
	etag := plain.Header().Get("ETag")
	for _, cond := range [][]string{
		{"If-None-Match", etag},
		{"If-None-Match", `"other", ` + etag},
		{"If-None-Match", "W/" + etag},
		{"If-None-Match", "*"},
		{"If-Modified-Since", t0.Format(http.TimeFormat)},
	} {
		res := h.get(st.path(), cond...)
		if res.Code != http.StatusNotModified || res.Body.Len() != 0 || res.Header().Get("Content-Type") != "" {
			t.Errorf("%s: %d, %d bytes, Content-Type %q; want a bare 304", cond, res.Code, res.Body.Len(), res.Header().Get("Content-Type"))
		}
	}
	for _, cond := range [][]string{
		{"If-None-Match", `"other"`},
		{"If-Modified-Since", t0.Add(-1e9).Format(http.TimeFormat)},
		{"If-Modified-Since", "yesterday"},
		// If-None-Match decides when both are sent.
		{"If-None-Match", `"other"`, "If-Modified-Since", t0.Format(http.TimeFormat)},
	} {
		if res := h.get(st.path(), cond...); res.Code != http.StatusOK {
			t.Errorf("%s: %d, want 200", cond, res.Code)
		}
	}
	for _, enc := range []string{"gzip", "br, gzip;q=0.5", " gzip ; q=1"} {
		gz := h.get(st.path(), "Accept-Encoding", enc)
		if gz.Header().Get("Content-Encoding") != "gzip" || gz.Header().Get("ETag") != strings.TrimSuffix(etag, `"`)+`-gz"` {
			t.Fatalf("Accept-Encoding %q: Content-Encoding %q, ETag %q", enc, gz.Header().Get("Content-Encoding"), gz.Header().Get("ETag"))
		}
		if got := gunzip(t, gz.Body.Bytes()); got != plain.Body.String() {
			t.Errorf("the gzip body is not the page: %q", got)
		}
	}
	for _, enc := range []string{"gzip;q=0", "br", "gzipx"} {
		if res := h.get(st.path(), "Accept-Encoding", enc); res.Header().Get("Content-Encoding") != "" {
			t.Errorf("Accept-Encoding %q answered with %q", enc, res.Header().Get("Content-Encoding"))
		}
	}
	gzTag := strings.TrimSuffix(etag, `"`) + `-gz"`
	if res := h.get(st.path(), "Accept-Encoding", "gzip", "If-None-Match", gzTag); res.Code != http.StatusNotModified || res.Header().Get("Content-Encoding") != "" {
		t.Errorf("gzip 304: %d, Content-Encoding %q", res.Code, res.Header().Get("Content-Encoding"))
	}
}

func gunzip(t *testing.T, b []byte) string {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func TestAddressesThatServeNoPage(t *testing.T) {
	h := newHarness(t)
	h.run()
	zh, en := news("zh-CN", "talk", 1), news("en", "talk", 2)
	h.put("A1", zh, en)
	for path, want := range map[string]struct {
		code       int
		lang, text string
	}{
		"/xx/news":                     {http.StatusNotFound, "zh-CN", "页面不存在"},
		"/en/news-events/news/none":    {http.StatusNotFound, "en", "Page not found"},
		"/zh/news-events/none/talk":    {http.StatusNotFound, "zh-CN", "您访问的页面不存在。"},
		"/en/no-such-section/":         {http.StatusNotFound, "en", "There is no page at this address."},
		"/en/no-such-section/feed.xml": {http.StatusNotFound, "en", "Back to the front page"},
	} {
		res := h.get(path)
		if res.Code != want.code || !strings.Contains(res.Body.String(), want.text) || !strings.Contains(res.Body.String(), `lang="`+want.lang+`"`) {
			t.Errorf("%s: %d, want %d with %q\n%s", path, res.Code, want.code, want.text, res.Body)
		}
		if want.code == http.StatusNotFound && res.Header().Get("Cache-Control") != cacheNotFound {
			t.Errorf("%s: Cache-Control %q", path, res.Header().Get("Cache-Control"))
		}
	}
	if res := h.get("/"); res.Code != http.StatusFound || res.Header().Get("Location") != "/zh/" {
		t.Errorf("/: %d to %q, want 302 to /zh/", res.Code, res.Header().Get("Location"))
	}

	// Taken down: 410 where the English was, the Chinese untouched.
	h.publish("A1", func(p *eventsv1.Publication) { takeDown(p, "en") })
	gone := h.get(en.path())
	if gone.Code != http.StatusGone || gone.Header().Get("Cache-Control") != cacheGone || !strings.Contains(gone.Body.String(), "This article has been removed.") {
		t.Errorf("taken down: %d %q\n%s", gone.Code, gone.Header().Get("Cache-Control"), gone.Body)
	}
	if res := h.get(zh.path()); res.Code != http.StatusOK {
		t.Errorf("the Chinese after the English was taken down: %d", res.Code)
	}

	// A new slug: the old address moves permanently to the new one.
	moved := zh
	moved.slug, moved.rev = "talk-renamed", 3
	h.put("A1", moved)
	res := h.get(zh.path())
	if res.Code != http.StatusMovedPermanently || res.Header().Get("Location") != moved.path() || res.Header().Get("Cache-Control") != cacheGone {
		t.Errorf("old slug: %d to %q (%q)", res.Code, res.Header().Get("Location"), res.Header().Get("Cache-Control"))
	}
	if res := h.get(moved.path()); res.Code != http.StatusOK || res.Body.String() != string(moved.html()) {
		t.Errorf("new slug: %d", res.Code)
	}
}

func TestNewVersionReplacesTheCachedOne(t *testing.T) {
	h := newHarness(t)
	s := h.run()
	v1 := news("en", "budget", 1)
	old := h.put("A1", v1).Locales["en"]
	oldKey := index.Key("en", "A1", index.Version(old))
	h.get(v1.path(), "Accept-Encoding", "gzip") // caches the gzip form too
	v2 := v1
	v2.rev, v2.title = 2, "Budget, corrected"
	h.put("A1", v2)
	if res := h.get(v2.path()); res.Body.String() != string(v2.html()) {
		t.Errorf("after the correction the page is %q", res.Body)
	}
	for _, key := range []string{oldKey, oldKey + gzSuffix} {
		if _, ok := s.tiers.lru.Get(key); ok {
			t.Errorf("%s is still cached after a new version", key)
		}
	}
	h.publish("A1", func(p *eventsv1.Publication) { takeDown(p, "en") })
	if s.tiers.lru.Bytes() != 0 {
		t.Errorf("the LRU holds %d bytes after the only page was taken down", s.tiers.lru.Bytes())
	}
}

func TestEnglishFallbackShowsTheChineseWithANotice(t *testing.T) {
	h := newHarness(t)
	h.opts.Fallback = FallbackSource
	h.run()
	zh := news("zh-CN", "exhibit", 4)
	pl := h.put("A1", zh).Locales["zh-CN"]
	en := news("en", "exhibit", 5)
	res := h.get(en.path())
	body := res.Body.String()
	if res.Code != http.StatusOK || !strings.Contains(body, "not yet available in English") || !strings.Contains(body, `<html lang="zh-CN">`) {
		t.Fatalf("fallback: %d\n%s", res.Code, body)
	}
	if res.Header().Get("Content-Language") != "zh-CN" || res.Header().Get("ETag") != `"fb-`+pl.ContentHash[:12]+`"` {
		t.Errorf("fallback: Content-Language %q, ETag %q", res.Header().Get("Content-Language"), res.Header().Get("ETag"))
	}
	if again := h.get(en.path()); again.Body.String() != body {
		t.Error("the fallback changed between two reads")
	}
	if res := h.get(zh.path()); strings.Contains(res.Body.String(), "not yet available") {
		t.Error("the notice reached the Chinese page")
	}
	if res := h.get("/en/news-events/news/none"); res.Code != http.StatusNotFound {
		t.Errorf("fallback without a Chinese page: %d", res.Code)
	}
	h.put("A1", en)
	if res := h.get(en.path()); res.Body.String() != string(en.html()) {
		t.Errorf("the English page did not replace the fallback: %q", res.Body)
	}
}

func TestEnglishWithoutFallbackIsNotFound(t *testing.T) {
	h := newHarness(t)
	h.run()
	h.put("A1", news("zh-CN", "exhibit", 4))
	if res := h.get(news("en", "exhibit", 5).path()); res.Code != http.StatusNotFound {
		t.Errorf("English address of a Chinese-only article: %d, want 404", res.Code)
	}
}

func TestHealthWaitsForTheStream(t *testing.T) {
	h := newHarness(t)
	h.site = New(h.bus, h.opts)
	if res := h.get("/healthz"); res.Code != http.StatusServiceUnavailable {
		t.Errorf("before the stream is read: %d", res.Code)
	}
	h.run()
	if res := h.get("/healthz"); res.Code != http.StatusOK || res.Body.String() != "ok\n" {
		t.Errorf("once caught up: %d %q", res.Code, res.Body)
	}
}
