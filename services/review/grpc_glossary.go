package review

import (
	"bytes"
	"context"
	"slices"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/field"
	"github.com/tandemnews/tandem/pkg/rpc"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
	"github.com/tandemnews/tandem/services/review/glossary"
	"github.com/tandemnews/tandem/services/review/segment"
)

// termID is the subject token of a term: a hash of its key, since Chinese
// terms and spaces cannot be subject tokens.
func termID(t glossary.Term) string { return segment.Hash(t.Key()) }

func termViolations(t *reviewv1.Term, prefix string, v *rpc.Violations) {
	for _, p := range fromProto(t).Problems() {
		v.Add(prefix+p[0], "%s", p[1])
	}
}

// ListTerms implements ReviewService.
func (s *Service) ListTerms(ctx context.Context, _ *reviewv1.ListTermsRequest) (*reviewv1.ListTermsResponse, error) {
	return &reviewv1.ListTermsResponse{Terms: s.terms.list()}, nil
}

// PutTerm implements ReviewService.
func (s *Service) PutTerm(ctx context.Context, req *reviewv1.PutTermRequest) (*reviewv1.PutTermResponse, error) {
	var v rpc.Violations
	if req.GetTerm() == nil {
		v.Add("term", "is required")
		return nil, v.Err()
	}
	termViolations(req.Term, "term.", &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if n, known := s.terms.size(fromProto(req.Term).Key()); n >= glossary.MaxTerms && !known {
		return nil, rpc.InvalidField("term", "the glossary holds %d terms, its limit", glossary.MaxTerms)
	}
	t, err := s.putTerm(ctx, req.Term, req.GetExpectedRevision())
	if err != nil {
		return nil, rpc.Store(err, "glossary term "+req.Term.GetSource())
	}
	return &reviewv1.PutTermResponse{Term: t}, nil
}

// putTerm stores a term: with expected 0 it creates it (or replaces a
// deleted one), otherwise it replaces the term at that revision.
func (s *Service) putTerm(ctx context.Context, in *reviewv1.Term, expected uint64) (*reviewv1.Term, error) {
	u := auth.Actor(ctx)
	term := proto.Clone(in).(*reviewv1.Term)
	term.Revision = 0
	term.Changed = &articlev1.Change{Actor: u, Time: timestamppb.New(s.now())}
	write := func(cur *eventsv1.GlossaryEvent) (events.Change, error) {
		if expected == 0 && cur.Term.GetRevision() != 0 && !cur.Deleted {
			return events.Change{}, field.Invalid("term.source", "%q is in the glossary already; change it with its revision", in.Source)
		}
		cur.Deleted = false
		cur.Term = term
		return events.Change{Type: eventsv1.GlossaryTermChanged, Actor: u.GetUserId()}, nil
	}
	var e *eventsv1.GlossaryEvent
	var err error
	if expected == 0 {
		e, err = s.glossary.Upsert(ctx, termID(fromProto(in)), write)
	} else {
		e, err = s.glossary.Update(ctx, termID(fromProto(in)), expected, write)
	}
	if err != nil {
		return nil, err
	}
	s.terms.apply(e)
	return e.Term, nil
}

// DeleteTerm implements ReviewService.
func (s *Service) DeleteTerm(ctx context.Context, req *reviewv1.DeleteTermRequest) (*reviewv1.DeleteTermResponse, error) {
	key := glossary.Term{Source: req.GetSource(), Forbidden: req.GetForbidden(), Targets: []string{req.GetTarget()}}
	if req.GetSource() == "" && !req.GetForbidden() {
		return nil, rpc.InvalidField("source", "is required")
	}
	u := auth.Actor(ctx)
	e, err := s.glossary.Update(ctx, termID(key), 0, func(cur *eventsv1.GlossaryEvent) (events.Change, error) {
		if cur.Deleted {
			return events.Change{}, events.ErrNotFound
		}
		cur.Deleted = true
		cur.Term.Changed = &articlev1.Change{Actor: u, Time: timestamppb.New(s.now())}
		return events.Change{Type: eventsv1.GlossaryTermDeleted, Actor: u.GetUserId()}, nil
	})
	if err != nil {
		return nil, rpc.Store(err, "glossary term "+req.GetSource())
	}
	s.terms.apply(e)
	return &reviewv1.DeleteTermResponse{}, nil
}

func format(f reviewv1.GlossaryFormat) glossary.Format {
	if f == reviewv1.GlossaryFormat_GLOSSARY_FORMAT_CSV {
		return glossary.CSV
	}
	return glossary.TSV
}

// ImportGlossary implements ReviewService. The file is checked whole
// before any term is written.
func (s *Service) ImportGlossary(ctx context.Context, req *reviewv1.ImportGlossaryRequest) (*reviewv1.ImportGlossaryResponse, error) {
	terms, err := glossary.Import(bytes.NewReader(req.GetData()), format(req.GetFormat()))
	if err != nil {
		return nil, fileProblems("data", err)
	}
	known := map[string]*reviewv1.Term{}
	for _, t := range s.terms.list() {
		known[fromProto(t).Key()] = t
	}
	if n := len(known) + len(terms); n > glossary.MaxTerms {
		added := 0
		for _, t := range terms {
			if known[t.Key()] == nil {
				added++
			}
		}
		if len(known)+added > glossary.MaxTerms {
			return nil, rpc.InvalidField("data", "the glossary would hold %d terms; its limit is %d", len(known)+added, glossary.MaxTerms)
		}
	}
	var res reviewv1.ImportGlossaryResponse
	for _, t := range terms {
		p := toProto(t)
		cur := known[t.Key()]
		switch {
		case cur == nil:
			res.Added++
		case sameTerm(cur, p):
			res.Unchanged++
			continue
		default:
			res.Changed++
		}
		var rev uint64
		if cur != nil {
			rev = cur.Revision
		}
		if _, err := s.putTerm(ctx, p, rev); err != nil {
			return nil, rpc.Store(err, "glossary term "+t.Source)
		}
	}
	s.log.Info("glossary imported", "added", res.Added, "changed", res.Changed, "unchanged", res.Unchanged)
	return &res, nil
}

func sameTerm(a, b *reviewv1.Term) bool {
	return a.Source == b.Source && slices.Equal(a.Targets, b.Targets) && a.Note == b.Note && a.CaseSensitive == b.CaseSensitive && a.Forbidden == b.Forbidden && a.Name == b.Name
}

// ExportGlossary implements ReviewService.
func (s *Service) ExportGlossary(ctx context.Context, req *reviewv1.ExportGlossaryRequest) (*reviewv1.ExportGlossaryResponse, error) {
	var terms []glossary.Term
	for _, t := range s.terms.list() {
		terms = append(terms, fromProto(t))
	}
	var buf bytes.Buffer
	if err := glossary.Export(&buf, terms, format(req.GetFormat())); err != nil {
		return nil, err
	}
	return &reviewv1.ExportGlossaryResponse{Data: buf.Bytes()}, nil
}
