package publishing

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/tandemnews/tandem/pkg/siteconfig"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
)

func content() *articlev1.LocalizedContent {
	return &articlev1.LocalizedContent{
		Title: `Forum <b>"2024"</b>`,
		Blocks: []*articlev1.Block{
			{Kind: &articlev1.Block_Paragraph{Paragraph: &articlev1.Paragraph{Text: `Text with <script>alert(1)</script> **bold**, [a link](https://example.edu/x?a=1&b=2), [bad](javascript:alert(1)) and ` + "`code`"}}},
			{Kind: &articlev1.Block_Heading{Heading: &articlev1.Heading{Level: 3, Text: "Sub"}}},
			{Kind: &articlev1.Block_Figure{Figure: &articlev1.Figure{File: "a.jpg", Caption: "Guests", Credit: "Photo office"}}},
			{Kind: &articlev1.Block_Quote{Quote: &articlev1.Quote{Text: "Said.", Attribution: "Chen"}}},
			{Kind: &articlev1.Block_List{List: &articlev1.List{Ordered: true, Items: []string{"one", "two"}}}},
		},
		Byline: &articlev1.Byline{Authors: []string{"Fan Yujun", "Yuan Hui"}, Office: "Office of Scientific Research"},
	}
}

func TestRenderShowsEveryBlockAndEscapesText(t *testing.T) {
	r := &Renderer{Site: siteconfig.Default()}
	html, err := r.Render(Page{Locale: "en", Section: []string{"news-events", "news"}, Date: "2023-12-05", Slug: "forum", Content: content(), Published: []string{"zh-CN", "en"}})
	if err != nil {
		t.Fatal(err)
	}
	s := string(html)
	for _, want := range []string{
		`<html lang="en">`,
		`<h1>Forum &lt;b&gt;&#34;2024&#34;&lt;/b&gt;</h1>`,
		`Text with`,
		`<strong>bold</strong>`,
		`<a href="https://example.edu/x?a=1&amp;b=2">a link</a>`,
		`<code>code</code>`,
		`<meta property="og:title" content="Forum &lt;b&gt;&#34;2024&#34;&lt;/b&gt;">`,
		`<meta property="og:image" content="http://localhost:8080/media/a.jpg">`,
		`"@type":"NewsArticle"`,
		`"datePublished":"2023-12-05"`,
		`<h3>Sub</h3>`,
		`<img src="/media/a.jpg" alt=""><figcaption>Guests (Photo office)</figcaption>`,
		`<footer>— Chen</footer>`,
		`<ol><li>one</li><li>two</li></ol>`,
		`Dec 5, 2023`,
		`(Fan Yujun, Yuan Hui, Office of Scientific Research)`,
		`<a href="/en/">Home</a> &gt; <a href="/en/news-events/">News &amp; Events</a> &gt; <a href="/en/news-events/news/">News</a> &gt; <span>Content</span>`,
		`<link rel="alternate" hreflang="zh-CN" href="http://localhost:8080/zh/news-events/news/forum">`,
		`<link rel="alternate" hreflang="x-default" href="http://localhost:8080/zh/news-events/news/forum">`,
		`<link rel="canonical" href="http://localhost:8080/en/news-events/news/forum">`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	for _, bad := range []string{"<script>alert", "javascript:", "alert(1)</script>"} {
		if strings.Contains(s, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
}

func TestRenderChineseInTheOfficesStyle(t *testing.T) {
	r := &Renderer{Site: siteconfig.Default()}
	c := content()
	c.Byline = &articlev1.Byline{Authors: []string{"范宇军", "袁慧"}, Office: "科研处"}
	html, err := r.Render(Page{Locale: "zh-CN", Section: []string{"news-events", "news"}, Date: "2023-12-05", Slug: "forum", Content: c, Published: []string{"zh-CN"}})
	if err != nil {
		t.Fatal(err)
	}
	s := string(html)
	for _, want := range []string{`<html lang="zh-CN">`, "2023年12月5日", "<figcaption>Guests（Photo office）</figcaption>", "（范宇军、袁慧，科研处）", "首页</a> &gt; <a href=\"/zh/news-events/\">新闻动态</a> &gt; <a href=\"/zh/news-events/news/\">学校要闻</a> &gt; <span>正文</span>"} {
		if !strings.Contains(s, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(s, `hreflang="en"`) {
		t.Error("links an English page that is not published")
	}
}

func BenchmarkRender(b *testing.B) {
	r := &Renderer{Site: siteconfig.Default()}
	c := content()
	for len(c.Blocks) < 40 { // about a long news article
		c.Blocks = append(c.Blocks, content().Blocks...)
	}
	for _, l := range []string{"zh-CN", "en"} {
		b.Run(l, func(b *testing.B) {
			p := Page{Locale: l, Section: []string{"news-events", "news"}, Date: "2023-12-05", Slug: "forum", Content: c, Published: []string{"zh-CN", "en"}}
			var n int
			for b.Loop() {
				html, err := r.Render(p)
				if err != nil {
					b.Fatal(err)
				}
				n = len(html)
			}
			b.SetBytes(int64(n))
		})
	}
}

// TestPlainTextRendersAsTheMarkdownPathWould pins the fast path: text
// without markup comes out exactly as goldmark and bluemonday would give it.
func TestPlainTextRendersAsTheMarkdownPathWould(t *testing.T) {
	for _, text := range []string{
		"From May 14 to 15, the 2024 forum was held in the Library.",
		"5月14日至15日，2024智能制造国际论坛在我校图书馆报告厅举行。",
		`He said "we will win" and left.`,
		"It costs 3 yuan; 100% of students agreed.",
		"2024 was a good year",
	} {
		if !isPlain(text) {
			t.Errorf("%q is not taken as plain", text)
			continue
		}
		var buf strings.Builder
		if err := markdown.Convert([]byte(text), &buf); err != nil {
			t.Fatal(err)
		}
		slow := sanitizer.Sanitize(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(buf.String()), "<p>"), "</p>"))
		if got := string(inline(text)); got != slow {
			t.Errorf("%q: fast path %q, Markdown path %q", text, got, slow)
		}
	}
	for _, text := range []string{"**bold**", "a <b>", "# heading", "1. item", "- item", "x & y", "line\nbreak"} {
		if isPlain(text) {
			t.Errorf("%q taken as plain", text)
		}
	}
}

// TestNewsArticleDatesTheReleaseAndCarriesImageAuthorsAndLogo pins the
// structured data: the release's times (first and latest publication of
// the locale) with their zone, the lead image, the authors and the
// publisher's logo; the story date stays the page's dateline.
func TestNewsArticleDatesTheReleaseAndCarriesImageAuthorsAndLogo(t *testing.T) {
	r := &Renderer{Site: siteconfig.Default()}
	first := time.Date(2024, 5, 16, 1, 30, 0, 0, time.UTC)
	fixed := first.Add(50 * time.Hour)
	pl := &eventsv1.PublishedLocale{
		Locale: "en", Section: []string{"news-events", "news"}, Date: "2023-12-05", Slug: "forum", Content: content(),
		FirstPublished: &articlev1.Change{Time: timestamppb.New(first)},
		Published:      &articlev1.Change{Time: timestamppb.New(fixed)},
		Images: []*eventsv1.PublishedImage{{Media: "4f2a", ContentType: "image/jpeg", Ext: "jpg", Width: 1600, Height: 1067,
			Widths: []int32{480, 960, 1600}, Alt: "Guests at the forum"}},
	}
	pl.Path = siteconfig.ArticlePath("en", pl.Section, pl.Slug)
	p := &eventsv1.Publication{ArticleId: "01ARTICLE", Locales: map[string]*eventsv1.PublishedLocale{"en": pl}}
	if err := r.Publication(p); err != nil {
		t.Fatal(err)
	}
	page := string(pl.Html)
	start := strings.Index(page, `<script type="application/ld+json">`) + len(`<script type="application/ld+json">`)
	end := strings.Index(page[start:], "</script>")
	var ld struct {
		Type          string `json:"@type"`
		DatePublished string `json:"datePublished"`
		DateModified  string `json:"dateModified"`
		Image         []struct {
			URL           string `json:"url"`
			Width, Height int
		} `json:"image"`
		Author []struct {
			Type string `json:"@type"`
			Name string `json:"name"`
		} `json:"author"`
		Publisher struct {
			Name string `json:"name"`
			Logo struct {
				Type string `json:"@type"`
				URL  string `json:"url"`
			} `json:"logo"`
		} `json:"publisher"`
	}
	if err := json.Unmarshal([]byte(page[start:start+end]), &ld); err != nil {
		t.Fatalf("JSON-LD: %v\n%s", err, page[start:start+end])
	}
	if ld.Type != "NewsArticle" || ld.DatePublished != "2024-05-16T01:30:00Z" || ld.DateModified != "2024-05-18T03:30:00Z" {
		t.Errorf("type %q, datePublished %q, dateModified %q: want the release's first and latest times", ld.Type, ld.DatePublished, ld.DateModified)
	}
	if len(ld.Image) != 1 || ld.Image[0].URL != "http://localhost:8080/media/4f2a-1600.jpg" || ld.Image[0].Width != 1600 || ld.Image[0].Height != 1067 {
		t.Errorf("image %+v, want the lead image's largest variant", ld.Image)
	}
	if len(ld.Author) != 3 || ld.Author[0].Name != "Fan Yujun" || ld.Author[0].Type != "Person" || ld.Author[2].Type != "Organization" {
		t.Errorf("authors %+v", ld.Author)
	}
	if ld.Publisher.Name != "Binjiang University News" || ld.Publisher.Logo.Type != "ImageObject" || ld.Publisher.Logo.URL != "http://localhost:8080"+siteconfig.LogoPath {
		t.Errorf("publisher %+v", ld.Publisher)
	}
	for _, want := range []string{
		`<meta property="article:published_time" content="2024-05-16T01:30:00Z">`,
		`<meta property="article:modified_time" content="2024-05-18T03:30:00Z">`,
		`<meta property="og:image" content="http://localhost:8080/media/4f2a-1600.jpg">`,
		`<meta property="og:image:alt" content="Guests at the forum">`,
		`<time datetime="2023-12-05">Dec 5, 2023</time>`,
		`<link rel="icon" href="` + siteconfig.IconPath + `"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
}

// TestPreviewCarriesTheStoryDateAlone: a page never published has no
// release to date.
func TestPreviewCarriesTheStoryDateAlone(t *testing.T) {
	r := &Renderer{Site: siteconfig.Default()}
	html, err := r.Render(Page{Locale: "en", Date: "2023-12-05", Slug: "forum", Content: content(), Published: []string{"en"}})
	if err != nil {
		t.Fatal(err)
	}
	s := string(html)
	if !strings.Contains(s, `"datePublished":"2023-12-05"`) || strings.Contains(s, "dateModified") || strings.Contains(s, "article:published_time") {
		t.Errorf("a preview dates a release:\n%s", s)
	}
}

// TestArticleHeaderHasTheSitesSearchForm: an article page's header, like
// the front page's, holds the logo and a search form asking the search
// page of the page's own language.
func TestArticleHeaderHasTheSitesSearchForm(t *testing.T) {
	for locale, want := range map[string]string{
		"en":    `<form class="find" role="search" action="/en/search" method="get"><input type="search" name="q" maxlength="200" aria-label="Search"`,
		"zh-CN": `<form class="find" role="search" action="/zh/search" method="get"><input type="search" name="q" maxlength="200" aria-label="搜索"`,
	} {
		html, err := (&Renderer{Site: siteconfig.Default()}).Render(Page{Locale: locale, Date: "2023-12-05", Slug: "x", Content: &articlev1.LocalizedContent{Title: "T"}, Published: []string{locale}})
		if err != nil {
			t.Fatal(err)
		}
		header, _, _ := strings.Cut(string(html), "</header>")
		if !strings.Contains(header, want) || !strings.Contains(header, `<img src="`+siteconfig.IconPath+`" alt=""`) {
			t.Errorf("%s: the header has no search form or logo:\n%s", locale, header)
		}
	}
}
