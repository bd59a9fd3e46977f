package desk_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/auth"
	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
)

func TestAPublisherPreviewsAndPublishesChineseThenEnglishAndReadersSeeBoth(t *testing.T) {
	d := startDesk(t)
	cl := d.Client(t)
	a := stacktest.SampleArticle()
	id, err := cl.Approve(context.Background(), a, d.Tokens)
	if err != nil {
		t.Fatal(err)
	}
	b := d.browser(t, 1280, "en-US")
	d.signIn(t, b, auth.Publisher)
	page := d.DeskURL + "/articles/" + id + "/publish"
	run(t, b, "the publisher's screen", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`#publish-zh`)))
	// Both previews are the site's pages of what will be released.
	for sel, title := range map[string]string{"#preview-zh": a.Locales["zh-CN"].Title, "#preview-en": a.Locales["en"].Title} {
		js := `(() => { const d = document.querySelector("` + sel + `").contentDocument; const h = d && d.querySelector("h1"); return h ? h.textContent.trim() : ""; })() === "` + title + `"`
		if _, err := chromedp.Run(b, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
			t.Fatalf("the preview %s never showed %q: %v", sel, title, err)
		}
	}
	// A preview link for the people quoted works signed out, in a
	// browser context with no cookie of the desk's.
	run(t, b, "making a preview link", chromedp.Click(chromedp.CSS(`#make-link`)), chromedp.WaitVisible(chromedp.CSS(`#preview-link .preview-url`)))
	link := text(t, b, `#preview-link .preview-url`)
	if !strings.HasPrefix(link, d.DeskURL+"/preview/") {
		t.Fatalf("the preview link is %q", link)
	}
	out, stop := chromedp.NewContext(b, chromedp.WithNewBrowserContext())
	defer stop()
	run(t, out, "opening the preview link signed out", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS(`#linked-zh`)))
	for sel, title := range map[string]string{"#linked-zh": a.Locales["zh-CN"].Title, "#linked-en": a.Locales["en"].Title} {
		js := `(() => { const d = document.querySelector("` + sel + `").contentDocument; const h = d && d.querySelector("h1"); return h ? h.textContent.trim() : ""; })() === "` + title + `"`
		if _, err := chromedp.Run(out, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
			t.Fatalf("the linked preview %s never showed %q: %v", sel, title, err)
		}
	}
	// A link that has expired shows nothing but says so.
	short, err := cl.Publishing.CreatePreviewLink(context.Background(), &publishingv1.CreatePreviewLinkRequest{ArticleId: id, Expires: timestamppb.New(time.Now().Add(time.Second))}, d.As(auth.Publisher))
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Until(short.Expires.AsTime()))
	run(t, out, "opening an expired link", chromedp.Navigate(d.DeskURL+"/preview/"+short.Token), chromedp.WaitVisible(chromedp.CSS(`#link-problem`)))
	if s := text(t, out, `#link-problem`); !strings.Contains(s, "expired") {
		t.Fatalf("an expired link says %q", s)
	}
	if code, body := stacktest.Fetch(t, d.DeskURL+"/preview/"+short.Token+"/zh-CN"); code != http.StatusGone || strings.Contains(body, a.Locales["zh-CN"].Title) {
		t.Fatalf("an expired link's page answers %d", code)
	}

	run(t, b, "publishing the Chinese", chromedp.Click(chromedp.CSS(`#publish-zh`)), chromedp.WaitVisible(chromedp.CSS(`#state-zh .public-link`)))
	if s := text(t, b, `#state-en`); !strings.Contains(s, "Ready to publish") {
		t.Fatalf("after publishing the Chinese, the English is %q", s)
	}
	// A schedule of the English shows as pending and is cancelled from
	// the page; the timeline then tells who did what.
	if _, err := cl.Publishing.SchedulePublish(context.Background(), &publishingv1.SchedulePublishRequest{ArticleId: id, Locales: []string{"en"}, At: timestamppb.New(time.Now().Add(time.Hour))}, d.As(auth.Publisher)); err != nil {
		t.Fatal(err)
	}
	run(t, b, "the pending schedule", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`.cancel-schedule`)))
	run(t, b, "cancelling it", chromedp.Click(chromedp.CSS(`.cancel-schedule`)), chromedp.WaitVisible(chromedp.CSS(`#timeline`)), chromedp.WaitNotPresent(chromedp.CSS(`.cancel-schedule`)))
	tl := text(t, b, `#timeline`)
	for _, want := range []string{"Schedule cancelled", "Scheduled", "First published", "zh-CN", "tandem.draft"} {
		if !strings.Contains(tl, want) {
			t.Fatalf("the timeline does not say %q:\n%s", want, tl)
		}
	}
	if strings.Index(tl, "Schedule cancelled") > strings.Index(tl, "First published") {
		t.Fatalf("the timeline is not newest first:\n%s", tl)
	}
	run(t, b, "publishing the English", chromedp.Click(chromedp.CSS(`#publish-en`)), chromedp.WaitVisible(chromedp.CSS(`#state-en .public-link`)))
	// A reader loads both public pages.
	for _, sel := range []string{`#state-zh .public-link`, `#state-en .public-link`} {
		u := text(t, b, sel)
		var body string
		stacktest.Eventually(t, "the page "+u, func() bool {
			code, b := stacktest.Fetch(t, u)
			body = b
			return code == http.StatusOK
		})
		if !strings.Contains(body, a.Locales["zh-CN"].Title) && !strings.Contains(body, a.Locales["en"].Title) {
			t.Fatalf("%s does not show the article", u)
		}
	}
}
