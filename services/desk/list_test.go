package desk_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/tandemnews/tandem/internal/client"
	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/auth"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
)

// create stores an article as the editor, with a Chinese title and, when
// en is not "", an English one.
func (d *desk) create(t *testing.T, cl *client.Client, zh, en string) string {
	t.Helper()
	a := stacktest.SampleArticle()
	a.Slug = ""
	a.Locales["zh-CN"].Title = zh
	if en == "" {
		delete(a.Locales, "en")
	} else {
		a.Locales["en"].Title = en
	}
	res, err := cl.Drafting.CreateDraft(context.Background(), &draftingv1.CreateDraftRequest{Article: a}, client.Token(d.Tokens[auth.Editor]))
	if err != nil {
		t.Fatal(err)
	}
	return res.Draft.Article.Id
}

func TestTheNewsroomListFiltersPagesAndUpdatesLive(t *testing.T) {
	d := startDesk(t)
	cl := d.Client(t)
	ctx := context.Background()
	// One article published in both languages, one without English, and
	// enough others for a second page.
	pub := stacktest.SampleArticle()
	walked, err := cl.Walk(ctx, pub, d.Tokens)
	if err != nil {
		t.Fatal(err)
	}
	d.create(t, cl, "只有中文的稿件", "")
	for i := range 25 {
		d.create(t, cl, fmt.Sprintf("第%d篇稿件", i+1), fmt.Sprintf("Article number %d", i+1))
	}

	b := d.browser(t, 1280, "zh-CN")
	d.signIn(t, b, auth.Editor)
	if got := text(t, b, `#list caption`); got != "稿件（最近修改的在前）" {
		t.Fatalf("the list is not in Chinese: %q", got)
	}
	rows := func() string { return text(t, b, `#list tbody`) }
	if r := rows(); !strings.Contains(r, "第25篇稿件") || strings.Contains(r, pub.Locales["zh-CN"].Title) {
		t.Fatalf("first page:\n%s", r)
	}
	run(t, b, "the next page",
		chromedp.Click(chromedp.CSS(`#next-page`)),
		chromedp.WaitVisible(chromedp.CSS(`#list a[href="/"]`)),
	)
	r := rows()
	if !strings.Contains(r, pub.Locales["zh-CN"].Title) || !strings.Contains(r, "已发布") {
		t.Fatalf("second page:\n%s", r)
	}

	run(t, b, "missing English",
		chromedp.Navigate(d.DeskURL+"/"),
		chromedp.Click(chromedp.CSS(`#missing`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#next-page`)),
	)
	if r := rows(); !strings.Contains(r, "只有中文的稿件") || !strings.Contains(r, "缺") || strings.Contains(r, "第1篇稿件") {
		t.Fatalf("missing English:\n%s", r)
	}

	run(t, b, "a title search",
		chromedp.Navigate(d.DeskURL+"/?q=number+7"),
		chromedp.WaitVisible(chromedp.CSS(`#list tbody tr`)),
	)
	if r := rows(); !strings.Contains(r, "第7篇稿件") || strings.Contains(r, "第8篇稿件") {
		t.Fatalf("search for 'number 7':\n%s", r)
	}

	// Someone else writes an article: it appears without a reload.
	run(t, b, "the whole list", chromedp.Navigate(d.DeskURL+"/"), chromedp.WaitVisible(chromedp.CSS(`#list tbody tr`)))
	id := d.create(t, cl, "刚刚写好的稿件", "Just written")
	run(t, b, "the live update", chromedp.WaitVisible(chromedp.CSS(`#row-`+id)))
	if r := rows(); !strings.Contains(r, "刚刚写好的稿件") {
		t.Fatalf("after the live update:\n%s", r)
	}

	// The published article's Chinese is corrected and its English taken
	// down, then scheduled again: each language says so.
	as := d.As(auth.Publisher)
	pid := walked.ArticleId
	if _, err := cl.Publishing.CorrectArticle(ctx, &publishingv1.CorrectArticleRequest{ArticleId: pid, Locales: []string{"zh-CN"}, Note: "更正了日期。"}, as); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.Publishing.UnpublishArticle(ctx, &publishingv1.UnpublishArticleRequest{ArticleId: pid, Locales: []string{"en"}, Reason: "The translation is being checked."}, as); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.Publishing.SchedulePublish(ctx, &publishingv1.SchedulePublishRequest{ArticleId: pid, Locales: []string{"en"}, At: timestamppb.New(time.Now().Add(time.Hour))}, as); err != nil {
		t.Fatal(err)
	}
	run(t, b, "the states of each language", chromedp.Navigate(d.DeskURL+"/?q="+url.QueryEscape(pub.Locales["zh-CN"].Title)),
		chromedp.WaitVisible(chromedp.CSS(`#row-`+pid+` .state-scheduled`)))
	states := text(t, b, `#row-`+pid)
	for _, want := range []string{"已发布", "已更正", "已撤下", "已定时"} {
		if !strings.Contains(states, want) {
			t.Fatalf("the row does not say %q:\n%s", want, states)
		}
	}
}
