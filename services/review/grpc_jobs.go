package review

import (
	"context"
	"strings"

	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/metrics"
	"github.com/tandemnews/tandem/pkg/rpc"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
	"github.com/tandemnews/tandem/services/review/job"
)

// GetJob implements ReviewService.
func (s *Service) GetJob(ctx context.Context, req *reviewv1.GetJobRequest) (*reviewv1.GetJobResponse, error) {
	j, err := s.get(ctx, req.GetArticleId())
	if err != nil {
		return nil, err
	}
	return &reviewv1.GetJobResponse{Job: j}, nil
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
		assignee = auth.Actor(ctx).GetUserId()
	}
	return &reviewv1.ListJobsResponse{Jobs: s.list.find(req.GetStatus(), assignee, size)}, nil
}

// ClaimJob implements ReviewService.
func (s *Service) ClaimJob(ctx context.Context, req *reviewv1.ClaimJobRequest) (*reviewv1.ClaimJobResponse, error) {
	j, err := s.edit(ctx, req, nil, func(j *reviewv1.Job, by job.By, _ job.Checks) (string, error) { return job.Claim(j, by) })
	if err != nil {
		return nil, err
	}
	return &reviewv1.ClaimJobResponse{Job: j}, nil
}

// UnclaimJob implements ReviewService.
func (s *Service) UnclaimJob(ctx context.Context, req *reviewv1.UnclaimJobRequest) (*reviewv1.UnclaimJobResponse, error) {
	j, err := s.edit(ctx, req, nil, func(j *reviewv1.Job, by job.By, _ job.Checks) (string, error) { return job.Unclaim(j, by) })
	if err != nil {
		return nil, err
	}
	return &reviewv1.UnclaimJobResponse{Job: j}, nil
}

// AssignJob implements ReviewService.
func (s *Service) AssignJob(ctx context.Context, req *reviewv1.AssignJobRequest) (*reviewv1.AssignJobResponse, error) {
	a := job.Assignment{Assignee: req.GetAssignee(), Name: req.GetAssigneeName()}
	j, err := s.edit(ctx, req, a, func(j *reviewv1.Job, _ job.By, _ job.Checks) (string, error) { return job.Assign(j, a) })
	if err != nil {
		return nil, err
	}
	return &reviewv1.AssignJobResponse{Job: j}, nil
}

// UpdateSegment implements ReviewService. It answers with the segment's
// findings after the save, and counts them.
func (s *Service) UpdateSegment(ctx context.Context, req *reviewv1.UpdateSegmentRequest) (*reviewv1.UpdateSegmentResponse, error) {
	e := job.Edit{Segment: req.GetSegmentId(), Target: req.GetTarget(), State: req.GetState()}
	j, err := s.edit(ctx, req, e, func(j *reviewv1.Job, by job.By, c job.Checks) (string, error) { return job.Save(j, e, by, c) })
	if err != nil {
		return nil, err
	}
	findings := job.Find(j, e.Segment).GetFindings()
	for _, f := range findings {
		metrics.Findings.WithLabelValues(f.Check, strings.ToLower(strings.TrimPrefix(f.Severity.String(), "SEVERITY_"))).Inc()
	}
	return &reviewv1.UpdateSegmentResponse{Job: j, Findings: findings}, nil
}

// CommentSegment implements ReviewService.
func (s *Service) CommentSegment(ctx context.Context, req *reviewv1.CommentSegmentRequest) (*reviewv1.CommentSegmentResponse, error) {
	n := job.Note{Segment: req.GetSegmentId(), Text: req.GetText()}
	j, err := s.edit(ctx, req, n, func(j *reviewv1.Job, by job.By, _ job.Checks) (string, error) { return job.Comment(j, n, by) })
	if err != nil {
		return nil, err
	}
	return &reviewv1.CommentSegmentResponse{Job: j}, nil
}

// DismissFinding implements ReviewService.
func (s *Service) DismissFinding(ctx context.Context, req *reviewv1.DismissFindingRequest) (*reviewv1.DismissFindingResponse, error) {
	d := job.Dismissal{Segment: req.GetSegmentId(), Check: req.GetCheck(), Reason: req.GetReason()}
	j, err := s.edit(ctx, req, d, func(j *reviewv1.Job, by job.By, c job.Checks) (string, error) { return job.Dismiss(j, d, by, c) })
	if err != nil {
		return nil, err
	}
	return &reviewv1.DismissFindingResponse{Job: j}, nil
}

// CheckJob implements ReviewService. It runs the checks with this
// replica's glossary and memory; nothing is written.
func (s *Service) CheckJob(ctx context.Context, req *reviewv1.CheckJobRequest) (*reviewv1.CheckJobResponse, error) {
	j, err := s.get(ctx, req.GetArticleId())
	if err != nil {
		return nil, err
	}
	job.Check(j, s.checks())
	res := &reviewv1.CheckJobResponse{Revision: j.Revision}
	res.Segments, res.Errors, res.Warnings = job.Findings(j)
	return res, nil
}

// RequestChanges implements ReviewService.
func (s *Service) RequestChanges(ctx context.Context, req *reviewv1.RequestChangesRequest) (*reviewv1.RequestChangesResponse, error) {
	r := job.ChangeRequest{Comment: req.GetComment()}
	j, err := s.edit(ctx, req, r, func(j *reviewv1.Job, by job.By, _ job.Checks) (string, error) { return job.RequestChanges(j, r, by) })
	if err != nil {
		return nil, err
	}
	s.log.Info("translation sent back", "article", j.ArticleId, "revision", j.Revision, "actor", j.ChangesRequested.GetBy().GetActor().GetUserId())
	return &reviewv1.RequestChangesResponse{Job: j}, nil
}

// ApproveJob implements ReviewService; job.Approve says when an approval
// is refused.
func (s *Service) ApproveJob(ctx context.Context, req *reviewv1.ApproveJobRequest) (*reviewv1.ApproveJobResponse, error) {
	a := job.Approval{OverrideReason: req.GetOverrideReason()}
	j, err := s.edit(ctx, req, a, func(j *reviewv1.Job, by job.By, c job.Checks) (string, error) { return job.Approve(j, a, by, c) })
	if err != nil {
		return nil, err
	}
	s.log.Info("translation approved", "article", j.ArticleId, "revision", j.Revision, "source_revision", j.SourceRevision,
		"actor", j.GetApproved().GetActor().GetUserId(), "overridden", len(j.Overridden))
	return &reviewv1.ApproveJobResponse{Job: j}, nil
}
