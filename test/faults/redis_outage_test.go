package faults

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/redis/go-redis/v9"

	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/cache"
	"github.com/tandemnews/tandem/pkg/metrics"
	"github.com/tandemnews/tandem/pkg/testkit"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
)

func TestRedisOutagePublishingAndSiteCarryOnAndRecover(t *testing.T) {
	rd := stacktest.StartRedis(t)
	e := stacktest.StartWith(t, testkit.StartNATS(t).URL(), cache.New(redis.NewClient(&redis.Options{Addr: rd.Addr(), DialTimeout: 200 * time.Millisecond, MaxRetries: -1}), "tandem:"))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cl := e.Client(t)
	publish := func(slug string) *eventsv1.Publication {
		a := stacktest.SampleArticle()
		a.Slug = slug
		pub, err := cl.Walk(ctx, a, e.Tokens)
		if err != nil {
			t.Fatalf("publish %s: %v", slug, err)
		}
		return pub
	}
	cached := func(p *eventsv1.Publication) bool {
		for _, pl := range p.Locales {
			if _, err := e.Pages.Get(ctx, e.Pages.PageKey(pl.Locale, p.ArticleId, fmt.Sprintf("%d-%s", pl.SourceRevision, pl.ContentHash[:12]))); err != nil {
				return false
			}
		}
		return true
	}
	before := publish("before-the-outage")
	if !cached(before) {
		t.Fatal("pages not in Redis before the outage")
	}

	rd.Stop()
	t.Log("injected: Redis stopped")
	failures := testutil.ToFloat64(metrics.RedisFailures.WithLabelValues("pages"))
	during := publish("during-the-outage") // must still succeed
	if got := testutil.ToFloat64(metrics.RedisFailures.WithLabelValues("pages")); got <= failures {
		t.Errorf("tandem_publishing_redis_failures_total{step=\"pages\"} is %v, was %v: the skipped step is not counted", got, failures)
	}
	for _, p := range []*eventsv1.Publication{before, during} {
		for _, pl := range p.Locales {
			if code, _ := stacktest.Fetch(t, e.SiteURL+pl.Path); code != http.StatusOK {
				t.Fatalf("site answered %d for %s while Redis was down", code, pl.Path)
			}
		}
	}

	rd.Start()
	t.Log("injected: Redis started again, empty")
	// The pool reconnects by itself: the next publish is cached again.
	var after *eventsv1.Publication
	stacktest.Eventually(t, "publishing caches pages again", func() bool {
		after = publish(fmt.Sprintf("after-the-outage-%d", time.Now().UnixNano()))
		return cached(after)
	})
	t.Logf("verified: published %s with Redis down, site served every page, and the pool recovered without a restart", during.ArticleId)
}
