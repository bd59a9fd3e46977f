package publishing

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/grpc"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/rpc"
	"github.com/tandemnews/tandem/pkg/siteconfig"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
	"github.com/tandemnews/tandem/services/publishing/publication"
)

// PreviewArticle implements PublishingService: the page of one locale as
// the site would show it, rendered by the renderer that publishes, from
// content that need not be stored. The page lists only its own language,
// as a first publication would. Its figures show their images from the
// library at the site's addresses (/media/<id>-<width>.<ext>), which the
// desk serves to the signed-in; a figure whose item is missing shows its
// caption alone, and publishing it is refused with its reason.
func (s *Service) PreviewArticle(ctx context.Context, req *publishingv1.PreviewArticleRequest) (*publishingv1.PreviewArticleResponse, error) {
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
	imgs, err := s.previewImages(ctx, l, c)
	if err != nil {
		return nil, toStatus(err)
	}
	html, err := s.render.Render(Page{Locale: l, Section: a.GetSection(), Date: a.GetDate(), Slug: a.GetSlug(), Content: c, Published: []string{l}, Images: imgs})
	if err != nil {
		return nil, toStatus(err)
	}
	return &publishingv1.PreviewArticleResponse{Html: html}, nil
}

// previewImages is what a preview of c shows of the library: each item
// its figures name that the library holds, in reading order.
func (s *Service) previewImages(ctx context.Context, locale string, c *articlev1.LocalizedContent) ([]*eventsv1.PublishedImage, error) {
	var out []*eventsv1.PublishedImage
	for _, id := range publication.MediaIDs(c) {
		it, err := s.media.Get(ctx, id)
		if errors.Is(err, events.ErrNotFound) || err == nil && it.Deleted {
			continue
		}
		if err != nil {
			return nil, about("media item "+id, err)
		}
		out = append(out, &eventsv1.PublishedImage{
			Media: id, ContentType: it.ContentType, Ext: it.Ext,
			Width: it.Width, Height: it.Height, Widths: slices.Clone(it.Widths),
			Alt: it.Alt[locale], Credit: it.Credit[locale],
		})
	}
	return out, nil
}

// CreatePreviewLink implements PublishingService: a token that shows the
// article as it would be released until expires, signed with publishing's
// key. The article must exist; what it shows is read when the link is
// opened, so a later approval shows too.
func (s *Service) CreatePreviewLink(ctx context.Context, req *publishingv1.CreatePreviewLinkRequest) (*publishingv1.CreatePreviewLinkResponse, error) {
	var v rpc.Violations
	now := s.now()
	if req.GetArticleId() == "" {
		v.Add("article_id", "is required")
	}
	exp := req.GetExpires()
	switch {
	case exp == nil:
		v.Add("expires", "is required")
	case !exp.AsTime().After(now):
		v.Add("expires", "must be in the future")
	case exp.AsTime().Sub(now) > maxLinkLife:
		v.Add("expires", "must be at most 30 days ahead")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if _, err := s.drafts.Get(ctx, req.GetArticleId()); err != nil {
		return nil, toStatus(about("article "+req.GetArticleId(), err))
	}
	key, err := s.links.get(ctx)
	if err != nil {
		return nil, toStatus(about("preview link key", err))
	}
	at := exp.AsTime().Truncate(time.Second)
	s.log.InfoContext(ctx, "preview link created", "article", req.GetArticleId(), "expires", at)
	return &publishingv1.CreatePreviewLinkResponse{Token: signLink(key, req.GetArticleId(), at), Expires: timestamppb.New(at)}, nil
}

// GetLinkedPreview implements PublishingService: the locale of the
// article a valid link names, rendered as it would be released.
func (s *Service) GetLinkedPreview(ctx context.Context, req *publishingv1.GetLinkedPreviewRequest) (*publishingv1.GetLinkedPreviewResponse, error) {
	l := req.GetLocale()
	if l != "" && !slices.Contains(siteconfig.Locales, l) {
		return nil, rpc.InvalidField("locale", "must be zh-CN or en")
	}
	key, err := s.links.get(ctx)
	if err != nil {
		return nil, toStatus(about("preview link key", err))
	}
	id, exp, err := checkLink(key, req.GetToken(), s.now())
	if err != nil {
		return nil, rpc.InvalidField("token", "%s", err.Error())
	}
	src, err := s.sources(ctx, id, siteconfig.Locales)
	if err != nil {
		return nil, toStatus(err)
	}
	res := &publishingv1.GetLinkedPreviewResponse{ArticleId: id, Expires: timestamppb.New(exp)}
	var page *publication.Release
	for _, tag := range siteconfig.Locales {
		rels, err := src.Choose([]string{tag})
		if err != nil || len(rels) == 0 {
			continue
		}
		res.Locales = append(res.Locales, tag)
		if tag == l {
			page = &rels[0]
		}
	}
	if l == "" {
		return res, nil
	}
	if page == nil {
		return nil, rpc.InvalidField("locale", "%s is not ready to show yet", l)
	}
	a := page.Article
	imgs, err := s.previewImages(ctx, l, page.Content)
	if err != nil {
		return nil, toStatus(err)
	}
	if res.Html, err = s.render.Render(Page{Locale: l, Section: a.GetSection(), Date: a.GetDate(), Slug: a.GetSlug(), Content: page.Content, Published: []string{l}, Images: imgs, Media: linkMedia(req.GetToken())}); err != nil {
		return nil, toStatus(err)
	}
	return res, nil
}

// linkMedia is where the page of a preview link loads its images: under
// the link's own address on the desk, which passes them on from
// GetLinkedMedia.
func linkMedia(token string) string { return "/preview/" + token + "/media/" }

// LinkChunk is the most bytes one message of GetLinkedMedia carries, as
// the media library's own GetMediaContent.
const LinkChunk = 256 << 10

// GetLinkedMedia implements PublishingService: one variant of a photo the
// article of a valid link shows, read from the library's bucket as it is
// sent. A photo the link's article does not show (as the link shows it
// now) is NOT_FOUND, as is a photo the library no longer holds.
func (s *Service) GetLinkedMedia(req *publishingv1.GetLinkedMediaRequest, stream grpc.ServerStreamingServer[publishingv1.GetLinkedMediaResponse]) error {
	ctx := stream.Context()
	var v rpc.Violations
	media, w := req.GetMedia(), req.GetWidth()
	if !mediaID.MatchString(media) {
		v.Add("media", "must be a photo's id, 64 hexadecimal digits")
	}
	if w <= 0 {
		v.Add("width", "must be one of the photo's widths")
	}
	if err := v.Err(); err != nil {
		return err
	}
	key, err := s.links.get(ctx)
	if err != nil {
		return toStatus(about("preview link key", err))
	}
	id, exp, err := checkLink(key, req.GetToken(), s.now())
	if err != nil {
		return rpc.InvalidField("token", "%s", err.Error())
	}
	src, err := s.sources(ctx, id, siteconfig.Locales)
	if err != nil {
		return toStatus(err)
	}
	shown := false
	for _, tag := range siteconfig.Locales {
		rels, err := src.Choose([]string{tag})
		if err == nil && len(rels) > 0 && slices.Contains(publication.MediaIDs(rels[0].Content), media) {
			shown = true
		}
	}
	notShown := about("photo "+media+" of the article this link shows", events.ErrNotFound)
	if !shown {
		return toStatus(notShown)
	}
	it, err := s.media.Get(ctx, media)
	if errors.Is(err, events.ErrNotFound) || err == nil && it.Deleted {
		return toStatus(notShown)
	}
	if err != nil {
		return toStatus(about("media item "+media, err))
	}
	if !slices.Contains(it.Widths, w) {
		return rpc.InvalidField("width", "is %d; this photo has the widths %v", w, it.Widths)
	}
	lib, _, err := s.buckets.open(ctx)
	if err != nil {
		return toStatus(about("media item "+media, err))
	}
	r, err := lib.Get(ctx, fmt.Sprintf("%s/%d.%s", media, w, it.Ext))
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		return toStatus(notShown)
	}
	if err != nil {
		return toStatus(about("media item "+media, err))
	}
	defer r.Close()
	info, err := r.Info()
	if err != nil {
		return toStatus(about("media item "+media, err))
	}
	first := &publishingv1.GetLinkedMediaResponse{ContentType: it.ContentType, Size: int64(info.Size), Expires: timestamppb.New(exp)}
	for {
		// A new buffer each time: a sent message must not change after.
		buf := make([]byte, min(LinkChunk, max(int64(info.Size), 1)))
		n, err := io.ReadFull(r, buf)
		if n > 0 || first != nil {
			msg := first
			if msg == nil {
				msg = &publishingv1.GetLinkedMediaResponse{}
			}
			first = nil
			msg.Data = buf[:n]
			if serr := stream.Send(msg); serr != nil {
				return serr
			}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil
		}
		if err != nil {
			return toStatus(about("media item "+media, fmt.Errorf("media: read %s: %w", media, err)))
		}
	}
}

// mediaID is a media library item's id: the hex SHA-256 of its original.
var mediaID = regexp.MustCompile(`^[0-9a-f]{64}$`)
