package drafting

import (
	"context"
	"fmt"
	"google.golang.org/grpc"
	"strconv"
	"strings"

	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/rpc"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	"github.com/tandemnews/tandem/services/drafting/catalog"
	"github.com/tandemnews/tandem/services/drafting/draft"
)

// History and list page sizes.
const (
	defaultPageSize = 20
	maxPageSize     = 100
)

// pageSize checks a request's page size and returns the size to use.
func pageSize(n int32, v *rpc.Violations) int {
	size := int(n)
	if size < 0 || size > maxPageSize {
		v.Add("page_size", "must be 1 to %d (0 means %d)", maxPageSize, defaultPageSize)
	}
	if size == 0 {
		size = defaultPageSize
	}
	return size
}

// needID checks the id of a request to read a draft.
func needID(id string) *rpc.Violations {
	var v rpc.Violations
	if strings.TrimSpace(id) == "" {
		v.Add("id", "is required")
	}
	return &v
}

// need reports a revision field left at zero.
func need(v *rpc.Violations, field string, rev uint64) {
	if rev == 0 {
		v.Add(field, "is required")
	}
}

// revisionOf names a revision of a draft in errors.
func revisionOf(rev uint64, id string) string { return fmt.Sprintf("revision %d of draft %s", rev, id) }

// GetDraft implements DraftingService.
func (s *Service) GetDraft(ctx context.Context, req *draftingv1.GetDraftRequest) (*draftingv1.GetDraftResponse, error) {
	if err := needID(req.GetId()).Err(); err != nil {
		return nil, err
	}
	d, err := s.drafts.Get(ctx, req.GetId())
	if err == nil && draft.Purged(d) {
		err = events.ErrNotFound // a purged article reads as one that never existed
	}
	if err != nil {
		return nil, draftErr(err, req.GetId())
	}
	return &draftingv1.GetDraftResponse{Draft: d}, nil
}

// GetDraftHistory implements DraftingService.
func (s *Service) GetDraftHistory(ctx context.Context, req *draftingv1.GetDraftHistoryRequest) (*draftingv1.GetDraftHistoryResponse, error) {
	v := needID(req.GetId())
	size := pageSize(req.GetPageSize(), v)
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
			Summary:   draft.Summary(ev.Type, prev, d),
		})
		prev = d
		return nil
	})
	if err == nil && (len(all) == 0 || draft.Purged(prev)) {
		err = events.ErrNotFound
	}
	if err != nil {
		return nil, draftErr(err, req.GetId())
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
	v := needID(req.GetId())
	need(v, "revision", req.GetRevision())
	if err := v.Err(); err != nil {
		return nil, err
	}
	d, err := s.drafts.At(ctx, req.GetId(), req.GetRevision())
	if err == nil && draft.Purged(d) {
		err = events.ErrNotFound // a purged article reads as one that never existed
	}
	if err != nil {
		return nil, errs.Status(err, revisionOf(req.GetRevision(), req.GetId()))
	}
	return &draftingv1.GetDraftRevisionResponse{Draft: d}, nil
}

// DiffRevisions implements DraftingService.
func (s *Service) DiffRevisions(ctx context.Context, req *draftingv1.DiffRevisionsRequest) (*draftingv1.DiffRevisionsResponse, error) {
	v := needID(req.GetId())
	need(v, "from_revision", req.GetFromRevision())
	need(v, "to_revision", req.GetToRevision())
	if err := v.Err(); err != nil {
		return nil, err
	}
	from, err := s.drafts.At(ctx, req.GetId(), req.GetFromRevision())
	if err != nil {
		return nil, errs.Status(err, revisionOf(req.GetFromRevision(), req.GetId()))
	}
	to, err := s.drafts.At(ctx, req.GetId(), req.GetToRevision())
	if err != nil {
		return nil, errs.Status(err, revisionOf(req.GetToRevision(), req.GetId()))
	}
	return draft.Diff(from.GetArticle(), to.GetArticle()), nil
}

// ListDrafts implements DraftingService.
func (s *Service) ListDrafts(ctx context.Context, req *draftingv1.ListDraftsRequest) (*draftingv1.ListDraftsResponse, error) {
	var v rpc.Violations
	size := pageSize(req.GetPageSize(), &v)
	var after *catalog.Key
	if t := req.GetPageToken(); t != "" {
		k, ok := catalog.ParseToken(t)
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
	if l := req.GetMissingLocale(); l != "" && !draft.Supported(l) {
		v.Add("missing_locale", "must be zh-CN or en")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	select {
	case <-s.ready:
	case <-ctx.Done():
		return nil, errs.Status(ctx.Err(), "the draft list")
	}
	return s.cat.List(req, size, after), nil
}

// WatchDrafts implements DraftingService: the row of each article that
// changes, until the caller goes or the service stops.
func (s *Service) WatchDrafts(_ *draftingv1.WatchDraftsRequest, stream grpc.ServerStreamingServer[draftingv1.WatchDraftsResponse]) error {
	ctx := stream.Context()
	ids, stop := s.cat.Watch()
	defer stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case id := <-ids:
			row, ok := s.cat.Summary(id)
			if !ok {
				continue
			}
			if err := stream.Send(&draftingv1.WatchDraftsResponse{Draft: row}); err != nil {
				return err
			}
		}
	}
}
