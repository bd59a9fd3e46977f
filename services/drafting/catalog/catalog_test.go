package catalog

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

var start = time.Date(2024, 5, 16, 9, 0, 0, 0, time.UTC)

// stored is article id at revision rev, changed minutes after start, with
// a Chinese title and, when en is not empty, an English one.
func stored(id string, rev uint64, minutes int, zh, en string) *draftingv1.Draft {
	a := &articlev1.Article{Id: id, SourceLocale: "zh-CN", Section: []string{"news-events", "news"}, Date: "2024-05-16",
		Locales: map[string]*articlev1.LocalizedContent{"zh-CN": {Title: zh, Byline: &articlev1.Byline{Authors: []string{"李明"}}}}}
	if en != "" {
		a.Locales["en"] = &articlev1.LocalizedContent{Title: en, Byline: &articlev1.Byline{Authors: []string{"Li Ming"}}}
	}
	return &draftingv1.Draft{Article: a, Revision: rev, Status: draftingv1.DraftStatus_DRAFT_STATUS_DRAFT,
		Updated: &articlev1.Change{Time: timestamppb.New(start.Add(time.Duration(minutes) * time.Minute))}}
}

func TestStatusFollowsTheSubmittedRevision(t *testing.T) {
	sub := &draftingv1.Draft{Status: draftingv1.DraftStatus_DRAFT_STATUS_SUBMITTED, SubmittedRevision: 4}
	job := func(st reviewv1.JobStatus, rev uint64) *reviewv1.Job {
		return &reviewv1.Job{Status: st, SourceRevision: rev}
	}
	sub.Article = &articlev1.Article{SourceLocale: "zh-CN"}
	public := &eventsv1.Publication{Locales: map[string]*eventsv1.PublishedLocale{"zh-CN": {SourceRevision: 4}}}
	older := &eventsv1.Publication{Locales: map[string]*eventsv1.PublishedLocale{"zh-CN": {SourceRevision: 2}}}
	english := &eventsv1.Publication{Locales: map[string]*eventsv1.PublishedLocale{"en": {SourceRevision: 9}}}
	approved := &reviewv1.Job{Status: reviewv1.JobStatus_JOB_STATUS_APPROVED, SourceRevision: 4, Revision: 9}
	edited := &draftingv1.Draft{Status: draftingv1.DraftStatus_DRAFT_STATUS_DRAFT, SubmittedRevision: 4, Article: sub.Article}
	for _, c := range []struct {
		name string
		d    *draftingv1.Draft
		j    *reviewv1.Job
		p    *eventsv1.Publication
		want draftingv1.ArticleStatus
	}{
		{"draft", &draftingv1.Draft{Status: draftingv1.DraftStatus_DRAFT_STATUS_DRAFT}, nil, nil, draftingv1.ArticleStatus_ARTICLE_STATUS_DRAFT},
		{"withdrawn, even if published", &draftingv1.Draft{Status: draftingv1.DraftStatus_DRAFT_STATUS_WITHDRAWN}, nil, public, draftingv1.ArticleStatus_ARTICLE_STATUS_WITHDRAWN},
		{"published, the submitted revision", sub, job(reviewv1.JobStatus_JOB_STATUS_OPEN, 4), public, draftingv1.ArticleStatus_ARTICLE_STATUS_PUBLISHED},
		{"published, the approved English", sub, approved, english, draftingv1.ArticleStatus_ARTICLE_STATUS_PUBLISHED},
		{"a newer revision in review", sub, job(reviewv1.JobStatus_JOB_STATUS_OPEN, 4), older, draftingv1.ArticleStatus_ARTICLE_STATUS_IN_REVIEW},
		{"a newer revision submitted", sub, approved, older, draftingv1.ArticleStatus_ARTICLE_STATUS_APPROVED},
		{"english of an older job", sub, &reviewv1.Job{Status: reviewv1.JobStatus_JOB_STATUS_OPEN, SourceRevision: 4, Revision: 12}, english, draftingv1.ArticleStatus_ARTICLE_STATUS_IN_REVIEW},
		{"edited since it was published", edited, nil, public, draftingv1.ArticleStatus_ARTICLE_STATUS_DRAFT},
		{"taken down everywhere", sub, nil, &eventsv1.Publication{}, draftingv1.ArticleStatus_ARTICLE_STATUS_SUBMITTED},
		{"submitted, no job", sub, nil, nil, draftingv1.ArticleStatus_ARTICLE_STATUS_SUBMITTED},
		{"submitted, a job of an older revision", sub, job(reviewv1.JobStatus_JOB_STATUS_APPROVED, 3), nil, draftingv1.ArticleStatus_ARTICLE_STATUS_SUBMITTED},
		{"in review", sub, job(reviewv1.JobStatus_JOB_STATUS_OPEN, 4), nil, draftingv1.ArticleStatus_ARTICLE_STATUS_IN_REVIEW},
		{"approved", sub, job(reviewv1.JobStatus_JOB_STATUS_APPROVED, 4), nil, draftingv1.ArticleStatus_ARTICLE_STATUS_APPROVED},
		{"changes requested", sub, job(reviewv1.JobStatus_JOB_STATUS_CHANGES_REQUESTED, 4), nil, draftingv1.ArticleStatus_ARTICLE_STATUS_CHANGES_REQUESTED},
		{"edited after approval", &draftingv1.Draft{Status: draftingv1.DraftStatus_DRAFT_STATUS_DRAFT, SubmittedRevision: 4}, job(reviewv1.JobStatus_JOB_STATUS_APPROVED, 4), nil, draftingv1.ArticleStatus_ARTICLE_STATUS_DRAFT},
	} {
		if got := Status(c.d, c.j, c.p); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

// titles lists a page as zh-title:status.
func titles(res *draftingv1.ListDraftsResponse) []string {
	var out []string
	for _, d := range res.Drafts {
		out = append(out, fmt.Sprintf("%s:%s", d.Titles["zh-CN"], d.Status.String()[len("ARTICLE_STATUS_"):]))
	}
	return out
}

func all(c *Catalog, req *draftingv1.ListDraftsRequest) []string {
	return titles(c.List(req, 100, nil))
}

func TestPutsKeepTheNewerStateOnly(t *testing.T) {
	c := New()
	c.PutDraft(stored("A", 5, 1, "新", ""))
	c.PutDraft(stored("A", 3, 2, "旧", ""))
	c.PutDraft(stored("A", 5, 3, "同", ""))
	c.PutJob(&reviewv1.Job{ArticleId: "A", Revision: 7, Status: reviewv1.JobStatus_JOB_STATUS_APPROVED})
	c.PutJob(&reviewv1.Job{ArticleId: "A", Revision: 6, Status: reviewv1.JobStatus_JOB_STATUS_OPEN})
	c.PutJob(&reviewv1.Job{ArticleId: "A", Revision: 7, Status: reviewv1.JobStatus_JOB_STATUS_OPEN})
	c.PutPublication(&eventsv1.Publication{ArticleId: "A", Revision: 9})
	c.PutPublication(&eventsv1.Publication{ArticleId: "A", Revision: 8, Locales: map[string]*eventsv1.PublishedLocale{"zh-CN": {}}})
	c.PutPublication(&eventsv1.Publication{ArticleId: "A", Revision: 9, Locales: map[string]*eventsv1.PublishedLocale{"zh-CN": {}}})
	r := c.items["A"]
	if r.draft.Article.Locales["zh-CN"].Title != "新" || r.job.Status != reviewv1.JobStatus_JOB_STATUS_APPROVED || r.pub.Revision != 9 || len(r.pub.Locales) != 0 {
		t.Fatalf("row kept %v / %v / %v", r.draft, r.job, r.pub)
	}
	c.PutDraft(stored("A", 6, 4, "更新", ""))
	c.PutJob(&reviewv1.Job{ArticleId: "A", Revision: 8})
	c.PutPublication(&eventsv1.Publication{ArticleId: "A", Revision: 10})
	if r.draft.Revision != 6 || r.job.Revision != 8 || r.pub.Revision != 10 {
		t.Fatalf("newer states not kept: %d %d %d", r.draft.Revision, r.job.Revision, r.pub.Revision)
	}
}

func TestListShowsDraftsOnly(t *testing.T) {
	c := New()
	c.PutJob(&reviewv1.Job{ArticleId: "J", Revision: 1})
	c.PutPublication(&eventsv1.Publication{ArticleId: "P", Revision: 1})
	purged := stored("X", 4, 1, "", "")
	purged.Status = draftingv1.DraftStatus_DRAFT_STATUS_PURGED
	c.PutDraft(purged)
	c.PutDraft(stored("A", 1, 1, "甲", ""))
	if got := all(c, &draftingv1.ListDraftsRequest{}); !slices.Equal(got, []string{"甲:DRAFT"}) {
		t.Fatalf("list %v", got)
	}
}

func TestListSummarisesEachArticle(t *testing.T) {
	c := New()
	d := stored("A", 3, 1, "标题", "Title")
	d.Status, d.SubmittedRevision = draftingv1.DraftStatus_DRAFT_STATUS_SUBMITTED, 2
	c.PutDraft(d)
	c.PutJob(&reviewv1.Job{ArticleId: "A", Revision: 5, SourceRevision: 2, Status: reviewv1.JobStatus_JOB_STATUS_APPROVED})
	c.PutPublication(&eventsv1.Publication{ArticleId: "A", Revision: 2, Locales: map[string]*eventsv1.PublishedLocale{"en": {SourceRevision: 5}}})
	res := c.List(&draftingv1.ListDraftsRequest{}, 10, nil)
	if len(res.Drafts) != 1 {
		t.Fatalf("%d rows", len(res.Drafts))
	}
	s := res.Drafts[0]
	if s.Id != "A" || s.Revision != 3 || s.Date != "2024-05-16" || !slices.Equal(s.Section, []string{"news-events", "news"}) ||
		!slices.Equal(s.Locales, []string{"zh-CN", "en"}) || s.Titles["en"] != "Title" || s.Titles["zh-CN"] != "标题" ||
		!slices.Equal(s.Authors, []string{"李明", "Li Ming"}) || !slices.Equal(s.PublishedLocales, []string{"en"}) ||
		s.Updated != d.Updated || s.Status != draftingv1.ArticleStatus_ARTICLE_STATUS_PUBLISHED {
		t.Fatalf("summary %v", s)
	}
}

func TestListFilters(t *testing.T) {
	c := New()
	a := stored("A", 1, 1, "草稿", "Draft")
	b := stored("B", 1, 2, "审校中", "")
	b.Article.Section = []string{"news-events", "notices"}
	b.Article.Locales["zh-CN"].Byline.Authors = []string{"王芳"}
	w := stored("W", 1, 3, "已撤回", "Withdrawn")
	w.Status = draftingv1.DraftStatus_DRAFT_STATUS_WITHDRAWN
	e := stored("E", 1, 4, "空", " ")
	for _, d := range []*draftingv1.Draft{a, b, w, e} {
		c.PutDraft(d)
	}
	// A's English was public and is taken down; its Chinese stays.
	c.PutPublication(&eventsv1.Publication{ArticleId: "A", Revision: 2, Locales: map[string]*eventsv1.PublishedLocale{"zh-CN": {}},
		TakenDown: map[string]*eventsv1.TakenDown{"en": {Locale: "en"}}})
	for name, f := range map[string]struct {
		req  *draftingv1.ListDraftsRequest
		want []string
	}{
		"withdrawn left out": {&draftingv1.ListDraftsRequest{}, []string{"空:DRAFT", "审校中:DRAFT", "草稿:DRAFT"}},
		"by status": {&draftingv1.ListDraftsRequest{Statuses: []draftingv1.ArticleStatus{
			draftingv1.ArticleStatus_ARTICLE_STATUS_WITHDRAWN, draftingv1.ArticleStatus_ARTICLE_STATUS_SUBMITTED}}, []string{"已撤回:WITHDRAWN"}},
		"by section":            {&draftingv1.ListDraftsRequest{Section: "/news-events/notices/"}, []string{"审校中:DRAFT"}},
		"by a parent section":   {&draftingv1.ListDraftsRequest{Section: "news-events"}, []string{"空:DRAFT", "审校中:DRAFT", "草稿:DRAFT"}},
		"by too deep a section": {&draftingv1.ListDraftsRequest{Section: "news-events/news/x"}, nil},
		"by author":             {&draftingv1.ListDraftsRequest{Author: "li MING"}, []string{"空:DRAFT", "草稿:DRAFT"}},
		"missing english":       {&draftingv1.ListDraftsRequest{MissingLocale: "en"}, []string{"空:DRAFT", "审校中:DRAFT", "草稿:DRAFT"}},
		"missing chinese":       {&draftingv1.ListDraftsRequest{MissingLocale: "zh-CN"}, nil},
		"by title":              {&draftingv1.ListDraftsRequest{Query: " draft "}, []string{"草稿:DRAFT"}},
		"by chinese title":      {&draftingv1.ListDraftsRequest{Query: "审"}, []string{"审校中:DRAFT"}},
		"updated since":         {&draftingv1.ListDraftsRequest{UpdatedSince: timestamppb.New(start.Add(2 * time.Minute))}, []string{"空:DRAFT", "审校中:DRAFT"}},
	} {
		if got := all(c, f.req); !slices.Equal(got, f.want) {
			t.Errorf("%s: %v, want %v", name, got, f.want)
		}
	}
}

func TestListPagesNewestFirstThenByID(t *testing.T) {
	c := New()
	for i, id := range []string{"A", "B", "C", "D", "E"} {
		c.PutDraft(stored(id, 1, min(i, 3), id, ""))
	}
	var got []string
	var after *Key
	pages := 0
	for {
		res := c.List(&draftingv1.ListDraftsRequest{}, 2, after)
		pages++
		for _, d := range res.Drafts {
			got = append(got, d.Id)
		}
		if res.NextPageToken == "" {
			break
		}
		k, ok := ParseToken(res.NextPageToken)
		if !ok {
			t.Fatalf("token %q unreadable", res.NextPageToken)
		}
		after = &k
	}
	if want := []string{"E", "D", "C", "B", "A"}; !slices.Equal(got, want) || pages != 3 {
		t.Fatalf("%d pages of %v, want 3 of %v", pages, got, want)
	}
	// A page that ends the list exactly has no next page.
	if res := c.List(&draftingv1.ListDraftsRequest{}, 5, nil); len(res.Drafts) != 5 || res.NextPageToken != "" {
		t.Fatalf("a full last page: %d rows, token %q", len(res.Drafts), res.NextPageToken)
	}
}

func TestParseTokenRefusesWhatListDidNotWrite(t *testing.T) {
	k := Key{start, "A1"}
	if got, ok := ParseToken(k.token()); !ok || !got.t.Equal(start) || got.id != "A1" {
		t.Fatalf("round trip: %v %v", got, ok)
	}
	for _, bad := range []string{"!", "bm9jb2xvbg", "MTIzOg", "eDpB"} { // not base64, "nocolon", "123:", "x:A"
		if _, ok := ParseToken(bad); ok {
			t.Errorf("token %q accepted", bad)
		}
	}
}

func TestKeyOrder(t *testing.T) {
	early, late := Key{start, "B"}, Key{start.Add(time.Second), "A"}
	if !late.before(early) || early.before(late) {
		t.Error("the later change does not come first")
	}
	a, b := Key{start, "A"}, Key{start, "B"}
	if !b.before(a) || a.before(b) || a.before(a) {
		t.Error("at the same time, ids do not order descending")
	}
}

func TestSlugOwnerIsAnotherPublishedArticle(t *testing.T) {
	c := New()
	c.PutPublication(&eventsv1.Publication{ArticleId: "A", Revision: 1, Locales: map[string]*eventsv1.PublishedLocale{"en": {Slug: "open-day"}, "zh-CN": {Slug: "kai-fang-ri"}}})
	c.PutDraft(stored("B", 1, 1, "乙", ""))
	for _, q := range []struct {
		slug, id, owner string
		taken           bool
	}{
		{"open-day", "B", "A", true},
		{"kai-fang-ri", "", "A", true},
		{"open-day", "A", "", false},
		{"other", "B", "", false},
		{"", "B", "", false},
	} {
		if owner, taken := c.SlugOwner(q.slug, q.id); owner != q.owner || taken != q.taken {
			t.Errorf("SlugOwner(%q, %q) = %q %v", q.slug, q.id, owner, taken)
		}
	}
}

func TestSummariesSayWhatIsCorrectedTakenDownAndScheduled(t *testing.T) {
	c := New()
	c.PutDraft(stored("A", 3, 1, "标题", "Title"))
	c.PutPublication(&eventsv1.Publication{ArticleId: "A", Revision: 2,
		Locales:   map[string]*eventsv1.PublishedLocale{"zh-CN": {Correction: &eventsv1.Correction{Note: "更正"}}},
		TakenDown: map[string]*eventsv1.TakenDown{"en": {Reason: "checking"}}})
	c.PutSchedules(&eventsv1.Schedules{ArticleId: "A", Revision: 4, Items: []*eventsv1.Schedule{
		{Id: "1", Locales: []string{"zh-CN"}, Status: eventsv1.ScheduleStatus_SCHEDULE_STATUS_CANCELLED},
		{Id: "2", Locales: []string{"en"}, Status: eventsv1.ScheduleStatus_SCHEDULE_STATUS_PENDING},
	}})
	s := c.List(&draftingv1.ListDraftsRequest{}, 10, nil).Drafts[0]
	if !slices.Equal(s.CorrectedLocales, []string{"zh-CN"}) || !slices.Equal(s.TakenDownLocales, []string{"en"}) || !slices.Equal(s.ScheduledLocales, []string{"en"}) {
		t.Fatalf("corrected %v, taken down %v, scheduled %v", s.CorrectedLocales, s.TakenDownLocales, s.ScheduledLocales)
	}
	// An older state of the schedules changes nothing; the schedule done, nothing is pending.
	c.PutSchedules(&eventsv1.Schedules{ArticleId: "A", Revision: 3})
	c.PutSchedules(&eventsv1.Schedules{ArticleId: "A", Revision: 5, Items: []*eventsv1.Schedule{{Id: "2", Locales: []string{"en"}, Status: eventsv1.ScheduleStatus_SCHEDULE_STATUS_DONE}}})
	if s := c.List(&draftingv1.ListDraftsRequest{}, 10, nil).Drafts[0]; len(s.ScheduledLocales) != 0 {
		t.Fatalf("scheduled after the schedule fired: %v", s.ScheduledLocales)
	}
}

func TestListFollowsChangesToTheOrder(t *testing.T) {
	c := New()
	for i, id := range []string{"A", "B", "C"} {
		c.PutDraft(stored(id, 1, i, id, ""))
	}
	// A changed last comes first; C again at the revision it has
	// changes nothing; B changed at C's time comes after C by id.
	c.PutDraft(stored("A", 2, 5, "A", ""))
	c.PutDraft(stored("C", 1, 9, "C", ""))
	c.PutDraft(stored("B", 2, 2, "B", ""))
	var got []string
	for _, d := range c.List(&draftingv1.ListDraftsRequest{}, 10, nil).Drafts {
		got = append(got, d.Id)
	}
	if want := []string{"A", "C", "B"}; !slices.Equal(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
	if len(c.order) != 3 {
		t.Fatalf("%d keys kept for 3 articles", len(c.order))
	}
	// A page token of an article that moved since still pages on from
	// where that article was.
	after := Key{start.Add(3 * time.Minute), "Z"}
	got = nil
	for _, d := range c.List(&draftingv1.ListDraftsRequest{}, 10, &after).Drafts {
		got = append(got, d.Id)
	}
	if want := []string{"C", "B"}; !slices.Equal(got, want) {
		t.Fatalf("after a moved article: %v, want %v", got, want)
	}
}

// BenchmarkList is the first page of the list, and a page deep inside
// it, over 10,000 articles.
func BenchmarkList(b *testing.B) {
	c := New()
	for i := range 10000 {
		c.PutDraft(stored(fmt.Sprintf("a%05d", i), 1, i, fmt.Sprintf("第%d篇", i), fmt.Sprintf("Article %d", i)))
	}
	deep := Key{start.Add(5000 * time.Minute), "a05000"}
	for _, bc := range []struct {
		name  string
		after *Key
	}{{"first", nil}, {"deep", &deep}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if res := c.List(&draftingv1.ListDraftsRequest{}, 25, bc.after); len(res.Drafts) != 25 {
					b.Fatalf("%d rows", len(res.Drafts))
				}
			}
		})
	}
}
