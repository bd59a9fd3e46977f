package faults

import (
	"context"
	"fmt"
	"net"
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
	"github.com/tandemnews/tandem/services/publishing"
)

// stalledRedis is a TCP server that accepts connections and never
// answers: a Redis write to it hangs until the client gives up.
func stalledRedis(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	return l.Addr().String()
}

// TestPublishInterruptedBeforeRedisIsNeverHalfVisible pins DESIGN.md
// principle 5 at its crash point: a publishing process that dies while
// writing the rendered pages to Redis (here its request ends while Redis
// hangs) announces nothing, so no reader sees the article, neither on the
// site nor in Redis; the publisher's retry completes it, announced once.
func TestPublishInterruptedBeforeRedisIsNeverHalfVisible(t *testing.T) {
	e := stacktest.Start(t, testkit.StartNATS(t).URL())
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cl := e.Client(t)
	a := stacktest.SampleArticle()
	id, err := cl.Approve(ctx, a, e.Tokens)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, l := range siteconfig.Locales {
		paths = append(paths, siteconfig.ArticlePath(l, a.Section, a.Slug))
	}

	stalled := redis.NewClient(&redis.Options{Addr: stalledRedis(t), ReadTimeout: 300 * time.Millisecond, WriteTimeout: 300 * time.Millisecond, MaxRetries: -1})
	defer stalled.Close()
	crashing := publishing.New(e.Bus, publishing.Options{Pages: cache.New(stalled, "interrupted:")})
	pubCtx, stop := context.WithTimeout(auth.WithUser(ctx, auth.User{ID: "test-publisher", Roles: []auth.Role{auth.Publisher}}), 100*time.Millisecond)
	_, err = crashing.PublishArticle(pubCtx, &publishingv1.PublishArticleRequest{ArticleId: id, Locales: siteconfig.Locales})
	stop()
	if err == nil {
		t.Fatal("a publish interrupted while writing to Redis reported success")
	}
	t.Logf("injected: Redis write hung, request ended after 100 ms: %v", err)

	// Nothing was announced, so nothing is visible.
	if n := e.StreamMsgs(t, e.Bus.Config().PublicStream); n != 0 {
		t.Fatalf("PUBLIC holds %d messages after the interrupted publish", n)
	}
	for _, p := range paths {
		if code, _ := stacktest.Fetch(t, e.SiteURL+p); code != http.StatusNotFound {
			t.Errorf("%s answers %d after the interrupted publish, want 404", p, code)
		}
	}

	// The publisher retries; the publish completes, announced once.
	res, err := cl.Publishing.PublishArticle(ctx, &publishingv1.PublishArticleRequest{ArticleId: id, Locales: siteconfig.Locales}, e.As(auth.Publisher))
	if err != nil {
		t.Fatal(err)
	}
	if n := e.StreamMsgs(t, e.Bus.Config().PublicStream); n != 1 {
		t.Fatalf("PUBLIC holds %d messages after the retry, want 1", n)
	}
	for _, pl := range res.Publication.Locales {
		stacktest.Eventually(t, "site serves "+pl.Path, func() bool { code, _ := stacktest.Fetch(t, e.SiteURL+pl.Path); return code == http.StatusOK })
		key := e.Pages.PageKey(pl.Locale, id, fmt.Sprintf("%d-%s", pl.SourceRevision, pl.ContentHash[:12]))
		if _, err := e.Pages.Get(ctx, key); err != nil {
			t.Errorf("Redis has no page for %s after the retry: %v", pl.Path, err)
		}
	}
	t.Logf("verified: 0 messages and 404 after the interruption; 1 message, %d pages served and cached after the retry", len(res.Publication.Locales))
}
