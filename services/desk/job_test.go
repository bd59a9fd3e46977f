package desk_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/tandemnews/tandem/internal/client"
	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/auth"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

func para(s string) *articlev1.Block {
	return &articlev1.Block{Kind: &articlev1.Block_Paragraph{Paragraph: &articlev1.Paragraph{Text: s}}}
}

// submitted creates and submits a, and returns its job once review has
// opened it.
func submitted(t *testing.T, cl *client.Client, d *desk, a *articlev1.Article) *reviewv1.Job {
	t.Helper()
	ctx := context.Background()
	ed := d.As(auth.Editor)
	res, err := cl.Drafting.CreateDraft(ctx, &draftingv1.CreateDraftRequest{Article: a}, ed)
	if err != nil {
		t.Fatal(err)
	}
	id := res.Draft.Article.Id
	if _, err := cl.Drafting.SubmitDraft(ctx, &draftingv1.SubmitDraftRequest{Id: id, ExpectedRevision: res.Draft.Revision}, ed); err != nil {
		t.Fatal(err)
	}
	var job *reviewv1.Job
	stacktest.Eventually(t, "the job opens", func() bool {
		got, err := cl.Review.GetJob(ctx, &reviewv1.GetJobRequest{ArticleId: id}, d.As(auth.Translator))
		job = got.GetJob()
		return err == nil
	})
	return job
}

func TestATranslatorFixesASegmentByKeyboardAppliesMemoryAndApproves(t *testing.T) {
	d := startDesk(t)
	cl := d.Client(t)
	ctx := context.Background()
	// An approved article puts its sentences into the memory.
	known := stacktest.SampleArticle()
	if _, err := cl.Approve(ctx, known, d.Tokens); err != nil {
		t.Fatal(err)
	}
	// The new article, in Chinese only, changes one number of a known
	// sentence: the memory offers the old translation, which then
	// disagrees with the source until the translator fixes it.
	a := stacktest.SampleArticle()
	a.Slug = "night-study-later"
	delete(a.Locales, "en")
	a.Locales["zh-CN"].Blocks[0] = para("6月3日起，图书馆三楼夜间自习空间每天开放至22时。")
	// A glossary term, marked in the source with its English on hover.
	if _, err := cl.Review.PutTerm(ctx, &reviewv1.PutTermRequest{Term: &reviewv1.Term{Source: "自习空间", Targets: []string{"study space"}}}, d.As(auth.Admin)); err != nil {
		t.Fatal(err)
	}
	job := submitted(t, cl, d, a)
	var seg string
	for _, u := range job.Units {
		for _, s := range u.Segments {
			if len(s.Suggestions) > 0 && strings.Contains(s.Source, "22时") {
				seg = s.Id
			}
		}
	}
	if seg == "" {
		t.Fatalf("no segment with a suggestion in %v", job.Units)
	}
	row := `#row-` + strings.ReplaceAll(seg, ".", "_")
	b := d.browser(t, 1280, "en-US")
	d.signIn(t, b, auth.Translator)
	run(t, b, "the side-by-side, what needs attention",
		chromedp.Navigate(d.DeskURL+"/jobs/"+job.ArticleId+"?attention=1"),
		chromedp.WaitVisible(chromedp.CSS(row+` .suggestion`)),
	)
	if sg := text(t, b, row+` .suggestion`); !strings.Contains(sg, "%") || !strings.Contains(sg, "until 23:00") {
		t.Fatalf("the suggestion reads %q", sg)
	}
	segCSS := strings.ReplaceAll(seg, ".", "_")
	run(t, b, "dismissing the empty segment's finding with a reason, and a comment",
		fill(`#dr-`+segCSS+`-empty`, "the memory has it"),
		chromedp.Click(chromedp.CSS(`#dr-`+segCSS+`-empty ~ button`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#dr-`+segCSS+`-empty`)),
		fill(`#c-`+segCSS, "Check the closing time with the library."),
		chromedp.Submit(chromedp.CSS(`#c-`+segCSS)),
		chromedp.WaitVisible(chromedp.CSS(row+` .comment`)),
	)
	if c := text(t, b, row+` .comment`); !strings.Contains(c, "Check the closing time") {
		t.Fatalf("the comment reads %q", c)
	}
	run(t, b, "applying the memory suggestion by keyboard",
		chromedp.Focus(chromedp.CSS(`#t-`+strings.ReplaceAll(seg, ".", "_"))),
		chromedp.KeyEvent("1", chromedp.KeyModifiers(chromedp.ModifierAlt)),
		chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.WaitNotPresent(chromedp.CSS(row+` .suggestion`)),
	)
	if f := text(t, b, row+` .finding.sev-error`); !strings.Contains(f, "23") {
		t.Fatalf("the finding reads %q", f)
	}
	// The finding is marked at its offset in the English, coloured by
	// its severity, and the glossary's term in the Chinese.
	if m := text(t, b, row+` .target-marks mark.mark-error`); !strings.Contains(m, "23") {
		t.Fatalf("the English marks %q as the error", m)
	}
	term, err := chromedp.Run(b, chromedp.AttributeValue(chromedp.CSS(row+` abbr.term`), "title"))
	if err != nil {
		t.Fatal(err)
	}
	if got := text(t, b, row+` abbr.term`); got != "自习空间" || term.Value != "study space" {
		t.Fatalf("the term marked is %q with %q on hover", got, term.Value)
	}
	fixed := "From June 3, the night study space on the third floor of the Library is open until 22:00 every day."
	run(t, b, "fixing the number by keyboard, and approving",
		fill(`#t-`+strings.ReplaceAll(seg, ".", "_"), fixed),
		chromedp.Focus(chromedp.CSS(`#t-`+strings.ReplaceAll(seg, ".", "_"))),
		chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.WaitNotPresent(chromedp.CSS(row+` .finding.sev-error`)),
		chromedp.Click(chromedp.CSS(`#approve`)),
		chromedp.WaitVisible(chromedp.CSS(`.banner.notice`)),
	)
	// The job exports as XLIFF for a translation tool.
	cookies, err := chromedp.Call(b, network.GetCookies, network.GetCookiesParams{})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, d.DeskURL+"/jobs/"+job.ArticleId+"/xliff", nil)
	for _, c := range cookies.Cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	res, err := httpClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	x, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(x), "<xliff") || !strings.Contains(string(x), "22:00") {
		t.Fatalf("the XLIFF export: %s\n%s", res.Status, x)
	}
	if n := text(t, b, `.banner.notice`); n != "The translation is approved." {
		t.Fatalf("after approving: %q", n)
	}
	got, err := cl.Review.GetJob(ctx, &reviewv1.GetJobRequest{ArticleId: job.ArticleId}, d.As(auth.Translator))
	if err != nil || got.Job.Status != reviewv1.JobStatus_JOB_STATUS_APPROVED {
		t.Fatalf("job after approval: %v %v", got.GetJob().GetStatus(), err)
	}
	en := ""
	for _, u := range got.Job.Units {
		for _, s := range u.Segments {
			en += s.Target + "\n"
		}
	}
	if !strings.Contains(en, fixed) {
		t.Fatalf("the approved English:\n%s", en)
	}

	// The editor changes that sentence's Chinese and submits again: the
	// side-by-side shows the character diff of the Chinese.
	dr, err := cl.Drafting.GetDraft(ctx, &draftingv1.GetDraftRequest{Id: job.ArticleId}, d.As(auth.Editor))
	if err != nil {
		t.Fatal(err)
	}
	dr.Draft.Article.Locales["zh-CN"].Blocks[0] = para("6月3日起，图书馆三楼夜间自习空间每天开放至21时。")
	up, err := cl.Drafting.UpdateDraft(ctx, &draftingv1.UpdateDraftRequest{Article: dr.Draft.Article, ExpectedRevision: dr.Draft.Revision}, d.As(auth.Editor))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.Drafting.SubmitDraft(ctx, &draftingv1.SubmitDraftRequest{Id: job.ArticleId, ExpectedRevision: up.Draft.Revision}, d.As(auth.Editor)); err != nil {
		t.Fatal(err)
	}
	stacktest.Eventually(t, "the job reopens on the changed source", func() bool {
		got, err := cl.Review.GetJob(ctx, &reviewv1.GetJobRequest{ArticleId: job.ArticleId}, d.As(auth.Translator))
		return err == nil && got.Job.SourceRevision == up.Draft.Revision
	})
	run(t, b, "the changed source", chromedp.Navigate(d.DeskURL+"/jobs/"+job.ArticleId), chromedp.WaitVisible(chromedp.CSS(row+` .source-diff`)))
	if ins, del := text(t, b, row+` .source-diff ins`), text(t, b, row+` .source-diff del`); ins != "1" || del != "2" {
		t.Fatalf("the diff of the Chinese inserts %q and deletes %q", ins, del)
	}
}
