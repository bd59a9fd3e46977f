// Package publishing is the service where publishers release each
// language of an article to the public. It renders the pages, stores them
// in Redis, and announces them on the PUBLIC stream as
// public.articles.<id>, whose last event is the article's public record.
package publishing

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/cache"
	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/metrics"
	"github.com/tandemnews/tandem/pkg/rpc"
	"github.com/tandemnews/tandem/pkg/siteconfig"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	errorsv1 "github.com/tandemnews/tandem/proto/tandem/errors/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

// Service implements tandem.publishing.v1.PublishingService.
type Service struct {
	publishingv1.UnimplementedPublishingServiceServer
	bus    *events.Bus
	drafts *events.Aggregate[*draftingv1.Draft]
	jobs   *events.Aggregate[*reviewv1.Job]
	pubs   *events.Aggregate[*eventsv1.Publication]
	pages  *cache.Pages // nil when running without Redis
	sched  *events.Aggregate[*eventsv1.Schedules]
	plan   *plan
	// Ready is closed once the schedules have been read from the stream.
	Ready  chan struct{}
	render *Renderer
	log    *slog.Logger
	now    func() time.Time
}

// Options configures the service.
type Options struct {
	// Pages is the Redis page cache; nil runs without Redis (pages then
	// reach the site through the events and GetRendered only).
	Pages *cache.Pages
	// Site is the site configuration used for rendering.
	Site *siteconfig.Config
	// Logger; default slog.Default().
	Logger *slog.Logger
}

// New returns the publishing service on bus.
func New(bus *events.Bus, o Options) *Service {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Site == nil {
		o.Site = siteconfig.Default()
	}
	return &Service{
		bus:    bus,
		drafts: drafts(bus.Editorial),
		jobs:   jobs(bus.Editorial),
		pubs:   Publications(bus.Public),
		pages:  o.Pages,
		sched:  Schedules(bus.Editorial),
		plan:   &plan{pending: map[string][]*eventsv1.Schedule{}, firing: map[string]bool{}},
		Ready:  make(chan struct{}),
		render: &Renderer{Site: o.Site},
		log:    o.Logger.With("service", "publishing"),
		now:    time.Now,
	}
}

// Register adds the service to a gRPC server.
func (s *Service) Register(r grpc.ServiceRegistrar) {
	publishingv1.RegisterPublishingServiceServer(r, s)
}

// Policy says who may call what. GetRendered serves only what is public
// already, so it needs no token.
func (s *Service) Policy() auth.Policy {
	const p = "/tandem.publishing.v1.PublishingService/"
	return auth.Policy{
		p + "PublishArticle":   {auth.Publisher},
		p + "GetPublication":   {auth.Publisher, auth.Editor},
		p + "GetRendered":      auth.Public,
		p + "CorrectArticle":   {auth.Publisher},
		p + "UnpublishArticle": {auth.Publisher},
		p + "SchedulePublish":  {auth.Publisher},
		p + "CancelSchedule":   {auth.Publisher},
		p + "ListSchedules":    {auth.Publisher, auth.Editor},
	}
}

// Run follows the drafts with the durable consumer "publishing-drafts",
// shared by every replica, to take purged articles down, until ctx is
// done.
func (s *Service) Run(ctx context.Context) error {
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return s.followSchedules(ctx, s.Ready) })
	g.Go(func() error { return s.runScheduler(ctx) })
	g.Go(func() error {
		return s.bus.Editorial.Consume(ctx, events.ConsumerConfig{
			Durable:       "publishing-drafts",
			FilterSubject: s.bus.Editorial.Wildcard(eventsv1.KindDrafts),
			Logger:        s.log,
		}, s.HandleDraftEvent)
	})
	return g.Wait()
}

// HandleDraftEvent takes a purged article down: it announces the empty
// publication on PUBLIC (so every site replica drops the pages), erases
// everything before that announcement, and deletes the cached pages.
// Running it twice changes nothing.
func (s *Service) HandleDraftEvent(ctx context.Context, ev *events.Event) error {
	if ev.Type != eventsv1.DraftPurged {
		return nil
	}
	id := ev.Subject
	var gone []*eventsv1.PublishedLocale
	_, err := s.pubs.Update(ctx, id, 0, func(p *eventsv1.Publication) (events.Change, error) {
		if len(p.Locales) == 0 {
			return events.Change{}, nil
		}
		gone = gone[:0]
		for _, pl := range p.Locales {
			gone = append(gone, pl)
		}
		p.Locales = nil
		return events.Change{Type: eventsv1.ArticleUnpublished, Actor: ev.Actor, ID: "purge-" + id}, nil
	})
	if errors.Is(err, events.ErrNotFound) {
		return nil // never published
	}
	if err != nil {
		return err
	}
	if err := s.pubs.Purge(ctx, id, 1); err != nil {
		return err
	}
	if s.pages != nil && len(gone) > 0 {
		var paths, keys []string
		for _, pl := range gone {
			paths = append(paths, pl.Path)
			keys = append(keys, s.pageKey(id, pl))
		}
		if err := s.pages.Forget(ctx, paths, keys); err != nil {
			s.log.Warn("redis unavailable; purged pages stay cached until they expire", "article", id, "err", err)
		}
	}
	s.log.Warn("purged article taken down", "article", id, "event_id", ev.ID)
	return nil
}

// release is one locale about to be published.
type release struct {
	locale   string
	revision uint64 // source revision of the content
	article  *articlev1.Article
	content  *articlev1.LocalizedContent
}

// checkRequest validates an article id and a list of locales.
func checkRequest(id string, locales []string, verb string) *rpc.Violations {
	var v rpc.Violations
	if strings.TrimSpace(id) == "" {
		v.Add("article_id", "is required")
	}
	if len(locales) == 0 {
		v.Add("locales", "name at least one locale to %s: zh-CN, en", verb)
	}
	for i, l := range locales {
		if !slices.Contains(siteconfig.Locales, l) {
			v.Add(fmt.Sprintf("locales[%d]", i), "%q is not a locale the site publishes (zh-CN, en)", l)
		} else if slices.Index(locales, l) != i {
			v.Add(fmt.Sprintf("locales[%d]", i), "%q is listed twice", l)
		}
	}
	return &v
}

// MaxNoteRunes bounds a correction note and a takedown reason.
const MaxNoteRunes = 500

func checkNote(v *rpc.Violations, field, note string) {
	switch n := utf8.RuneCountInString(strings.TrimSpace(note)); {
	case n == 0:
		v.Add(field, "is required")
	case n > MaxNoteRunes:
		v.Add(field, "is %d characters; at most %d", n, MaxNoteRunes)
	}
}

// PublishArticle implements PublishingService.
func (s *Service) PublishArticle(ctx context.Context, req *publishingv1.PublishArticleRequest) (*publishingv1.PublishArticleResponse, error) {
	if err := checkRequest(req.GetArticleId(), req.GetLocales(), "publish").Err(); err != nil {
		return nil, err
	}
	pub, err := s.release(ctx, req.GetArticleId(), req.GetLocales(), eventsv1.ArticlePublished, "", "")
	if err != nil {
		return nil, err
	}
	return &publishingv1.PublishArticleResponse{Publication: withoutHTML(pub)}, nil
}

// CorrectArticle implements PublishingService.
func (s *Service) CorrectArticle(ctx context.Context, req *publishingv1.CorrectArticleRequest) (*publishingv1.CorrectArticleResponse, error) {
	v := checkRequest(req.GetArticleId(), req.GetLocales(), "correct")
	checkNote(v, "note", req.GetNote())
	if err := v.Err(); err != nil {
		return nil, err
	}
	pub, err := s.release(ctx, req.GetArticleId(), req.GetLocales(), eventsv1.ArticleCorrected, strings.TrimSpace(req.GetNote()), "")
	if err != nil {
		return nil, err
	}
	return &publishingv1.CorrectArticleResponse{Publication: withoutHTML(pub)}, nil
}

// release renders and announces locales of an article: a publication
// (typ ArticlePublished) or a correction with its public note. A non-empty
// eventID makes the announcement once-only (a schedule fired by two
// replicas is announced once).
func (s *Service) release(ctx context.Context, id string, locales []string, typ, note, eventID string) (*eventsv1.Publication, error) {
	rels, err := s.releases(ctx, id, locales)
	if err != nil {
		return nil, err
	}
	u, _ := auth.FromContext(ctx)
	who := &articlev1.Actor{UserId: u.ID, Name: u.Name}
	var written []cache.Page
	pub, err := s.pubs.Upsert(ctx, id, func(p *eventsv1.Publication) (events.Change, error) {
		p.ArticleId = id
		if p.Locales == nil {
			p.Locales = map[string]*eventsv1.PublishedLocale{}
		}
		now := &articlev1.Change{Actor: who, Time: timestamppb.New(s.now())}
		for _, r := range rels {
			prev := p.Locales[r.locale]
			if typ == eventsv1.ArticleCorrected && prev == nil {
				return events.Change{}, rpc.Precondition(errorsv1.ErrorReason_ERROR_REASON_LOCALE_MISSING,
					fmt.Sprintf("%s is not published in %s; publish it instead of correcting it", id, r.locale), "locale", r.locale)
			}
			a := r.article
			slug := a.Slug
			if slug == "" {
				slug = strings.ToLower(a.Id)
			}
			pl := &eventsv1.PublishedLocale{
				Locale:         r.locale,
				SourceRevision: r.revision,
				Path:           siteconfig.ArticlePath(r.locale, a.Section, slug),
				Title:          r.content.GetTitle(),
				Section:        a.Section,
				Date:           a.Date,
				Slug:           slug,
				Content:        r.content,
				Published:      now,
				FirstPublished: now,
			}
			if prev != nil {
				pl.FirstPublished = prev.GetFirstPublished()
				if pl.FirstPublished == nil {
					pl.FirstPublished = prev.GetPublished()
				}
				pl.Correction = prev.GetCorrection()
				if prev.Path != pl.Path {
					if p.Moved == nil {
						p.Moved = map[string]string{}
					}
					p.Moved[prev.Path] = r.locale
				}
			}
			if typ == eventsv1.ArticleCorrected {
				pl.Correction = &eventsv1.Correction{Note: note, Change: now}
			}
			delete(p.Moved, pl.Path) // live again
			delete(p.TakenDown, r.locale)
			p.Locales[r.locale] = pl
		}
		// Every published page links every published language, so all
		// of them are rendered again.
		var err error
		if written, err = s.renderAll(p); err != nil {
			return events.Change{}, err
		}
		s.store(ctx, id, written)
		return events.Change{
			Type:     typ,
			Actor:    u.ID,
			ID:       eventID,
			Annotate: func(m proto.Message) { m.(*eventsv1.ArticleEvent).ChangedLocales = locales },
		}, nil
	})
	if err != nil {
		return nil, rpc.Store(err, "publication of "+id)
	}
	s.point(ctx, pub)
	metrics.Announced.WithLabelValues(typ).Inc()
	s.log.Info("article released", "type", typ, "article", id, "revision", pub.Revision, "locales", locales, "actor", u.ID)
	return pub, nil
}

// UnpublishArticle implements PublishingService: the locales leave the
// site (their paths answer 410 Gone), the other locales are rendered again
// without links to them, and the cached pages are forgotten.
func (s *Service) UnpublishArticle(ctx context.Context, req *publishingv1.UnpublishArticleRequest) (*publishingv1.UnpublishArticleResponse, error) {
	id := req.GetArticleId()
	v := checkRequest(id, req.GetLocales(), "take down")
	checkNote(v, "reason", req.GetReason())
	if err := v.Err(); err != nil {
		return nil, err
	}
	u, _ := auth.FromContext(ctx)
	who := &articlev1.Actor{UserId: u.ID, Name: u.Name}
	var gone []*eventsv1.PublishedLocale
	var written []cache.Page
	pub, err := s.pubs.Update(ctx, id, 0, func(p *eventsv1.Publication) (events.Change, error) {
		gone = gone[:0]
		now := &articlev1.Change{Actor: who, Time: timestamppb.New(s.now())}
		for _, l := range req.GetLocales() {
			pl := p.Locales[l]
			if pl == nil {
				return events.Change{}, rpc.Precondition(errorsv1.ErrorReason_ERROR_REASON_LOCALE_MISSING,
					fmt.Sprintf("%s is not published in %s", id, l), "locale", l)
			}
			if p.TakenDown == nil {
				p.TakenDown = map[string]*eventsv1.TakenDown{}
			}
			p.TakenDown[l] = &eventsv1.TakenDown{Locale: l, Path: pl.Path, Title: pl.Title, Reason: strings.TrimSpace(req.GetReason()), Change: now}
			for old, to := range p.Moved {
				if to == l {
					delete(p.Moved, old)
				}
			}
			delete(p.Locales, l)
			gone = append(gone, pl)
		}
		var err error
		if written, err = s.renderAll(p); err != nil {
			return events.Change{}, err
		}
		s.store(ctx, id, written)
		return events.Change{
			Type:     eventsv1.ArticleUnpublished,
			Actor:    u.ID,
			Annotate: func(m proto.Message) { m.(*eventsv1.ArticleEvent).ChangedLocales = req.GetLocales() },
		}, nil
	})
	if err != nil {
		return nil, rpc.Store(err, "publication of "+id)
	}
	s.point(ctx, pub)
	metrics.Announced.WithLabelValues(eventsv1.ArticleUnpublished).Inc()
	if s.pages != nil {
		var paths, keys []string
		for _, pl := range gone {
			paths = append(paths, pl.Path)
			keys = append(keys, s.pageKey(id, pl))
		}
		if err := s.pages.Forget(ctx, paths, keys); err != nil {
			metrics.RedisFailures.WithLabelValues("forget").Inc()
			s.log.Warn("redis unavailable; taken-down pages stay cached until they expire (the site answers 410 from the stream)", "article", id, "err", err)
		}
	}
	s.log.Warn("article taken down", "article", id, "locales", req.GetLocales(), "reason", req.GetReason(), "actor", u.ID)
	return &publishingv1.UnpublishArticleResponse{Publication: withoutHTML(pub)}, nil
}

// releases finds the content of each requested locale: the source from
// the submitted draft revision, the target from a translation approved
// against that revision.
func (s *Service) releases(ctx context.Context, id string, locales []string) ([]release, error) {
	d, err := s.drafts.Get(ctx, id)
	if err != nil {
		return nil, rpc.Store(err, "article "+id)
	}
	if d.SubmittedRevision == 0 {
		return nil, rpc.Precondition(errorsv1.ErrorReason_ERROR_REASON_DRAFT_NOT_SUBMITTED,
			"the draft has not been submitted; an editor must submit it before it can be published")
	}
	sub := d
	if d.Revision != d.SubmittedRevision {
		if sub, err = s.drafts.At(ctx, id, d.SubmittedRevision); err != nil {
			return nil, rpc.Store(err, fmt.Sprintf("article %s at revision %d", id, d.SubmittedRevision))
		}
	}
	a := sub.Article
	var out []release
	for _, l := range locales {
		if l == a.SourceLocale {
			out = append(out, release{locale: l, revision: d.SubmittedRevision, article: a, content: a.Locales[l]})
			continue
		}
		j, err := s.jobs.Get(ctx, id)
		if err != nil && !errors.Is(err, events.ErrNotFound) {
			return nil, rpc.Store(err, "translation of "+id)
		}
		if j == nil || j.Status != reviewv1.JobStatus_JOB_STATUS_APPROVED || j.TargetLocale != l {
			return nil, rpc.Precondition(errorsv1.ErrorReason_ERROR_REASON_TRANSLATION_NOT_APPROVED,
				fmt.Sprintf("%s cannot be published: no translation into %s is approved", id, l), "locale", l)
		}
		if j.SourceRevision != d.SubmittedRevision {
			return nil, rpc.Precondition(errorsv1.ErrorReason_ERROR_REASON_TRANSLATION_STALE,
				fmt.Sprintf("the approved %s translation was made from revision %d, but revision %d is submitted; it must be reviewed again", l, j.SourceRevision, d.SubmittedRevision),
				"locale", l,
				"translation_source_revision", events.Revision(j.SourceRevision),
				"submitted_revision", events.Revision(d.SubmittedRevision))
		}
		out = append(out, release{locale: l, revision: j.Revision, article: a, content: j.Target})
	}
	return out, nil
}

// renderAll renders every published locale of p into p, and returns the
// page versions to cache.
func (s *Service) renderAll(p *eventsv1.Publication) ([]cache.Page, error) {
	var published []string
	for _, l := range siteconfig.Locales {
		if _, ok := p.Locales[l]; ok {
			published = append(published, l)
		}
	}
	var pages []cache.Page
	for _, l := range published {
		pl := p.Locales[l]
		page := Page{Locale: l, Section: pl.Section, Date: pl.Date, Slug: pl.Slug, Content: pl.Content, Published: published}
		if c := pl.GetCorrection(); c != nil {
			page.Correction, page.Updated = c.Note, c.GetChange().GetTime().AsTime()
		}
		html, err := s.render.Render(page)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(html)
		pl.Description = description(pl.Content)
		pl.Html = html
		pl.ContentHash = hex.EncodeToString(sum[:])
		if s.pages != nil {
			pages = append(pages, cache.Page{Key: s.pageKey(p.ArticleId, pl), HTML: html})
		}
	}
	return pages, nil
}

// pageKey is the Redis key of a published locale's rendered version:
// {source revision}-{first 12 hex digits of the content hash}.
func (s *Service) pageKey(article string, pl *eventsv1.PublishedLocale) string {
	return s.pages.PageKey(pl.Locale, article, fmt.Sprintf("%d-%s", pl.SourceRevision, pl.ContentHash[:12]))
}

// store writes rendered versions to Redis before they are announced. A
// Redis failure does not stop the publish: the event carries the pages,
// and the site fetches misses from publishing.
func (s *Service) store(ctx context.Context, id string, pages []cache.Page) {
	if s.pages == nil || len(pages) == 0 {
		return
	}
	if err := s.pages.PutPages(ctx, pages...); err != nil {
		metrics.RedisFailures.WithLabelValues("pages").Inc()
		s.log.Warn("redis unavailable; publishing without caching the pages", "article", id, "err", err)
	}
}

// point switches the public URLs to the new versions, after the event.
func (s *Service) point(ctx context.Context, p *eventsv1.Publication) {
	if s.pages == nil {
		return
	}
	var ptrs []cache.Pointer
	for _, pl := range p.Locales {
		ptrs = append(ptrs, cache.Pointer{Path: pl.Path, Key: s.pageKey(p.ArticleId, pl)})
	}
	if err := s.pages.Point(ctx, ptrs...); err != nil {
		metrics.RedisFailures.WithLabelValues("pointers").Inc()
		s.log.Warn("redis unavailable; URL pointers not switched", "article", p.ArticleId, "err", err)
	}
}

// GetPublication implements PublishingService.
func (s *Service) GetPublication(ctx context.Context, req *publishingv1.GetPublicationRequest) (*publishingv1.GetPublicationResponse, error) {
	if strings.TrimSpace(req.GetArticleId()) == "" {
		return nil, rpc.InvalidField("article_id", "is required")
	}
	p, err := s.pubs.Get(ctx, req.GetArticleId())
	if err != nil {
		return nil, rpc.Store(err, "publication of "+req.GetArticleId())
	}
	return &publishingv1.GetPublicationResponse{Publication: withoutHTML(p)}, nil
}

// GetRendered implements PublishingService. The public record carries the
// rendered pages, so this reads one message and no cache.
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
		return nil, rpc.Store(err, "published article "+req.GetArticleId())
	}
	pl, ok := p.Locales[req.GetLocale()]
	if !ok {
		return nil, rpc.Store(events.ErrNotFound, fmt.Sprintf("%s page of %s", req.GetLocale(), req.GetArticleId()))
	}
	return &publishingv1.GetRenderedResponse{Html: pl.Html, SourceRevision: pl.SourceRevision, Path: pl.Path, ContentHash: pl.ContentHash}, nil
}

func withoutHTML(p *eventsv1.Publication) *eventsv1.Publication {
	c := proto.Clone(p).(*eventsv1.Publication)
	for _, pl := range c.Locales {
		pl.Html = nil
	}
	return c
}
