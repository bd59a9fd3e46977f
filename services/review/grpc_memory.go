package review

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"unicode"

	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/rpc"
	"github.com/tandemnews/tandem/pkg/textdiff"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
	"github.com/tandemnews/tandem/services/review/job"
	"github.com/tandemnews/tandem/services/review/memory"
)

// memoryLocale is the source language of the memory's TMX files: the
// newsroom writes in Chinese.
const memoryLocale = "zh-CN"

// SearchMemory implements ReviewService.
func (s *Service) SearchMemory(ctx context.Context, req *reviewv1.SearchMemoryRequest) (*reviewv1.SearchMemoryResponse, error) {
	var v rpc.Violations
	job.CheckText(&v.Violations, "text", req.GetText(), job.MaxTargetRunes, "is required")
	minScore, limit := int(req.GetMinScore()), int(req.GetLimit())
	if minScore == 0 {
		minScore = suggestionMin
	}
	if minScore < 50 || minScore > 100 {
		v.Add("min_score", "must be between 50 and 100")
	}
	if limit == 0 {
		limit = 10
	}
	if limit < 0 || limit > 100 {
		v.Add("limit", "must be between 1 and 100")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	res := &reviewv1.SearchMemoryResponse{Size: int32(s.tm.mem.Len())}
	// Chinese is looked up among the sources; English (any text without
	// Chinese characters) among the translations.
	search, lang := s.tm.mem.Fuzzy, ""
	if !hasHan(req.GetText()) {
		search, lang = s.tm.mem.FuzzyTarget, job.TargetLocale
	}
	for _, m := range search(req.GetText(), minScore, limit) {
		if m.OnTarget {
			res.Matches = append(res.Matches, &reviewv1.MemoryMatch{Unit: unitOf(m.Entry), Score: int32(m.Score), Diff: textdiff.Spans(m.Target, req.GetText(), lang)})
			continue
		}
		res.Matches = append(res.Matches, matchOf(m, req.GetText(), m.SourceLang))
	}
	return res, nil
}

func hasHan(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
}

// ImportMemory implements ReviewService. The file is read whole before
// anything is written; it is then written in batches, and a retry after a
// failure adds only what is missing (the memory holds each pair once).
func (s *Service) ImportMemory(ctx context.Context, req *reviewv1.ImportMemoryRequest) (*reviewv1.ImportMemoryResponse, error) {
	entries, skipped, err := memory.ImportTMX(bytes.NewReader(req.GetTmx()), memoryLocale, job.TargetLocale)
	if err != nil {
		return nil, fileProblems("tmx", err)
	}
	res := &reviewv1.ImportMemoryResponse{Skipped: int32(skipped)}
	var units []*reviewv1.MemoryUnit
	seen := map[[2]string]bool{}
	for _, e := range entries {
		key := [2]string{memory.Normalize(e.Source), memory.Normalize(e.Target)}
		if seen[key] || containsPair(s.tm.mem.Exact(e.Source), e.Target) {
			res.Duplicates++
			continue
		}
		seen[key] = true
		e.SourceLang, e.TargetLang = memoryLocale, job.TargetLocale
		units = append(units, unitOf(e))
	}
	actor := auth.Actor(ctx).GetUserId()
	importID := events.NewID()
	for i, b := range batch(units) {
		if err := s.writeBatch(ctx, fmt.Sprintf("tmx-%s-%d", importID, i+1), b, "tmx", actor); err != nil {
			return nil, rpc.Store(err, "translation memory")
		}
		res.Added += int32(len(b))
	}
	s.log.Info("translation memory imported", "added", res.Added, "duplicates", res.Duplicates, "skipped", res.Skipped, "actor", actor)
	return res, nil
}

func containsPair(es []memory.Entry, target string) bool {
	for _, e := range es {
		if e.Target == memory.Normalize(target) {
			return true
		}
	}
	return false
}

// ExportMemory implements ReviewService.
func (s *Service) ExportMemory(ctx context.Context, _ *reviewv1.ExportMemoryRequest) (*reviewv1.ExportMemoryResponse, error) {
	var buf bytes.Buffer
	if err := memory.ExportTMX(&buf, s.tm.mem.All(), memoryLocale); err != nil {
		return nil, err
	}
	return &reviewv1.ExportMemoryResponse{Tmx: buf.Bytes()}, nil
}
