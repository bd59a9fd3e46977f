package review

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/rpc"
	"github.com/tandemnews/tandem/pkg/textdiff"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
	"github.com/tandemnews/tandem/services/review/memory"
	"github.com/tandemnews/tandem/services/review/qa"
)

// Memory batches are written in parts of at most this many units and
// bytes, well under the stream's message size.
const (
	batchUnits = 500
	batchBytes = 512 << 10
	// suggestionMin is the lowest fuzzy score offered as a suggestion.
	suggestionMin = 75
	suggestions   = 3
)

// tm is this replica's translation memory, kept by following
// editorial.memory.*, with the length ratios of its pairs.
type tm struct {
	mem   *memory.Memory
	mu    sync.RWMutex
	ratio qa.Ratio
}

func newTM() *tm { return &tm{mem: memory.New()} }

func (t *tm) add(u *reviewv1.MemoryUnit) bool {
	added := t.mem.Add(memory.Entry{
		Source: u.Source, Target: u.Target, SourceLang: u.SourceLocale, TargetLang: u.TargetLocale,
		Article: u.ArticleId, Translator: u.Translator, Date: u.GetTime().AsTime(),
	})
	if added {
		if x, ok := qa.RatioOf(u.Source, u.Target); ok {
			t.mu.Lock()
			t.ratio.Add(x)
			t.mu.Unlock()
		}
	}
	return added
}

func (t *tm) lengthRatio() qa.Ratio {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.ratio
}

// targets returns the memory's translations of exactly source, for the
// consistency check.
func (t *tm) targets(source string) []string {
	var out []string
	for _, e := range t.mem.Exact(source) {
		out = append(out, e.Target)
	}
	return out
}

func unitOf(e memory.Entry) *reviewv1.MemoryUnit {
	u := &reviewv1.MemoryUnit{Source: e.Source, Target: e.Target, SourceLocale: e.SourceLang, TargetLocale: e.TargetLang, ArticleId: e.Article, Translator: e.Translator}
	if !e.Date.IsZero() {
		u.Time = timestamppb.New(e.Date)
	}
	return u
}

func (s *Service) matchOf(m memory.Match, source, lang string) *reviewv1.MemoryMatch {
	return &reviewv1.MemoryMatch{Unit: unitOf(m.Entry), Score: int32(m.Score), Diff: textdiff.Spans(m.Source, source, lang)}
}

// prefill fills the segments of a new job that have no English: an exact
// memory match fills the target (state translated, origin memory); fuzzy
// matches of 75 or more are only offered as suggestions, with a diff from
// their source to the segment's.
func (s *Service) prefill(j *reviewv1.Job) {
	eachSegment(j, func(_ *reviewv1.Unit, seg *reviewv1.Segment) {
		if seg.Target != "" {
			return
		}
		if ex := s.tm.mem.Exact(seg.Source); len(ex) > 0 {
			seg.Target = ex[0].Target
			seg.State = reviewv1.SegmentState_SEGMENT_STATE_TRANSLATED
			seg.Origin = reviewv1.TargetOrigin_TARGET_ORIGIN_MEMORY
			return
		}
		seg.Suggestions = nil
		for _, m := range s.tm.mem.Fuzzy(seg.Source, suggestionMin, suggestions) {
			seg.Suggestions = append(seg.Suggestions, s.matchOf(m, seg.Source, j.SourceLocale))
		}
	})
}

// approvedUnits are the segment pairs of an approved job.
func approvedUnits(j *reviewv1.Job) []*reviewv1.MemoryUnit {
	var out []*reviewv1.MemoryUnit
	eachSegment(j, func(_ *reviewv1.Unit, seg *reviewv1.Segment) {
		if seg.Target == "" {
			return
		}
		out = append(out, &reviewv1.MemoryUnit{
			Source: seg.Source, Target: seg.Target, SourceLocale: j.SourceLocale, TargetLocale: j.TargetLocale,
			ArticleId: j.ArticleId, Translator: j.GetApproved().GetActor().GetUserId(), Time: j.GetApproved().GetTime(),
		})
	})
	return out
}

// HandleReviewEvent puts the pairs of an approved job into the memory, as
// batches on editorial.memory.approval-<article>-<source revision>-<n>.
// Written once: a redelivered approval changes nothing.
func (s *Service) HandleReviewEvent(ctx context.Context, ev *events.Event) error {
	if ev.Type != eventsv1.TranslationApproved {
		return nil
	}
	j, err := s.jobs.State(ev)
	if err != nil {
		return events.Permanent(err)
	}
	batches := batch(approvedUnits(j))
	for i, units := range batches {
		id := fmt.Sprintf("approval-%s-%d-%d", j.ArticleId, j.SourceRevision, i+1)
		if err := s.writeBatch(ctx, id, units, "approval", ev.Actor); err != nil {
			return err
		}
	}
	s.log.Info("approved translation added to memory", "article", j.ArticleId, "source_revision", j.SourceRevision, "event_id", ev.ID)
	return nil
}

// purgeMemory erases the memory batches approved in an article (legal
// removal) from the stream and from this replica's memory.
func (s *Service) purgeMemory(ctx context.Context, article string) error {
	subjects, err := s.bus.Editorial.Subjects(ctx, s.bus.Editorial.Wildcard(eventsv1.KindMemory))
	if err != nil {
		return err
	}
	prefix := "approval-" + article + "-"
	for _, subj := range subjects {
		if strings.HasPrefix(subj[strings.LastIndexByte(subj, '.')+1:], prefix) {
			if err := s.bus.Editorial.Purge(ctx, subj, 0); err != nil {
				return err
			}
		}
	}
	s.tm.mem.RemoveArticle(article)
	return nil
}

func (s *Service) writeBatch(ctx context.Context, id string, units []*reviewv1.MemoryUnit, origin, actor string) error {
	e, err := s.memory.Upsert(ctx, id, func(cur *eventsv1.MemoryEvent) (events.Change, error) {
		if len(cur.Units) > 0 {
			return events.Change{}, nil // written before
		}
		cur.Units, cur.Origin = units, origin
		return events.Change{Type: eventsv1.MemoryAdded, Actor: actor, ID: "memory-" + id}, nil
	})
	if err != nil {
		return err
	}
	for _, u := range e.Units {
		s.tm.add(u)
	}
	return nil
}

// batch cuts units into parts of at most batchUnits units and about
// batchBytes bytes.
func batch(units []*reviewv1.MemoryUnit) [][]*reviewv1.MemoryUnit {
	var out [][]*reviewv1.MemoryUnit
	var cur []*reviewv1.MemoryUnit
	size := 0
	for _, u := range units {
		n := proto.Size(u)
		if len(cur) > 0 && (len(cur) >= batchUnits || size+n > batchBytes) {
			out = append(out, cur)
			cur, size = nil, 0
		}
		cur = append(cur, u)
		size += n
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

func (s *Service) followMemory(ctx context.Context, ready chan<- struct{}) error {
	return s.bus.Editorial.Follow(ctx, s.bus.Editorial.Wildcard(eventsv1.KindMemory), func(ev *events.Event) {
		e, err := s.memory.State(ev)
		if err != nil {
			s.log.Error("memory event skipped", "event_id", ev.ID, "err", err)
			return
		}
		for _, u := range e.Units {
			s.tm.add(u)
		}
	}, ready)
}

// SearchMemory implements ReviewService.
func (s *Service) SearchMemory(ctx context.Context, req *reviewv1.SearchMemoryRequest) (*reviewv1.SearchMemoryResponse, error) {
	var v rpc.Violations
	switch n := utf8.RuneCountInString(req.GetText()); {
	case n == 0:
		v.Add("text", "is required")
	case n > MaxTargetRunes:
		v.Add("text", "is %d characters; at most %d", n, MaxTargetRunes)
	}
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
	for _, m := range s.tm.mem.Fuzzy(req.GetText(), minScore, limit) {
		res.Matches = append(res.Matches, s.matchOf(m, req.GetText(), m.SourceLang))
	}
	return res, nil
}

// ImportMemory implements ReviewService. The file is read whole before
// anything is written; it is then written in batches, and a retry after a
// failure adds only what is missing (the memory holds each pair once).
func (s *Service) ImportMemory(ctx context.Context, req *reviewv1.ImportMemoryRequest) (*reviewv1.ImportMemoryResponse, error) {
	entries, skipped, err := memory.ImportTMX(bytes.NewReader(req.GetTmx()), "zh-CN", TargetLocale)
	if err != nil {
		var v rpc.Violations
		for _, e := range flatten(err) {
			v.Add("tmx", "%s", e.Error())
		}
		return nil, v.Err()
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
		e.SourceLang, e.TargetLang = "zh-CN", TargetLocale
		units = append(units, unitOf(e))
	}
	who, _ := authUser(ctx)
	importID := events.NewID()
	for i, b := range batch(units) {
		if err := s.writeBatch(ctx, fmt.Sprintf("tmx-%s-%d", importID, i+1), b, "tmx", who.GetUserId()); err != nil {
			return nil, rpc.Store(err, "translation memory")
		}
		res.Added += int32(len(b))
	}
	s.log.Info("translation memory imported", "added", res.Added, "duplicates", res.Duplicates, "skipped", res.Skipped, "actor", who.GetUserId())
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
	if err := memory.ExportTMX(&buf, s.tm.mem.All(), "zh-CN"); err != nil {
		return nil, err
	}
	return &reviewv1.ExportMemoryResponse{Tmx: buf.Bytes()}, nil
}
