package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/testkit"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
)

func TestPurgeErasesTheArticleEverywhere(t *testing.T) {
	e := stacktest.Start(t, testkit.StartNATS(t).URL())
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cl := e.Client(t)
	pub, err := cl.Walk(ctx, stacktest.SampleArticle(), e.Tokens)
	if err != nil {
		t.Fatal(err)
	}
	id := pub.ArticleId
	var paths, keys []string
	for _, pl := range pub.Locales {
		paths = append(paths, pl.Path)
		keys = append(keys, e.Pages.PageKey(pl.Locale, id, fmt.Sprintf("%d-%s", pl.SourceRevision, pl.ContentHash[:12])))
		e.Get(t, pl.Path)
	}

	req := &draftingv1.PurgeArticleRequest{Id: id, Reason: "court order 2024-17"}
	_, err = cl.Drafting.PurgeArticle(ctx, req, e.As(auth.Editor))
	stacktest.WantCode(t, "purge as editor", err, codes.PermissionDenied)
	if _, err := cl.Drafting.PurgeArticle(ctx, req, e.As(auth.Admin)); err != nil {
		t.Fatal(err)
	}

	// The pages go from the site, and the cached copies from Redis.
	for _, p := range paths {
		stacktest.Eventually(t, "site drops "+p, func() bool { code, _ := stacktest.Fetch(t, e.SiteURL+p); return code == http.StatusNotFound })
	}
	stacktest.Eventually(t, "redis forgets the pages", func() bool {
		for _, k := range keys {
			if _, err := e.Pages.Get(ctx, k); err == nil {
				return false
			}
		}
		return true
	})
	// Each stream keeps at most a tombstone without content.
	count := func(stream *events.Stream, kind string) (n int, texts []string) {
		subj, _ := stream.Subject(kind, id)
		_ = stream.History(ctx, subj, func(ev *events.Event) error {
			n++
			texts = append(texts, fmt.Sprint(ev.Data))
			return nil
		})
		return n, texts
	}
	stacktest.Eventually(t, "review and publishing erase their records", func() bool {
		j, _ := count(e.Bus.Editorial, "reviews")
		p, _ := count(e.Bus.Public, "articles")
		return j == 0 && p == 1
	})
	n, texts := count(e.Bus.Editorial, "drafts")
	if n != 1 {
		t.Fatalf("%d draft events left, want the tombstone alone", n)
	}
	_, pubTexts := count(e.Bus.Public, "articles")
	for _, txt := range append(texts, pubTexts...) {
		if strings.Contains(txt, "图书馆") || strings.Contains(txt, "Library") {
			t.Fatalf("a tombstone keeps content: %s", txt)
		}
	}
	_, err = cl.Drafting.GetDraft(ctx, &draftingv1.GetDraftRequest{Id: id}, e.As(auth.Editor))
	stacktest.WantCode(t, "get a purged draft", err, codes.NotFound)
	list, err := cl.Drafting.ListDrafts(ctx, &draftingv1.ListDraftsRequest{}, e.As(auth.Editor))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range list.Drafts {
		if d.Id == id {
			t.Fatal("a purged article is still listed")
		}
	}
	// Purging again is harmless.
	if _, err := cl.Drafting.PurgeArticle(ctx, req, e.As(auth.Admin)); err != nil {
		t.Fatalf("second purge: %v", err)
	}
}
