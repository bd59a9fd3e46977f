package security

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
	"google.golang.org/grpc/codes"

	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/testkit"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
	"github.com/tandemnews/tandem/services/drafting"
)

// xssVectors are from the OWASP XSS Filter Evasion Cheat Sheet: script
// tags, javascript: and data: links, event handlers, SVG, broken markup.
var xssVectors = []string{
	`<script>alert('XSS')</script>`,
	`<IMG SRC="javascript:alert('XSS');">`,
	`<IMG SRC=javascript:alert('XSS')>`,
	`<img src=x onerror=alert(1)>`,
	`<svg/onload=alert('XSS')>`,
	`<svg><script>alert(1)</script></svg>`,
	`<a href="javascript:alert(1)">click</a>`,
	`[click](javascript:alert(1))`,
	`[click](JaVaScRiPt:alert(1))`,
	`[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)`,
	`![x](javascript:alert(1))`,
	`<a href="&#106;avascript:alert(1)">x</a>`,
	`<iframe src="javascript:alert(1)"></iframe>`,
	`<body onload=alert('XSS')>`,
	`<div style="background-image: url(javascript:alert('XSS'))">x</div>`,
	`"><script>alert(1)</script>`,
	`'><img src=x onerror=alert(1)>`,
	`<<SCRIPT>alert("XSS");//<</SCRIPT>`,
	`<scr<script>ipt>alert(1)</scr</script>ipt>`,
	`<IMG """><SCRIPT>alert("XSS")</SCRIPT>">`,
	`<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`,
	`</textarea><script>alert(1)</script>`,
	`<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:alert('XSS');">`,
	`<a href="  javascript:alert(1)">x</a>`,
	`<object data="javascript:alert(1)"></object>`,
}

func xssContent(prefix string) *articlev1.LocalizedContent {
	v := func(i int) string { return prefix + " " + xssVectors[i%len(xssVectors)] }
	c := &articlev1.LocalizedContent{
		Title:    v(0),
		Summary:  v(1),
		Keywords: []string{v(2)},
		Byline:   &articlev1.Byline{Authors: []string{v(3)}, Office: v(4)},
	}
	for i := range xssVectors {
		var b *articlev1.Block
		switch i % 5 {
		case 0:
			b = &articlev1.Block{Kind: &articlev1.Block_Paragraph{Paragraph: &articlev1.Paragraph{Text: v(i)}}}
		case 1:
			b = &articlev1.Block{Kind: &articlev1.Block_Heading{Heading: &articlev1.Heading{Level: 2, Text: v(i)}}}
		case 2:
			b = &articlev1.Block{Kind: &articlev1.Block_Figure{Figure: &articlev1.Figure{File: "photo.jpg", Caption: v(i), Alt: v(i + 1), Credit: v(i + 2)}}}
		case 3:
			b = &articlev1.Block{Kind: &articlev1.Block_Quote{Quote: &articlev1.Quote{Text: v(i), Attribution: v(i + 1)}}}
		default:
			b = &articlev1.Block{Kind: &articlev1.Block_List{List: &articlev1.List{Items: []string{v(i), v(i + 1)}}}}
		}
		c.Blocks = append(c.Blocks, b)
	}
	return c
}

// TestXSSVectorsNeverReachPagesInExecutableForm puts the cheat sheet into
// every text field of an article in both languages, publishes it, and
// inspects every page that shows it: no script but the JSON-LD, no event
// handler attribute, no link or source with a scheme other than http,
// https or mailto, no SVG, frame, object or refresh.
func TestXSSVectorsNeverReachPagesInExecutableForm(t *testing.T) {
	e := stacktest.Start(t, testkit.StartNATS(t).URL())
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cl := e.Client(t)
	a := &articlev1.Article{
		Section: []string{"news-events", "news"}, Date: "2024-06-03", Slug: "xss-vectors",
		Locales: map[string]*articlev1.LocalizedContent{"zh-CN": xssContent("中文"), "en": xssContent("English")},
	}
	// The first line of defence: drafting refuses raw HTML in any field.
	_, err := cl.Drafting.CreateDraft(ctx, &draftingv1.CreateDraftRequest{Article: a}, e.As(auth.Editor))
	if st := stacktest.WantCode(t, "create with raw HTML", err, codes.InvalidArgument); !strings.Contains(st.Message(), "contains raw HTML") {
		t.Fatalf("refusal does not say why: %v", st.Message())
	}
	// The second: what reaches the renderer anyway (a producer that
	// skipped drafting, Markdown links with other schemes) is made safe
	// there. The draft is written to the stream directly.
	id := "01XSSVECTORS0000000000000A"
	a.Id, a.SourceLocale = id, "zh-CN"
	drafts := drafting.Drafts(e.Bus.Editorial)
	d, err := drafts.Upsert(ctx, id, func(d *draftingv1.Draft) (events.Change, error) {
		d.Article = a
		return events.Change{Type: eventsv1.DraftUpdated, Actor: "test-editor"}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rev := d.Revision
	if _, err := drafts.Update(ctx, id, rev, func(d *draftingv1.Draft) (events.Change, error) {
		d.Status, d.SubmittedRevision = draftingv1.DraftStatus_DRAFT_STATUS_SUBMITTED, rev
		return events.Change{Type: eventsv1.DraftSubmitted, Actor: "test-editor"}, nil
	}); err != nil {
		t.Fatal(err)
	}
	var job *reviewv1.Job
	stacktest.Eventually(t, "the job opens", func() bool {
		res, err := cl.Review.GetJob(ctx, &reviewv1.GetJobRequest{ArticleId: id}, e.As(auth.Translator))
		job = res.GetJob()
		return err == nil
	})
	if _, err := cl.Review.ApproveJob(ctx, &reviewv1.ApproveJobRequest{ArticleId: id, ExpectedRevision: job.Revision, OverrideReason: "security test content"}, e.As(auth.Translator)); err != nil {
		t.Fatal(err)
	}
	pub, err := cl.Publishing.PublishArticle(ctx, &publishingv1.PublishArticleRequest{ArticleId: id, Locales: []string{"zh-CN", "en"}}, e.As(auth.Publisher))
	if err != nil {
		t.Fatal(err)
	}
	var htmlPages []string
	for _, pl := range pub.Publication.Locales {
		htmlPages = append(htmlPages, pl.Path)
	}
	htmlPages = append(htmlPages, "/zh/", "/en/", "/en/news-events/news/")
	for _, path := range htmlPages {
		var body string
		stacktest.Eventually(t, path+" is served", func() bool {
			var code int
			code, body = stacktest.Fetch(t, e.SiteURL+path)
			return code == http.StatusOK
		})
		for _, problem := range executable(body) {
			t.Errorf("%s: %s", path, problem)
		}
	}
	for _, path := range []string{"/en/feed.xml", "/zh/atom.xml", "/sitemap.xml", "/sitemap-1.xml"} {
		_, body := stacktest.Fetch(t, e.SiteURL+path)
		for _, raw := range []string{"<script", "<img", "<svg", "<iframe", "<a href", "<object"} {
			if strings.Contains(strings.ToLower(body), raw) {
				t.Errorf("%s contains raw %s", path, raw)
			}
		}
	}
	t.Logf("verified: %d vectors in every text field, %d HTML pages and 3 feeds and the sitemap inspected", len(xssVectors), len(htmlPages))
}

// executable lists what in an HTML document could run script.
func executable(doc string) []string {
	root, err := html.Parse(strings.NewReader(doc))
	if err != nil {
		return []string{"unparsable: " + err.Error()}
	}
	var out []string
	var walk func(n *html.Node, inHead bool)
	walk = func(n *html.Node, inHead bool) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script":
				if attr(n, "type") != "application/ld+json" || n.FirstChild == nil || !json.Valid([]byte(n.FirstChild.Data)) {
					out = append(out, "a script element")
				}
			case "form":
				// The one form a page may hold is the site's search: a GET to
				// the search page of a locale, which only reads.
				if attr(n, "role") != "search" || !strings.EqualFold(attr(n, "method"), "get") || (attr(n, "action") != "/zh/search" && attr(n, "action") != "/en/search") {
					out = append(out, "a form element")
				}
			case "iframe", "object", "embed", "svg", "math", "base", "frame", "frameset", "applet":
				out = append(out, "a "+n.Data+" element")
			case "meta":
				if attr(n, "http-equiv") != "" {
					out = append(out, "a meta http-equiv")
				}
			case "style":
				if !inHead {
					out = append(out, "a style element in the body")
				}
			}
			for _, a := range n.Attr {
				k := strings.ToLower(a.Key)
				switch {
				case strings.HasPrefix(k, "on"):
					out = append(out, "an event handler "+k)
				case k == "style":
					out = append(out, "a style attribute")
				case k == "href" || k == "src" || k == "action" || k == "formaction" || k == "data" || k == "xlink:href":
					v := strings.ToLower(strings.Join(strings.Fields(a.Val), ""))
					if i := strings.Index(v, ":"); i >= 0 && !strings.Contains(v[:i], "/") {
						if scheme := v[:i]; scheme != "http" && scheme != "https" && scheme != "mailto" {
							out = append(out, k+" with scheme "+scheme)
						}
					}
				}
			}
			if n.Data == "head" {
				inHead = true
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inHead)
		}
	}
	walk(root, false)
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

// TestExecutableRecognisesScript keeps the inspector honest: each of these
// documents must be caught.
func TestExecutableRecognisesScript(t *testing.T) {
	for _, doc := range []string{
		`<p>hi<script>alert(1)</script></p>`,
		`<img src=x onerror=alert(1)>`,
		`<a href="&#106;avascript:alert(1)">x</a>`,
		`<a href=" javascript:alert(1)">x</a>`,
		`<svg onload=alert(1)></svg>`,
		`<iframe src="https://x"></iframe>`,
		`<p style="x">y</p>`,
		`<script type="application/ld+json">alert(1)</script>`,
		`<form action="https://x.example/login"><input name="password"></form>`,
		`<form role="search" method="post" action="/en/search"></form>`,
		`<form role="search" method="get" action="https://x.example/search"></form>`,
	} {
		if len(executable(doc)) == 0 {
			t.Errorf("missed: %s", doc)
		}
	}
	if p := executable(`<a href="https://x.edu/a">a</a><a href="/zh/">b</a><a href="mailto:a@b.c">c</a>`); len(p) != 0 {
		t.Errorf("safe links flagged: %v", p)
	}
	if p := executable(`<form class="find" role="search" action="/zh/search" method="get"><input type="search" name="q"></form>`); len(p) != 0 {
		t.Errorf("the site's search form flagged: %v", p)
	}
}
