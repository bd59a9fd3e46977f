package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/testkit"
	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
)

var (
	ldScript = regexp.MustCompile(`(?s)<script type="application/ld\+json">(.*?)</script>`)
	dateline = regexp.MustCompile(`<p class="date"><time datetime="([^"]+)">`)
)

// TestPageFeedsSitemapAndStructuredDataAgreeOnDates publishes an article
// dated long before its release, corrects it, and checks that every
// output says the same of its two kinds of date: the page's dateline is
// the story date; the structured data, the feeds and the sitemap date the
// release (first publication, latest change).
func TestPageFeedsSitemapAndStructuredDataAgreeOnDates(t *testing.T) {
	e := stacktest.Start(t, testkit.StartNATS(t).URL())
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cl := e.Client(t)
	a := stacktest.SampleArticle()
	id, err := cl.Approve(ctx, a, e.Tokens)
	if err != nil {
		t.Fatal(err)
	}
	pubAs := e.As(auth.Publisher)
	enURL := e.SiteURL + "/en/news-events/news/" + a.Slug
	if _, err := cl.Publishing.PublishArticle(ctx, &publishingv1.PublishArticleRequest{ArticleId: id, Locales: []string{"zh-CN", "en"}}, pubAs); err != nil {
		t.Fatal(err)
	}
	stacktest.Eventually(t, "the English page is up", func() bool { c, _ := stacktest.Fetch(t, enURL); return c == http.StatusOK })
	time.Sleep(1100 * time.Millisecond) // the correction a whole second later, as feeds count time
	if _, err := cl.Publishing.CorrectArticle(ctx, &publishingv1.CorrectArticleRequest{ArticleId: id, Locales: []string{"en"}, Note: "An earlier version gave the wrong floor."}, pubAs); err != nil {
		t.Fatal(err)
	}
	var page string
	stacktest.Eventually(t, "the correction is on the page", func() bool {
		_, page = stacktest.Fetch(t, enURL)
		return strings.Contains(page, "An earlier version gave the wrong floor.")
	})

	m := ldScript.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no JSON-LD on the page:\n%s", page)
	}
	var ld struct {
		DatePublished, DateModified string
	}
	if err := json.Unmarshal([]byte(m[1]), &ld); err != nil {
		t.Fatal(err)
	}
	first, err1 := time.Parse(time.RFC3339, ld.DatePublished)
	latest, err2 := time.Parse(time.RFC3339, ld.DateModified)
	if err1 != nil || err2 != nil || !latest.After(first) {
		t.Fatalf("JSON-LD datePublished %q, dateModified %q: want two times with zones, the correction later", ld.DatePublished, ld.DateModified)
	}
	if d := dateline.FindStringSubmatch(page); d == nil || d[1] != a.Date {
		t.Errorf("the dateline is %v, want the story date %s", d, a.Date)
	}
	for _, meta := range []string{
		`<meta property="article:published_time" content="` + ld.DatePublished + `">`,
		`<meta property="article:modified_time" content="` + ld.DateModified + `">`,
	} {
		if !strings.Contains(page, meta) {
			t.Errorf("the page lacks %s", meta)
		}
	}

	r, at, sm := feeds(t, e.SiteURL, "en")
	same := func(what, got string, layout string, want time.Time) {
		t.Helper()
		if g, err := time.Parse(layout, got); err != nil || !g.Equal(want.Truncate(time.Second)) {
			t.Errorf("%s is %q, want %s", what, got, want.Truncate(time.Second).Format(layout))
		}
	}
	if len(r.Channel.Items) != 1 || len(at.Entries) != 1 {
		t.Fatalf("feeds hold %d and %d entries, want 1", len(r.Channel.Items), len(at.Entries))
	}
	same("RSS pubDate", r.Channel.Items[0].PubDate, time.RFC1123Z, first)
	same("Atom published", at.Entries[0].Published, time.RFC3339, first)
	same("Atom entry updated", at.Entries[0].Updated, time.RFC3339, latest)
	same("Atom feed updated", at.Updated, time.RFC3339, latest)
	found := false
	for _, u := range sm.URLs {
		if u.Loc == enURL {
			found = true
			same("sitemap lastmod", u.LastMod, time.RFC3339, latest)
		}
	}
	if !found {
		t.Errorf("the sitemap lacks %s", enURL)
	}
	if id := at.Entries[0].ID; !strings.HasPrefix(id, "tag:") || r.Channel.Items[0].GUID != id {
		t.Errorf("Atom id %q, RSS guid %q: want one tag URI", id, r.Channel.Items[0].GUID)
	}
}
