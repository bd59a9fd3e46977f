package drafting

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"

	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/rpc"
	"github.com/tandemnews/tandem/pkg/siteconfig"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	errorsv1 "github.com/tandemnews/tandem/proto/tandem/errors/v1"
)

// Service implements tandem.drafting.v1.DraftingService.
type Service struct {
	draftingv1.UnimplementedDraftingServiceServer
	bus    *events.Bus
	drafts *events.Aggregate[*draftingv1.Draft]
	cat    *catalog
	site   *siteconfig.Config
	log    *slog.Logger
	now    func() time.Time
}

// Options configures the service.
type Options struct {
	// Site holds the sections an article may be filed under. Default
	// siteconfig.Default().
	Site *siteconfig.Config
	// Logger; default slog.Default().
	Logger *slog.Logger
}

// New returns the drafting service on bus.
func New(bus *events.Bus, o Options) *Service {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Site == nil {
		o.Site = siteconfig.Default()
	}
	return &Service{bus: bus, drafts: Drafts(bus.Editorial), cat: newCatalog(), site: o.Site, log: o.Logger.With("service", "drafting"), now: time.Now}
}

// validate checks an article against the rules and the site: its section
// must exist and its slug must not be another published article's.
func (s *Service) validate(a *articlev1.Article, v *rpc.Violations) {
	Validate(a, "article", v)
	if len(a.GetSection()) > 0 && v.Len() == 0 && !s.site.HasSection(a.Section) {
		v.Add("article.section", "%q is not a section of the site (%s)", strings.Join(a.Section, "/"), strings.Join(s.site.SectionPaths(), ", "))
	}
	if other, taken := s.cat.slugOwner(a.GetSlug(), a.GetId()); taken {
		v.Add("article.slug", "%q is the slug of published article %s; choose another", a.Slug, other)
	}
}

// Register adds the service to a gRPC server.
func (s *Service) Register(r grpc.ServiceRegistrar) { draftingv1.RegisterDraftingServiceServer(r, s) }

// Policy says who may call what.
func (s *Service) Policy() auth.Policy {
	const p = "/tandem.drafting.v1.DraftingService/"
	return auth.Policy{
		p + "CreateDraft":      {auth.Editor},
		p + "GetDraft":         {auth.Editor, auth.Translator, auth.Publisher},
		p + "UpdateDraft":      {auth.Editor},
		p + "SubmitDraft":      {auth.Editor},
		p + "GetDraftHistory":  {auth.Editor, auth.Translator, auth.Publisher},
		p + "GetDraftRevision": {auth.Editor, auth.Translator, auth.Publisher},
		p + "DiffRevisions":    {auth.Editor, auth.Translator, auth.Publisher},
		p + "ListDrafts":       {auth.Editor, auth.Translator, auth.Publisher},
		p + "WithdrawDraft":    {auth.Editor},
		p + "PurgeArticle":     {auth.Admin},
	}
}

// Run rebuilds the draft list from the streams and keeps it current until
// ctx is done.
func (s *Service) Run(ctx context.Context) error {
	return s.cat.follow(ctx, s.bus, s.log.Warn)
}

// actor returns the authenticated caller as an Actor.
func actor(ctx context.Context) *articlev1.Actor {
	u, _ := auth.FromContext(ctx)
	return &articlev1.Actor{UserId: u.ID, Name: u.Name}
}

// CreateDraft implements DraftingService.
func (s *Service) CreateDraft(ctx context.Context, req *draftingv1.CreateDraftRequest) (*draftingv1.CreateDraftResponse, error) {
	var v rpc.Violations
	a := req.GetArticle()
	if a.GetId() != "" {
		v.Add("article.id", "must be empty: the server assigns the id")
	}
	rid := req.GetRequestId()
	if len(rid) > 128 {
		v.Add("request_id", "is %d characters; at most 128", len(rid))
	}
	s.validate(a, &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	change := events.Change{Type: eventsv1.DraftCreated}
	a.Id = events.NewID()
	if rid != "" {
		// The same request id always names the same article and event, so
		// a repeat is recognised as the write already stored.
		a.Id, change.ID = idFromRequest(rid), "create-"+rid
	}
	assignIDs(a)
	who := actor(ctx)
	change.Actor = who.UserId
	d, err := s.drafts.Create(ctx, a.Id, newDraft(a, who, s.now()), change)
	if err == nil && rid != "" {
		d, err = s.drafts.At(ctx, a.Id, d.Revision) // what the first request stored
	}
	if err != nil {
		return nil, s.storeErr(err, a.Id)
	}
	s.cat.putDraft(d)
	s.log.Info("draft created", "article", a.Id, "revision", d.Revision, "actor", who.UserId)
	return &draftingv1.CreateDraftResponse{Draft: d}, nil
}

// GetDraft implements DraftingService.
func (s *Service) GetDraft(ctx context.Context, req *draftingv1.GetDraftRequest) (*draftingv1.GetDraftResponse, error) {
	if strings.TrimSpace(req.GetId()) == "" {
		return nil, rpc.InvalidField("id", "is required")
	}
	d, err := s.drafts.Get(ctx, req.GetId())
	if err == nil && purged(d) {
		err = events.ErrNotFound
	}
	if err != nil {
		return nil, s.storeErr(err, req.GetId())
	}
	return &draftingv1.GetDraftResponse{Draft: d}, nil
}

// UpdateDraft implements DraftingService.
func (s *Service) UpdateDraft(ctx context.Context, req *draftingv1.UpdateDraftRequest) (*draftingv1.UpdateDraftResponse, error) {
	var v rpc.Violations
	a := req.GetArticle()
	id := a.GetId()
	if id == "" {
		v.Add("article.id", "is required: the id of the draft to update")
	}
	expected := req.GetExpectedRevision()
	if expected == 0 {
		v.Add("expected_revision", "is required: the revision you read")
	}
	paths := req.GetUpdateMask().GetPaths()
	checkMask(paths, &v)
	if len(paths) == 0 {
		s.validate(a, &v)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	who := actor(ctx)
	var d *draftingv1.Draft
	var err error
	if len(paths) == 0 {
		// A whole replacement: any later revision is a conflict.
		d, err = s.drafts.Update(ctx, id, expected, func(d *draftingv1.Draft) (events.Change, error) {
			if purged(d) {
				return events.Change{}, events.ErrNotFound
			}
			if d.Article.SourceLocale != a.SourceLocale {
				return events.Change{}, rpc.InvalidField("article.source_locale", "cannot change from %s", d.Article.SourceLocale)
			}
			carryIDs(d.Article, a)
			assignIDs(a)
			replace(d, a, who, s.now())
			return events.Change{Type: eventsv1.DraftUpdated, Actor: who.UserId}, nil
		})
	} else {
		// Masked: apply on top of whatever came since, unless it touched the
		// same fields. The function only reads, so a retry is safe.
		d, err = s.drafts.Update(ctx, id, 0, func(d *draftingv1.Draft) (events.Change, error) {
			if purged(d) {
				return events.Change{}, events.ErrNotFound
			}
			if d.Revision != expected {
				base, err := s.drafts.At(ctx, id, expected)
				if errors.Is(err, events.ErrNotFound) {
					return events.Change{}, rpc.InvalidField("expected_revision", "%d is not a revision of draft %s", expected, id)
				}
				if err != nil {
					return events.Change{}, err
				}
				for _, p := range paths {
					if !sameField(base.Article, d.Article, p) {
						return events.Change{}, rpc.Conflict(fmt.Sprintf("draft %s (%s)", id, p), d.Revision)
					}
				}
			}
			merged := proto.Clone(d.Article).(*articlev1.Article)
			for _, p := range paths {
				copyField(merged, a, p)
			}
			var mv rpc.Violations
			s.validate(merged, &mv)
			if err := mv.Err(); err != nil {
				return events.Change{}, err
			}
			carryIDs(d.Article, merged)
			assignIDs(merged)
			replace(d, merged, who, s.now())
			return events.Change{Type: eventsv1.DraftUpdated, Actor: who.UserId}, nil
		})
	}
	if err != nil {
		return nil, s.storeErr(err, id)
	}
	s.cat.putDraft(d)
	s.log.Info("draft updated", "article", id, "revision", d.Revision, "actor", who.UserId, "fields", paths)
	return &draftingv1.UpdateDraftResponse{Draft: d}, nil
}

// SubmitDraft implements DraftingService.
func (s *Service) SubmitDraft(ctx context.Context, req *draftingv1.SubmitDraftRequest) (*draftingv1.SubmitDraftResponse, error) {
	var v rpc.Violations
	if req.GetId() == "" {
		v.Add("id", "is required")
	}
	if req.GetExpectedRevision() == 0 {
		v.Add("expected_revision", "is required: the revision you read and mean to submit")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	who := actor(ctx)
	d, err := s.drafts.Update(ctx, req.GetId(), req.GetExpectedRevision(), func(d *draftingv1.Draft) (events.Change, error) {
		if purged(d) {
			return events.Change{}, events.ErrNotFound
		}
		switch err := submit(d, who, s.now(), req.GetMinor()); {
		case errors.Is(err, errSubmittedUnchanged):
			return events.Change{}, nil // already submitted as it is: nothing to do
		case errors.Is(err, errWithdrawn):
			return events.Change{}, rpc.Precondition(errorsv1.ErrorReason_ERROR_REASON_DRAFT_WITHDRAWN,
				"the draft is withdrawn; edit it to bring it back, then submit")
		}
		return events.Change{Type: eventsv1.DraftSubmitted, Actor: who.UserId}, nil
	})
	if err != nil {
		return nil, s.storeErr(err, req.GetId())
	}
	s.cat.putDraft(d)
	s.log.Info("draft submitted", "article", d.Article.Id, "revision", d.Revision, "submitted_revision", d.SubmittedRevision, "actor", who.UserId)
	return &draftingv1.SubmitDraftResponse{Draft: d}, nil
}

func (s *Service) storeErr(err error, id string) error { return rpc.Store(err, "draft "+id) }

// History page sizes.
const (
	defaultPageSize = 20
	maxPageSize     = 100
)

// GetDraftHistory implements DraftingService.
func (s *Service) GetDraftHistory(ctx context.Context, req *draftingv1.GetDraftHistoryRequest) (*draftingv1.GetDraftHistoryResponse, error) {
	var v rpc.Violations
	if strings.TrimSpace(req.GetId()) == "" {
		v.Add("id", "is required")
	}
	size := int(req.GetPageSize())
	if size < 0 || size > maxPageSize {
		v.Add("page_size", "must be 1 to %d (0 means %d)", maxPageSize, defaultPageSize)
	}
	if size == 0 {
		size = defaultPageSize
	}
	var before uint64 // only revisions below this one; 0: from the newest
	if t := req.GetPageToken(); t != "" {
		n, err := strconv.ParseUint(t, 10, 64)
		if err != nil || n == 0 {
			v.Add("page_token", "is not a token from a previous response")
		}
		before = n
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var all []*draftingv1.HistoryEntry
	var prev *draftingv1.Draft
	err := s.drafts.History(ctx, req.GetId(), func(ev *events.Event, d *draftingv1.Draft) error {
		all = append(all, &draftingv1.HistoryEntry{
			Revision:  ev.Sequence,
			EventType: ev.Type,
			Actor:     d.GetUpdated().GetActor(),
			Time:      d.GetUpdated().GetTime(),
			Summary:   Summary(ev.Type, prev, d),
		})
		prev = d
		return nil
	})
	if err != nil {
		return nil, s.storeErr(err, req.GetId())
	}
	if len(all) == 0 || purged(prev) {
		return nil, s.storeErr(events.ErrNotFound, req.GetId())
	}
	res := &draftingv1.GetDraftHistoryResponse{}
	for i := len(all) - 1; i >= 0 && len(res.Entries) < size; i-- {
		if before != 0 && all[i].Revision >= before {
			continue
		}
		res.Entries = append(res.Entries, all[i])
		if len(res.Entries) == size && i > 0 {
			res.NextPageToken = strconv.FormatUint(all[i].Revision, 10)
		}
	}
	return res, nil
}

// GetDraftRevision implements DraftingService.
func (s *Service) GetDraftRevision(ctx context.Context, req *draftingv1.GetDraftRevisionRequest) (*draftingv1.GetDraftRevisionResponse, error) {
	var v rpc.Violations
	if strings.TrimSpace(req.GetId()) == "" {
		v.Add("id", "is required")
	}
	if req.GetRevision() == 0 {
		v.Add("revision", "is required")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	d, err := s.drafts.At(ctx, req.GetId(), req.GetRevision())
	if err == nil && purged(d) {
		err = events.ErrNotFound
	}
	if err != nil {
		return nil, rpc.Store(err, fmt.Sprintf("revision %d of draft %s", req.GetRevision(), req.GetId()))
	}
	return &draftingv1.GetDraftRevisionResponse{Draft: d}, nil
}

// DiffRevisions implements DraftingService.
func (s *Service) DiffRevisions(ctx context.Context, req *draftingv1.DiffRevisionsRequest) (*draftingv1.DiffRevisionsResponse, error) {
	var v rpc.Violations
	if strings.TrimSpace(req.GetId()) == "" {
		v.Add("id", "is required")
	}
	if req.GetFromRevision() == 0 {
		v.Add("from_revision", "is required")
	}
	if req.GetToRevision() == 0 {
		v.Add("to_revision", "is required")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	from, err := s.drafts.At(ctx, req.GetId(), req.GetFromRevision())
	if err != nil {
		return nil, rpc.Store(err, fmt.Sprintf("revision %d of draft %s", req.GetFromRevision(), req.GetId()))
	}
	to, err := s.drafts.At(ctx, req.GetId(), req.GetToRevision())
	if err != nil {
		return nil, rpc.Store(err, fmt.Sprintf("revision %d of draft %s", req.GetToRevision(), req.GetId()))
	}
	return Diff(from.GetArticle(), to.GetArticle()), nil
}

// WithdrawDraft implements DraftingService.
func (s *Service) WithdrawDraft(ctx context.Context, req *draftingv1.WithdrawDraftRequest) (*draftingv1.WithdrawDraftResponse, error) {
	var v rpc.Violations
	if req.GetId() == "" {
		v.Add("id", "is required")
	}
	if req.GetExpectedRevision() == 0 {
		v.Add("expected_revision", "is required: the revision you read")
	}
	if len(req.GetReason()) > MaxSummaryRunes {
		v.Add("reason", "is longer than %d bytes", MaxSummaryRunes)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	who := actor(ctx)
	d, err := s.drafts.Update(ctx, req.GetId(), req.GetExpectedRevision(), func(d *draftingv1.Draft) (events.Change, error) {
		if purged(d) {
			return events.Change{}, events.ErrNotFound
		}
		if d.Status == draftingv1.DraftStatus_DRAFT_STATUS_WITHDRAWN {
			return events.Change{}, nil
		}
		withdraw(d, strings.TrimSpace(req.GetReason()), who, s.now())
		return events.Change{Type: eventsv1.DraftWithdrawn, Actor: who.UserId}, nil
	})
	if err != nil {
		return nil, s.storeErr(err, req.GetId())
	}
	s.cat.putDraft(d)
	s.log.Info("draft withdrawn", "article", req.GetId(), "revision", d.Revision, "actor", who.UserId)
	return &draftingv1.WithdrawDraftResponse{Draft: d}, nil
}

// ListDrafts implements DraftingService.
func (s *Service) ListDrafts(ctx context.Context, req *draftingv1.ListDraftsRequest) (*draftingv1.ListDraftsResponse, error) {
	var v rpc.Violations
	size := int(req.GetPageSize())
	if size < 0 || size > maxPageSize {
		v.Add("page_size", "must be 1 to %d (0 means %d)", maxPageSize, defaultPageSize)
	}
	if size == 0 {
		size = defaultPageSize
	}
	var after *listKey
	if t := req.GetPageToken(); t != "" {
		k, ok := parseToken(t)
		if !ok {
			v.Add("page_token", "is not a token from a previous response")
		}
		after = &k
	}
	for i, st := range req.GetStatuses() {
		if _, ok := draftingv1.ArticleStatus_name[int32(st)]; !ok || st == draftingv1.ArticleStatus_ARTICLE_STATUS_UNSPECIFIED {
			v.Add(fmt.Sprintf("statuses[%d]", i), "is not a status")
		}
	}
	if l := req.GetMissingLocale(); l != "" && !supportedLocales[l] {
		v.Add("missing_locale", "must be zh-CN or en")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	select {
	case <-s.cat.ready:
	case <-ctx.Done():
		return nil, rpc.Store(ctx.Err(), "the draft list")
	}
	return s.cat.list(req, size, after), nil
}

func purged(d *draftingv1.Draft) bool {
	return d.GetStatus() == draftingv1.DraftStatus_DRAFT_STATUS_PURGED
}

// PurgeArticle implements DraftingService. It writes a tombstone and
// erases every draft revision before it; review and publishing erase
// their own records when they see the tombstone.
func (s *Service) PurgeArticle(ctx context.Context, req *draftingv1.PurgeArticleRequest) (*draftingv1.PurgeArticleResponse, error) {
	var v rpc.Violations
	if req.GetId() == "" {
		v.Add("id", "is required")
	}
	reason := strings.TrimSpace(req.GetReason())
	if reason == "" {
		v.Add("reason", "is required: it stays in the tombstone")
	} else if len(reason) > MaxSummaryRunes {
		v.Add("reason", "is longer than %d bytes", MaxSummaryRunes)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	who := actor(ctx)
	d, err := s.drafts.Update(ctx, req.GetId(), 0, func(d *draftingv1.Draft) (events.Change, error) {
		if purged(d) {
			return events.Change{}, nil // done before; finish the erasure below
		}
		tomb := tombstone(d.Article.Id, reason, who, s.now())
		proto.Reset(d)
		proto.Merge(d, tomb)
		return events.Change{Type: eventsv1.DraftPurged, Actor: who.UserId, ID: "purge-" + req.GetId()}, nil
	})
	if err != nil {
		return nil, s.storeErr(err, req.GetId())
	}
	if err := s.drafts.Purge(ctx, req.GetId(), 1); err != nil {
		return nil, s.storeErr(err, req.GetId())
	}
	s.cat.putDraft(d)
	s.log.Warn("article purged", "article", req.GetId(), "revision", d.Revision, "actor", who.UserId, "reason", reason)
	return &draftingv1.PurgeArticleResponse{Revision: d.Revision}, nil
}

// idFromRequest derives an article id from a client's request id: 26
// characters of Crockford base32, like the ULIDs the server makes.
func idFromRequest(rid string) string {
	sum := sha256.Sum256([]byte("tandem-create:" + rid))
	return crockford.EncodeToString(sum[:])[:26]
}

var crockford = base32.NewEncoding("0123456789ABCDEFGHJKMNPQRSTVWXYZ").WithPadding(base32.NoPadding)
