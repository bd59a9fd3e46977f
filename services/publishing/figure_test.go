package publishing

import (
	"strings"
	"testing"

	"github.com/tandemnews/tandem/pkg/siteconfig"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
)

// TestRenderFigureFromTheLibrary pins how a page shows library images:
// every variant in srcset, the size, lazy loading for all but the lead
// image, the alternative text and credit of the page's language, the
// caption once, and the lead image as the Open Graph image.
func TestRenderFigureFromTheLibrary(t *testing.T) {
	lead, second := strings.Repeat("a", 64), strings.Repeat("b", 64)
	c := &articlev1.LocalizedContent{Title: "T", Blocks: []*articlev1.Block{
		{Kind: &articlev1.Block_Figure{Figure: &articlev1.Figure{Media: lead, Caption: "The gate"}}},
		{Kind: &articlev1.Block_Paragraph{Paragraph: &articlev1.Paragraph{Text: "Text."}}},
		{Kind: &articlev1.Block_Figure{Figure: &articlev1.Figure{Media: second, Caption: "The lake", Credit: "Own credit"}}},
	}}
	imgs := []*eventsv1.PublishedImage{
		{Media: lead, ContentType: "image/jpeg", Ext: "jpg", Width: 1200, Height: 800, Widths: []int32{320, 640, 1024, 1200}, Alt: "A red gate", Credit: "Photo office"},
		{Media: second, ContentType: "image/png", Ext: "png", Width: 600, Height: 400, Widths: []int32{320, 600}, Alt: "A lake"},
	}
	r := &Renderer{Site: siteconfig.Default()}
	html, err := r.Render(Page{Locale: "en", Section: []string{"news-events", "news"}, Date: "2023-12-05", Slug: "gate", Content: c, Published: []string{"en"}, Images: imgs})
	if err != nil {
		t.Fatal(err)
	}
	s := string(html)
	for _, want := range []string{
		`<figure><img src="/media/` + lead + `-1024.jpg" srcset="/media/` + lead + `-320.jpg 320w, /media/` + lead + `-640.jpg 640w, /media/` + lead + `-1024.jpg 1024w, /media/` + lead + `-1200.jpg 1200w" sizes="(min-width: 46rem) 43rem, calc(100vw - 3rem)" width="1200" height="800" alt="A red gate" decoding="async"><figcaption>The gate (Photo office)</figcaption></figure>`,
		`<figure><img src="/media/` + second + `-600.png" srcset="/media/` + second + `-320.png 320w, /media/` + second + `-600.png 600w" sizes="(min-width: 46rem) 43rem, calc(100vw - 3rem)" width="600" height="400" alt="A lake" loading="lazy" decoding="async"><figcaption>The lake (Own credit)</figcaption></figure>`,
		`<meta property="og:image" content="http://localhost:8080/media/` + lead + `-1200.jpg">`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("page lacks\n%s\nin\n%s", want, s)
		}
	}
	if n := strings.Count(s, "The gate"); n != 1 {
		t.Errorf("the caption shows %d times, want once", n)
	}
}

// TestRenderFigureWithoutItsImage: a preview has no library images; the
// figure shows its caption alone, not a broken image.
func TestRenderFigureWithoutItsImage(t *testing.T) {
	c := &articlev1.LocalizedContent{Title: "T", Blocks: []*articlev1.Block{
		{Kind: &articlev1.Block_Figure{Figure: &articlev1.Figure{Media: strings.Repeat("c", 64), Caption: "Only words"}}},
	}}
	html, err := (&Renderer{Site: siteconfig.Default()}).Render(Page{Locale: "en", Date: "2023-12-05", Slug: "x", Content: c, Published: []string{"en"}})
	if err != nil {
		t.Fatal(err)
	}
	_, body, _ := strings.Cut(string(html), "<main>") // the header shows the logo
	if s := string(html); !strings.Contains(s, `<figure><figcaption>Only words</figcaption></figure>`) || strings.Contains(body, "<img") {
		t.Errorf("figure without its image renders as %s", s)
	}
}
