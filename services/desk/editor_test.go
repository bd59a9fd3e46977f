package desk_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tandemnews/tandem/pkg/auth"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
)

// fill replaces the value of the field sel with s, as typing would,
// with an input event.
func fill(sel, s string) chromedp.Action[chromedp.Void] {
	js := fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.value = %q; e.dispatchEvent(new Event("input", {bubbles: true})); return e.value; })()`, sel, s)
	return chromedp.Steps(chromedp.WaitVisible(chromedp.CSS(sel)), chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		got, err := chromedp.Evaluate[string](js)(ctx, t)
		if err == nil && got != s {
			err = fmt.Errorf("%s took %q, not %q", sel, got, s)
		}
		return err
	}))
}

func TestAnEditorWritesABilingualArticleSeesErrorsAtTheirFieldsAndSubmits(t *testing.T) {
	d := startDesk(t)
	b := d.browser(t, 1280, "en-US")
	d.signIn(t, b, auth.Editor)
	run(t, b, "a new article with two mistakes",
		chromedp.Click(chromedp.CSS(`#new-article`)),
		chromedp.WaitVisible(chromedp.CSS(`#zh_title`)),
		fill(`#date`, "2024-06-03"),
		fill(`#section`, "news-events/news"),
		fill(`#slug`, "Night Study!"),
		fill(`#zh_title`, "图书馆夜间自习空间正式开放"),
		fill(`#zh_authors`, "周敏"),
		fill(`#zh_body`, "6月3日起，图书馆三楼夜间自习空间每天开放至23时。\n\n![同学们在夜间自习空间学习](night-study.jpg)"),
		fill(`#en_title`, "Library Opens a Night Study Space"),
		fill(`#en_body`, "From June 3 the space is open <b>until 23:00</b>."),
		chromedp.Click(chromedp.CSS(`#save`)),
		chromedp.WaitVisible(chromedp.CSS(`#slug-error`)),
	)
	// Both mistakes at once, each at its field; nothing was stored.
	if e := text(t, b, `#slug-error`); e == "" {
		t.Fatal("no slug error")
	}
	if e := text(t, b, `#en_body-error`); !strings.Contains(e, "HTML") {
		t.Fatalf("the English body's error: %q", e)
	}
	if v, _ := chromedp.Run(b, chromedp.Value(chromedp.CSS(`#zh_title`))); v != "图书馆夜间自习空间正式开放" {
		t.Fatalf("the form lost the title: %q", v)
	}
	cl := d.Client(t)
	if res, err := cl.Drafting.ListDrafts(context.Background(), &draftingv1.ListDraftsRequest{}, d.As(auth.Editor)); err != nil || len(res.Drafts) != 0 {
		t.Fatalf("a refused article was stored: %v %v", res, err)
	}
	run(t, b, "the mistakes put right",
		fill(`#slug`, "night-study"),
		fill(`#en_body`, "From June 3 the space is open until 23:00.\n\n![Students in the night study space](night-study.jpg)"),
		chromedp.Click(chromedp.CSS(`#save`)),
		chromedp.WaitVisible(chromedp.CSS(`#submit`)),
	)
	if n := text(t, b, `#banner`); n != "Saved." {
		t.Fatalf("after saving: %q", n)
	}
	// The previews are the site's pages, rendered by publishing.
	for sel, title := range map[string]string{"#preview-zh": "图书馆夜间自习空间正式开放", "#preview-en": "Library Opens a Night Study Space"} {
		js := fmt.Sprintf(`(() => { const d = document.querySelector(%q).contentDocument; const h = d && d.querySelector("article h1, h1"); return h ? h.textContent.trim() : ""; })() === %q`, sel, title)
		if _, err := chromedp.Run(b, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
			t.Fatalf("the preview %s never showed %q: %v", sel, title, err)
		}
	}
	run(t, b, "submitting", chromedp.Click(chromedp.CSS(`#submit`)), chromedp.WaitVisible(chromedp.CSS(`.meta .state-submitted`)))
	if n := text(t, b, `#banner`); n != "Submitted for review." {
		t.Fatalf("after submitting: %q", n)
	}
	res, err := cl.Drafting.ListDrafts(context.Background(), &draftingv1.ListDraftsRequest{}, d.As(auth.Editor))
	if err != nil || len(res.Drafts) != 1 {
		t.Fatalf("list: %v %v", res, err)
	}
	got, err := cl.Drafting.GetDraft(context.Background(), &draftingv1.GetDraftRequest{Id: res.Drafts[0].Id}, d.As(auth.Editor))
	if err != nil {
		t.Fatal(err)
	}
	a := got.Draft.Article
	if got.Draft.Status != draftingv1.DraftStatus_DRAFT_STATUS_SUBMITTED || a.Slug != "night-study" || len(a.Locales["en"].Blocks) != 2 || a.Locales["zh-CN"].Blocks[1].GetFigure().GetFile() != "night-study.jpg" {
		t.Fatalf("stored %v", got.Draft)
	}
}

func TestTwoEditorsSaveTheTwoLanguagesAndAStaleSaveShowsTheMerge(t *testing.T) {
	d := startDesk(t)
	cl := d.Client(t)
	id := d.create(t, cl, "两位编辑同时修改", "Two editors at once")
	zh := d.browser(t, 1280, "zh-CN")
	en := d.browser(t, 1280, "en-US")
	d.signIn(t, zh, auth.Editor)
	d.signIn(t, en, auth.Editor)
	page := d.DeskURL + "/articles/" + id
	run(t, zh, "the Chinese editor opens it", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`#zh_title`)))
	run(t, en, "the English editor opens it", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`#en_title`)))
	run(t, zh, "the Chinese editor saves", fill(`#zh_title`, "两位编辑同时修改了中文"), chromedp.Click(chromedp.CSS(`#save`)), chromedp.WaitVisible(chromedp.CSS(`.banner.notice`)))
	run(t, en, "the English editor saves from the older revision", fill(`#en_title`, "Both editors saved"), chromedp.Click(chromedp.CSS(`#save`)), chromedp.WaitVisible(chromedp.CSS(`.banner.notice`)))
	got, err := cl.Drafting.GetDraft(context.Background(), &draftingv1.GetDraftRequest{Id: id}, d.As(auth.Editor))
	if err != nil {
		t.Fatal(err)
	}
	if zhT, enT := got.Draft.Article.Locales["zh-CN"].Title, got.Draft.Article.Locales["en"].Title; zhT != "两位编辑同时修改了中文" || enT != "Both editors saved" {
		t.Fatalf("after both saves: %q, %q", zhT, enT)
	}

	// Now both change the English title: the one who read before the
	// other's save sees the merge view, with both versions.
	run(t, zh, "reload", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`#en_title`)))
	// A fresh page, so that the notice waited for below is this save's
	// and not the one still shown from the save before.
	run(t, en, "the English editor reloads", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`#en_title`)))
	run(t, en, "the English editor changes the title again", fill(`#en_title`, "Saved first"), chromedp.Click(chromedp.CSS(`#save`)), chromedp.WaitVisible(chromedp.CSS(`.banner.notice`)))
	run(t, zh, "a stale save of the same field", fill(`#en_title`, "Saved second"), chromedp.Click(chromedp.CSS(`#save`)), chromedp.WaitVisible(chromedp.CSS(`.merge`)))
	m := text(t, zh, `.merge tbody`)
	if !strings.Contains(m, "locales.en.title") || !strings.Contains(m, "Saved first") || !strings.Contains(m, "Saved second") {
		t.Fatalf("the merge view:\n%s", m)
	}
	run(t, zh, "keeping mine", chromedp.Click(chromedp.CSS(`#save`)), chromedp.WaitVisible(chromedp.CSS(`.banner.notice`)))
	got, _ = cl.Drafting.GetDraft(context.Background(), &draftingv1.GetDraftRequest{Id: id}, d.As(auth.Editor))
	if enT := got.Draft.Article.Locales["en"].Title; enT != "Saved second" {
		t.Fatalf("after keeping mine: %q", enT)
	}

	// The history shows each change: the English by words, the Chinese
	// by characters.
	run(t, zh, "the history, and the last change", chromedp.Click(chromedp.CSS(`#history`)), chromedp.WaitVisible(chromedp.CSS(`.diff-link`)),
		chromedp.Click(chromedp.CSS(`.diff-link`)), chromedp.WaitVisible(chromedp.CSS(`.diff`)))
	if ins, del := text(t, zh, `.diff ins`), text(t, zh, `.diff del`); ins != "second" || del != "first" {
		t.Fatalf("the last change shows +%q -%q", ins, del)
	}
	hist, err := cl.Drafting.GetDraftHistory(context.Background(), &draftingv1.GetDraftHistoryRequest{Id: id}, d.As(auth.Editor))
	if err != nil || len(hist.Entries) < 4 {
		t.Fatalf("history: %v %v", hist, err)
	}
	// Oldest last: the creation, then the Chinese title's change.
	n := len(hist.Entries)
	from, to := hist.Entries[n-1].Revision, hist.Entries[n-2].Revision
	run(t, zh, "the Chinese change", chromedp.Navigate(fmt.Sprintf("%s/articles/%s/history?from=%d&to=%d", d.DeskURL, id, from, to)), chromedp.WaitVisible(chromedp.CSS(`.diff ins`)))
	if ins := text(t, zh, `.diff ins`); ins != "了中文" {
		t.Fatalf("the Chinese change shows +%q", ins)
	}
}
