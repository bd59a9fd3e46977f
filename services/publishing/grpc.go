package publishing

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/field"
	"github.com/tandemnews/tandem/pkg/rpc"
	"github.com/tandemnews/tandem/pkg/siteconfig"
	errorsv1 "github.com/tandemnews/tandem/proto/tandem/errors/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
	"github.com/tandemnews/tandem/services/publishing/publication"
	"github.com/tandemnews/tandem/services/publishing/schedule"
)

// errorTable maps the rules' refusals to what a caller receives: each is
// a wrong state, with the reason a client branches on.
var errorTable = rpc.Errors{
	{Err: publication.ErrNotSubmitted, Code: codes.FailedPrecondition, Reason: errorsv1.ErrorReason_ERROR_REASON_DRAFT_NOT_SUBMITTED},
	{Err: publication.ErrTranslationNotApproved, Code: codes.FailedPrecondition, Reason: errorsv1.ErrorReason_ERROR_REASON_TRANSLATION_NOT_APPROVED},
	{Err: publication.ErrTranslationStale, Code: codes.FailedPrecondition, Reason: errorsv1.ErrorReason_ERROR_REASON_TRANSLATION_STALE},
	{Err: publication.ErrLocaleMissing, Code: codes.FailedPrecondition, Reason: errorsv1.ErrorReason_ERROR_REASON_LOCALE_MISSING},
	{Err: publication.ErrAddressTaken, Code: codes.FailedPrecondition, Reason: errorsv1.ErrorReason_ERROR_REASON_ADDRESS_TAKEN},
	{Err: publication.ErrMediaNotReady, Code: codes.FailedPrecondition, Reason: errorsv1.ErrorReason_ERROR_REASON_MEDIA_NOT_READY},
	{Err: schedule.ErrNotPending, Code: codes.FailedPrecondition, Reason: errorsv1.ErrorReason_ERROR_REASON_SCHEDULE_NOT_PENDING},
}

// concerning is an error with what it is about ("publication of A1"), for
// the message of an error the table does not name (not found, a
// conflict, an unavailable store). Its own message is err's.
type concerning struct {
	what string
	err  error
}

func (c *concerning) Error() string { return c.err.Error() }
func (c *concerning) Unwrap() error { return c.err }

// about says what err is about; nil stays nil.
func about(what string, err error) error {
	if err == nil {
		return nil
	}
	return &concerning{what: what, err: err}
}

// toStatus is the status a caller receives for err.
func toStatus(err error) error {
	what := "request"
	var c *concerning
	if errors.As(err, &c) {
		what = c.what
	}
	return errorTable.Status(err, what)
}

// PublishArticle implements PublishingService.
func (s *Service) PublishArticle(ctx context.Context, req *publishingv1.PublishArticleRequest) (*publishingv1.PublishArticleResponse, error) {
	v := publication.Check(req.GetArticleId(), req.GetLocales(), "publish")
	pub, err := s.releaseChecked(ctx, v, order{article: req.GetArticleId(), locales: req.GetLocales(), by: auth.Actor(ctx)})
	if err != nil {
		return nil, err
	}
	return &publishingv1.PublishArticleResponse{Publication: pub}, nil
}

// CorrectArticle implements PublishingService.
func (s *Service) CorrectArticle(ctx context.Context, req *publishingv1.CorrectArticleRequest) (*publishingv1.CorrectArticleResponse, error) {
	v := publication.Check(req.GetArticleId(), req.GetLocales(), "correct")
	publication.CheckNote(v, "note", req.GetNote())
	o := order{article: req.GetArticleId(), locales: req.GetLocales(), by: auth.Actor(ctx), correction: strings.TrimSpace(req.GetNote())}
	pub, err := s.releaseChecked(ctx, v, o)
	if err != nil {
		return nil, err
	}
	return &publishingv1.CorrectArticleResponse{Publication: pub}, nil
}

// releaseChecked releases o unless the request has violations v, and
// returns the publication as a reply carries it.
func (s *Service) releaseChecked(ctx context.Context, v *field.Violations, o order) (*eventsv1.Publication, error) {
	if err := v.Err(); err != nil {
		return nil, toStatus(err)
	}
	pub, err := s.release(ctx, o)
	if err != nil {
		return nil, toStatus(err)
	}
	return withoutHTML(pub), nil
}

// UnpublishArticle implements PublishingService.
func (s *Service) UnpublishArticle(ctx context.Context, req *publishingv1.UnpublishArticleRequest) (*publishingv1.UnpublishArticleResponse, error) {
	v := publication.Check(req.GetArticleId(), req.GetLocales(), "take down")
	publication.CheckNote(v, "reason", req.GetReason())
	if err := v.Err(); err != nil {
		return nil, toStatus(err)
	}
	pub, err := s.takeDown(ctx, req.GetArticleId(), req.GetLocales(), req.GetReason(), auth.Actor(ctx))
	if err != nil {
		return nil, toStatus(err)
	}
	return &publishingv1.UnpublishArticleResponse{Publication: withoutHTML(pub)}, nil
}

// GetPublication implements PublishingService.
func (s *Service) GetPublication(ctx context.Context, req *publishingv1.GetPublicationRequest) (*publishingv1.GetPublicationResponse, error) {
	if strings.TrimSpace(req.GetArticleId()) == "" {
		return nil, rpc.InvalidField("article_id", "is required")
	}
	p, err := s.pubs.Get(ctx, req.GetArticleId())
	if err != nil {
		return nil, errorTable.Status(err, "publication of "+req.GetArticleId())
	}
	return &publishingv1.GetPublicationResponse{Publication: withoutHTML(p)}, nil
}

// GetRendered implements PublishingService. The public record carries the
// rendered pages, so this reads one message and no cache; a page too
// large to travel in the event is rendered again from the record.
func (s *Service) GetRendered(ctx context.Context, req *publishingv1.GetRenderedRequest) (*publishingv1.GetRenderedResponse, error) {
	var v rpc.Violations
	if strings.TrimSpace(req.GetArticleId()) == "" {
		v.Add("article_id", "is required")
	}
	if !slices.Contains(siteconfig.Locales, req.GetLocale()) {
		v.Add("locale", "must be zh-CN or en")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	p, err := s.pubs.Get(ctx, req.GetArticleId())
	if err != nil {
		return nil, errorTable.Status(err, "published article "+req.GetArticleId())
	}
	pl, ok := p.Locales[req.GetLocale()]
	if !ok {
		return nil, errorTable.Status(events.ErrNotFound, fmt.Sprintf("%s page of %s", req.GetLocale(), req.GetArticleId()))
	}
	html := pl.Html
	if len(html) == 0 {
		// Too large to travel in the event: rendered again from the
		// record, which renders the same page.
		again := proto.Clone(p).(*eventsv1.Publication)
		if err := s.render.Publication(again); err != nil {
			return nil, status.Errorf(codes.Internal, "render %s page of %s: %v", req.GetLocale(), req.GetArticleId(), err)
		}
		html = again.Locales[req.GetLocale()].Html
	}
	return &publishingv1.GetRenderedResponse{Html: html, SourceRevision: pl.SourceRevision, Path: pl.Path, ContentHash: pl.ContentHash}, nil
}

// withoutHTML is p as a reply carries it: the pages are read with
// GetRendered.
func withoutHTML(p *eventsv1.Publication) *eventsv1.Publication {
	c := proto.Clone(p).(*eventsv1.Publication)
	for _, pl := range c.Locales {
		pl.Html = nil
	}
	return c
}
