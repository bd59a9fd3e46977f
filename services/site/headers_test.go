package site

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"regexp"
	"strings"
	"testing"

	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
)

var styleElement = regexp.MustCompile(`(?s)<style>(.*?)</style>`)

// allowsStyles reports whether csp allows every <style> element of body
// by its hash, and nothing inline besides.
func allowsStyles(t *testing.T, csp, body string) {
	t.Helper()
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "script-src") && !strings.Contains(csp, "script-src 'none'") {
		t.Errorf("policy allows inline code: %q", csp)
	}
	for _, m := range styleElement.FindAllStringSubmatch(body, -1) {
		sum := sha256.Sum256([]byte(m[1]))
		if h := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(csp, h) {
			t.Errorf("policy %q does not allow the page's style %q", csp, m[1])
		}
	}
	if strings.Contains(body, " style=") {
		t.Errorf("the page has a style attribute, which the policy blocks:\n%s", body)
	}
}

func TestEveryAnswerCarriesTheSecurityHeaders(t *testing.T) {
	h := newHarness(t)
	h.opts.Fallback = FallbackSource
	h.run()
	zh, en := news("zh-CN", "headers", 1), news("en", "headers", 1)
	only := news("zh-CN", "chinese-only", 1)
	h.put("A1", zh, en)
	h.put("A2", only)
	h.publish("A1", func(p *eventsv1.Publication) { takeDown(p, "en") })
	etag := h.get(zh.path()).Header().Get("ETag")
	for _, c := range []struct {
		method, path string
		header       []string
		code         int
	}{
		{"GET", zh.path(), nil, 200},
		{"GET", zh.path(), []string{"If-None-Match", etag}, 304},
		{"GET", "/en/news-events/news/chinese-only", nil, 200}, // the fallback
		{"GET", "/zh/", nil, 200},
		{"GET", "/zh/feed.xml", nil, 200},
		{"GET", "/en/atom.xml", nil, 200},
		{"GET", "/sitemap.xml", nil, 200},
		{"GET", "/robots.txt", nil, 200},
		{"GET", "/healthz", nil, 200},
		{"GET", "/", nil, 302},
		{"GET", "/en", nil, 301},
		{"GET", en.path(), nil, 410},
		{"GET", "/zh/none", nil, 404},
		{"GET", "/nowhere", nil, 404},
		{"POST", zh.path(), nil, 405},
		{"HEAD", zh.path(), nil, 200},
	} {
		res := h.do(c.method, c.path, c.header...)
		hd := res.Header()
		if res.Code != c.code {
			t.Errorf("%s %s: %d, want %d", c.method, c.path, res.Code, c.code)
		}
		csp := hd.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "base-uri 'none'") {
			t.Errorf("%s %s: Content-Security-Policy %q", c.method, c.path, csp)
		}
		if hd.Get("X-Content-Type-Options") != "nosniff" || hd.Get("Referrer-Policy") != "strict-origin-when-cross-origin" {
			t.Errorf("%s %s: X-Content-Type-Options %q, Referrer-Policy %q", c.method, c.path, hd.Get("X-Content-Type-Options"), hd.Get("Referrer-Policy"))
		}
		if strings.HasPrefix(hd.Get("Content-Type"), "text/html") && res.Code != http.StatusMethodNotAllowed {
			allowsStyles(t, csp, res.Body.String())
		}
	}
}

func TestPagePolicyAllowsTheStylesOfTheHeadOnly(t *testing.T) {
	head := "body{color:#222}"
	page := []byte("<!DOCTYPE html><html><head><title>t</title><script type=\"application/ld+json\">{}</script><style>" + head +
		"</style></head><body><main><p>&lt;style&gt;</p><style>p{display:none}</style></main></body></html>")
	hd := http.Header{}
	pageCSP(hd, page)
	csp := hd.Get("Content-Security-Policy")
	sum := sha256.Sum256([]byte(head))
	if !strings.Contains(csp, "style-src 'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'") {
		t.Errorf("the head's style is not allowed: %q", csp)
	}
	body := sha256.Sum256([]byte("p{display:none}"))
	if strings.Contains(csp, base64.StdEncoding.EncodeToString(body[:])) {
		t.Errorf("a style in the body is allowed: %q", csp)
	}
	if !strings.Contains(csp, "form-action 'self'") {
		t.Errorf("the search forms may not submit, or may submit elsewhere: %q", csp)
	}
	if strings.Contains(csp, "script-src") || !strings.HasPrefix(csp, "default-src 'none'") {
		t.Errorf("scripts may run: %q", csp)
	}
	bare := http.Header{}
	pageCSP(bare, []byte("<html><head></head><body></body></html>"))
	if got := bare.Get("Content-Security-Policy"); !strings.HasSuffix(got, "style-src 'none'") {
		t.Errorf("a page without styles: %q", got)
	}
}

func TestLocaleWithoutItsSlashMovesToItsHome(t *testing.T) {
	h := newHarness(t)
	h.run()
	for path, want := range map[string]string{"/en": "/en/", "/zh": "/zh/", "/en?page=2": "/en/?page=2"} {
		res := h.get(path)
		if res.Code != http.StatusMovedPermanently || res.Header().Get("Location") != want {
			t.Errorf("%s: %d to %q, want 301 to %s", path, res.Code, res.Header().Get("Location"), want)
		}
		if res.Header().Get("Cache-Control") != cacheRedirect || res.Header().Get("Vary") != "Accept-Encoding" {
			t.Errorf("%s: Cache-Control %q, Vary %q", path, res.Header().Get("Cache-Control"), res.Header().Get("Vary"))
		}
	}
	if res := h.get("/fr"); res.Code != http.StatusNotFound {
		t.Errorf("/fr: %d, want 404", res.Code)
	}
}

func TestAnswersWithoutAPageKeepTheCachingHeaders(t *testing.T) {
	h := newHarness(t)
	h.run()
	zh, en := news("zh-CN", "kept", 1), news("en", "kept", 1)
	h.put("A1", zh, en)
	moved := zh
	moved.slug = "kept-renamed"
	h.put("A1", moved)
	h.publish("A1", func(p *eventsv1.Publication) { takeDown(p, "en") })

	// A 304 carries what the 200 would: Cache-Control, ETag and Vary.
	for _, path := range []string{moved.path(), "/zh/", "/zh/feed.xml", "/sitemap.xml", "/robots.txt"} {
		for _, enc := range []string{"", "gzip"} {
			ok := h.get(path, "Accept-Encoding", enc)
			nm := h.get(path, "Accept-Encoding", enc, "If-None-Match", ok.Header().Get("ETag"))
			if nm.Code != http.StatusNotModified {
				t.Fatalf("%s (%q): %d, want 304", path, enc, nm.Code)
			}
			for _, k := range []string{"Cache-Control", "ETag", "Vary", "Last-Modified"} {
				if got, want := nm.Header().Get(k), ok.Header().Get(k); got == "" || got != want {
					t.Errorf("%s (%q): 304 %s %q, 200 %q", path, enc, k, got, want)
				}
			}
		}
	}
	// 404, 410 and 301 each say how long a cache may keep them.
	for path, want := range map[string]string{"/zh/none": cacheNotFound, "/nowhere": cacheNotFound, en.path(): cacheGone, zh.path(): cacheGone, "/": cacheRedirect} {
		res := h.get(path)
		if res.Header().Get("Cache-Control") != want || res.Header().Get("Vary") != "Accept-Encoding" {
			t.Errorf("%s (%d): Cache-Control %q, Vary %q; want %q and Accept-Encoding", path, res.Code, res.Header().Get("Cache-Control"), res.Header().Get("Vary"), want)
		}
	}
	if res := h.get("/healthz"); res.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("/healthz: Cache-Control %q", res.Header().Get("Cache-Control"))
	}
}
