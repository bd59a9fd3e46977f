package e2e

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/testkit"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
)

// TestSearchFindsPublishedArticlesUntilTakenDown publishes an article
// through drafting, review and publishing, finds it on the site by a
// Chinese phrase inside a longer run of characters and by an inflected
// English word, then takes the Chinese down: by the time its address
// answers 410, search no longer finds it, and the English still is.
func TestSearchFindsPublishedArticlesUntilTakenDown(t *testing.T) {
	e := stacktest.Start(t, testkit.StartNATS(t).URL())
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cl := e.Client(t)
	paragraph := func(text string) []*articlev1.Block {
		return []*articlev1.Block{{Kind: &articlev1.Block_Paragraph{Paragraph: &articlev1.Paragraph{Text: text}}}}
	}
	a := stacktest.SampleArticle()
	a.Slug = "international-forum-on-smart-manufacturing"
	a.Locales["zh-CN"].Title = "学校举办国际论坛"
	a.Locales["zh-CN"].Blocks = paragraph("来自德国的专家学者参加了智能制造国际论坛并发表演讲。")
	a.Locales["en"].Title = "University hosts an international forum"
	a.Locales["en"].Blocks = paragraph("Scholars from Germany attended the forum on smart manufacturing and gave speeches.")
	id, err := cl.Approve(ctx, a, e.Tokens)
	if err != nil {
		t.Fatal(err)
	}
	pubAs := e.As(auth.Publisher)
	if _, err := cl.Publishing.PublishArticle(ctx, &publishingv1.PublishArticleRequest{ArticleId: id, Locales: []string{"zh-CN", "en"}}, pubAs); err != nil {
		t.Fatal(err)
	}
	zhPath, enPath := "/zh/news-events/news/"+a.Slug, "/en/news-events/news/"+a.Slug
	search := func(seg, q string) string {
		t.Helper()
		code, body := stacktest.Fetch(t, e.SiteURL+"/"+seg+"/search?q="+url.QueryEscape(q))
		if code != http.StatusOK {
			t.Fatalf("search %q: %d", q, code)
		}
		return body
	}
	stacktest.Eventually(t, "the article is found in Chinese", func() bool { return strings.Contains(search("zh", "智能制造"), `href="`+zhPath+`"`) })
	if zh := search("zh", "智能制造"); !strings.Contains(zh, "参加了<mark>智能制造</mark>国际论坛") {
		t.Errorf("no highlighted Chinese snippet:\n%s", zh)
	}
	en := search("en", "speech")
	if !strings.Contains(en, `href="`+enPath+`"`) || !strings.Contains(en, "gave <mark>speeches</mark>") {
		t.Errorf("the inflected English word is not found:\n%s", en)
	}

	if _, err := cl.Publishing.UnpublishArticle(ctx, &publishingv1.UnpublishArticleRequest{ArticleId: id, Locales: []string{"zh-CN"}, Reason: "published in error"}, pubAs); err != nil {
		t.Fatal(err)
	}
	stacktest.Eventually(t, "the Chinese page answers 410", func() bool {
		code, _ := stacktest.Fetch(t, e.SiteURL+zhPath)
		return code == http.StatusGone
	})
	if zh := search("zh", "智能制造"); strings.Contains(zh, zhPath) {
		t.Errorf("search still finds the article taken down:\n%s", zh)
	}
	if en := search("en", "speeches"); !strings.Contains(en, enPath) {
		t.Error("search no longer finds the English page, still published")
	}
}
