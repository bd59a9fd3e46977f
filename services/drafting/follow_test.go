package drafting

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/testkit"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

// running starts a drafting service with its list follower.
func running(t *testing.T, bus *events.Bus) (*Service, func()) {
	t.Helper()
	s := New(bus, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = s.Run(ctx); close(done) }()
	select {
	case <-s.ready:
	case <-time.After(10 * time.Second):
		t.Fatal("list not ready")
	}
	return s, func() { cancel(); <-done }
}

func list(t *testing.T, s *Service, req *draftingv1.ListDraftsRequest) []string {
	t.Helper()
	var out []string
	for {
		res, err := s.ListDrafts(editorCtx(), req)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range res.Drafts {
			out = append(out, fmt.Sprintf("%s:%s", d.Titles["zh-CN"], d.Status.String()[len("ARTICLE_STATUS_"):]))
		}
		if res.NextPageToken == "" {
			return out
		}
		req = proto.Clone(req).(*draftingv1.ListDraftsRequest)
		req.PageToken = res.NextPageToken
	}
}

func article(title, section, author string, en bool) *articlev1.Article {
	a := valid()
	a.Section = []string{"news-events", section}
	a.Locales["zh-CN"].Title = title
	a.Locales["zh-CN"].Byline = &articlev1.Byline{Authors: []string{author}}
	if !en {
		delete(a.Locales, "en")
	}
	return a
}

func TestListFollowsTheWholeFlowAndSurvivesARestart(t *testing.T) {
	bus := testkit.Bus(t, testkit.StartNATS(t).URL())
	s, stop := running(t, bus)
	ctx := context.Background()

	drafted := create(t, s, article("草稿", "news", "李明", true))
	submitted := create(t, s, article("已提交", "news", "王芳", false))
	inReview := create(t, s, article("审校中", "notices", "李明", true))
	approved := create(t, s, article("已审定", "news", "周敏", true))
	published := create(t, s, article("已发布", "news", "王芳", true))
	withdrawn := create(t, s, article("已撤回", "news", "李明", true))
	sub := func(d *draftingv1.Draft) *draftingv1.Draft {
		res, err := s.SubmitDraft(editorCtx(), &draftingv1.SubmitDraftRequest{Id: d.Article.Id, ExpectedRevision: d.Revision})
		if err != nil {
			t.Fatal(err)
		}
		return res.Draft
	}
	for _, d := range []*draftingv1.Draft{submitted, inReview, approved, published} {
		sub(d)
	}
	// Review and publishing write their own subjects; the list follows them.
	jobs, pubs := jobWriter(bus.Editorial), publicationWriter(bus.Public)
	for id, st := range map[string]reviewv1.JobStatus{
		inReview.Article.Id:  reviewv1.JobStatus_JOB_STATUS_OPEN,
		approved.Article.Id:  reviewv1.JobStatus_JOB_STATUS_APPROVED,
		published.Article.Id: reviewv1.JobStatus_JOB_STATUS_APPROVED,
	} {
		g, _ := s.drafts.Get(ctx, id)
		if _, err := jobs.Upsert(ctx, id, func(j *reviewv1.Job) (events.Change, error) {
			j.ArticleId, j.SourceRevision, j.Status = id, g.SubmittedRevision, st
			return events.Change{Type: eventsv1.TranslationOpened, Actor: "tr"}, nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := pubs.Upsert(ctx, published.Article.Id, func(p *eventsv1.Publication) (events.Change, error) {
		p.ArticleId = published.Article.Id
		p.Locales = map[string]*eventsv1.PublishedLocale{"zh-CN": {Locale: "zh-CN", SourceRevision: published.Revision}}
		return events.Change{Type: eventsv1.ArticlePublished, Actor: "pub"}, nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.WithdrawDraft(editorCtx(), &draftingv1.WithdrawDraftRequest{Id: withdrawn.Article.Id, ExpectedRevision: withdrawn.Revision, Reason: "重复稿件"}); err != nil {
		t.Fatal(err)
	}

	want := []string{"已发布:PUBLISHED", "已审定:APPROVED", "审校中:IN_REVIEW", "已提交:SUBMITTED", "草稿:DRAFT"}
	var got []string
	deadline := time.Now().Add(10 * time.Second)
	for {
		got = list(t, s, &draftingv1.ListDraftsRequest{PageSize: 2})
		if slices.Equal(got, want) || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("list %v, want %v (newest change first, withdrawn left out)", got, want)
	}

	for name, c := range map[string]struct {
		req  *draftingv1.ListDraftsRequest
		want []string
	}{
		"status":    {&draftingv1.ListDraftsRequest{Statuses: []draftingv1.ArticleStatus{draftingv1.ArticleStatus_ARTICLE_STATUS_WITHDRAWN}}, []string{"已撤回:WITHDRAWN"}},
		"section":   {&draftingv1.ListDraftsRequest{Section: "news-events/notices"}, []string{"审校中:IN_REVIEW"}},
		"author":    {&draftingv1.ListDraftsRequest{Author: "王"}, []string{"已发布:PUBLISHED", "已提交:SUBMITTED"}},
		"no en":     {&draftingv1.ListDraftsRequest{MissingLocale: "en"}, []string{"已提交:SUBMITTED"}},
		"query":     {&draftingv1.ListDraftsRequest{Query: "审"}, []string{"已审定:APPROVED", "审校中:IN_REVIEW"}},
		"english":   {&draftingv1.ListDraftsRequest{Query: "TITLE", Section: "news-events/news", Author: "李"}, []string{"草稿:DRAFT"}},
		"in future": {&draftingv1.ListDraftsRequest{UpdatedSince: timestamppb.New(time.Now().Add(time.Hour))}, nil},
	} {
		if got := list(t, s, c.req); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", name, got, c.want)
		}
	}
	_ = drafted

	// A restarted service rebuilds the same list from the streams, also
	// while another editor keeps writing.
	stop()
	busy, cancel := context.WithCancel(ctx)
	writes := make(chan struct{})
	go func() {
		defer close(writes)
		d := drafted
		for busy.Err() == nil {
			a := proto.Clone(d.Article).(*articlev1.Article)
			a.Locales["en"].Summary = time.Now().String()
			res, err := s.UpdateDraft(editorCtx(), &draftingv1.UpdateDraftRequest{Article: a, ExpectedRevision: d.Revision})
			if err != nil {
				return
			}
			d = res.Draft
		}
	}()
	again, stopAgain := running(t, bus)
	defer stopAgain()
	cancel()
	<-writes
	deadline = time.Now().Add(10 * time.Second)
	for {
		got = list(t, again, &draftingv1.ListDraftsRequest{})
		if slices.Equal(got, list(t, s, &draftingv1.ListDraftsRequest{})) || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if want := list(t, s, &draftingv1.ListDraftsRequest{}); !slices.Equal(got, want) {
		t.Fatalf("after a restart %v, before %v", got, want)
	}
	if got[0] != "草稿:DRAFT" {
		t.Fatalf("the draft edited during the restart is not first: %v", got)
	}
}

// The test writes jobs and publications as review and publishing would;
// drafting itself only reads them.
func jobWriter(s *events.Stream) *events.Aggregate[*reviewv1.Job] {
	return events.Define(s, eventsv1.KindReviews, eventsv1.SourceReview,
		func(j *reviewv1.Job) *eventsv1.ReviewEvent { return &eventsv1.ReviewEvent{Job: j} },
		(*eventsv1.ReviewEvent).GetJob, func(j *reviewv1.Job, rev uint64) { j.Revision = rev })
}

func publicationWriter(s *events.Stream) *events.Aggregate[*eventsv1.Publication] {
	return events.Define(s, eventsv1.KindArticles, eventsv1.SourcePublishing,
		func(p *eventsv1.Publication) *eventsv1.ArticleEvent { return &eventsv1.ArticleEvent{Publication: p} },
		(*eventsv1.ArticleEvent).GetPublication, func(p *eventsv1.Publication, rev uint64) { p.Revision = rev })
}
