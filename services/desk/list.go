package desk

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/tandemnews/tandem/internal/client"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
)

// listSize is the rows of one page of the newsroom list.
const listSize = 25

// listFilter is what the newsroom list is asked for, from the address.
type listFilter struct {
	Status    string // a status key ("in_review"), or "" for all
	Section   string
	Author    string
	Query     string
	MissingEN bool
	Page      string // the services' page token
}

func filterOf(q url.Values) listFilter {
	return listFilter{
		Status:    q.Get("status"),
		Section:   q.Get("section"),
		Author:    strings.TrimSpace(q.Get("author")),
		Query:     strings.TrimSpace(q.Get("q")),
		MissingEN: q.Get("missing") == "en",
		Page:      q.Get("page"),
	}
}

// values is the filter as an address query, with the page token page.
func (f listFilter) values(page string) string {
	q := url.Values{}
	for k, v := range map[string]string{"status": f.Status, "section": f.Section, "author": f.Author, "q": f.Query, "page": page} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if f.MissingEN {
		q.Set("missing", "en")
	}
	if len(q) == 0 {
		return "/"
	}
	return "/?" + q.Encode()
}

// statusKeys are the list's statuses by key, in the order of the
// filter's choices.
var statusKeys = []struct {
	Key    string
	Status draftingv1.ArticleStatus
}{
	{"draft", draftingv1.ArticleStatus_ARTICLE_STATUS_DRAFT},
	{"submitted", draftingv1.ArticleStatus_ARTICLE_STATUS_SUBMITTED},
	{"in_review", draftingv1.ArticleStatus_ARTICLE_STATUS_IN_REVIEW},
	{"changes_requested", draftingv1.ArticleStatus_ARTICLE_STATUS_CHANGES_REQUESTED},
	{"approved", draftingv1.ArticleStatus_ARTICLE_STATUS_APPROVED},
	{"published", draftingv1.ArticleStatus_ARTICLE_STATUS_PUBLISHED},
	{"withdrawn", draftingv1.ArticleStatus_ARTICLE_STATUS_WITHDRAWN},
}

func statusKey(s draftingv1.ArticleStatus) string {
	for _, k := range statusKeys {
		if k.Status == s {
			return k.Key
		}
	}
	return "draft"
}

func (f listFilter) request() *draftingv1.ListDraftsRequest {
	req := &draftingv1.ListDraftsRequest{Section: f.Section, Author: f.Author, Query: f.Query, PageSize: listSize, PageToken: f.Page}
	for _, k := range statusKeys {
		if k.Key == f.Status {
			req.Statuses = []draftingv1.ArticleStatus{k.Status}
		}
	}
	if f.MissingEN {
		req.MissingLocale = "en"
	}
	return req
}

// listPage is the newsroom list's data.
type listPage struct {
	Filter   listFilter
	Rows     []listRow
	Next     string // address of the next page, "" on the last
	First    string // address of the first page, "" on it
	Statuses []string
	Sections []option
	// Error is why the list could not be read; Errors the filter fields
	// the service refused, by field.
	Error  string
	Errors map[string]string
}

type option struct{ Value, Label string }

// listRow is one article of the list.
type listRow struct {
	ID       string
	Title    string // in the reader's language when there is one
	Other    string // the title in the other language
	Section  string
	Authors  string
	Date     string
	Updated  time.Time
	By       string
	Revision uint64
	// States per locale: a status key, or "missing".
	Zh, En         string
	ZhLive, EnLive bool // public from an earlier revision while newer work goes on
	// ZhMore and EnMore are what else holds for the locale: "scheduled"
	// (a pending schedule will publish it), "corrected" (its public page
	// carries a correction).
	ZhMore, EnMore []string
}

func rowOf(s *draftingv1.DraftSummary, zhFirst bool, sections map[string]map[string]string, lang string) listRow {
	r := listRow{ID: s.GetId(), Date: s.GetDate(), Revision: s.GetRevision(), Authors: strings.Join(s.GetAuthors(), ", ")}
	zh, en := s.GetTitles()["zh-CN"], s.GetTitles()["en"]
	r.Title, r.Other = zh, en
	if !zhFirst && en != "" {
		r.Title, r.Other = en, zh
	}
	if r.Title == "" {
		r.Title, r.Other = r.Other, ""
	}
	key := strings.Join(s.GetSection(), "/")
	r.Section = key
	if l := sections[key]; l != nil {
		if lang == "en" && l["en"] != "" {
			r.Section = l["en"]
		} else if l["zh-CN"] != "" {
			r.Section = l["zh-CN"]
		}
	}
	if u := s.GetUpdated(); u != nil {
		r.Updated = u.GetTime().AsTime()
		r.By = u.GetActor().GetName()
	}
	st := statusKey(s.GetStatus())
	for _, l := range []string{"zh-CN", "en"} {
		state, live := st, false
		if !slices.Contains(s.GetLocales(), l) {
			state = "missing"
		} else if slices.Contains(s.GetPublishedLocales(), l) && st != "published" {
			live = true
		} else if !slices.Contains(s.GetPublishedLocales(), l) && st == "published" {
			// The other locale is public; this one is not yet.
			state = "unpublished"
		}
		if slices.Contains(s.GetTakenDownLocales(), l) {
			state, live = "taken_down", false
		}
		var more []string
		if slices.Contains(s.GetScheduledLocales(), l) {
			more = append(more, "scheduled")
		}
		if slices.Contains(s.GetCorrectedLocales(), l) {
			more = append(more, "corrected")
		}
		if l == "zh-CN" {
			r.Zh, r.ZhLive, r.ZhMore = state, live, more
		} else {
			r.En, r.EnLive, r.EnMore = state, live, more
		}
	}
	return r
}

// home is the newsroom list: every article with its status per locale,
// filtered, searched and paged, and kept up to date by /events.
func (d *Desk) home(w http.ResponseWriter, v *visit) {
	f := filterOf(v.r.URL.Query())
	p := &listPage{Filter: f, Errors: map[string]string{}}
	for _, k := range statusKeys {
		p.Statuses = append(p.Statuses, k.Key)
	}
	for _, key := range d.site.SectionPaths() {
		label := d.site.SectionLabel(strings.Split(key, "/"), v.lang.HTML())
		p.Sections = append(p.Sections, option{Value: key, Label: label})
	}
	ctx, cancel := v.ctx()
	defer cancel()
	res, err := d.svc.Drafting.ListDrafts(ctx, f.request(), client.Token(v.token))
	status := http.StatusOK
	switch {
	case err == nil:
		for _, s := range res.GetDrafts() {
			p.Rows = append(p.Rows, rowOf(s, v.lang != "en", d.site.Sections, string(v.lang)))
		}
		if res.GetNextPageToken() != "" {
			p.Next = f.values(res.GetNextPageToken())
		}
		if f.Page != "" {
			p.First = f.values("")
		}
	default:
		p.Errors = fieldErrors(v.lang, err)
		p.Error = p.Errors[""]
		status = httpStatus(err)
	}
	d.render(w, status, "home", "layout", v.view("title.home", p))
}
