package e2e

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/testkit"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
)

// TestLocalesLiveTheirOwnLives publishes the Chinese first and the English
// later, corrects the English, takes it down, and moves the Chinese to a
// new slug, checking pages, listings, feeds and the sitemap at each step.
func TestLocalesLiveTheirOwnLives(t *testing.T) {
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
	zhPath, enPath := "/zh/news-events/news/"+a.Slug, "/en/news-events/news/"+a.Slug
	zhURL, enURL := e.SiteURL+zhPath, e.SiteURL+enPath
	site := e.SiteURL
	waitCode := func(url string, code int) string {
		t.Helper()
		var body string
		stacktest.Eventually(t, url+" answers "+http.StatusText(code), func() bool {
			var c int
			c, body = stacktest.Fetch(t, url)
			return c == code
		})
		return body
	}

	// Chinese first.
	if _, err := cl.Publishing.PublishArticle(ctx, &publishingv1.PublishArticleRequest{ArticleId: id, Locales: []string{"zh-CN"}}, pubAs); err != nil {
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
	if _, err := cl.Publishing.PublishArticle(ctx, &publishingv1.PublishArticleRequest{ArticleId: id, Locales: []string{"en"}}, pubAs); err != nil {
		t.Fatal(err)
	}
	waitCode(enURL, http.StatusOK)
	stacktest.Eventually(t, "the Chinese page links the English", func() bool { _, b := stacktest.Fetch(t, zhURL); return strings.Contains(b, `hreflang="en"`) })
	_, _, m = feeds(t, site, "en")
	if alts, _ := sitemapEntry(m, site+enPath); !slices.Equal(alts, []string{"zh-CN", "en", "x-default"}) {
		t.Errorf("sitemap alternates of the English page: %v", alts)
	}

	// A correction shows its note and an Updated date.
	if _, err := cl.Publishing.CorrectArticle(ctx, &publishingv1.CorrectArticleRequest{ArticleId: id, Locales: []string{"en"}}, pubAs); err == nil {
		t.Error("a correction without a note was accepted")
	}
	if _, err := cl.Publishing.CorrectArticle(ctx, &publishingv1.CorrectArticleRequest{ArticleId: id, Locales: []string{"en"}, Note: "An earlier version gave the wrong floor."}, pubAs); err != nil {
		t.Fatal(err)
	}
	stacktest.Eventually(t, "the correction is on the page", func() bool {
		_, b := stacktest.Fetch(t, enURL)
		return strings.Contains(b, "An earlier version gave the wrong floor.") && strings.Contains(b, "Updated")
	})
	last, err := e.Bus.Public.Last(ctx, mustSubject(t, e.Bus.Public, id))
	if err != nil {
		t.Fatal(err)
	}
	if last.Type != eventsv1.ArticleCorrected {
		t.Errorf("last PUBLIC event is %s, want %s", last.Type, eventsv1.ArticleCorrected)
	}

	// The same event delivered again changes nothing.
	_, listBefore := stacktest.Fetch(t, site+"/en/")
	if _, err := e.Bus.Public.Publish(ctx, mustSubject(t, e.Bus.Public, id), &events.Event{Type: last.Type, Source: last.Source, Subject: last.Subject, Actor: last.Actor, Data: last.Data}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	if _, listAfter := stacktest.Fetch(t, site+"/en/"); listAfter != listBefore {
		t.Error("the English listing changed after the same event came twice")
	}

	// Taken down: 410, and gone from listings, feeds and the sitemap.
	if _, err := cl.Publishing.UnpublishArticle(ctx, &publishingv1.UnpublishArticleRequest{ArticleId: id, Locales: []string{"en"}, Reason: "rights to the photo withdrawn"}, pubAs); err != nil {
		t.Fatal(err)
	}
	waitCode(enURL, http.StatusGone)
	if _, b := stacktest.Fetch(t, site+"/en/"); strings.Contains(b, enPath) {
		t.Error("the English listing still shows the article")
	}
	r, a2, m := feeds(t, site, "en")
	if rssHas(r, site+enPath) || len(a2.Entries) != 0 {
		t.Error("the English feeds still list the article")
	}
	if _, ok := sitemapEntry(m, site+enPath); ok {
		t.Error("the sitemap still lists the English page")
	}
	stacktest.Eventually(t, "the Chinese page stops linking the English", func() bool { _, b := stacktest.Fetch(t, zhURL); return !strings.Contains(b, `hreflang="en"`) })

	// A new slug for the Chinese: the old address answers 301.
	d, err := cl.Drafting.GetDraft(ctx, &draftingv1.GetDraftRequest{Id: id}, e.As(auth.Editor))
	if err != nil {
		t.Fatal(err)
	}
	d.Draft.Article.Slug = "library-night-study-space-opens"
	up, err := cl.Drafting.UpdateDraft(ctx, &draftingv1.UpdateDraftRequest{Article: d.Draft.Article, ExpectedRevision: d.Draft.Revision}, e.As(auth.Editor))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.Drafting.SubmitDraft(ctx, &draftingv1.SubmitDraftRequest{Id: id, ExpectedRevision: up.Draft.Revision}, e.As(auth.Editor)); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.Publishing.PublishArticle(ctx, &publishingv1.PublishArticleRequest{ArticleId: id, Locales: []string{"zh-CN"}}, pubAs); err != nil {
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
