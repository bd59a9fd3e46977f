package e2e

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/cache"
	"github.com/tandemnews/tandem/pkg/testkit"
)

func TestSiteReplicasServeTheSamePagesFromEveryTier(t *testing.T) {
	e := stacktest.Start(t, testkit.StartNATS(t).URL())
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cl := e.Client(t)
	pub, err := cl.Walk(ctx, stacktest.SampleArticle(), e.Tokens)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	want := map[string]string{}
	for _, pl := range pub.Locales {
		paths = append(paths, pl.Path)
		want[pl.Path] = e.Get(t, pl.Path)
	}

	// A new replica rebuilds its index from PUBLIC; with no room in its
	// LRU it reads Redis.
	fromRedis := e.StartSite(t, e.Pages, 1)
	// One whose Redis is dead and whose LRU holds nothing asks publishing.
	dead := cache.New(redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 100 * time.Millisecond}), "dead:")
	fromPublishing := e.StartSite(t, dead, 1)
	// One without Redis keeps what the events carried in its LRU.
	fromEvents := e.StartSite(t, nil, 0)

	for _, base := range []string{fromRedis, fromPublishing, fromEvents} {
		for _, p := range paths {
			code, body := stacktest.Fetch(t, base+p)
			if code != http.StatusOK || body != want[p] {
				t.Errorf("%s%s: %d, same page %v", base, p, code, body == want[p])
			}
		}
		if code, _ := stacktest.Fetch(t, base+"/en/no/such-article"); code != http.StatusNotFound {
			t.Errorf("%s: unknown article answered %d, want 404", base, code)
		}
	}
}
