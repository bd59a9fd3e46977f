// Package catalog is the list of articles editors browse: one row per
// article, made of the last draft, translation job and publication seen,
// with the filters and pages of ListDrafts. It lives in memory; the
// service feeds it from the streams and from its own writes.
package catalog

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
	"github.com/tandemnews/tandem/services/drafting/draft"
)

// Status is where an article is, from the last draft, job and publication
// events. A job or approval only counts for the revision that was
// submitted; an article edited since is a draft again until resubmitted.
// A published article shows the work on a newer revision, if there is
// some; its public locales are in the summary either way.
func Status(d *draftingv1.Draft, j *reviewv1.Job, p *eventsv1.Publication) draftingv1.ArticleStatus {
	switch {
	case d.GetStatus() == draftingv1.DraftStatus_DRAFT_STATUS_WITHDRAWN:
		return draftingv1.ArticleStatus_ARTICLE_STATUS_WITHDRAWN
	case current(d, j, p):
		return draftingv1.ArticleStatus_ARTICLE_STATUS_PUBLISHED
	case d.GetStatus() != draftingv1.DraftStatus_DRAFT_STATUS_SUBMITTED:
		return draftingv1.ArticleStatus_ARTICLE_STATUS_DRAFT
	case j == nil || j.GetSourceRevision() != d.GetSubmittedRevision():
		return draftingv1.ArticleStatus_ARTICLE_STATUS_SUBMITTED
	}
	switch j.GetStatus() {
	case reviewv1.JobStatus_JOB_STATUS_APPROVED:
		return draftingv1.ArticleStatus_ARTICLE_STATUS_APPROVED
	case reviewv1.JobStatus_JOB_STATUS_CHANGES_REQUESTED:
		return draftingv1.ArticleStatus_ARTICLE_STATUS_CHANGES_REQUESTED
	}
	return draftingv1.ArticleStatus_ARTICLE_STATUS_IN_REVIEW
}

// current reports whether a public locale is made from the submitted
// revision, and the draft is not edited since: the source locale's page
// records the draft revision, a target's the revision of the job, which
// must be the job of the submitted revision.
func current(d *draftingv1.Draft, j *reviewv1.Job, p *eventsv1.Publication) bool {
	if d.GetStatus() != draftingv1.DraftStatus_DRAFT_STATUS_SUBMITTED {
		return false
	}
	for l, pl := range p.GetLocales() {
		if l == d.GetArticle().GetSourceLocale() {
			if pl.GetSourceRevision() >= d.GetSubmittedRevision() {
				return true
			}
		} else if j.GetSourceRevision() == d.GetSubmittedRevision() && pl.GetSourceRevision() >= j.GetRevision() {
			return true
		}
	}
	return false
}

// Catalog is the list of articles. Each replica of the service keeps its
// own. The zero value is not ready to use; call New.
type Catalog struct {
	mu    sync.RWMutex
	items map[string]*row
	// order holds the key of every article with a draft, oldest change
	// first, so that a page of the list is a binary search and a walk
	// rather than a sort of every article. Oldest first puts the usual
	// change, to a recent article, near the end of the slice, where
	// moving its key costs little.
	order    []Key
	watchers map[chan string]struct{} // see Watch
}

type row struct {
	draft *draftingv1.Draft
	job   *reviewv1.Job
	pub   *eventsv1.Publication
	sched *eventsv1.Schedules
}

// New returns an empty catalog.
func New() *Catalog { return &Catalog{items: map[string]*row{}} }

func (c *Catalog) row(id string) *row {
	r := c.items[id]
	if r == nil {
		r = &row{}
		c.items[id] = r
	}
	return r
}

// put changes the row of article id.
func (c *Catalog) put(id string, set func(*row)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	set(c.row(id))
	c.notify(id)
}

// PutDraft records a draft's state. Each put keeps the newer state only,
// so events replayed or applied twice (by the follower and by the write
// that made them) change nothing.
func (c *Catalog) PutDraft(d *draftingv1.Draft) {
	id := d.GetArticle().GetId()
	c.put(id, func(r *row) {
		if r.draft == nil || d.Revision > r.draft.Revision {
			if r.draft != nil {
				c.unorder(keyOfDraft(id, r.draft))
			}
			r.draft = d
			c.reorder(keyOfDraft(id, d))
		}
	})
}

// keyOfDraft is the place of article id in the list, by its draft.
func keyOfDraft(id string, d *draftingv1.Draft) Key {
	return Key{d.GetUpdated().GetTime().AsTime(), id}
}

// compareKeys orders keys oldest first, the order of c.order: the
// reverse of the list's.
func compareKeys(a, b Key) int {
	switch {
	case b.before(a):
		return -1
	case a.before(b):
		return 1
	}
	return 0
}

// reorder puts k into c.order; c.mu is held.
func (c *Catalog) reorder(k Key) {
	i, found := slices.BinarySearchFunc(c.order, k, compareKeys)
	if !found {
		c.order = slices.Insert(c.order, i, k)
	}
}

// unorder takes k out of c.order; c.mu is held.
func (c *Catalog) unorder(k Key) {
	if i, found := slices.BinarySearchFunc(c.order, k, compareKeys); found {
		c.order = slices.Delete(c.order, i, i+1)
	}
}

// PutJob records the state of an article's translation job, newer only.
func (c *Catalog) PutJob(j *reviewv1.Job) {
	c.put(j.GetArticleId(), func(r *row) {
		if r.job == nil || j.Revision > r.job.Revision {
			r.job = j
		}
	})
}

// PutPublication records what of an article is public, newer only.
func (c *Catalog) PutPublication(p *eventsv1.Publication) {
	c.put(p.GetArticleId(), func(r *row) {
		if r.pub == nil || p.Revision > r.pub.Revision {
			r.pub = p
		}
	})
}

// PutSchedules records an article's schedules, newer only.
func (c *Catalog) PutSchedules(x *eventsv1.Schedules) {
	c.put(x.GetArticleId(), func(r *row) {
		if r.sched == nil || x.Revision > r.sched.Revision {
			r.sched = x
		}
	})
}

// SlugOwner returns the published article other than id that uses slug.
func (c *Catalog) SlugOwner(slug, id string) (string, bool) {
	if slug == "" {
		return "", false
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	for other, r := range c.items {
		if other == id {
			continue
		}
		for _, pl := range r.pub.GetLocales() {
			if pl.GetSlug() == slug {
				return other, true
			}
		}
	}
	return "", false
}

// List returns one page of the articles that match req, most recently
// changed first. after, when not nil, is where the previous page ended.
// The catalog keeps its articles in that order, so a page costs a
// binary search and a summary of each article it looks at: for the
// first page of an unfiltered list, one more than the page holds.
func (c *Catalog) List(req *draftingv1.ListDraftsRequest, size int, after *Key) *draftingv1.ListDraftsResponse {
	c.mu.RLock()
	defer c.mu.RUnlock()
	// The walk runs from the end of c.order (the newest) down; it starts
	// below after, which the previous page ended with.
	i := len(c.order)
	if after != nil {
		i, _ = slices.BinarySearchFunc(c.order, *after, compareKeys)
	}
	res := &draftingv1.ListDraftsResponse{}
	for i--; i >= 0; i-- {
		r := c.items[c.order[i].id]
		if draft.Purged(r.draft) {
			continue // erased
		}
		s := summary(r)
		if !matches(s, r.pub, req) {
			continue
		}
		if len(res.Drafts) == size {
			res.NextPageToken = keyOf(res.Drafts[size-1]).token()
			break
		}
		res.Drafts = append(res.Drafts, s)
	}
	return res
}

func summary(r *row) *draftingv1.DraftSummary {
	a := r.draft.GetArticle()
	s := &draftingv1.DraftSummary{
		Id: a.GetId(), Section: a.GetSection(), Date: a.GetDate(),
		Status: Status(r.draft, r.job, r.pub), Revision: r.draft.GetRevision(),
		Titles: map[string]string{}, Updated: r.draft.GetUpdated(),
	}
	for _, l := range draft.OrderedLocales(nil, a) {
		c := a.Locales[l]
		s.Locales = append(s.Locales, l)
		s.Titles[l] = c.GetTitle()
		s.Authors = append(s.Authors, c.GetByline().GetAuthors()...)
		if pl := r.pub.GetLocales()[l]; pl != nil {
			s.PublishedLocales = append(s.PublishedLocales, l)
			if pl.GetCorrection() != nil {
				s.CorrectedLocales = append(s.CorrectedLocales, l)
			}
		}
	}
	s.TakenDownLocales = takenDown(r.pub)
	slices.Sort(s.TakenDownLocales)
	for _, x := range r.sched.GetItems() {
		if x.GetStatus() == eventsv1.ScheduleStatus_SCHEDULE_STATUS_PENDING {
			for _, l := range x.GetLocales() {
				if !slices.Contains(s.ScheduledLocales, l) {
					s.ScheduledLocales = append(s.ScheduledLocales, l)
				}
			}
		}
	}
	slices.Sort(s.ScheduledLocales)
	return s
}

// matches reports whether the article of s, whose public record is p,
// is one req asks for. A locale taken down counts as missing.
func matches(s *draftingv1.DraftSummary, p *eventsv1.Publication, req *draftingv1.ListDraftsRequest) bool {
	if st := req.GetStatuses(); len(st) > 0 {
		// Published asks for what is public, whatever newer work is under way.
		public := len(s.PublishedLocales) > 0 && slices.Contains(st, draftingv1.ArticleStatus_ARTICLE_STATUS_PUBLISHED)
		if !public && !slices.Contains(st, s.Status) {
			return false
		}
	} else if s.Status == draftingv1.ArticleStatus_ARTICLE_STATUS_WITHDRAWN {
		return false
	}
	if sec := req.GetSection(); sec != "" {
		want := strings.Split(strings.Trim(sec, "/"), "/")
		if len(s.Section) < len(want) || !slices.Equal(s.Section[:len(want)], want) {
			return false
		}
	}
	if au := strings.ToLower(req.GetAuthor()); au != "" && !slices.ContainsFunc(s.Authors, func(a string) bool { return strings.Contains(strings.ToLower(a), au) }) {
		return false
	}
	if l := req.GetMissingLocale(); l != "" && strings.TrimSpace(s.Titles[l]) != "" && !slices.Contains(takenDown(p), l) {
		return false
	}
	if since := req.GetUpdatedSince(); since != nil && s.Updated.GetTime().AsTime().Before(since.AsTime()) {
		return false
	}
	if q := strings.ToLower(strings.TrimSpace(req.GetQuery())); q != "" {
		found := false
		for _, t := range s.Titles {
			found = found || strings.Contains(strings.ToLower(t), q)
		}
		if !found {
			return false
		}
	}
	return true
}

// takenDown lists the locales of p taken down and not public again.
func takenDown(p *eventsv1.Publication) []string {
	var out []string
	for l := range p.GetTakenDown() {
		if p.GetLocales()[l] == nil {
			out = append(out, l)
		}
	}
	return out
}

// Key is a place in the list, which is ordered most recently changed
// first, then by id.
type Key struct {
	t  time.Time
	id string
}

func keyOf(s *draftingv1.DraftSummary) Key { return Key{s.Updated.GetTime().AsTime(), s.Id} }

func (k Key) before(o Key) bool {
	if !k.t.Equal(o.t) {
		return k.t.After(o.t)
	}
	return k.id > o.id
}

func (k Key) token() string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%d:%s", k.t.UnixNano(), k.id))
}

// ParseToken reads the next page token of a previous List.
func ParseToken(s string) (Key, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Key{}, false
	}
	var n int64
	ns, id, ok := strings.Cut(string(b), ":")
	if _, err := fmt.Sscan(ns, &n); !ok || err != nil || id == "" {
		return Key{}, false
	}
	return Key{time.Unix(0, n), id}, true
}
