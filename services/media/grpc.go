package media

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/rpc"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	mediav1 "github.com/tandemnews/tandem/proto/tandem/media/v1"
	"github.com/tandemnews/tandem/services/media/photo"
)

// errs maps the library's errors to statuses.
var errs = rpc.Errors{
	{Err: photo.ErrNotFound, Code: codes.NotFound},
	{Err: events.ErrNotFound, Code: codes.NotFound},
}

// maxPageSize bounds a page of ListMedia.
const maxPageSize = 100

// started waits for the bucket and the views, which Run opens.
func (s *Service) started(ctx context.Context) error {
	select {
	case <-s.ready:
		return nil
	case <-ctx.Done():
		return status.Error(codes.Unavailable, "the media service is starting; retry")
	}
}

// UploadMedia implements MediaService.
func (s *Service) UploadMedia(ctx context.Context, req *mediav1.UploadMediaRequest) (*mediav1.UploadMediaResponse, error) {
	var v rpc.Violations
	texts := photo.Texts{Alt: req.GetAlt(), Credit: req.GetCredit()}
	texts.CheckRequired(&v.Violations)
	field := req.GetFileName()
	if p := photo.FileNameProblem(field); p != "" {
		v.Add("file_name", "%s", p)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	select {
	case s.work <- struct{}{}:
	case <-ctx.Done():
		return nil, status.Error(codes.Unavailable, "the media service is busy with other uploads; retry")
	}
	p, err := photo.Process("data", req.GetData())
	<-s.work
	if err != nil {
		return nil, errs.Status(err, "image")
	}
	if err := s.started(ctx); err != nil {
		return nil, err
	}
	if err := putVariants(ctx, s.obs, p); err != nil {
		return nil, errs.Status(err, "media bucket")
	}
	texts = texts.Clean()
	who := auth.Actor(ctx)
	now := timestamppb.New(s.now())
	existed := false
	item, err := s.items.Upsert(ctx, p.ID, func(cur *eventsv1.MediaItem) (events.Change, error) {
		if cur.Id != "" && !cur.Deleted {
			existed = true
			if sameTexts(cur.Alt, texts.Alt) && sameTexts(cur.Credit, texts.Credit) {
				return events.Change{}, nil
			}
			cur.Alt, cur.Credit = texts.Alt, texts.Credit
			cur.Updated = &articlev1.Change{Actor: who, Time: now}
			return events.Change{Type: eventsv1.MediaUpdated, Actor: who.GetUserId()}, nil
		}
		proto.Reset(cur)
		cur.Id, cur.ContentType, cur.Ext = p.ID, p.ContentType, p.Ext
		cur.Width, cur.Height = int32(p.Width), int32(p.Height)
		for _, vr := range p.Variants {
			cur.Widths = append(cur.Widths, int32(vr.Width))
			cur.Sizes = append(cur.Sizes, int64(len(vr.Data)))
		}
		cur.Alt, cur.Credit, cur.FileName = texts.Alt, texts.Credit, field
		cur.Created = &articlev1.Change{Actor: who, Time: now}
		cur.Updated = cur.Created
		return events.Change{Type: eventsv1.MediaAdded, Actor: who.GetUserId()}, nil
	})
	if err != nil {
		return nil, errs.Status(err, "media item "+p.ID)
	}
	s.remember(item)
	s.log.Info("media uploaded", "media", item.Id, "existed", existed, "width", item.Width, "height", item.Height, "actor", who.GetUserId())
	return &mediav1.UploadMediaResponse{Item: item, Existed: existed}, nil
}

// GetMedia implements MediaService.
func (s *Service) GetMedia(ctx context.Context, req *mediav1.GetMediaRequest) (*mediav1.GetMediaResponse, error) {
	item, err := s.get(ctx, "id", req.GetId())
	if err != nil {
		return nil, err
	}
	return &mediav1.GetMediaResponse{Item: item}, nil
}

// get reads one live item named at path.
func (s *Service) get(ctx context.Context, path, id string) (*eventsv1.MediaItem, error) {
	if id == "" {
		return nil, rpc.InvalidField(path, "is required: a media id (tandem media list shows them)")
	}
	if !photo.ValidID(id) {
		return nil, rpc.InvalidField(path, "%q is not a media id: 64 lowercase hex digits", id)
	}
	item, err := s.items.Get(ctx, id)
	if err == nil && item.Deleted {
		err = photo.ErrNotFound
	}
	if err != nil {
		if errors.Is(err, events.ErrNotFound) {
			err = photo.ErrNotFound
		}
		return nil, errs.Status(err, "media item "+id)
	}
	return item, nil
}

// ListMedia implements MediaService: newest first, from the replica's
// view of the library.
func (s *Service) ListMedia(ctx context.Context, req *mediav1.ListMediaRequest) (*mediav1.ListMediaResponse, error) {
	size := int(req.GetPageSize())
	if size < 0 || size > maxPageSize {
		return nil, rpc.InvalidField("page_size", "is %d; from 1 to %d (0 for 20)", size, maxPageSize)
	}
	if size == 0 {
		size = 20
	}
	after, afterID, err := parseToken(req.GetPageToken())
	if err != nil {
		return nil, rpc.InvalidField("page_token", "is not a token this service gave")
	}
	if err := s.started(ctx); err != nil {
		return nil, err
	}
	s.mu.Lock()
	all := make([]*eventsv1.MediaItem, 0, len(s.library))
	for _, it := range s.library {
		all = append(all, it)
	}
	s.mu.Unlock()
	slices.SortFunc(all, func(a, b *eventsv1.MediaItem) int {
		if c := b.GetCreated().GetTime().AsTime().Compare(a.GetCreated().GetTime().AsTime()); c != 0 {
			return c
		}
		return strings.Compare(a.Id, b.Id)
	})
	res := &mediav1.ListMediaResponse{}
	for _, it := range all {
		t := it.GetCreated().GetTime().AsTime().UnixNano()
		if req.GetPageToken() != "" && (t > after || t == after && it.Id <= afterID) {
			continue
		}
		if len(res.Items) == size {
			last := res.Items[len(res.Items)-1]
			res.NextPageToken = strconv.FormatInt(last.GetCreated().GetTime().AsTime().UnixNano(), 10) + "." + last.Id
			break
		}
		res.Items = append(res.Items, it)
	}
	return res, nil
}

func parseToken(tok string) (int64, string, error) {
	if tok == "" {
		return 0, "", nil
	}
	t, id, ok := strings.Cut(tok, ".")
	n, err := strconv.ParseInt(t, 10, 64)
	if !ok || err != nil || !photo.ValidID(id) {
		return 0, "", errors.New("bad token")
	}
	return n, id, nil
}

// UpdateMediaTexts implements MediaService.
func (s *Service) UpdateMediaTexts(ctx context.Context, req *mediav1.UpdateMediaTextsRequest) (*mediav1.UpdateMediaTextsResponse, error) {
	var v rpc.Violations
	texts := photo.Texts{Alt: req.GetAlt(), Credit: req.GetCredit()}
	texts.CheckRequired(&v.Violations)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if _, err := s.get(ctx, "id", req.GetId()); err != nil {
		return nil, err
	}
	texts = texts.Clean()
	who := auth.Actor(ctx)
	item, err := s.items.Update(ctx, req.GetId(), req.GetRevision(), func(cur *eventsv1.MediaItem) (events.Change, error) {
		if cur.Deleted {
			return events.Change{}, photo.ErrNotFound
		}
		if sameTexts(cur.Alt, texts.Alt) && sameTexts(cur.Credit, texts.Credit) {
			return events.Change{}, nil
		}
		cur.Alt, cur.Credit = texts.Alt, texts.Credit
		cur.Updated = &articlev1.Change{Actor: who, Time: timestamppb.New(s.now())}
		return events.Change{Type: eventsv1.MediaUpdated, Actor: who.GetUserId()}, nil
	})
	if err != nil {
		return nil, errs.Status(err, "media item "+req.GetId())
	}
	s.remember(item)
	return &mediav1.UpdateMediaTextsResponse{Item: item}, nil
}

// sameTexts reports whether a and b hold the same texts.
func sameTexts(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, x := range a {
		if y, ok := b[k]; !ok || x != y {
			return false
		}
	}
	return true
}
