package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/tandemnews/tandem/internal/stack"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/redis/go-redis/v9"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/cache"
	"github.com/tandemnews/tandem/pkg/metrics"
	"github.com/tandemnews/tandem/pkg/testkit"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

// ledger records what a load run attempted and what was acknowledged.
type ledger struct {
	mu        sync.Mutex
	attempted int
	failed    map[codes.Code]int
	revisions map[string]map[uint64]string // article → acknowledged revision → English title
	submitted map[string]uint64            // article → acknowledged submitted revision
	published map[string][]string          // article → public paths
}

func newLedger() *ledger {
	return &ledger{failed: map[codes.Code]int{}, revisions: map[string]map[uint64]string{}, submitted: map[string]uint64{}, published: map[string][]string{}}
}

// call runs one write and records its outcome. Only Unavailable and
// DeadlineExceeded may fail a write while the server is away.
func (l *ledger) call(t *testing.T, what string, f func() error) bool {
	l.mu.Lock()
	l.attempted++
	l.mu.Unlock()
	err := f()
	if err == nil {
		return true
	}
	code := status.Code(err)
	l.mu.Lock()
	l.failed[code]++
	l.mu.Unlock()
	if code != codes.Unavailable && code != codes.DeadlineExceeded {
		t.Errorf("%s: %v; while the server is away a write may only be Unavailable", what, err)
	}
	return false
}

// editorialLoad runs three editors (create, revise, submit) and a
// publisher (approve, publish) against e until load is done, recording
// every outcome in l. Wait on the returned group.
func editorialLoad(t *testing.T, e *testEnv, l *ledger, load context.Context) *sync.WaitGroup {
	drafting := draftingv1.NewDraftingServiceClient(e.conn)
	review := reviewv1.NewReviewServiceClient(e.conn)
	publishing := publishingv1.NewPublishingServiceClient(e.conn)
	short := func() (context.Context, context.CancelFunc) {
		return context.WithTimeout(context.Background(), 2*time.Second)
	}
	toPublish := make(chan string, 1000)
	var wg sync.WaitGroup
	for w := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; load.Err() == nil; i++ {
				a := sampleArticle()
				a.Slug = fmt.Sprintf("load-%d-%d", w, i)
				a.Locales["en"].Title = fmt.Sprintf("Load %d-%d", w, i)
				var d *draftingv1.Draft
				ok := l.call(t, "create", func() error {
					ctx, cancel := short()
					defer cancel()
					res, err := drafting.CreateDraft(ctx, &draftingv1.CreateDraftRequest{Article: a}, e.as(auth.Editor))
					d = res.GetDraft()
					return err
				})
				if !ok {
					time.Sleep(50 * time.Millisecond)
					continue
				}
				id := d.Article.Id
				l.mu.Lock()
				l.revisions[id] = map[uint64]string{d.Revision: a.Locales["en"].Title}
				l.mu.Unlock()
				a = d.Article
				a.Locales["en"].Title += " (revised)"
				ok = l.call(t, "update", func() error {
					ctx, cancel := short()
					defer cancel()
					res, err := drafting.UpdateDraft(ctx, &draftingv1.UpdateDraftRequest{Article: a, ExpectedRevision: d.Revision}, e.as(auth.Editor))
					if err == nil {
						d = res.Draft
					}
					return err
				})
				if !ok {
					continue
				}
				l.mu.Lock()
				l.revisions[id][d.Revision] = a.Locales["en"].Title
				l.mu.Unlock()
				l.call(t, "submit", func() error {
					ctx, cancel := short()
					defer cancel()
					res, err := drafting.SubmitDraft(ctx, &draftingv1.SubmitDraftRequest{Id: id, ExpectedRevision: d.Revision}, e.as(auth.Editor))
					if err == nil {
						l.mu.Lock()
						l.submitted[id] = res.Draft.SubmittedRevision
						l.mu.Unlock()
						select {
						case toPublish <- id:
						case <-load.Done():
						}
					}
					return err
				})
			}
		}()
	}
	// A publisher approves and publishes what was submitted, retrying what
	// a fault interrupted.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for load.Err() == nil {
			var id string
			select {
			case id = <-toPublish:
			case <-load.Done():
				return
			}
			for try := 0; try < 50 && load.Err() == nil; try++ {
				ctx, cancel := short()
				job, err := review.GetJob(ctx, &reviewv1.GetJobRequest{ArticleId: id}, e.as(auth.Translator))
				cancel()
				if err != nil {
					time.Sleep(50 * time.Millisecond)
					continue
				}
				if job.Job.Status == reviewv1.JobStatus_JOB_STATUS_OPEN && !l.call(t, "approve", func() error {
					ctx, cancel := short()
					defer cancel()
					_, err := review.ApproveJob(ctx, &reviewv1.ApproveJobRequest{ArticleId: id, ExpectedRevision: job.Job.Revision,
						OverrideReason: "load titles carry counters the Chinese lacks"}, e.as(auth.Translator))
					return err
				}) {
					continue
				}
				var pub *eventsv1.Publication
				if l.call(t, "publish", func() error {
					ctx, cancel := short()
					defer cancel()
					res, err := publishing.PublishArticle(ctx, &publishingv1.PublishArticleRequest{ArticleId: id, Locales: []string{"zh-CN", "en"}}, e.as(auth.Publisher))
					pub = res.GetPublication()
					return err
				}) {
					l.mu.Lock()
					for _, pl := range pub.Locales {
						l.published[id] = append(l.published[id], pl.Path)
					}
					l.mu.Unlock()
					break
				}
			}
		}
	}()
	return &wg
}

// verify checks, after a fault, that every acknowledged write is in the
// stream, every acknowledged submission got its job, and every published
// page is served; it logs the counts.
func (l *ledger) verify(t *testing.T, e *testEnv) {
	drafting := draftingv1.NewDraftingServiceClient(e.conn)
	review := reviewv1.NewReviewServiceClient(e.conn)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var acked, found, lost int
	for id, revs := range l.revisions {
		for rev, title := range revs {
			acked++
			res, err := drafting.GetDraftRevision(ctx, &draftingv1.GetDraftRevisionRequest{Id: id, Revision: rev}, e.as(auth.Editor), grpc.WaitForReady(true))
			if err != nil || res.Draft.Article.Locales["en"].Title != title {
				lost++
				t.Errorf("acknowledged revision %d of %s: %v", rev, id, err)
				continue
			}
			found++
		}
	}
	// An event in flight when the fault struck is handed out again once
	// the consumer's ack wait (10s) is over.
	for id, rev := range l.submitted {
		eventuallyWithin(t, "job for "+id, 25*time.Second, func() bool {
			res, err := review.GetJob(ctx, &reviewv1.GetJobRequest{ArticleId: id}, e.as(auth.Translator))
			return err == nil && res.Job.SourceRevision >= rev
		})
	}
	pages := 0
	for _, paths := range l.published {
		for _, p := range paths {
			eventually(t, "site serves "+p, func() bool { code, _ := fetch(t, e.siteURL+p); return code == http.StatusOK })
			pages++
		}
	}
	t.Logf("verified: %d writes attempted, failed during the fault %v, %d revisions acknowledged, %d found, %d lost; %d jobs opened; %d pages served",
		l.attempted, l.failed, acked, found, lost, len(l.submitted), pages)
	if acked == 0 || len(l.published) == 0 {
		t.Fatal("the load made no progress; the test proves nothing")
	}
}

func TestNATSRestartUnderLoadLosesNothing(t *testing.T) {
	n := testkit.StartNATS(t)
	rdb, prefix := testkit.Redis(t)
	// Three editors at full speed are more than a person's rate limit.
	e := startEnvWith(t, n.URL(), cache.New(rdb, prefix), func(c *stack.Config) { c.Rate = -1 })
	l := newLedger()
	load, stop := context.WithTimeout(context.Background(), 7*time.Second)
	defer stop()
	wg := editorialLoad(t, e, l, load)
	time.Sleep(1500 * time.Millisecond)
	n.Stop()
	t.Log("injected: NATS stopped for 3s")
	time.Sleep(3 * time.Second)
	n.Start()
	t.Log("injected: NATS started again on the same store")
	wg.Wait()
	l.verify(t, e)
}

func TestClusterLeaderKilledUnderLoadLosesNothing(t *testing.T) {
	c := testkit.StartCluster(t)
	bus := testkit.BusWith(t, c.URL(), 3)
	rdb, prefix := testkit.Redis(t)
	e := startEnvOn(t, bus, cache.New(rdb, prefix), func(c *stack.Config) { c.Rate = -1 })
	l := newLedger()
	load, stop := context.WithTimeout(context.Background(), 8*time.Second)
	defer stop()
	wg := editorialLoad(t, e, l, load)
	time.Sleep(2 * time.Second)
	s, err := bus.JetStream().Stream(load, bus.Config().EditorialStream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(load)
	if err != nil || info.Cluster == nil || info.Cluster.Leader == "" {
		t.Fatalf("no stream leader: %v %+v", err, info)
	}
	if !c.Kill(info.Cluster.Leader) {
		t.Fatalf("no member named %s", info.Cluster.Leader)
	}
	t.Logf("injected: killed %s, the leader of %s, under load", info.Cluster.Leader, bus.Config().EditorialStream)
	wg.Wait()
	l.verify(t, e)
}

// privateRedis runs a redis-server of the test's own on a free port, so
// the test can stop and start it.
type privateRedis struct {
	t    *testing.T
	port int
	args []string
	cmd  *exec.Cmd
}

// startPrivateRedis runs redis-server on a free port, with extra
// arguments (a password, TLS).
func startPrivateRedis(t *testing.T, args ...string) *privateRedis {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("skipping: redis-server is not installed (apt-get install redis-server)")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &privateRedis{t: t, port: l.Addr().(*net.TCPAddr).Port, args: args}
	l.Close()
	r.start()
	t.Cleanup(r.stop)
	return r
}

func (r *privateRedis) start() {
	r.t.Helper()
	args := append([]string{"--port", fmt.Sprint(r.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", r.t.TempDir()}, r.args...)
	r.cmd = exec.Command("redis-server", args...)
	if err := r.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		if c, err := net.Dial("tcp", r.addr()); err == nil {
			c.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	r.t.Fatal("redis-server did not start")
}

func (r *privateRedis) stop() {
	if r.cmd != nil && r.cmd.Process != nil {
		_ = r.cmd.Process.Kill()
		_ = r.cmd.Wait()
		r.cmd = nil
	}
}

func (r *privateRedis) addr() string { return fmt.Sprintf("127.0.0.1:%d", r.port) }

func TestRedisOutagePublishingAndSiteCarryOnAndRecover(t *testing.T) {
	rd := startPrivateRedis(t)
	e := startEnvWith(t, testkit.StartNATS(t).URL(), cache.New(redis.NewClient(&redis.Options{Addr: rd.addr(), DialTimeout: 200 * time.Millisecond, MaxRetries: -1}), "tandem:"))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cl, err := dial(e.grpcAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.close()
	publish := func(slug string) *eventsv1.Publication {
		a := sampleArticle()
		a.Slug = slug
		pub, err := cl.walk(ctx, a, e.tokens)
		if err != nil {
			t.Fatalf("publish %s: %v", slug, err)
		}
		return pub
	}
	cached := func(p *eventsv1.Publication) bool {
		for _, pl := range p.Locales {
			if _, err := e.pages.Get(ctx, e.pages.PageKey(pl.Locale, p.ArticleId, fmt.Sprintf("%d-%s", pl.SourceRevision, pl.ContentHash[:12]))); err != nil {
				return false
			}
		}
		return true
	}
	before := publish("before-the-outage")
	if !cached(before) {
		t.Fatal("pages not in Redis before the outage")
	}

	rd.stop()
	t.Log("injected: Redis stopped")
	failures := testutil.ToFloat64(metrics.RedisFailures.WithLabelValues("pages"))
	during := publish("during-the-outage") // must still succeed
	if got := testutil.ToFloat64(metrics.RedisFailures.WithLabelValues("pages")); got <= failures {
		t.Errorf("tandem_publishing_redis_failures_total{step=\"pages\"} is %v, was %v: the skipped step is not counted", got, failures)
	}
	for _, p := range []*eventsv1.Publication{before, during} {
		for _, pl := range p.Locales {
			if code, _ := fetch(t, e.siteURL+pl.Path); code != http.StatusOK {
				t.Fatalf("site answered %d for %s while Redis was down", code, pl.Path)
			}
		}
	}

	rd.start()
	t.Log("injected: Redis started again, empty")
	// The pool reconnects by itself: the next publish is cached again.
	var after *eventsv1.Publication
	eventually(t, "publishing caches pages again", func() bool {
		after = publish(fmt.Sprintf("after-the-outage-%d", time.Now().UnixNano()))
		return cached(after)
	})
	t.Logf("verified: published %s with Redis down, site served every page, and the pool recovered without a restart", during.ArticleId)
}
