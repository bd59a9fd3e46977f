package review

import (
	"bytes"
	"context"
	"errors"

	"github.com/tandemnews/tandem/pkg/rpc"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
	"github.com/tandemnews/tandem/services/review/job"
	"github.com/tandemnews/tandem/services/review/xliff"
)

// ExportXliff implements ReviewService.
func (s *Service) ExportXliff(ctx context.Context, req *reviewv1.ExportXliffRequest) (*reviewv1.ExportXliffResponse, error) {
	write := xliff.Write
	switch req.GetVersion() {
	case "", xliff.Version:
	case xliff.Version12:
		write = xliff.Write12
	default:
		var v rpc.Violations
		v.Add("version", "%q is not an XLIFF version Tandem writes: %s or %s", req.GetVersion(), xliff.Version, xliff.Version12)
		return nil, v.Err()
	}
	j, err := s.get(ctx, req.GetArticleId())
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := write(&buf, job.Export(j)); err != nil {
		return nil, err
	}
	return &reviewv1.ExportXliffResponse{Xliff: buf.Bytes(), Revision: j.Revision}, nil
}

// ImportXliff implements ReviewService; job.Import says what it applies.
func (s *Service) ImportXliff(ctx context.Context, req *reviewv1.ImportXliffRequest) (*reviewv1.ImportXliffResponse, error) {
	if err := needArticle(req.GetArticleId(), 0, false).Err(); err != nil {
		return nil, err
	}
	doc, err := xliff.Read(bytes.NewReader(req.GetXliff()))
	if err != nil {
		var v rpc.Violations
		var re *xliff.ReadError
		if errors.As(err, &re) {
			for _, p := range re.Problems {
				v.Add("xliff", "%s: %s", p.Path, p.Message)
			}
		} else {
			v.Add("xliff", "%s", err.Error())
		}
		return nil, v.Err()
	}
	var v rpc.Violations
	job.CheckFile(&v.Violations, doc, req.GetArticleId())
	if err := v.Err(); err != nil {
		return nil, err
	}
	by, checks := s.by(ctx), s.checks()
	var res job.Imported
	j, err := s.update(ctx, req.GetArticleId(), 0, func(j *reviewv1.Job) (typ string, err error) {
		typ, res, err = job.Import(j, doc, by, checks)
		return typ, err
	})
	if err != nil {
		return nil, err
	}
	s.log.Info("xliff imported", "article", j.ArticleId, "revision", j.Revision, "applied", res.Applied, "conflicts", len(res.Conflicts))
	return &reviewv1.ImportXliffResponse{Job: j, Applied: res.Applied, Conflicts: res.Conflicts}, nil
}
