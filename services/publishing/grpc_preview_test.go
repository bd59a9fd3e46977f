package publishing

import (
	"encoding/base64"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

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

func TestAPreviewLinkShowsTheReleasableArticleUntilItExpiresAndCannotBeForged(t *testing.T) {
	e := newEnv(t)
	e.submit(sampleArticle("L1"))
	now := time.Now()
	link, err := e.svc.CreatePreviewLink(e.ctx, &publishingv1.CreatePreviewLinkRequest{ArticleId: "L1", Expires: timestamppb.New(now.Add(time.Hour))})
	if err != nil {
		t.Fatal(err)
	}
	// Another replica on the same bus reads the same key.
	other := New(e.bus, Options{Logger: quiet})
	res, err := other.GetLinkedPreview(e.ctx, &publishingv1.GetLinkedPreviewRequest{Token: link.Token, Locale: "zh-CN"})
	if err != nil {
		t.Fatal(err)
	}
	a := sampleArticle("L1")
	page, _ := e.svc.render.Render(Page{Locale: "zh-CN", Section: a.Section, Date: a.Date, Slug: a.Slug, Content: a.Locales["zh-CN"], Published: []string{"zh-CN"}, Media: "/preview/" + link.Token + "/media/"})
	if res.ArticleId != "L1" || !slices.Equal(res.Locales, []string{"zh-CN"}) || string(res.Html) != string(page) {
		t.Fatalf("the linked preview: %s %v\n%s", res.ArticleId, res.Locales, res.Html)
	}
	_, err = other.GetLinkedPreview(e.ctx, &publishingv1.GetLinkedPreviewRequest{Token: link.Token, Locale: "en"})
	wantViolations(t, err, "locale")

	// A token for another article, or with its signature changed, is refused.
	p, sig, _ := strings.Cut(link.Token, ".")
	forged := base64.RawURLEncoding.EncodeToString([]byte("v1|L2|"+strconv.FormatInt(now.Add(time.Hour).Unix(), 10))) + "." + sig
	for _, tok := range []string{forged, p + ".AAAA", "", "nonsense"} {
		_, err := e.svc.GetLinkedPreview(e.ctx, &publishingv1.GetLinkedPreviewRequest{Token: tok, Locale: "zh-CN"})
		wantViolations(t, err, "token")
	}
	// Once expired, it shows nothing.
	e.svc.now = func() time.Time { return now.Add(time.Hour + time.Second) }
	_, err = e.svc.GetLinkedPreview(e.ctx, &publishingv1.GetLinkedPreviewRequest{Token: link.Token, Locale: "zh-CN"})
	if !strings.Contains(err.Error(), "has expired") {
		t.Fatalf("an expired link: %v", err)
	}
	wantViolations(t, err, "token")

	e.svc.now = time.Now
	_, err = e.svc.CreatePreviewLink(e.ctx, &publishingv1.CreatePreviewLinkRequest{Expires: timestamppb.New(now.Add(-time.Minute))})
	wantViolations(t, err, "article_id", "expires")
	_, err = e.svc.CreatePreviewLink(e.ctx, &publishingv1.CreatePreviewLinkRequest{ArticleId: "NOPE", Expires: timestamppb.New(now.Add(time.Hour))})
	if status.Code(err) != codes.NotFound {
		t.Fatalf("a link to no article: %v", err)
	}
}
