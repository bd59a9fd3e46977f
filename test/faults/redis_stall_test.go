package faults

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/cache"
	"github.com/tandemnews/tandem/pkg/siteconfig"
	"github.com/tandemnews/tandem/pkg/testkit"
	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
)

// stallBound is how long a request may take while Redis hangs: far more
// than the cache's limits add up to, far less than go-redis's own
// defaults (5 s a read, retried) would hold it.
const stallBound = 3 * time.Second

// TestRedisStallDelaysNoRequestForLong pins that a hung Redis (its process
// stopped: connections open, nothing answers) costs readers and the
// newsroom at most the cache's short time limits: the site's pages,
// listings and 404s, and a publish and a correction, each finish well
// within stallBound, and the publish and correction succeed.
func TestRedisStallDelaysNoRequestForLong(t *testing.T) {
	rd := stacktest.StartRedis(t)
	opt, err := cache.ParseURL("redis://" + rd.Addr() + "/0")
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	e := stacktest.StartWith(t, testkit.StartNATS(t).URL(), cache.New(rdb, "stall:"))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cl := e.Client(t)
	first := stacktest.SampleArticle()
	first.Slug = "published-before-the-stall"
	pub, err := cl.Walk(ctx, first, e.Tokens)
	if err != nil {
		t.Fatal(err)
	}
	second := stacktest.SampleArticle()
	second.Slug = "published-during-the-stall"
	id, err := cl.Approve(ctx, second, e.Tokens)
	if err != nil {
		t.Fatal(err)
	}

	rd.Pause()
	t.Log("injected: redis-server stopped with SIGSTOP")
	timed := func(what string, fn func() error) {
		t.Helper()
		start := time.Now()
		err := fn()
		took := time.Since(start)
		t.Logf("%s took %v", what, took.Round(time.Millisecond))
		if err != nil {
			t.Errorf("%s while Redis hangs: %v", what, err)
		}
		if took > stallBound {
			t.Errorf("%s took %v while Redis hangs, want under %v", what, took, stallBound)
		}
	}
	get := func(path string, want int) func() error {
		return func() error {
			if code, _ := stacktest.Fetch(t, e.SiteURL+path); code != want {
				t.Errorf("%s answered %d, want %d", path, code, want)
			}
			return nil
		}
	}
	publisher := e.As(auth.Publisher)
	timed("publish", func() error {
		_, err := cl.Publishing.PublishArticle(ctx, &publishingv1.PublishArticleRequest{ArticleId: id, Locales: siteconfig.Locales}, publisher)
		return err
	})
	timed("correction", func() error {
		_, err := cl.Publishing.CorrectArticle(ctx, &publishingv1.CorrectArticleRequest{ArticleId: pub.ArticleId, Locales: []string{"en"}, Note: "An earlier version gave the wrong date."}, publisher)
		return err
	})
	for _, pl := range pub.Locales {
		timed("GET "+pl.Path, get(pl.Path, http.StatusOK))
	}
	timed("GET /en/", get("/en/", http.StatusOK))
	timed("GET a missing page", get("/en/news-events/no-such-article", http.StatusNotFound))
}
