package desk_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tandemnews/tandem/pkg/auth"
)

// TestScreenshots writes the README's pictures of the desk, at a desktop
// width (1280) and a phone's (390), into the folder TANDEM_SCREENSHOTS
// names (make screenshots: docs/screenshots). Without it, it is skipped.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("TANDEM_SCREENSHOTS")
	if dir == "" {
		t.Skip("TANDEM_SCREENSHOTS is not set: make screenshots writes the desk's pictures")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	d := startDesk(t)
	cl := d.Client(t)
	if _, err := cl.Walk(context.Background(), sampleArticle(), d.Tokens); err != nil {
		t.Fatal(err)
	}
	open := d.create(t, cl, "校园开放日迎来三千名中学生", "Open Day Welcomes 3,000 High School Students")
	d.create(t, cl, "物理学院举办量子计算讲座", "")
	a := sampleArticle()
	a.Slug = "night-study-later"
	a.Locales["en"].Blocks[0] = para("The night study space is open.")
	a.Locales["zh-CN"].Blocks[0] = para("6月3日起，图书馆三楼夜间自习空间每天开放至22时。")
	job := submitted(t, cl, d, a)
	for _, width := range []int{1280, 390} {
		b := d.browser(t, width, "zh-CN")
		d.signIn(t, b, auth.Editor)
		shoot(t, b, filepath.Join(dir, "list-"+itoa(width)+".png"), d.DeskURL+"/")
		shoot(t, b, filepath.Join(dir, "editor-"+itoa(width)+".png"), d.DeskURL+"/articles/"+open)
		tr := d.browser(t, width, "zh-CN")
		d.signIn(t, tr, auth.Translator)
		shoot(t, tr, filepath.Join(dir, "side-by-side-"+itoa(width)+".png"), d.DeskURL+"/jobs/"+job.ArticleId)
	}
}

func shoot(t *testing.T, b context.Context, file, url string) {
	t.Helper()
	// A moment for the previews to render.
	run(t, b, "opening "+url, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(`main`)), chromedp.Sleep(1500*time.Millisecond))
	png, err := chromedp.Run(b, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Fatal(err)
	}
}
