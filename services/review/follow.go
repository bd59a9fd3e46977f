package review

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/textdiff"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
	"github.com/tandemnews/tandem/services/review/glossary"
	"github.com/tandemnews/tandem/services/review/job"
	"github.com/tandemnews/tandem/services/review/memory"
	"github.com/tandemnews/tandem/services/review/qa"
)

// Memory batches are written in parts of at most this many units and
// bytes, well under the stream's message size.
const (
	batchUnits = 500
	batchBytes = 512 << 10
)

// views are this replica's projections of the glossary, the memory and
// the jobs, rebuilt from the stream at start.
func (s *Service) views() []events.View {
	ed := s.bus.Editorial
	return []events.View{
		{Stream: ed, Filter: ed.Wildcard(eventsv1.KindGlossary), Apply: func(ev *events.Event) {
			e, err := s.glossary.State(ev)
			if err != nil {
				s.log.Error("glossary event skipped", "event_id", ev.ID, "err", err)
				return
			}
			s.terms.apply(e)
		}},
		{Stream: ed, Filter: ed.Wildcard(eventsv1.KindMemory), Apply: func(ev *events.Event) {
			e, err := s.memory.State(ev)
			if err != nil {
				s.log.Error("memory event skipped", "event_id", ev.ID, "err", err)
				return
			}
			s.tm.addAll(e.Units)
		}},
		{Stream: ed, Filter: ed.Wildcard(eventsv1.KindReviews), Apply: func(ev *events.Event) {
			j, err := s.jobs.State(ev)
			if err != nil || j.ArticleId == "" {
				s.list.remove(ev.Subject)
				return
			}
			s.list.put(j)
		}},
	}
}

// HandleDraftEvent opens a job when a draft is submitted, refreshes it when
// the draft is resubmitted, and erases it when the article is purged. It is
// idempotent on article id and source revision: a redelivered or replayed
// event changes nothing.
func (s *Service) HandleDraftEvent(ctx context.Context, ev *events.Event) error {
	if ev.Type == eventsv1.DraftPurged {
		// Legal removal: the translation goes with the article.
		if err := s.jobs.Purge(ctx, ev.Subject, 0); err != nil {
			return err
		}
		s.list.remove(ev.Subject)
		if err := s.purgeMemory(ctx, ev.Subject); err != nil {
			return err
		}
		s.log.Warn("translation purged with its article", "article", ev.Subject, "event_id", ev.ID)
		return nil
	}
	if ev.Type != eventsv1.DraftSubmitted {
		return nil
	}
	de, ok := ev.Data.(*eventsv1.DraftEvent)
	if !ok || de.Draft.GetArticle() == nil {
		return events.Permanent(fmt.Errorf("%s carries %T", ev.Type, ev.Data))
	}
	next := job.Open(de.Draft, ev.Actor, ev.Time)
	if next == nil {
		return nil // nothing to translate
	}
	checks := s.checks()
	var typ string
	j, err := s.jobs.Upsert(ctx, next.ArticleId, func(cur *reviewv1.Job) (events.Change, error) {
		typ = job.Supersede(cur, next, checks)
		if !job.Fit(cur, s.jobs.Size, s.bus.Editorial.MaxEventBytes()) {
			return events.Change{}, events.Permanent(fmt.Errorf("the job of %s is %d bytes without memory suggestions, more than an event may hold (%d)", next.ArticleId, s.jobs.Size(cur), s.bus.Editorial.MaxEventBytes()))
		}
		// One id per article and source revision: a second attempt is a
		// duplicate the server drops.
		return events.Change{Type: typ, Actor: ev.Actor, ID: fmt.Sprintf("review-open-%s-%d", next.ArticleId, next.SourceRevision)}, nil
	})
	if err != nil {
		return err
	}
	s.list.put(j)
	s.log.Info("translation job opened", "article", next.ArticleId, "source_revision", next.SourceRevision,
		"reopened", typ == eventsv1.TranslationReopened, "minor", next.Minor, "event_id", ev.ID)
	return nil
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
	for i, units := range batch(job.Pairs(j)) {
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

// writeBatch writes one batch of memory units once, under id, and adds
// them to this replica's memory.
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
	s.tm.addAll(e.Units)
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

// termIndex is this replica's view of the glossary, kept by following
// editorial.glossary.*, with the compiled glossary the checks use.
type termIndex struct {
	mu       sync.RWMutex
	terms    map[string]*reviewv1.Term // by key
	compiled *glossary.Glossary
}

func newTermIndex() *termIndex {
	return &termIndex{terms: map[string]*reviewv1.Term{}, compiled: glossary.New(nil)}
}

func fromProto(t *reviewv1.Term) glossary.Term {
	return glossary.Term{Source: t.GetSource(), Targets: t.GetTargets(), Note: t.GetNote(), CaseSensitive: t.GetCaseSensitive(), Forbidden: t.GetForbidden(), Name: glossary.NameKind(t.GetName())}
}

func toProto(t glossary.Term) *reviewv1.Term {
	return &reviewv1.Term{Source: t.Source, Targets: t.Targets, Note: t.Note, CaseSensitive: t.CaseSensitive, Forbidden: t.Forbidden, Name: reviewv1.NameKind(t.Name)}
}

// apply records a term event; it is called for events in stream order and
// for this replica's own writes, so an older event never replaces a newer
// term.
func (x *termIndex) apply(e *eventsv1.GlossaryEvent) {
	key := fromProto(e.Term).Key()
	x.mu.Lock()
	defer x.mu.Unlock()
	if cur, ok := x.terms[key]; ok && cur.Revision > e.Term.Revision {
		return
	}
	if e.Deleted {
		delete(x.terms, key)
	} else {
		x.terms[key] = e.Term
	}
	list := make([]glossary.Term, 0, len(x.terms))
	for _, t := range x.sortedLocked() {
		list = append(list, fromProto(t))
	}
	x.compiled = glossary.New(list)
}

func (x *termIndex) sortedLocked() []*reviewv1.Term {
	out := make([]*reviewv1.Term, 0, len(x.terms))
	for _, t := range x.terms {
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b *reviewv1.Term) int {
		if c := strings.Compare(a.Source, b.Source); c != 0 {
			return c
		}
		return strings.Compare(strings.Join(a.Targets, "|"), strings.Join(b.Targets, "|"))
	})
	return out
}

func (x *termIndex) list() []*reviewv1.Term {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.sortedLocked()
}

// size is the number of terms, and whether key is one of them.
func (x *termIndex) size(key string) (int, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	_, ok := x.terms[key]
	return len(x.terms), ok
}

func (x *termIndex) glossary() *glossary.Glossary {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.compiled
}

// Near matches: the lowest fuzzy score offered as a suggestion, and how
// many are offered.
const (
	suggestionMin = 75
	suggestions   = 3
)

// tm is this replica's translation memory, kept by following
// editorial.memory.*, with the length ratios of its pairs. It is the
// memory a job is filled and checked from.
type tm struct {
	mem   *memory.Memory
	mu    sync.RWMutex
	ratio qa.Ratio
}

var _ job.Memory = (*tm)(nil)

func newTM() *tm { return &tm{mem: memory.New()} }

func (t *tm) addAll(units []*reviewv1.MemoryUnit) {
	for _, u := range units {
		t.add(u)
	}
}

func (t *tm) add(u *reviewv1.MemoryUnit) {
	added := t.mem.Add(memory.Entry{
		Source: u.Source, Target: u.Target, SourceLang: u.SourceLocale, TargetLang: u.TargetLocale,
		Article: u.ArticleId, Translator: u.Translator, Date: u.GetTime().AsTime(),
	})
	if !added {
		return
	}
	if x, ok := qa.RatioOf(u.Source, u.Target); ok {
		t.mu.Lock()
		t.ratio.Add(x)
		t.mu.Unlock()
	}
}

func (t *tm) lengthRatio() qa.Ratio {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.ratio
}

// Targets returns the memory's translations of exactly source.
func (t *tm) Targets(source string) []string {
	var out []string
	for _, e := range t.mem.Exact(source) {
		out = append(out, e.Target)
	}
	return out
}

// Suggest returns the best few matches of source scoring 75 or more.
func (t *tm) Suggest(source, lang string) []*reviewv1.MemoryMatch {
	var out []*reviewv1.MemoryMatch
	for _, m := range t.mem.Fuzzy(source, suggestionMin, suggestions) {
		out = append(out, matchOf(m, source, lang))
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

// matchOf is m with a diff from its source to source, in lang.
func matchOf(m memory.Match, source, lang string) *reviewv1.MemoryMatch {
	return &reviewv1.MemoryMatch{Unit: unitOf(m.Entry), Score: int32(m.Score), Diff: textdiff.Spans(m.Source, source, lang)}
}

// jobList is this replica's list of jobs, kept by following
// editorial.reviews.*.
type jobList struct {
	mu   sync.RWMutex
	rows map[string]*reviewv1.JobSummary
}

func newJobList() *jobList { return &jobList{rows: map[string]*reviewv1.JobSummary{}} }

// put records a job state unless the list holds a newer one.
func (l *jobList) put(j *reviewv1.Job) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if cur, ok := l.rows[j.ArticleId]; ok && cur.Revision > j.Revision {
		return
	}
	l.rows[j.ArticleId] = job.Summarize(j)
}

func (l *jobList) remove(id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.rows, id)
}

// find lists at most size jobs, the last changed first, with status
// (any when unspecified) and assignee (anyone when empty).
func (l *jobList) find(status reviewv1.JobStatus, assignee string, size int) []*reviewv1.JobSummary {
	l.mu.RLock()
	rows := make([]*reviewv1.JobSummary, 0, len(l.rows))
	for _, r := range l.rows {
		if status != reviewv1.JobStatus_JOB_STATUS_UNSPECIFIED && r.Status != status {
			continue
		}
		if assignee != "" && r.GetAssignee().GetUserId() != assignee {
			continue
		}
		rows = append(rows, r)
	}
	l.mu.RUnlock()
	slices.SortFunc(rows, func(a, b *reviewv1.JobSummary) int {
		if c := b.Updated.AsTime().Compare(a.Updated.AsTime()); c != 0 {
			return c
		}
		return strings.Compare(a.ArticleId, b.ArticleId)
	})
	if len(rows) > size {
		rows = rows[:size]
	}
	return rows
}
