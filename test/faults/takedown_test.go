package faults

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/tandemnews/tandem/internal/stack"
	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/cache"
	"github.com/tandemnews/tandem/pkg/siteconfig"
	"github.com/tandemnews/tandem/pkg/testkit"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

// story is one article of the takedown test: every address it ever had.
type story struct {
	id, slug  string
	addresses []string
	// remove takes it off the site: an unpublish of both locales or a
	// purge.
	remove string
}

// TestTakedownLeavesNothingOnline takes articles down and purges them,
// some after their slug moved, while Redis is stalled, stopped, restarted
// empty and wiped, and site replicas restart. Afterwards no former or
// current address of any of them answers with a page on any replica, and
// Redis holds none of their pages.
func TestTakedownLeavesNothingOnline(t *testing.T) {
	rd := stacktest.StartRedis(t)
	opt, err := cache.ParseURL("redis://" + rd.Addr() + "/0")
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	pages := cache.New(rdb, "takedown:")
	e := stacktest.StartWith(t, testkit.StartNATS(t).URL(), pages, func(c *stack.Config) { c.Rate = -1 })
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cl := e.Client(t)
	// A replica whose LRU holds no page reads every page from Redis.
	lean, stopLean := e.StartReplica(t, pages, 1)

	var stories []*story
	publish := func(slug string, moveTo string, remove string) *story {
		t.Helper()
		a := stacktest.SampleArticle()
		a.Slug = slug
		pub, err := cl.Walk(ctx, a, e.Tokens)
		if err != nil {
			t.Fatal(err)
		}
		st := &story{id: pub.ArticleId, slug: slug, remove: remove}
		for _, pl := range pub.Locales {
			st.addresses = append(st.addresses, pl.Path)
		}
		if moveTo != "" {
			for _, pl := range moveSlug(ctx, t, e, cl, st.id, moveTo).Locales {
				st.addresses = append(st.addresses, pl.Path)
			}
		}
		stories = append(stories, st)
		return st
	}
	removeIt := func(st *story) {
		t.Helper()
		var err error
		if st.remove == "purge" {
			_, err = cl.Drafting.PurgeArticle(ctx, &draftingv1.PurgeArticleRequest{Id: st.id, Reason: "court order"}, e.As(auth.Admin))
		} else {
			_, err = cl.Publishing.UnpublishArticle(ctx, &publishingv1.UnpublishArticleRequest{ArticleId: st.id, Locales: siteconfig.Locales, Reason: "withdrawn"}, e.As(auth.Publisher))
		}
		if err != nil {
			t.Fatalf("%s %s: %v", st.remove, st.slug, err)
		}
	}

	stalled := []*story{publish("stalled-down", "stalled-down-moved", "unpublish"), publish("stalled-purged", "stalled-purged-moved", "purge")}
	stopped := []*story{publish("stopped-down", "", "unpublish"), publish("stopped-purged", "stopped-purged-moved", "purge")}
	wiped := []*story{publish("wiped-down", "wiped-down-moved", "unpublish")}
	kept := publish("kept", "kept-moved", "")
	// Every page has been read through each replica, so every cache
	// holds them.
	for _, st := range stories {
		for _, base := range []string{e.SiteURL, lean} {
			for _, path := range st.addresses {
				stacktest.Eventually(t, base+path+" answers", func() bool {
					code, _ := stacktest.Fetch(t, base+path)
					return code == http.StatusOK || code == http.StatusMovedPermanently
				})
			}
		}
	}

	rd.Pause()
	t.Log("injected: redis-server stopped with SIGSTOP; taking down and purging")
	for _, st := range stalled {
		removeIt(st)
	}
	rd.Resume()

	rd.Stop()
	t.Log("injected: redis-server killed; taking down and purging, then a new, empty one")
	for _, st := range stopped {
		removeIt(st)
	}
	stopLean()
	rd.Start()
	lean, _ = e.StartReplica(t, pages, 1)
	t.Log("injected: a site replica restarted")

	if err := rdb.FlushAll(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	t.Log("injected: Redis wiped (FLUSHALL)")
	for _, st := range wiped {
		removeIt(st)
	}
	fresh := e.StartSite(t, pages, 1)
	t.Log("injected: another site replica started from the stream")

	replicas := []string{e.SiteURL, lean, fresh}
	checked, leaked := 0, 0
	for _, st := range stories {
		if st == kept {
			continue
		}
		for _, base := range replicas {
			for _, path := range st.addresses {
				checked++
				ok := false
				deadline := time.Now().Add(20 * time.Second)
				var code int
				for time.Now().Before(deadline) {
					code, _ = stacktest.Fetch(t, base+path)
					if code == http.StatusGone || code == http.StatusNotFound {
						ok = true
						break
					}
					time.Sleep(50 * time.Millisecond)
				}
				if !ok {
					leaked++
					t.Errorf("%s%s (%s) answers %d", base, path, st.remove, code)
				}
			}
		}
		// Redis lets go of every page of it, whatever it went through.
		checked++
		var keys []string
		stacktest.EventuallyWithin(t, "Redis clears out "+st.slug, 30*time.Second, func() bool {
			keys, _ = rdb.Keys(ctx, "takedown:*{"+st.id+"}*").Result()
			return len(keys) == 0
		})
		if len(keys) > 0 {
			leaked++
		}
	}
	// The article left alone still answers everywhere, from its current
	// address and by redirect from its former one.
	for _, base := range replicas {
		for i, path := range kept.addresses {
			want := http.StatusOK
			if i < 2 {
				want = http.StatusMovedPermanently
			}
			noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			stacktest.Eventually(t, base+path+" still answers", func() bool {
				res, err := noRedirect.Get(base + path)
				if err != nil {
					return false
				}
				res.Body.Close()
				return res.StatusCode == want
			})
		}
	}
	t.Logf("verified: %d addresses checked, %d leaked", checked, leaked)
	if leaked > 0 {
		t.Fatalf("%d of %d addresses leaked", leaked, checked)
	}
}

// moveSlug gives article id a new slug, resubmits it, approves the new
// translation and publishes both locales again: its old addresses then
// redirect.
func moveSlug(ctx context.Context, t *testing.T, e *stacktest.Env, cl *stacktest.Client, id, slug string) *eventsv1.Publication {
	t.Helper()
	got, err := cl.Drafting.GetDraft(ctx, &draftingv1.GetDraftRequest{Id: id}, e.As(auth.Editor))
	if err != nil {
		t.Fatal(err)
	}
	up, err := cl.Drafting.UpdateDraft(ctx, &draftingv1.UpdateDraftRequest{
		Article: &articlev1.Article{Id: id, Slug: slug}, ExpectedRevision: got.Draft.Revision,
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"slug"}},
	}, e.As(auth.Editor))
	if err != nil {
		t.Fatal(err)
	}
	sub, err := cl.Drafting.SubmitDraft(ctx, &draftingv1.SubmitDraftRequest{Id: id, ExpectedRevision: up.Draft.Revision}, e.As(auth.Editor))
	if err != nil {
		t.Fatal(err)
	}
	var job *reviewv1.Job
	stacktest.Eventually(t, "the job of "+slug+" reopens", func() bool {
		res, err := cl.Review.GetJob(ctx, &reviewv1.GetJobRequest{ArticleId: id}, e.As(auth.Translator))
		if err != nil {
			return false
		}
		job = res.Job
		return job.SourceRevision == sub.Draft.SubmittedRevision
	})
	if _, err := cl.Review.ApproveJob(ctx, &reviewv1.ApproveJobRequest{ArticleId: id, ExpectedRevision: job.Revision}, e.As(auth.Translator)); err != nil {
		t.Fatal(err)
	}
	res, err := cl.Publishing.PublishArticle(ctx, &publishingv1.PublishArticleRequest{ArticleId: id, Locales: siteconfig.Locales}, e.As(auth.Publisher))
	if err != nil {
		t.Fatal(err)
	}
	return res.Publication
}
