package publishing

import (
	"context"
	"slices"

	"github.com/tandemnews/tandem/pkg/rpc"
	"github.com/tandemnews/tandem/pkg/siteconfig"
	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
)

// PreviewArticle implements PublishingService: the page of one locale as
// the site would show it, rendered by the renderer that publishes, from
// content that need not be stored. The page lists only its own language,
// as a first publication would.
func (s *Service) PreviewArticle(_ context.Context, req *publishingv1.PreviewArticleRequest) (*publishingv1.PreviewArticleResponse, error) {
	var v rpc.Violations
	a, l := req.GetArticle(), req.GetLocale()
	if !slices.Contains(siteconfig.Locales, l) {
		v.Add("locale", "must be zh-CN or en")
	}
	if a == nil {
		v.Add("article", "is required")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	c := a.GetLocales()[l]
	if c == nil {
		return nil, rpc.InvalidField("article.locales", "has no %s content to preview", l)
	}
	html, err := s.render.Render(Page{Locale: l, Section: a.GetSection(), Date: a.GetDate(), Slug: a.GetSlug(), Content: c, Published: []string{l}})
	if err != nil {
		return nil, toStatus(err)
	}
	return &publishingv1.PreviewArticleResponse{Html: html}, nil
}
