package review

import (
	"context"
	"slices"
	"strings"
	"sync"

	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"

	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/rpc"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

// jobList is this replica's list of jobs, kept by following
// editorial.reviews.* (rebuilt at start, like every per-replica view).
type jobList struct {
	mu   sync.RWMutex
	rows map[string]*reviewv1.JobSummary
}

func newJobList() *jobList { return &jobList{rows: map[string]*reviewv1.JobSummary{}} }

func summarise(j *reviewv1.Job) *reviewv1.JobSummary {
	row := &reviewv1.JobSummary{
		ArticleId: j.ArticleId, Revision: j.Revision, Status: j.Status,
		Title: j.GetSource().GetTitle(), Assignee: j.Assignee, Updated: j.GetOpened().GetTime(),
	}
	eachSegment(j, func(_ *reviewv1.Unit, s *reviewv1.Segment) {
		row.Segments++
		if s.State == reviewv1.SegmentState_SEGMENT_STATE_INITIAL || s.State == reviewv1.SegmentState_SEGMENT_STATE_NEEDS_REVIEW {
			row.Todo++
		}
		if t := s.GetChanged().GetTime(); t != nil && t.AsTime().After(row.Updated.AsTime()) {
			row.Updated = t
		}
	})
	if t := j.GetApproved().GetTime(); t != nil && t.AsTime().After(row.Updated.AsTime()) {
		row.Updated = t
	}
	return row
}

// put records a job state unless the list holds a newer one.
func (l *jobList) put(j *reviewv1.Job) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if cur, ok := l.rows[j.ArticleId]; ok && cur.Revision > j.Revision {
		return
	}
	l.rows[j.ArticleId] = summarise(j)
}

func (l *jobList) remove(id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.rows, id)
}

func (s *Service) followJobs(ctx context.Context, ready chan<- struct{}) error {
	return s.bus.Editorial.Follow(ctx, s.bus.Editorial.Wildcard(eventsv1.KindReviews), func(ev *events.Event) {
		j, err := s.jobs.State(ev)
		if err != nil || j.ArticleId == "" {
			s.list.remove(ev.Subject)
			return
		}
		s.list.put(j)
	}, ready)
}

// ListJobs implements ReviewService.
func (s *Service) ListJobs(ctx context.Context, req *reviewv1.ListJobsRequest) (*reviewv1.ListJobsResponse, error) {
	size := int(req.GetPageSize())
	switch {
	case size < 0 || size > 500:
		return nil, rpc.InvalidField("page_size", "must be between 1 and 500")
	case size == 0:
		size = 50
	}
	assignee := req.GetAssignee()
	if assignee == "me" {
		u, _ := auth.FromContext(ctx)
		assignee = u.ID
	}
	s.list.mu.RLock()
	rows := make([]*reviewv1.JobSummary, 0, len(s.list.rows))
	for _, r := range s.list.rows {
		if req.GetStatus() != reviewv1.JobStatus_JOB_STATUS_UNSPECIFIED && r.Status != req.GetStatus() {
			continue
		}
		if assignee != "" && r.GetAssignee().GetUserId() != assignee {
			continue
		}
		rows = append(rows, r)
	}
	s.list.mu.RUnlock()
	slices.SortFunc(rows, func(a, b *reviewv1.JobSummary) int {
		if c := b.Updated.AsTime().Compare(a.Updated.AsTime()); c != 0 {
			return c
		}
		return strings.Compare(a.ArticleId, b.ArticleId)
	})
	if len(rows) > size {
		rows = rows[:size]
	}
	return &reviewv1.ListJobsResponse{Jobs: rows}, nil
}
