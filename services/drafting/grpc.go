package drafting

import (
	"context"
	"errors"
	"strings"

	"google.golang.org/grpc/codes"

	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/rpc"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	errorsv1 "github.com/tandemnews/tandem/proto/tandem/errors/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	"github.com/tandemnews/tandem/services/drafting/draft"
)

// errs maps the draft rules' errors to statuses. Field errors become
// InvalidArgument and store errors are mapped by rpc.Store.
var errs = rpc.Errors{
	{Err: draft.ErrNotFound, Code: codes.NotFound},
	{Err: draft.ErrWithdrawn, Code: codes.FailedPrecondition, Reason: errorsv1.ErrorReason_ERROR_REASON_DRAFT_WITHDRAWN},
	{Err: draft.ErrConflict, Code: codes.Aborted, Reason: errorsv1.ErrorReason_ERROR_REASON_REVISION_CONFLICT},
}

// draftErr maps err, met while handling draft id, to a status.
func draftErr(err error, id string) error { return errs.Status(err, "draft "+id) }

// maxRequestID bounds CreateDraftRequest.request_id.
const maxRequestID = 128

// CreateDraft implements DraftingService.
func (s *Service) CreateDraft(ctx context.Context, req *draftingv1.CreateDraftRequest) (*draftingv1.CreateDraftResponse, error) {
	var v rpc.Violations
	a := req.GetArticle()
	if a.GetId() != "" {
		v.Add("article.id", "must be empty: the server assigns the id")
	}
	rid := req.GetRequestId()
	if len(rid) > maxRequestID {
		v.Add("request_id", "is %d characters; at most %d", len(rid), maxRequestID)
	}
	s.rules.Check(a, "article", &v.Violations)
	if err := s.checkMedia(ctx, a, "article", &v); err != nil {
		return nil, err
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if req.GetValidateOnly() {
		return &draftingv1.CreateDraftResponse{}, nil
	}
	change := events.Change{Type: eventsv1.DraftCreated}
	a.Id = events.NewID()
	if rid != "" {
		// The same request id always names the same article and event, so
		// a repeat is recognised as the write already stored.
		a.Id, change.ID = draft.IDFromRequest(rid), "create-"+rid
	}
	who := auth.Actor(ctx)
	change.Actor = who.UserId
	d, err := s.drafts.Create(ctx, a.Id, draft.New(a, who, s.now()), change)
	if err == nil && rid != "" {
		d, err = s.drafts.At(ctx, a.Id, d.Revision) // what the first request stored
	}
	if err != nil {
		return nil, draftErr(err, a.Id)
	}
	s.cat.PutDraft(d)
	s.log.Info("draft created", "article", a.Id, "revision", d.Revision, "actor", who.UserId)
	return &draftingv1.CreateDraftResponse{Draft: d}, nil
}

// UpdateDraft implements DraftingService.
func (s *Service) UpdateDraft(ctx context.Context, req *draftingv1.UpdateDraftRequest) (*draftingv1.UpdateDraftResponse, error) {
	var v rpc.Violations
	a := req.GetArticle()
	id := a.GetId()
	if id == "" {
		v.Add("article.id", "is required: the id of the draft to update")
	}
	if req.GetValidateOnly() {
		s.rules.Check(a, "article", &v.Violations)
		if err := s.checkMedia(ctx, a, "article", &v); err != nil {
			return nil, err
		}
		if err := v.Err(); err != nil {
			return nil, err
		}
		return &draftingv1.UpdateDraftResponse{}, nil
	}
	expected := req.GetExpectedRevision()
	if expected == 0 {
		v.Add("expected_revision", "is required: the revision you read")
	}
	paths := req.GetUpdateMask().GetPaths()
	draft.CheckMask(paths, &v.Violations)
	if len(paths) == 0 {
		s.rules.Check(a, "article", &v.Violations)
	}
	if err := s.checkMedia(ctx, a, "article", &v); err != nil {
		return nil, err
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	who := auth.Actor(ctx)
	change := events.Change{Type: eventsv1.DraftUpdated, Actor: who.UserId}
	var d *draftingv1.Draft
	var err error
	if len(paths) == 0 {
		// A whole replacement: any later revision is a conflict.
		d, err = s.update(ctx, id, expected, change, func(d *draftingv1.Draft) error {
			return draft.Replace(d, a, who, s.now())
		})
	} else {
		d, err = s.patch(ctx, id, expected, a, paths, who, change)
	}
	if err != nil {
		return nil, err
	}
	s.log.Info("draft updated", "article", id, "revision", d.Revision, "actor", who.UserId, "fields", paths)
	return &draftingv1.UpdateDraftResponse{Draft: d}, nil
}

// patch applies the masked fields of a on top of whatever came since the
// editor read revision expected, unless it touched the same fields.
func (s *Service) patch(ctx context.Context, id string, expected uint64, a *articlev1.Article, paths []string, who *articlev1.Actor, c events.Change) (*draftingv1.Draft, error) {
	// The revision the editor read is loaded before the update, so that the
	// update's function does no I/O: a stored revision never changes, so
	// every retry compares against the same one. A revision the draft never
	// had is the rules' to judge.
	base, err := s.drafts.At(ctx, id, expected)
	if errors.Is(err, events.ErrNotFound) {
		base, err = nil, nil
	}
	if err != nil {
		return nil, draftErr(err, id)
	}
	// Not pinned to a revision, so retried on a conflict: Patch leaves a
	// untouched and may run again.
	return s.update(ctx, id, 0, c, func(d *draftingv1.Draft) error {
		return s.rules.Patch(d, base, expected, a, paths, who, s.now())
	})
}

// pinned checks the id and expected revision of a change to a draft;
// why says what the revision must be.
func pinned(id string, expected uint64, why string) *rpc.Violations {
	var v rpc.Violations
	if id == "" {
		v.Add("id", "is required")
	}
	if expected == 0 {
		v.Add("expected_revision", "is required: %s", why)
	}
	return &v
}

// SubmitDraft implements DraftingService.
func (s *Service) SubmitDraft(ctx context.Context, req *draftingv1.SubmitDraftRequest) (*draftingv1.SubmitDraftResponse, error) {
	v := pinned(req.GetId(), req.GetExpectedRevision(), "the revision you read and mean to submit")
	if err := v.Err(); err != nil {
		return nil, err
	}
	who := auth.Actor(ctx)
	change := events.Change{Type: eventsv1.DraftSubmitted, Actor: who.UserId}
	d, err := s.update(ctx, req.GetId(), req.GetExpectedRevision(), change, func(d *draftingv1.Draft) error {
		return draft.Submit(d, who, s.now(), req.GetMinor())
	})
	if err != nil {
		return nil, err
	}
	if d.Revision == req.GetExpectedRevision() {
		// Nothing new since the last submit: nothing written, no new review.
		return &draftingv1.SubmitDraftResponse{Draft: d}, nil
	}
	s.log.Info("draft submitted", "article", d.Article.Id, "revision", d.Revision, "submitted_revision", d.SubmittedRevision, "actor", who.UserId)
	return &draftingv1.SubmitDraftResponse{Draft: d}, nil
}

// WithdrawDraft implements DraftingService.
func (s *Service) WithdrawDraft(ctx context.Context, req *draftingv1.WithdrawDraftRequest) (*draftingv1.WithdrawDraftResponse, error) {
	v := pinned(req.GetId(), req.GetExpectedRevision(), "the revision you read")
	if len(req.GetReason()) > draft.MaxSummaryRunes {
		v.Add("reason", "is longer than %d bytes", draft.MaxSummaryRunes)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	who := auth.Actor(ctx)
	change := events.Change{Type: eventsv1.DraftWithdrawn, Actor: who.UserId}
	d, err := s.update(ctx, req.GetId(), req.GetExpectedRevision(), change, func(d *draftingv1.Draft) error {
		return draft.Withdraw(d, strings.TrimSpace(req.GetReason()), who, s.now())
	})
	if err != nil {
		return nil, err
	}
	s.log.Info("draft withdrawn", "article", req.GetId(), "revision", d.Revision, "actor", who.UserId)
	return &draftingv1.WithdrawDraftResponse{Draft: d}, nil
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
	} else if len(reason) > draft.MaxSummaryRunes {
		v.Add("reason", "is longer than %d bytes", draft.MaxSummaryRunes)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	who := auth.Actor(ctx)
	// Purged before, the tombstone is not written again, but the erasure
	// below is finished.
	change := events.Change{Type: eventsv1.DraftPurged, Actor: who.UserId, ID: "purge-" + req.GetId()}
	d, err := s.update(ctx, req.GetId(), 0, change, func(d *draftingv1.Draft) error {
		return draft.Tombstone(d, reason, who, s.now())
	})
	if err != nil {
		return nil, err
	}
	if err := s.drafts.Purge(ctx, req.GetId(), 1); err != nil {
		return nil, draftErr(err, req.GetId())
	}
	s.log.Warn("article purged", "article", req.GetId(), "revision", d.Revision, "actor", who.UserId, "reason", reason)
	return &draftingv1.PurgeArticleResponse{Revision: d.Revision}, nil
}

// update runs op on draft id as change c, at revision expected (0: at
// whatever is current, retried on a conflict, so op must be safe to run
// again). An op that finds the draft already as it would leave it
// (draft.ErrUnchanged) writes nothing and succeeds. The result goes into
// the list at once, so that the writer finds it there.
func (s *Service) update(ctx context.Context, id string, expected uint64, c events.Change, op func(*draftingv1.Draft) error) (*draftingv1.Draft, error) {
	d, err := s.drafts.Update(ctx, id, expected, func(d *draftingv1.Draft) (events.Change, error) {
		switch err := op(d); {
		case errors.Is(err, draft.ErrUnchanged):
			return events.Change{}, nil
		case err != nil:
			return events.Change{}, err
		}
		return c, nil
	})
	if err != nil {
		return nil, draftErr(err, id)
	}
	s.cat.PutDraft(d)
	return d, nil
}
