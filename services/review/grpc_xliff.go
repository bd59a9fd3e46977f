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
	var v rpc.Violations
	switch req.GetVersion() {
	case "", xliff.Version:
	case xliff.Version12:
		write = xliff.Write12
	default:
		v.Add("version", "%q is not an XLIFF version Tandem writes: %s or %s", req.GetVersion(), xliff.Version, xliff.Version12)
	}
	export := job.Export
	switch req.GetTargets() {
	case "", targetsJob:
	case targetsSource:
		export = job.ExportSourceTargets
		if req.GetVersion() != xliff.Version12 {
			v.Add("targets", "%q is for XLIFF %s (version %q)", targetsSource, xliff.Version12, xliff.Version12)
		}
	default:
		v.Add("targets", "%q is not what targets can hold: %q (the job's English) or %q (copies of the sources)", req.GetTargets(), targetsJob, targetsSource)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	j, err := s.get(ctx, req.GetArticleId())
	if err != nil {
		return nil, err
	}
	doc := export(j)
	var buf bytes.Buffer
	if err := write(&buf, doc); err != nil {
		return nil, err
	}
	res := &reviewv1.ExportXliffResponse{Xliff: buf.Bytes(), Revision: j.Revision}
	if req.GetTargets() == targetsSource {
		var tmx bytes.Buffer
		if err := xliff.WriteOmegaTTMX(&tmx, doc); err != nil {
			return nil, err
		}
		res.Tmx = tmx.Bytes()
	}
	return res, nil
}

// What the targets of an exported XLIFF 1.2 file hold: the job's English,
// or copies of the sources (for OmegaT, with the English in a TMX).
const (
	targetsJob    = "job"
	targetsSource = "source"
)

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
