package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tandemnews/tandem/internal/stack"

	"github.com/redis/go-redis/v9"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/cache"
	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/siteconfig"
	"github.com/tandemnews/tandem/pkg/testkit"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
	"github.com/tandemnews/tandem/services/drafting"
	"github.com/tandemnews/tandem/services/publishing"
	"github.com/tandemnews/tandem/services/review"
)

// testEnv is a whole Tandem on real NATS and Redis, with a client per role.
type testEnv struct {
	t        *testing.T
	bus      *events.Bus
	pages    *cache.Pages
	tokens   map[auth.Role]string
	conn     *grpc.ClientConn
	siteURL  string
	grpcAddr string
	stack    *stack.Stack
}

func startEnv(t *testing.T, natsURL string) *testEnv {
	t.Helper()
	rdb, prefix := testkit.Redis(t)
	return startEnvWith(t, natsURL, cache.New(rdb, prefix))
}

// startEnvWith runs the stack with the given page cache and options.
func startEnvWith(t *testing.T, natsURL string, pages *cache.Pages, opts ...func(*stack.Config)) *testEnv {
	t.Helper()
	return startEnvOn(t, testkit.Bus(t, natsURL), pages, opts...)
}

// startEnvOn runs the stack on a bus of the test's.
func startEnvOn(t *testing.T, bus *events.Bus, pages *cache.Pages, opts ...func(*stack.Config)) *testEnv {
	t.Helper()

	tokens := map[auth.Role]string{}
	var grants []auth.Grant
	for _, r := range auth.Roles {
		tokens[r] = auth.NewToken()
		grants = append(grants, auth.Grant{User: auth.User{ID: "test-" + string(r), Name: "Test " + string(r), Roles: []auth.Role{r}}, Token: tokens[r]})
	}
	authPath := filepath.Join(t.TempDir(), "auth.json")
	if err := auth.Write(authPath, grants); err != nil {
		t.Fatal(err)
	}
	store, err := auth.Load(authPath)
	if err != nil {
		t.Fatal(err)
	}
	gl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sc := siteconfig.Default()
	sc.BaseURL = "http://" + hl.Addr().String()

	ctx, cancel := context.WithCancel(context.Background())
	cfg := stack.Config{Services: stack.Services, Bus: bus, Auth: store, Pages: pages, Site: sc, GRPC: gl, HTTP: hl}
	for _, o := range opts {
		o(&cfg)
	}
	st, err := stack.Start(ctx, cfg)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		if err := st.Wait(); err != nil {
			t.Errorf("stack stopped with: %v", err)
		}
	})
	conn, err := grpc.NewClient(gl.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	select {
	case <-st.Site.Ready():
	case <-time.After(10 * time.Second):
		t.Fatal("site did not catch up with PUBLIC")
	}
	return &testEnv{t: t, bus: bus, pages: pages, tokens: tokens, conn: conn, siteURL: sc.BaseURL, grpcAddr: gl.Addr().String(), stack: st}
}

// client dials the environment's gRPC server; the connection closes when
// the test ends.
func (e *testEnv) client(t *testing.T) *client {
	t.Helper()
	cl, err := dial(e.grpcAddr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.close)
	return cl
}

// as returns the call option that authenticates as role; "" sends no
// token.
func (e *testEnv) as(r auth.Role) grpc.CallOption {
	if r == "" {
		return grpc.EmptyCallOption{}
	}
	return grpc.PerRPCCredentials(auth.Credentials(e.tokens[r]))
}

func bad() grpc.CallOption { return grpc.PerRPCCredentials(auth.Credentials("tdm_not-a-token")) }

func wantCode(t *testing.T, step string, err error, want codes.Code) *status.Status {
	t.Helper()
	st, _ := status.FromError(err)
	if st.Code() != want {
		t.Fatalf("%s: code %v (%v), want %v", step, st.Code(), err, want)
	}
	return st
}

func sampleArticle() *articlev1.Article {
	return &articlev1.Article{
		Section: []string{"news-events", "news"},
		Date:    "2024-06-03",
		Slug:    "library-opens-night-study-space",
		Locales: map[string]*articlev1.LocalizedContent{
			"zh-CN": {
				Title: "图书馆夜间自习空间正式开放",
				Blocks: []*articlev1.Block{
					{Kind: &articlev1.Block_Paragraph{Paragraph: &articlev1.Paragraph{Text: "6月3日起，图书馆三楼夜间自习空间每天开放至23时。"}}},
					{Kind: &articlev1.Block_Figure{Figure: &articlev1.Figure{File: "night-study.jpg", Caption: "同学们在夜间自习空间学习"}}},
				},
				Byline: &articlev1.Byline{Authors: []string{"周敏"}, Office: "图书馆"},
			},
			"en": {
				Title: "Library Opens a Night Study Space",
				Blocks: []*articlev1.Block{
					{Kind: &articlev1.Block_Paragraph{Paragraph: &articlev1.Paragraph{Text: "From June 3, the night study space on the third floor of the Library is open until 23:00 every day."}}},
					{Kind: &articlev1.Block_Figure{Figure: &articlev1.Figure{File: "night-study.jpg", Caption: "Students studying in the night study space"}}},
				},
				Byline: &articlev1.Byline{Authors: []string{"Zhou Min"}, Office: "University Library"},
			},
		},
	}
}

func TestArticleFromDraftToBothPublicPages(t *testing.T) {
	testkit.EachServer(t, func(t *testing.T, url string) {
		e := startEnv(t, url)
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		drafting := draftingv1.NewDraftingServiceClient(e.conn)
		review := reviewv1.NewReviewServiceClient(e.conn)
		publishing := publishingv1.NewPublishingServiceClient(e.conn)

		// Nobody gets in without a valid token.
		_, err := drafting.CreateDraft(ctx, &draftingv1.CreateDraftRequest{Article: sampleArticle()})
		wantCode(t, "create without token", err, codes.Unauthenticated)
		_, err = drafting.CreateDraft(ctx, &draftingv1.CreateDraftRequest{Article: sampleArticle()}, bad())
		wantCode(t, "create with unknown token", err, codes.Unauthenticated)
		_, err = drafting.CreateDraft(ctx, &draftingv1.CreateDraftRequest{Article: sampleArticle()}, e.as(auth.Translator))
		wantCode(t, "create as translator", err, codes.PermissionDenied)

		// An invalid draft names the field, and nothing is written.
		invalid := sampleArticle()
		invalid.Locales["zh-CN"].Title = " "
		_, err = drafting.CreateDraft(ctx, &draftingv1.CreateDraftRequest{Article: invalid}, e.as(auth.Editor))
		st := wantCode(t, "create with empty title", err, codes.InvalidArgument)
		if !hasViolation(st, `article.locales["zh-CN"].title`) {
			t.Fatalf("violations %v do not name the title", st.Details())
		}
		if n := streamMsgs(t, e, e.bus.Config().EditorialStream); n != 0 {
			t.Fatalf("EDITORIAL holds %d messages after rejected writes, want 0", n)
		}

		// The editor writes, revises and submits.
		created, err := drafting.CreateDraft(ctx, &draftingv1.CreateDraftRequest{Article: sampleArticle()}, e.as(auth.Editor))
		if err != nil {
			t.Fatal(err)
		}
		d := created.Draft
		id := d.Article.Id
		revised := sampleArticle()
		revised.Id = id
		revised.Locales["zh-CN"].Summary = "图书馆夜间自习空间开放。"
		revised.Locales["en"].Summary = "The Library's night study space opens."
		updated, err := drafting.UpdateDraft(ctx, &draftingv1.UpdateDraftRequest{Article: revised, ExpectedRevision: d.Revision}, e.as(auth.Editor))
		if err != nil {
			t.Fatal(err)
		}
		if updated.Draft.Revision <= d.Revision {
			t.Fatalf("revision did not advance: %d then %d", d.Revision, updated.Draft.Revision)
		}
		_, err = drafting.UpdateDraft(ctx, &draftingv1.UpdateDraftRequest{Article: revised, ExpectedRevision: d.Revision}, e.as(auth.Editor))
		st = wantCode(t, "update with stale revision", err, codes.Aborted)
		if info := errorInfo(st); info == nil || info.Reason != "REVISION_CONFLICT" || info.Metadata["current_revision"] != fmt.Sprint(updated.Draft.Revision) {
			t.Fatalf("stale update ErrorInfo = %v, want REVISION_CONFLICT at %d", info, updated.Draft.Revision)
		}
		_, err = drafting.SubmitDraft(ctx, &draftingv1.SubmitDraftRequest{Id: id, ExpectedRevision: updated.Draft.Revision}, e.as(auth.Publisher))
		wantCode(t, "submit as publisher", err, codes.PermissionDenied)
		_, err = publishing.PublishArticle(ctx, &publishingv1.PublishArticleRequest{ArticleId: id, Locales: []string{"zh-CN"}}, e.as(auth.Publisher))
		wantCode(t, "publish before submission", err, codes.FailedPrecondition)
		submitted, err := drafting.SubmitDraft(ctx, &draftingv1.SubmitDraftRequest{Id: id, ExpectedRevision: updated.Draft.Revision}, e.as(auth.Editor))
		if err != nil {
			t.Fatal(err)
		}
		if submitted.Draft.SubmittedRevision != updated.Draft.Revision {
			t.Fatalf("submitted revision %d, want %d", submitted.Draft.SubmittedRevision, updated.Draft.Revision)
		}

		// The review job opens from the event.
		var job *reviewv1.Job
		eventually(t, "review job opens", func() bool {
			res, err := review.GetJob(ctx, &reviewv1.GetJobRequest{ArticleId: id}, e.as(auth.Translator))
			if err != nil {
				if status.Code(err) != codes.NotFound {
					t.Fatalf("get job: %v", err)
				}
				return false
			}
			job = res.Job
			return true
		})
		if job.SourceRevision != submitted.Draft.SubmittedRevision || job.Status != reviewv1.JobStatus_JOB_STATUS_OPEN || job.Target.GetTitle() != "Library Opens a Night Study Space" {
			t.Fatalf("job = %v", job)
		}
		_, err = review.GetJob(ctx, &reviewv1.GetJobRequest{ArticleId: id})
		wantCode(t, "get job without token", err, codes.Unauthenticated)

		// English cannot go out before it is approved.
		_, err = publishing.PublishArticle(ctx, &publishingv1.PublishArticleRequest{ArticleId: id, Locales: []string{"en"}}, e.as(auth.Publisher))
		if info := errorInfo(wantCode(t, "publish unapproved English", err, codes.FailedPrecondition)); info == nil || info.Reason != "TRANSLATION_NOT_APPROVED" {
			t.Fatalf("ErrorInfo = %v, want TRANSLATION_NOT_APPROVED", info)
		}

		// The translator corrects one segment; the checks answer at once.
		saved, err := review.UpdateSegment(ctx, &reviewv1.UpdateSegmentRequest{
			ArticleId: id, SegmentId: "b1.1", ExpectedRevision: job.Revision, State: reviewv1.SegmentState_SEGMENT_STATE_REVIEWED,
			Target: "From June 3, the night study space on the third floor of the Library is open until 23:00  every day.",
		}, e.as(auth.Translator))
		if err != nil {
			t.Fatal(err)
		}
		if len(saved.Findings) != 1 || saved.Findings[0].Check != "double-space" {
			t.Fatalf("findings on the saved segment: %v", saved.Findings)
		}
		saved, err = review.UpdateSegment(ctx, &reviewv1.UpdateSegmentRequest{
			ArticleId: id, SegmentId: "b1.1", ExpectedRevision: saved.Job.Revision, State: reviewv1.SegmentState_SEGMENT_STATE_REVIEWED,
			Target: "From June 3, the night study space on the third floor of the Library is open until 23:00 every day.",
		}, e.as(auth.Translator))
		if err != nil || len(saved.Findings) != 0 {
			t.Fatalf("corrected segment: %v %v", saved.GetFindings(), err)
		}
		job = saved.Job

		_, err = review.ApproveJob(ctx, &reviewv1.ApproveJobRequest{ArticleId: id, ExpectedRevision: job.Revision}, e.as(auth.Editor))
		wantCode(t, "approve as editor", err, codes.PermissionDenied)
		approved, err := review.ApproveJob(ctx, &reviewv1.ApproveJobRequest{ArticleId: id, ExpectedRevision: job.Revision}, e.as(auth.Translator))
		if err != nil {
			t.Fatal(err)
		}
		if approved.Job.Status != reviewv1.JobStatus_JOB_STATUS_APPROVED || approved.Job.Approved.GetActor().GetUserId() != "test-translator" {
			t.Fatalf("approved job = %v", approved.Job)
		}

		_, err = publishing.PublishArticle(ctx, &publishingv1.PublishArticleRequest{ArticleId: id, Locales: []string{"zh-CN", "en"}}, e.as(auth.Translator))
		wantCode(t, "publish as translator", err, codes.PermissionDenied)
		_, err = publishing.PublishArticle(ctx, &publishingv1.PublishArticleRequest{ArticleId: id, Locales: []string{"zh-CN", "fr"}}, e.as(auth.Publisher))
		if st := wantCode(t, "publish an unknown locale", err, codes.InvalidArgument); !hasViolation(st, "locales[1]") {
			t.Fatalf("violations %v do not name locales[1]", st.Details())
		}
		pub, err := publishing.PublishArticle(ctx, &publishingv1.PublishArticleRequest{ArticleId: id, Locales: []string{"zh-CN", "en"}}, e.as(auth.Publisher))
		if err != nil {
			t.Fatal(err)
		}
		zh, en := pub.Publication.Locales["zh-CN"], pub.Publication.Locales["en"]
		if zh == nil || en == nil {
			t.Fatalf("publication = %v", pub.Publication)
		}
		if zh.Path != "/zh/news-events/news/library-opens-night-study-space" || en.Path != "/en/news-events/news/library-opens-night-study-space" {
			t.Fatalf("paths %s, %s", zh.Path, en.Path)
		}

		// Both pages are public, each in its language, each linking the
		// other.
		zhPage := e.get(t, zh.Path)
		enPage := e.get(t, en.Path)
		for _, c := range []struct{ name, page, lang, title, body, other string }{
			{"zh", zhPage, "zh-CN", "图书馆夜间自习空间正式开放", "每天开放至23时", e.siteURL + en.Path},
			{"en", enPage, "en", "Library Opens a Night Study Space", "open until 23:00 every day", e.siteURL + zh.Path},
		} {
			for _, want := range []string{
				`<html lang="` + c.lang + `">`,
				"<h1>" + c.title + "</h1>",
				c.body,
				`hreflang="` + map[string]string{"zh": "en", "en": "zh-CN"}[c.name] + `" href="` + c.other + `"`,
			} {
				if !strings.Contains(c.page, want) {
					t.Errorf("%s page lacks %q", c.name, want)
				}
			}
		}
		if !strings.Contains(zhPage, "（周敏，图书馆）") || !strings.Contains(enPage, "(Zhou Min, University Library)") {
			t.Error("bylines are not in the office's style")
		}

		// Redis holds the versioned pages and the URL pointers.
		for _, pl := range []*eventsv1.PublishedLocale{zh, en} {
			key := e.pages.PageKey(pl.Locale, id, fmt.Sprintf("%d-%s", pl.SourceRevision, pl.ContentHash[:12]))
			html, err := e.pages.Get(ctx, key)
			if err != nil {
				t.Fatalf("redis %s: %v", key, err)
			}
			if page := map[string]string{"zh-CN": zhPage, "en": enPage}[pl.Locale]; string(html) != page {
				t.Errorf("redis %s differs from the served page", key)
			}
			if ptr, err := e.pages.Resolve(ctx, pl.Path); err != nil || ptr != key {
				t.Errorf("pointer %s = %q, %v; want %q", pl.Path, ptr, err, key)
			}
		}

		// PUBLIC holds the announcement, in the CloudEvents envelope.
		subj, _ := e.bus.Public.Subject("articles", id)
		raw, err := rawLast(ctx, e, subj)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range map[string]string{
			"ce-specversion": "1.0", "ce-type": "tandem.article.published", "ce-source": "/tandem/publishing",
			"ce-subject": id, "ce-actor": "test-publisher", "ce-datacontenttype": "application/protobuf",
			"ce-dataschema": "type.googleapis.com/tandem.events.v1.ArticleEvent",
		} {
			if got := raw.Header.Get(k); got != v {
				t.Errorf("PUBLIC %s = %q, want %q", k, got, v)
			}
		}
		if raw.Header.Get("ce-id") == "" || raw.Header.Get("Nats-Msg-Id") != raw.Header.Get("ce-id") {
			t.Errorf("ce-id %q and Nats-Msg-Id %q must be equal and set", raw.Header.Get("ce-id"), raw.Header.Get("Nats-Msg-Id"))
		}
		if n := streamMsgs(t, e, e.bus.Config().PublicStream); n != 1 {
			t.Errorf("PUBLIC holds %d messages, want exactly the one publish", n)
		}

		// The audit tells who did what, in order, from the streams.
		var out strings.Builder
		if err := audit(ctx, e.bus, id, &out); err != nil {
			t.Fatal(err)
		}
		var who []string
		for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n")[1:] {
			f := strings.Fields(line)
			who = append(who, f[2]+" "+f[3])
		}
		if want := []string{
			"test-editor tandem.draft.created", "test-editor tandem.draft.updated", "test-editor tandem.draft.submitted",
			"test-editor tandem.translation.opened", "test-translator tandem.translation.updated", "test-translator tandem.translation.updated",
			"test-translator tandem.translation.approved", "test-publisher tandem.article.published",
		}; !slices.Equal(who, want) {
			t.Errorf("audit:\n%s\nwant actors and types %v", out.String(), want)
		}
		if !strings.Contains(out.String(), `b1.1: "From June 3, the night study space on the third floor of the Library is open until 23:00 every day."`) {
			t.Errorf("audit does not show the segment edit:\n%s", out.String())
		}
	})
}

func (e *testEnv) get(t *testing.T, path string) string {
	t.Helper()
	var body string
	eventually(t, "GET "+path, func() bool {
		res, err := http.Get(e.siteURL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode == http.StatusNotFound {
			return false
		}
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, res.StatusCode, b)
		}
		if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Fatalf("GET %s: Content-Type %q", path, ct)
		}
		body = string(b)
		return true
	})
	return body
}

func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	eventuallyWithin(t, what, 15*time.Second, ok)
}

func eventuallyWithin(t *testing.T, what string, d time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func hasViolation(st *status.Status, field string) bool {
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.FieldViolations {
				if v.Field == field {
					return true
				}
			}
		}
	}
	return false
}

func errorInfo(st *status.Status) *errdetails.ErrorInfo {
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			return info
		}
	}
	return nil
}

func streamMsgs(t *testing.T, e *testEnv, name string) uint64 {
	t.Helper()
	s, err := e.bus.JetStream().Stream(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return s.CachedInfo().State.Msgs
}

type rawMsg struct {
	Header interface{ Get(string) string }
}

func rawLast(ctx context.Context, e *testEnv, subject string) (*rawMsg, error) {
	s, err := e.bus.JetStream().Stream(ctx, e.bus.Config().PublicStream)
	if err != nil {
		return nil, err
	}
	m, err := s.GetLastMsgForSubject(ctx, subject)
	if err != nil {
		return nil, err
	}
	return &rawMsg{Header: m.Header}, nil
}

// startSite runs one more site replica on e's streams.
func (e *testEnv) startSite(t *testing.T, pages *cache.Pages, lruBytes int64) string {
	t.Helper()
	hl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sc := siteconfig.Default()
	sc.BaseURL = e.siteURL // pages name the public origin, whichever replica serves them
	ctx, cancel := context.WithCancel(context.Background())
	st, err := stack.Start(ctx, stack.Config{Services: []string{"site"}, Bus: e.bus, Pages: pages, Site: sc, HTTP: hl, PublishingAddr: e.grpcAddr, SiteLRUBytes: lruBytes})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = st.Wait() })
	select {
	case <-st.Site.Ready():
	case <-time.After(10 * time.Second):
		t.Fatal("replica did not catch up with PUBLIC")
	}
	return "http://" + hl.Addr().String()
}

func fetch(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestSiteReplicasServeTheSamePagesFromEveryTier(t *testing.T) {
	e := startEnv(t, testkit.StartNATS(t).URL())
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cl, err := dial(e.grpcAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.close()
	pub, err := cl.walk(ctx, sampleArticle(), e.tokens)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	want := map[string]string{}
	for _, pl := range pub.Locales {
		paths = append(paths, pl.Path)
		want[pl.Path] = e.get(t, pl.Path)
	}

	// A new replica rebuilds its index from PUBLIC; with no room in its
	// LRU it reads Redis.
	fromRedis := e.startSite(t, e.pages, 1)
	// One whose Redis is dead and whose LRU holds nothing asks publishing.
	dead := cache.New(redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 100 * time.Millisecond}), "dead:")
	fromPublishing := e.startSite(t, dead, 1)
	// One without Redis keeps what the events carried in its LRU.
	fromEvents := e.startSite(t, nil, 0)

	for _, base := range []string{fromRedis, fromPublishing, fromEvents} {
		for _, p := range paths {
			code, body := fetch(t, base+p)
			if code != http.StatusOK || body != want[p] {
				t.Errorf("%s%s: %d, same page %v", base, p, code, body == want[p])
			}
		}
		if code, _ := fetch(t, base+"/en/no/such-article"); code != http.StatusNotFound {
			t.Errorf("%s: unknown article answered %d, want 404", base, code)
		}
	}
}

func TestPurgeErasesTheArticleEverywhere(t *testing.T) {
	e := startEnv(t, testkit.StartNATS(t).URL())
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cl, err := dial(e.grpcAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.close()
	pub, err := cl.walk(ctx, sampleArticle(), e.tokens)
	if err != nil {
		t.Fatal(err)
	}
	id := pub.ArticleId
	var paths, keys []string
	for _, pl := range pub.Locales {
		paths = append(paths, pl.Path)
		keys = append(keys, e.pages.PageKey(pl.Locale, id, fmt.Sprintf("%d-%s", pl.SourceRevision, pl.ContentHash[:12])))
		e.get(t, pl.Path)
	}

	req := &draftingv1.PurgeArticleRequest{Id: id, Reason: "court order 2024-17"}
	_, err = cl.drafting.PurgeArticle(ctx, req, e.as(auth.Editor))
	wantCode(t, "purge as editor", err, codes.PermissionDenied)
	if _, err := cl.drafting.PurgeArticle(ctx, req, e.as(auth.Admin)); err != nil {
		t.Fatal(err)
	}

	// The pages go from the site, and the cached copies from Redis.
	for _, p := range paths {
		eventually(t, "site drops "+p, func() bool { code, _ := fetch(t, e.siteURL+p); return code == http.StatusNotFound })
	}
	eventually(t, "redis forgets the pages", func() bool {
		for _, k := range keys {
			if _, err := e.pages.Get(ctx, k); err == nil {
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
	eventually(t, "review and publishing erase their records", func() bool {
		j, _ := count(e.bus.Editorial, "reviews")
		p, _ := count(e.bus.Public, "articles")
		return j == 0 && p == 1
	})
	n, texts := count(e.bus.Editorial, "drafts")
	if n != 1 {
		t.Fatalf("%d draft events left, want the tombstone alone", n)
	}
	_, pubTexts := count(e.bus.Public, "articles")
	for _, txt := range append(texts, pubTexts...) {
		if strings.Contains(txt, "图书馆") || strings.Contains(txt, "Library") {
			t.Fatalf("a tombstone keeps content: %s", txt)
		}
	}
	_, err = cl.drafting.GetDraft(ctx, &draftingv1.GetDraftRequest{Id: id}, e.as(auth.Editor))
	wantCode(t, "get a purged draft", err, codes.NotFound)
	list, err := cl.drafting.ListDrafts(ctx, &draftingv1.ListDraftsRequest{}, e.as(auth.Editor))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range list.Drafts {
		if d.Id == id {
			t.Fatal("a purged article is still listed")
		}
	}
	// Purging again is harmless.
	if _, err := cl.drafting.PurgeArticle(ctx, req, e.as(auth.Admin)); err != nil {
		t.Fatalf("second purge: %v", err)
	}
}

func TestAccessMatrixEveryRPCEveryRole(t *testing.T) {
	e := startEnv(t, testkit.StartNATS(t).URL())
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	policy := auth.Policy{}
	for _, s := range []stack.GRPCService{drafting.New(e.bus, drafting.Options{}), review.New(e.bus, nil), publishing.New(e.bus, publishing.Options{})} {
		for m, r := range s.Policy() {
			policy[m] = r
		}
	}
	var methods []string
	for _, d := range []grpc.ServiceDesc{draftingv1.DraftingService_ServiceDesc, reviewv1.ReviewService_ServiceDesc, publishingv1.PublishingService_ServiceDesc} {
		for _, m := range d.Methods {
			full := "/" + d.ServiceName + "/" + m.MethodName
			if _, ok := policy[full]; !ok {
				t.Errorf("%s has no entry in its service's policy", full)
			}
			methods = append(methods, full)
		}
	}
	callers := map[string]grpc.CallOption{"no token": grpc.EmptyCallOption{}, "unknown token": bad()}
	for _, r := range auth.Roles {
		callers[string(r)] = e.as(r)
	}
	checked := 0
	for _, m := range methods {
		allowed := policy[m]
		for who, opt := range callers {
			// An empty request: an allowed caller gets past auth and is told
			// what is missing; nobody else gets that far.
			err := e.conn.Invoke(ctx, m, &emptypb.Empty{}, &emptypb.Empty{}, opt)
			code := status.Code(err)
			var want []codes.Code
			switch {
			case len(allowed) == 0: // public
				want = nil
			case who == "no token" || who == "unknown token":
				want = []codes.Code{codes.Unauthenticated}
			case who == string(auth.Admin) || slices.Contains(allowed, auth.Role(who)):
				want = nil
			default:
				want = []codes.Code{codes.PermissionDenied}
			}
			if want == nil {
				if code == codes.Unauthenticated || code == codes.PermissionDenied {
					t.Errorf("%s as %s: %v, want to pass", m, who, err)
				}
			} else if code != want[0] {
				t.Errorf("%s as %s: %v, want %v", m, who, code, want[0])
			}
			checked++
		}
	}
	t.Logf("verified: %d methods × %d callers = %d calls, each allowed or refused as its policy says", len(methods), len(callers), checked)
}

func TestLimitsAreEnforcedWithClearErrors(t *testing.T) {
	rdb, prefix := testkit.Redis(t)
	e := startEnvWith(t, testkit.StartNATS(t).URL(), cache.New(rdb, prefix), func(c *stack.Config) { c.Rate, c.Burst = 5, 5 })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	drafting := draftingv1.NewDraftingServiceClient(e.conn)

	// A request over the message size limit never reaches a handler.
	huge := sampleArticle()
	huge.Locales["zh-CN"].Summary = strings.Repeat("长", 2<<20) // 6 MiB of UTF-8
	_, err := drafting.CreateDraft(ctx, &draftingv1.CreateDraftRequest{Article: huge}, e.as(auth.Editor), grpc.MaxCallSendMsgSize(16<<20))
	wantCode(t, "oversized request", err, codes.ResourceExhausted)
	if n := streamMsgs(t, e, e.bus.Config().EditorialStream); n != 0 {
		t.Fatalf("EDITORIAL holds %d messages after an oversized request", n)
	}

	// One caller past its rate is slowed down; another is not.
	var limited int
	for range 20 {
		_, err := drafting.ListDrafts(ctx, &draftingv1.ListDraftsRequest{}, e.as(auth.Editor))
		if status.Code(err) == codes.ResourceExhausted {
			limited++
			st := status.Convert(err)
			retry := false
			for _, d := range st.Details() {
				_, retry = d.(*errdetails.RetryInfo)
			}
			if !retry {
				t.Fatal("ResourceExhausted without RetryInfo")
			}
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if limited == 0 {
		t.Fatal("20 calls at once were all let through a limit of 5 per second")
	}
	if _, err := drafting.ListDrafts(ctx, &draftingv1.ListDraftsRequest{}, e.as(auth.Translator)); err != nil {
		t.Fatalf("another caller was limited too: %v", err)
	}
	t.Logf("verified: oversized request refused before the stream; %d of 20 rapid calls limited; other callers unaffected", limited)
}
