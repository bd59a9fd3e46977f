package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	"github.com/tandemnews/tandem/internal/stack"
	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/cache"
	"github.com/tandemnews/tandem/pkg/testkit"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

// escaping is text that grows fourfold when written into HTML: quotes and
// ampersands.
func escaping(locale string, n int) string {
	unit := map[string]string{"zh-CN": `好"&'"&'"&'`, "en": `ok"&'"&'"&'`}[locale]
	return strings.Repeat(unit, n/len(unit))
}

// bulky is the sample article with blocks of text that HTML-escapes, in
// both locales, to about size bytes in all.
func bulky(size int) *articlev1.Article {
	a := stacktest.SampleArticle()
	a.Slug = fmt.Sprintf("bulky-%d", size)
	per := 15 << 10
	for _, l := range []string{"zh-CN", "en"} {
		for range size / 2 / per {
			a.Locales[l].Blocks = append(a.Locales[l].Blocks, &articlev1.Block{Kind: &articlev1.Block_Paragraph{Paragraph: &articlev1.Paragraph{Text: escaping(l, per)}}})
		}
	}
	return a
}

// TestAnArticleDraftingAcceptsCanBePublished publishes an article near
// the size limit whose text grows fourfold as HTML: its pages are too
// large to travel in the event together, and still reach the site whole.
func TestAnArticleDraftingAcceptsCanBePublished(t *testing.T) {
	rdb, prefix := testkit.Redis(t)
	e := stacktest.StartWith(t, testkit.StartNATS(t).URL(), cache.New(rdb, prefix))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	a := bulky(220 << 10)
	if n := proto.Size(a); n < 200<<10 || n > 256<<10 {
		t.Fatalf("the article is %d bytes; want it near the 256 KiB limit", n)
	}
	pub, err := e.Client(t).Walk(ctx, a, e.Tokens)
	if err != nil {
		t.Fatalf("an article drafting accepted was not published: %v", err)
	}
	for _, pl := range pub.Locales {
		var body string
		stacktest.Eventually(t, "the site serves "+pl.Path, func() bool {
			var code int
			code, body = stacktest.Fetch(t, e.SiteURL+pl.Path)
			return code == http.StatusOK
		})
		if len(body) < 400<<10 || !strings.Contains(body, "&#34;&amp;&#39;&#34;&amp;&#39;") {
			t.Errorf("%s: %d bytes, want the whole escaped page", pl.Path, len(body))
		}
	}
}

// TestLimitsFollowTheServersMaxPayload runs Tandem on a NATS server that
// takes messages of at most 256 KiB: an article may then be 64 KiB, what
// drafting accepts publishes, and a translator is stopped, with a
// sentence, before the English outgrows what a publication can carry.
func TestLimitsFollowTheServersMaxPayload(t *testing.T) {
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), MaxPayload: 256 << 10, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	t.Cleanup(srv.Shutdown)
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats did not start")
	}
	rdb, prefix := testkit.Redis(t)
	e := stacktest.StartWith(t, srv.ClientURL(), cache.New(rdb, prefix), func(c *stack.Config) { c.Rate = -1 })
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cl := e.Client(t)

	_, err = cl.Drafting.CreateDraft(ctx, &draftingv1.CreateDraftRequest{Article: bulky(100 << 10)}, e.As(auth.Editor))
	stacktest.WantCode(t, "an article over a quarter of max_payload", err, codes.InvalidArgument)
	if !strings.Contains(err.Error(), "at most 65536") {
		t.Errorf("the refusal does not say the limit: %v", err)
	}
	a := bulky(60 << 10)
	pub, err := cl.Walk(ctx, a, e.Tokens)
	if err != nil {
		t.Fatalf("an article drafting accepted was not published: %v", err)
	}
	for _, pl := range pub.Locales {
		stacktest.Eventually(t, "the site serves "+pl.Path, func() bool { code, _ := stacktest.Fetch(t, e.SiteURL+pl.Path); return code == http.StatusOK })
	}

	// A translator lengthens the English segment by segment: the job is
	// refused with a sentence at the target, never an internal error, and
	// what was accepted publishes.
	b := stacktest.SampleArticle()
	b.Slug = "long-translation"
	for range 40 {
		b.Locales["zh-CN"].Blocks = append(b.Locales["zh-CN"].Blocks, &articlev1.Block{Kind: &articlev1.Block_Paragraph{Paragraph: &articlev1.Paragraph{Text: "图书馆延长开放时间。"}}})
	}
	created, err := cl.Drafting.CreateDraft(ctx, &draftingv1.CreateDraftRequest{Article: b}, e.As(auth.Editor))
	if err != nil {
		t.Fatal(err)
	}
	id := created.Draft.Article.Id
	if _, err := cl.Drafting.SubmitDraft(ctx, &draftingv1.SubmitDraftRequest{Id: id, ExpectedRevision: created.Draft.Revision}, e.As(auth.Editor)); err != nil {
		t.Fatal(err)
	}
	var job *reviewv1.Job
	stacktest.Eventually(t, "the job opens", func() bool {
		res, err := cl.Review.ListJobs(ctx, &reviewv1.ListJobsRequest{}, e.As(auth.Translator))
		if err != nil || len(res.Jobs) == 0 {
			return false
		}
		for _, j := range res.Jobs {
			if j.ArticleId == id {
				got, err := cl.Review.GetJob(ctx, &reviewv1.GetJobRequest{ArticleId: id}, e.As(auth.Translator))
				job = got.GetJob()
				return err == nil
			}
		}
		return false
	})
	long := strings.Repeat("The Library stays open late. ", 340) // about 10,000 characters
	var refused error
	saved, rev := 0, job.Revision
	for _, u := range job.Units {
		for _, s := range u.Segments {
			if u.Kind != "paragraph" || refused != nil {
				continue
			}
			res, err := cl.Review.UpdateSegment(ctx, &reviewv1.UpdateSegmentRequest{ArticleId: id, SegmentId: s.Id, ExpectedRevision: rev, Target: long[:9800], State: reviewv1.SegmentState_SEGMENT_STATE_TRANSLATED}, e.As(auth.Translator))
			if err != nil {
				refused = err
				break
			}
			saved++
			rev = res.Job.Revision
		}
	}
	if refused == nil {
		t.Fatalf("%d long segments were all accepted: the English outgrew what a publication carries", saved)
	}
	stacktest.WantCode(t, "English past the limit", refused, codes.InvalidArgument)
	if !strings.Contains(refused.Error(), "the English would be") || saved < 3 {
		t.Errorf("after %d segments: %v; want the English refused as too long", saved, refused)
	}
	t.Logf("%d long segments saved, then: %v", saved, refused)
	got, err := cl.Review.GetJob(ctx, &reviewv1.GetJobRequest{ArticleId: id}, e.As(auth.Translator))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.Review.ApproveJob(ctx, &reviewv1.ApproveJobRequest{ArticleId: id, ExpectedRevision: got.Job.Revision, OverrideReason: "long by design"}, e.As(auth.Translator)); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.Publishing.PublishArticle(ctx, &publishingv1.PublishArticleRequest{ArticleId: id, Locales: []string{"zh-CN", "en"}}, e.As(auth.Publisher)); err != nil {
		t.Fatalf("a translation review accepted was not published: %v", err)
	}
}
