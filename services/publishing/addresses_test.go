package publishing

import (
	"sync"
	"testing"

	"google.golang.org/grpc/codes"

	"github.com/tandemnews/tandem/pkg/siteconfig"
	errorsv1 "github.com/tandemnews/tandem/proto/tandem/errors/v1"
	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
	"github.com/tandemnews/tandem/services/publishing/publication"
)

func TestPublishRefusesAnAddressAnotherArticleHolds(t *testing.T) {
	e := newEnv(t)
	e.ready("A1")
	e.ready("A2") // the same slug, "forum"
	e.publish("A1", "zh-CN", "en")
	path := siteconfig.ArticlePath("zh-CN", []string{"news-events", "news"}, "forum")
	_, err := e.svc.PublishArticle(e.ctx, &publishingv1.PublishArticleRequest{ArticleId: "A2", Locales: []string{"zh-CN"}})
	wantReason(t, err, codes.FailedPrecondition, errorsv1.ErrorReason_ERROR_REASON_ADDRESS_TAKEN, map[string]string{"path": path, "holder": "A1"})
	if p, err := e.svc.pubs.Get(e.ctx, "A2"); err == nil && len(p.Locales) > 0 {
		t.Errorf("A2 was published at A1's address: %v", p)
	}
	// A1 leaves the address: A2 may take it.
	if _, err := e.svc.UnpublishArticle(e.ctx, &publishingv1.UnpublishArticleRequest{ArticleId: "A1", Locales: []string{"zh-CN", "en"}, Reason: "withdrawn"}); err != nil {
		t.Fatal(err)
	}
	a, err := e.svc.addrs.Get(e.ctx, publication.AddressKey(path))
	if err != nil || a.ArticleId != "" {
		t.Fatalf("after the takedown the address is %v (%v), want released", a, err)
	}
	e.publish("A2", "zh-CN")
	if a, _ := e.svc.addrs.Get(e.ctx, publication.AddressKey(path)); a.GetArticleId() != "A2" {
		t.Errorf("address held by %q, want A2", a.GetArticleId())
	}
	// A1 cannot come back there now.
	_, err = e.svc.PublishArticle(e.ctx, &publishingv1.PublishArticleRequest{ArticleId: "A1", Locales: []string{"zh-CN"}})
	wantReason(t, err, codes.FailedPrecondition, errorsv1.ErrorReason_ERROR_REASON_ADDRESS_TAKEN, map[string]string{"path": path, "holder": "A2"})
}

func TestTwoArticlesPublishingAtOneAddressAtOnceOneWins(t *testing.T) {
	e := newEnv(t)
	for _, id := range []string{"A1", "A2", "A3", "A4"} {
		e.ready(id)
	}
	var wg sync.WaitGroup
	errs := map[string]error{}
	var mu sync.Mutex
	for _, id := range []string{"A1", "A2", "A3", "A4"} {
		wg.Go(func() {
			_, err := e.svc.PublishArticle(e.ctx, &publishingv1.PublishArticleRequest{ArticleId: id, Locales: []string{"zh-CN"}})
			mu.Lock()
			errs[id] = err
			mu.Unlock()
		})
	}
	wg.Wait()
	var won []string
	for id, err := range errs {
		if err == nil {
			won = append(won, id)
		}
	}
	if len(won) != 1 {
		t.Fatalf("%d publishes at one address succeeded (%v), want exactly one: %v", len(won), won, errs)
	}
}

func TestPurgeReleasesTheArticlesAddresses(t *testing.T) {
	e := newEnv(t)
	e.ready("A1")
	e.publish("A1", "zh-CN")
	if err := e.svc.HandleDraftEvent(e.ctx, purged("A1")); err != nil {
		t.Fatal(err)
	}
	path := siteconfig.ArticlePath("zh-CN", []string{"news-events", "news"}, "forum")
	if a, err := e.svc.addrs.Get(e.ctx, publication.AddressKey(path)); err != nil || a.ArticleId != "" {
		t.Errorf("after the purge the address is %v (%v), want released", a, err)
	}
}
