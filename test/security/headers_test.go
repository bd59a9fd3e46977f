package security

import (
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/siteconfig"
	"github.com/tandemnews/tandem/pkg/testkit"
)

// TestSitePolicyLetsItsPagesRenderAsTheyAre reads the pages the site
// serves (an article as publishing renders it, a listing, a 404) and
// checks that the Content-Security-Policy sent with each blocks nothing
// the page needs: each <style> element is allowed by its hash, no element
// has a style attribute, and the only script is JSON-LD data.
func TestSitePolicyLetsItsPagesRenderAsTheyAre(t *testing.T) {
	e := stacktest.Start(t, testkit.StartNATS(t).URL())
	sc := siteconfig.Default()
	sc.BaseURL = e.SiteURL
	paths := stacktest.PublishDirect(t, e.Bus, sc, 1)
	e.Get(t, paths[0])
	for _, path := range []string{paths[0], "/en/", "/zh/news-events/", "/en/no-such-page"} {
		res, err := http.Get(e.SiteURL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		csp := res.Header.Get("Content-Security-Policy")
		if !strings.HasPrefix(csp, "default-src 'none'") || strings.Contains(csp, "unsafe-") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: Content-Security-Policy %q", path, csp)
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get("Referrer-Policy") == "" {
			t.Errorf("%s: X-Content-Type-Options %q, Referrer-Policy %q", path, res.Header.Get("X-Content-Type-Options"), res.Header.Get("Referrer-Policy"))
		}
		checkPolicy(t, path, csp, string(body))
	}
}

// checkPolicy walks a page and reports what csp would block in it.
func checkPolicy(t *testing.T, path, csp, page string) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	styles := 0
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		for _, a := range n.Attr {
			if a.Key == "style" || strings.HasPrefix(a.Key, "on") {
				t.Errorf("%s: <%s %s=%q> is blocked by the policy", path, n.Data, a.Key, a.Val)
			}
		}
		switch n.Data {
		case "style":
			styles++
			sum := sha256.Sum256([]byte(n.FirstChild.Data))
			if !strings.Contains(csp, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'") {
				t.Errorf("%s: the policy %q blocks the page's style", path, csp)
			}
		case "script":
			for _, a := range n.Attr {
				if a.Key == "type" && a.Val != "application/ld+json" {
					t.Errorf("%s: a script of type %q", path, a.Val)
				}
			}
		case "img":
			for _, a := range n.Attr {
				if a.Key == "src" && !strings.HasPrefix(a.Val, "/") {
					t.Errorf("%s: an image from elsewhere, which img-src 'self' blocks: %q", path, a.Val)
				}
			}
		}
	}
	if styles == 0 {
		t.Errorf("%s: no style element; the page renders unstyled", path)
	}
}
