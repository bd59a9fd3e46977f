package drafting

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"

	"github.com/tandemnews/tandem/pkg/events"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

// Status is where an article is, from the last draft, job and publication
// events. A job or approval only counts for the revision that was
// submitted; an article edited since is a draft again until resubmitted.
func Status(d *draftingv1.Draft, j *reviewv1.Job, p *eventsv1.Publication) draftingv1.ArticleStatus {
	switch {
	case d.GetStatus() == draftingv1.DraftStatus_DRAFT_STATUS_WITHDRAWN:
		return draftingv1.ArticleStatus_ARTICLE_STATUS_WITHDRAWN
	case len(p.GetLocales()) > 0:
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

// catalog is the list of articles, rebuilt from the streams at start and
// kept current by following them. Each replica has its own.
type catalog struct {
	mu    sync.RWMutex
	items map[string]*row
	ready chan struct{}
}

type row struct {
	draft *draftingv1.Draft
	job   *reviewv1.Job
	pub   *eventsv1.Publication
}

func newCatalog() *catalog {
	return &catalog{items: map[string]*row{}, ready: make(chan struct{})}
}

func (c *catalog) row(id string) *row {
	r := c.items[id]
	if r == nil {
		r = &row{}
		c.items[id] = r
	}
	return r
}

// Each put keeps the newer state only, so events replayed or applied twice
// (by the follower and by the write that made them) change nothing.
func (c *catalog) putDraft(d *draftingv1.Draft) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.row(d.GetArticle().GetId())
	if r.draft == nil || d.Revision > r.draft.Revision {
		r.draft = d
	}
}

func (c *catalog) putJob(j *reviewv1.Job) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.row(j.GetArticleId())
	if r.job == nil || j.Revision > r.job.Revision {
		r.job = j
	}
}

func (c *catalog) putPublication(p *eventsv1.Publication) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.row(p.GetArticleId())
	if r.pub == nil || p.Revision > r.pub.Revision {
		r.pub = p
	}
}

// follow rebuilds the catalog from the streams and keeps it current until
// ctx is done.
func (c *catalog) follow(ctx context.Context, bus *events.Bus, log func(string, ...any)) error {
	drafts, jobs, pubs := Drafts(bus.Editorial), jobs(bus.Editorial), publications(bus.Public)
	type source struct {
		stream *events.Stream
		filter string
		apply  func(*events.Event) error
	}
	sources := []source{
		{bus.Editorial, bus.Editorial.Wildcard(eventsv1.KindDrafts), func(ev *events.Event) error {
			d, err := drafts.State(ev)
			if err == nil {
				c.putDraft(d)
			}
			return err
		}},
		{bus.Editorial, bus.Editorial.Wildcard(eventsv1.KindReviews), func(ev *events.Event) error {
			j, err := jobs.State(ev)
			if err == nil {
				c.putJob(j)
			}
			return err
		}},
		{bus.Public, bus.Public.Wildcard(eventsv1.KindArticles), func(ev *events.Event) error {
			p, err := pubs.State(ev)
			if err == nil {
				c.putPublication(p)
			}
			return err
		}},
	}
	errc := make(chan error, len(sources))
	readies := make([]chan struct{}, len(sources))
	for i, src := range sources {
		readies[i] = make(chan struct{})
		go func() {
			errc <- src.stream.Follow(ctx, src.filter, func(ev *events.Event) {
				if err := src.apply(ev); err != nil {
					log("event skipped in the draft list", "event_id", ev.ID, "err", err)
				}
			}, readies[i])
		}()
	}
	go func() {
		for _, r := range readies {
			select {
			case <-r:
			case <-ctx.Done():
				return
			}
		}
		close(c.ready)
	}()
	var first error
	for range sources {
		if err := <-errc; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// listKey orders rows: most recently changed first, then by id.
type listKey struct {
	t  time.Time
	id string
}

func (k listKey) before(o listKey) bool {
	if !k.t.Equal(o.t) {
		return k.t.After(o.t)
	}
	return k.id > o.id
}

func (k listKey) token() string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%d:%s", k.t.UnixNano(), k.id))
}

func parseToken(s string) (listKey, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return listKey{}, false
	}
	var n int64
	ns, id, ok := strings.Cut(string(b), ":")
	if _, err := fmt.Sscan(ns, &n); !ok || err != nil || id == "" {
		return listKey{}, false
	}
	return listKey{time.Unix(0, n), id}, true
}

func summary(r *row) *draftingv1.DraftSummary {
	a := r.draft.GetArticle()
	s := &draftingv1.DraftSummary{
		Id: a.GetId(), Section: a.GetSection(), Date: a.GetDate(),
		Status: Status(r.draft, r.job, r.pub), Revision: r.draft.GetRevision(),
		Titles: map[string]string{}, Updated: r.draft.GetUpdated(),
	}
	for _, l := range orderedLocales(nil, a) {
		c := a.Locales[l]
		s.Locales = append(s.Locales, l)
		s.Titles[l] = c.GetTitle()
		s.Authors = append(s.Authors, c.GetByline().GetAuthors()...)
		if r.pub.GetLocales()[l] != nil {
			s.PublishedLocales = append(s.PublishedLocales, l)
		}
	}
	return s
}

func matches(s *draftingv1.DraftSummary, req *draftingv1.ListDraftsRequest) bool {
	if st := req.GetStatuses(); len(st) > 0 {
		if !slices.Contains(st, s.Status) {
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
	if l := req.GetMissingLocale(); l != "" && strings.TrimSpace(s.Titles[l]) != "" {
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

// list returns one page. after is the key of the last row of the previous
// page; rows are in listKey order.
func (c *catalog) list(req *draftingv1.ListDraftsRequest, size int, after *listKey) *draftingv1.ListDraftsResponse {
	c.mu.RLock()
	var rows []*draftingv1.DraftSummary
	for _, r := range c.items {
		if r.draft == nil || r.draft.Status == draftingv1.DraftStatus_DRAFT_STATUS_PURGED {
			continue // a job or publication seen before its draft, or erased
		}
		if s := summary(r); matches(s, req) {
			rows = append(rows, s)
		}
	}
	c.mu.RUnlock()
	key := func(s *draftingv1.DraftSummary) listKey { return listKey{s.Updated.GetTime().AsTime(), s.Id} }
	sort.Slice(rows, func(i, j int) bool { return key(rows[i]).before(key(rows[j])) })
	res := &draftingv1.ListDraftsResponse{}
	for _, s := range rows {
		if after != nil && !after.before(key(s)) {
			continue
		}
		if len(res.Drafts) == size {
			res.NextPageToken = key(res.Drafts[size-1]).token()
			break
		}
		res.Drafts = append(res.Drafts, s)
	}
	return res
}

// slugOwner returns the published article other than id that uses slug.
func (c *catalog) slugOwner(slug, id string) (string, bool) {
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
