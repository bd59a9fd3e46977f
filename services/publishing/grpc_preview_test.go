package publishing

import (
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
)

func TestPreviewRendersAnUnstoredArticleAsTheSiteWouldAndStoresNothing(t *testing.T) {
	e := newEnv(t)
	a := sampleArticle("P1")
	a.Locales["zh-CN"].Title = "尚未保存的标题"
	res, err := e.svc.PreviewArticle(e.ctx, &publishingv1.PreviewArticleRequest{Article: a, Locale: "zh-CN"})
	if err != nil {
		t.Fatal(err)
	}
	page, _ := e.svc.render.Render(Page{Locale: "zh-CN", Section: a.Section, Date: a.Date, Slug: a.Slug, Content: a.Locales["zh-CN"], Published: []string{"zh-CN"}})
	if string(res.Html) != string(page) || !strings.Contains(string(res.Html), "尚未保存的标题") {
		t.Fatalf("the preview is not the site's page:\n%s", res.Html)
	}
	if _, err := e.svc.pubs.Get(e.ctx, "P1"); err == nil {
		t.Fatal("a preview stored a publication")
	}
	_, err = e.svc.PreviewArticle(e.ctx, &publishingv1.PreviewArticleRequest{Article: a, Locale: "fr"})
	if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "locale") {
		t.Fatalf("a preview in French: %v", err)
	}
}
