package faults

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/auth"
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
func editorialLoad(t *testing.T, e *stacktest.Env, l *ledger, load context.Context) *sync.WaitGroup {
	drafting := draftingv1.NewDraftingServiceClient(e.Conn)
	review := reviewv1.NewReviewServiceClient(e.Conn)
	publishing := publishingv1.NewPublishingServiceClient(e.Conn)
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
				a := stacktest.SampleArticle()
				a.Slug = fmt.Sprintf("load-%d-%d", w, i)
				a.Locales["en"].Title = fmt.Sprintf("Load %d-%d", w, i)
				var d *draftingv1.Draft
				ok := l.call(t, "create", func() error {
					ctx, cancel := short()
					defer cancel()
					res, err := drafting.CreateDraft(ctx, &draftingv1.CreateDraftRequest{Article: a}, e.As(auth.Editor))
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
					res, err := drafting.UpdateDraft(ctx, &draftingv1.UpdateDraftRequest{Article: a, ExpectedRevision: d.Revision}, e.As(auth.Editor))
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
					res, err := drafting.SubmitDraft(ctx, &draftingv1.SubmitDraftRequest{Id: id, ExpectedRevision: d.Revision}, e.As(auth.Editor))
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
				job, err := review.GetJob(ctx, &reviewv1.GetJobRequest{ArticleId: id}, e.As(auth.Translator))
				cancel()
				if err != nil {
					time.Sleep(50 * time.Millisecond)
					continue
				}
				if job.Job.Status == reviewv1.JobStatus_JOB_STATUS_OPEN && !l.call(t, "approve", func() error {
					ctx, cancel := short()
					defer cancel()
					_, err := review.ApproveJob(ctx, &reviewv1.ApproveJobRequest{ArticleId: id, ExpectedRevision: job.Job.Revision,
						OverrideReason: "load titles carry counters the Chinese lacks"}, e.As(auth.Translator))
					return err
				}) {
					continue
				}
				var pub *eventsv1.Publication
				if l.call(t, "publish", func() error {
					ctx, cancel := short()
					defer cancel()
					res, err := publishing.PublishArticle(ctx, &publishingv1.PublishArticleRequest{ArticleId: id, Locales: []string{"zh-CN", "en"}}, e.As(auth.Publisher))
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
func (l *ledger) verify(t *testing.T, e *stacktest.Env) {
	drafting := draftingv1.NewDraftingServiceClient(e.Conn)
	review := reviewv1.NewReviewServiceClient(e.Conn)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var acked, found, lost int
	for id, revs := range l.revisions {
		for rev, title := range revs {
			acked++
			res, err := drafting.GetDraftRevision(ctx, &draftingv1.GetDraftRevisionRequest{Id: id, Revision: rev}, e.As(auth.Editor), grpc.WaitForReady(true))
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
		stacktest.EventuallyWithin(t, "job for "+id, 25*time.Second, func() bool {
			res, err := review.GetJob(ctx, &reviewv1.GetJobRequest{ArticleId: id}, e.As(auth.Translator))
			return err == nil && res.Job.SourceRevision >= rev
		})
	}
	pages := 0
	for _, paths := range l.published {
		for _, p := range paths {
			stacktest.Eventually(t, "site serves "+p, func() bool { code, _ := stacktest.Fetch(t, e.SiteURL+p); return code == http.StatusOK })
			pages++
		}
	}
	t.Logf("verified: %d writes attempted, failed during the fault %v, %d revisions acknowledged, %d found, %d lost; %d jobs opened; %d pages served",
		l.attempted, l.failed, acked, found, lost, len(l.submitted), pages)
	if acked == 0 || len(l.published) == 0 {
		t.Fatal("the load made no progress; the test proves nothing")
	}
}
