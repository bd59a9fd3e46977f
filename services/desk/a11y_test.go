package desk_test

import (
	"context"
	_ "embed"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/auth"
	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

// axeSource is axe-core (testdata/axe.min.js, vendored from npm; see
// assets/VENDORED.md), the accessibility checker the tests inject.
//
//go:embed testdata/axe.min.js
var axeSource string

// axeCheck runs axe-core on the page b shows and fails the test for each
// serious or critical violation, naming the rule and the elements.
func axeCheck(t *testing.T, b context.Context, screen string) {
	t.Helper()
	if _, err := chromedp.Run(b, chromedp.Evaluate[any](axeSource+";true")); err != nil {
		t.Fatalf("%s: loading axe-core: %v", screen, err)
	}
	// passes proves that axe looked at the page at all.
	const run = `axe.run(document, {iframes: false}).then(r => JSON.stringify({passes: r.passes.length, violations:
		r.violations.filter(v => v.impact === "serious" || v.impact === "critical")
		 .map(v => ({id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => n.target.join(" "))}))}))`
	out, err := chromedp.Run(b, chromedp.Evaluate[string](run, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: running axe-core: %v", screen, err)
	}
	var found struct {
		Passes     int
		Violations []struct {
			ID, Impact, Help string
			Targets          []string
		}
	}
	if err := json.Unmarshal([]byte(out), &found); err != nil || found.Passes == 0 {
		t.Fatalf("%s: axe-core said %s: %v", screen, out, err)
	}
	for _, v := range found.Violations {
		t.Errorf("%s: %s %s (%s) at %s", screen, v.Impact, v.ID, v.Help, strings.Join(v.Targets, ", "))
	}
}

func TestEveryScreenPassesAxeWithoutSeriousOrCriticalViolations(t *testing.T) {
	d := startDesk(t)
	cl := d.Client(t)
	ctx := context.Background()
	draft := d.create(t, cl, "无障碍检查的稿件", "An article for the accessibility check")
	approved, err := cl.Approve(ctx, stacktest.SampleArticle(), d.Tokens)
	if err != nil {
		t.Fatal(err)
	}
	// A glossary term for the side-by-side to mark.
	if _, err := cl.Review.PutTerm(ctx, &reviewv1.PutTermRequest{Term: &reviewv1.Term{Source: "图书馆", Targets: []string{"Library"}}}, d.As(auth.Admin)); err != nil {
		t.Fatal(err)
	}
	link, err := cl.Publishing.CreatePreviewLink(ctx, &publishingv1.CreatePreviewLinkRequest{ArticleId: approved, Expires: timestamppb.New(time.Now().Add(time.Hour))}, d.As(auth.Publisher))
	if err != nil {
		t.Fatal(err)
	}
	a := stacktest.SampleArticle()
	a.Slug = "a11y-job"
	job := submitted(t, cl, d, a)

	// One browser per language, signing in as each role in turn.
	for _, lang := range []string{"zh-CN", "en-US"} {
		b := d.browser(t, 1280, lang)
		run(t, b, "the sign-in page", chromedp.Navigate(d.DeskURL+"/signin"), chromedp.WaitVisible(chromedp.CSS(`#username`)))
		axeCheck(t, b, lang+" sign-in")
		run(t, b, "a failed sign-in", chromedp.SendKeys(chromedp.CSS(`#username`), "ed"), chromedp.SendKeys(chromedp.CSS(`#password`), "wrong password"),
			chromedp.Submit(chromedp.CSS(`#password`)), chromedp.WaitVisible(chromedp.CSS(`#signin-error`)))
		axeCheck(t, b, lang+" failed sign-in")
		d.signIn(t, b, auth.Editor)
		axeCheck(t, b, lang+" newsroom list")
		run(t, b, "the new article", chromedp.Navigate(d.DeskURL+"/articles/new"), chromedp.WaitVisible(chromedp.CSS(`#zh_title`)))
		axeCheck(t, b, lang+" new article")
		run(t, b, "errors at their fields", fill(`#slug`, "Bad Slug"), chromedp.Click(chromedp.CSS(`#save`)), chromedp.WaitVisible(chromedp.CSS(`#slug-error`)))
		axeCheck(t, b, lang+" editor with errors")
		run(t, b, "the editor", chromedp.Navigate(d.DeskURL+"/articles/"+draft), chromedp.WaitVisible(chromedp.CSS(`#zh_title`)))
		axeCheck(t, b, lang+" editor")
		run(t, b, "the history", chromedp.Click(chromedp.CSS(`#history`)), chromedp.WaitVisible(chromedp.CSS(`main table`)))
		axeCheck(t, b, lang+" history")

		run(t, b, "signing out", chromedp.Click(chromedp.CSS(`#signout`)), chromedp.WaitVisible(chromedp.CSS(`#username`)))
		d.signIn(t, b, auth.Translator)
		run(t, b, "the side-by-side", chromedp.Navigate(d.DeskURL+"/jobs/"+job.ArticleId), chromedp.WaitVisible(chromedp.CSS(`#approve`)))
		axeCheck(t, b, lang+" side-by-side")

		run(t, b, "signing out", chromedp.Click(chromedp.CSS(`#signout`)), chromedp.WaitVisible(chromedp.CSS(`#username`)))
		d.signIn(t, b, auth.Publisher)
		run(t, b, "the publisher", chromedp.Navigate(d.DeskURL+"/articles/"+approved+"/publish"), chromedp.WaitVisible(chromedp.CSS(`#publish-zh`)))
		axeCheck(t, b, lang+" publisher")
		run(t, b, "the preview link", chromedp.Navigate(d.DeskURL+"/preview/"+link.Token), chromedp.WaitVisible(chromedp.CSS(`#linked-zh`)))
		axeCheck(t, b, lang+" preview link")
	}
}
