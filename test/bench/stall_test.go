//go:build bench

package bench

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tandemnews/tandem/internal/stack"
	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/cache"
	"github.com/tandemnews/tandem/pkg/testkit"
)

// TestRedisStallReport measures what readers wait while Redis hangs
// (its process stopped: connections open, nothing answers): article
// pages on a replica that keeps them in its LRU and on one that reads
// every page from Redis, listings, and unknown addresses. It writes the
// figures into docs/benchmarks.md, between markers, after the main
// report.
func TestRedisStallReport(t *testing.T) {
	rd := stacktest.StartRedis(t)
	opt, err := cache.ParseURL("redis://" + rd.Addr() + "/0")
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	pages := cache.New(rdb, "stall:")
	e := stacktest.StartWith(t, testkit.StartNATS(t).URL(), pages, func(c *stack.Config) { c.Rate = -1 })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cl := e.Client(t)
	var paths []string
	for i := range 20 {
		a := benchArticle(t)
		a.Slug = fmt.Sprintf("stall-%02d", i)
		pub, err := cl.Walk(ctx, a, e.Tokens)
		if err != nil {
			t.Fatal(err)
		}
		for _, pl := range pub.Locales {
			paths = append(paths, pl.Path)
		}
	}
	lean := e.StartSite(t, pages, 1) // an LRU too small to hold a page: every page from Redis
	for _, p := range paths {
		stacktest.Eventually(t, "replicas serve "+p, func() bool {
			a, _ := stacktest.Fetch(t, e.SiteURL+p)
			b, _ := stacktest.Fetch(t, lean+p)
			return a == http.StatusOK && b == http.StatusOK
		})
	}
	rd.Pause()
	const n = 2000
	client := &http.Client{Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 4}}
	measure := func(urls []string) (p50, p99, worst time.Duration) {
		ds := make([]time.Duration, 0, n)
		for i := range n {
			t0 := time.Now()
			res, err := client.Get(urls[i%len(urls)])
			if err != nil {
				t.Fatal(err)
			}
			_, _ = bufio.NewReader(res.Body).Discard(1 << 30)
			res.Body.Close()
			ds = append(ds, time.Since(t0))
		}
		p50, p99 = percentiles(ds)
		return p50, p99, ds[len(ds)-1]
	}
	with := func(base string, list []string) []string {
		var out []string
		for _, p := range list {
			out = append(out, base+p)
		}
		return out
	}
	var report strings.Builder
	fmt.Fprintf(&report, "## With Redis stalled\n\nWritten by `make bench` on %s. Redis's process stopped with SIGSTOP (connections stay open, nothing answers); %d requests each, one at a time, over %d article pages, after every page was served once. Goal: p99 under 300 ms.\n\n| what | p50 | p99 | slowest | goal |\n| --- | --- | --- | --- | --- |\n", time.Now().Format(time.DateOnly), n, len(paths))
	for _, c := range []struct {
		name string
		urls []string
	}{
		{"article pages, replica with its LRU", with(e.SiteURL, paths)},
		{"article pages, replica reading every page from Redis", with(lean, paths)},
		{"listings and feeds", with(lean, []string{"/en/", "/zh/", "/en/feed.xml", "/en/news-events/news/"})},
		{"unknown addresses (404)", with(lean, []string{"/en/news-events/news/nowhere", "/zh/nowhere"})},
	} {
		p50, p99, worst := measure(c.urls)
		t.Logf("%s: p50 %v p99 %v slowest %v", c.name, p50, p99, worst)
		fmt.Fprintf(&report, "| %s | %s | %s | %s | %s |\n", c.name, ms(p50), ms(p99), ms(worst), check(p99 < 300*time.Millisecond))
	}
	report.WriteString("\nThe replica that reads pages from Redis waits at most 100 ms for it, then leaves it alone for 2 s and asks publishing, so a hung Redis costs one request in two seconds 100 ms; listings and 404s never ask Redis.\n")
	out := os.Getenv("TANDEM_BENCH_OUT")
	if out == "" {
		out = filepath.Join("..", "..", "docs", "benchmarks.md")
	}
	old, _ := os.ReadFile(out)
	section := "<!-- redis-stall -->\n" + report.String() + "<!-- /redis-stall -->\n"
	re := regexp.MustCompile(`(?s)<!-- redis-stall -->.*<!-- /redis-stall -->\n`)
	var doc string
	if re.Match(old) {
		doc = re.ReplaceAllLiteralString(string(old), section)
	} else {
		doc = strings.TrimRight(string(old), "\n") + "\n\n" + section
	}
	if err := os.WriteFile(out, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s:\n%s", out, section)
}
