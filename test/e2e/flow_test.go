package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/testkit"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

// TestArticleFromDraftToBothPublicPages takes one article through every
// role, refusal and step to its two public pages, then reads its history
// with `tandem audit`. It runs on the embedded server and, when NATS_URL
// is set, on that one too.
func TestArticleFromDraftToBothPublicPages(t *testing.T) {
	tandem := stacktest.Tandem(t)
	testkit.EachServer(t, func(t *testing.T, url string) {
		e := stacktest.Start(t, url)
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		drafting := draftingv1.NewDraftingServiceClient(e.Conn)
		review := reviewv1.NewReviewServiceClient(e.Conn)
		publishing := publishingv1.NewPublishingServiceClient(e.Conn)

		// Nobody gets in without a valid token.
		_, err := drafting.CreateDraft(ctx, &draftingv1.CreateDraftRequest{Article: stacktest.SampleArticle()})
		stacktest.WantCode(t, "create without token", err, codes.Unauthenticated)
		_, err = drafting.CreateDraft(ctx, &draftingv1.CreateDraftRequest{Article: stacktest.SampleArticle()}, stacktest.BadToken())
		stacktest.WantCode(t, "create with unknown token", err, codes.Unauthenticated)
		_, err = drafting.CreateDraft(ctx, &draftingv1.CreateDraftRequest{Article: stacktest.SampleArticle()}, e.As(auth.Translator))
		stacktest.WantCode(t, "create as translator", err, codes.PermissionDenied)

		// An invalid draft names the field, and nothing is written.
		invalid := stacktest.SampleArticle()
		invalid.Locales["zh-CN"].Title = " "
		_, err = drafting.CreateDraft(ctx, &draftingv1.CreateDraftRequest{Article: invalid}, e.As(auth.Editor))
		st := stacktest.WantCode(t, "create with empty title", err, codes.InvalidArgument)
		if !stacktest.HasViolation(st, `article.locales["zh-CN"].title`) {
			t.Fatalf("violations %v do not name the title", st.Details())
		}
		if n := e.StreamMsgs(t, e.Bus.Config().EditorialStream); n != 0 {
			t.Fatalf("EDITORIAL holds %d messages after rejected writes, want 0", n)
		}

		// The editor writes, revises and submits.
		created, err := drafting.CreateDraft(ctx, &draftingv1.CreateDraftRequest{Article: stacktest.SampleArticle()}, e.As(auth.Editor))
		if err != nil {
			t.Fatal(err)
		}
		d := created.Draft
		id := d.Article.Id
		revised := stacktest.SampleArticle()
		revised.Id = id
		revised.Locales["zh-CN"].Summary = "图书馆夜间自习空间开放。"
		revised.Locales["en"].Summary = "The Library's night study space opens."
		updated, err := drafting.UpdateDraft(ctx, &draftingv1.UpdateDraftRequest{Article: revised, ExpectedRevision: d.Revision}, e.As(auth.Editor))
		if err != nil {
			t.Fatal(err)
		}
		if updated.Draft.Revision <= d.Revision {
			t.Fatalf("revision did not advance: %d then %d", d.Revision, updated.Draft.Revision)
		}
		_, err = drafting.UpdateDraft(ctx, &draftingv1.UpdateDraftRequest{Article: revised, ExpectedRevision: d.Revision}, e.As(auth.Editor))
		st = stacktest.WantCode(t, "update with stale revision", err, codes.Aborted)
		if info := stacktest.ErrorInfo(st); info == nil || info.Reason != "REVISION_CONFLICT" || info.Metadata["current_revision"] != fmt.Sprint(updated.Draft.Revision) {
			t.Fatalf("stale update ErrorInfo = %v, want REVISION_CONFLICT at %d", info, updated.Draft.Revision)
		}
		_, err = drafting.SubmitDraft(ctx, &draftingv1.SubmitDraftRequest{Id: id, ExpectedRevision: updated.Draft.Revision}, e.As(auth.Publisher))
		stacktest.WantCode(t, "submit as publisher", err, codes.PermissionDenied)
		_, err = publishing.PublishArticle(ctx, &publishingv1.PublishArticleRequest{ArticleId: id, Locales: []string{"zh-CN"}}, e.As(auth.Publisher))
		stacktest.WantCode(t, "publish before submission", err, codes.FailedPrecondition)
		submitted, err := drafting.SubmitDraft(ctx, &draftingv1.SubmitDraftRequest{Id: id, ExpectedRevision: updated.Draft.Revision}, e.As(auth.Editor))
		if err != nil {
			t.Fatal(err)
		}
		if submitted.Draft.SubmittedRevision != updated.Draft.Revision {
			t.Fatalf("submitted revision %d, want %d", submitted.Draft.SubmittedRevision, updated.Draft.Revision)
		}

		// The review job opens from the event.
		var job *reviewv1.Job
		stacktest.Eventually(t, "review job opens", func() bool {
			res, err := review.GetJob(ctx, &reviewv1.GetJobRequest{ArticleId: id}, e.As(auth.Translator))
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
		stacktest.WantCode(t, "get job without token", err, codes.Unauthenticated)

		// English cannot go out before it is approved.
		_, err = publishing.PublishArticle(ctx, &publishingv1.PublishArticleRequest{ArticleId: id, Locales: []string{"en"}}, e.As(auth.Publisher))
		if info := stacktest.ErrorInfo(stacktest.WantCode(t, "publish unapproved English", err, codes.FailedPrecondition)); info == nil || info.Reason != "TRANSLATION_NOT_APPROVED" {
			t.Fatalf("ErrorInfo = %v, want TRANSLATION_NOT_APPROVED", info)
		}

		// The translator corrects one segment; the checks answer at once.
		saved, err := review.UpdateSegment(ctx, &reviewv1.UpdateSegmentRequest{
			ArticleId: id, SegmentId: "b1.1", ExpectedRevision: job.Revision, State: reviewv1.SegmentState_SEGMENT_STATE_REVIEWED,
			Target: "From June 3, the night study space on the third floor of the Library is open until 23:00  every day.",
		}, e.As(auth.Translator))
		if err != nil {
			t.Fatal(err)
		}
		if len(saved.Findings) != 1 || saved.Findings[0].Check != "double-space" {
			t.Fatalf("findings on the saved segment: %v", saved.Findings)
		}
		saved, err = review.UpdateSegment(ctx, &reviewv1.UpdateSegmentRequest{
			ArticleId: id, SegmentId: "b1.1", ExpectedRevision: saved.Job.Revision, State: reviewv1.SegmentState_SEGMENT_STATE_REVIEWED,
			Target: "From June 3, the night study space on the third floor of the Library is open until 23:00 every day.",
		}, e.As(auth.Translator))
		if err != nil || len(saved.Findings) != 0 {
			t.Fatalf("corrected segment: %v %v", saved.GetFindings(), err)
		}
		job = saved.Job

		_, err = review.ApproveJob(ctx, &reviewv1.ApproveJobRequest{ArticleId: id, ExpectedRevision: job.Revision}, e.As(auth.Editor))
		stacktest.WantCode(t, "approve as editor", err, codes.PermissionDenied)
		approved, err := review.ApproveJob(ctx, &reviewv1.ApproveJobRequest{ArticleId: id, ExpectedRevision: job.Revision}, e.As(auth.Translator))
		if err != nil {
			t.Fatal(err)
		}
		if approved.Job.Status != reviewv1.JobStatus_JOB_STATUS_APPROVED || approved.Job.Approved.GetActor().GetUserId() != "test-translator" {
			t.Fatalf("approved job = %v", approved.Job)
		}

		_, err = publishing.PublishArticle(ctx, &publishingv1.PublishArticleRequest{ArticleId: id, Locales: []string{"zh-CN", "en"}}, e.As(auth.Translator))
		stacktest.WantCode(t, "publish as translator", err, codes.PermissionDenied)
		_, err = publishing.PublishArticle(ctx, &publishingv1.PublishArticleRequest{ArticleId: id, Locales: []string{"zh-CN", "fr"}}, e.As(auth.Publisher))
		if st := stacktest.WantCode(t, "publish an unknown locale", err, codes.InvalidArgument); !stacktest.HasViolation(st, "locales[1]") {
			t.Fatalf("violations %v do not name locales[1]", st.Details())
		}
		pub, err := publishing.PublishArticle(ctx, &publishingv1.PublishArticleRequest{ArticleId: id, Locales: []string{"zh-CN", "en"}}, e.As(auth.Publisher))
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
		zhPage := e.Get(t, zh.Path)
		enPage := e.Get(t, en.Path)
		for _, c := range []struct{ name, page, lang, title, body, other string }{
			{"zh", zhPage, "zh-CN", "图书馆夜间自习空间正式开放", "每天开放至23时", e.SiteURL + en.Path},
			{"en", enPage, "en", "Library Opens a Night Study Space", "open until 23:00 every day", e.SiteURL + zh.Path},
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

		// Redis holds the versioned pages, and no URL pointers: which
		// address serves which version is the site's index alone.
		for _, pl := range []*eventsv1.PublishedLocale{zh, en} {
			key := e.Pages.PageKey(pl.Locale, id, fmt.Sprintf("%d-%s", pl.SourceRevision, pl.ContentHash[:12]))
			html, err := e.Pages.Get(ctx, key)
			if err != nil {
				t.Fatalf("redis %s: %v", key, err)
			}
			if page := map[string]string{"zh-CN": zhPage, "en": enPage}[pl.Locale]; string(html) != page {
				t.Errorf("redis %s differs from the served page", key)
			}
		}

		// PUBLIC holds the announcement, in the CloudEvents envelope.
		subj, _ := e.Bus.Public.Subject("articles", id)
		raw, err := rawLast(ctx, e, subj)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range map[string]string{
			"ce-specversion": "1.0", "ce-type": "tandem.article.published", "ce-source": "/tandem/publishing",
			"ce-subject": id, "ce-actor": "test-publisher", "ce-datacontenttype": "application/protobuf",
			"ce-dataschema": "https://type.googleapis.com/tandem.events.v1.ArticleEvent",
		} {
			if got := raw.Header.Get(k); got != v {
				t.Errorf("PUBLIC %s = %q, want %q", k, got, v)
			}
		}
		if raw.Header.Get("ce-id") == "" || raw.Header.Get("Nats-Msg-Id") != raw.Header.Get("ce-id") {
			t.Errorf("ce-id %q and Nats-Msg-Id %q must be equal and set", raw.Header.Get("ce-id"), raw.Header.Get("Nats-Msg-Id"))
		}
		if n := e.StreamMsgs(t, e.Bus.Config().PublicStream); n != 1 {
			t.Errorf("PUBLIC holds %d messages, want exactly the one publish", n)
		}

		// The audit tells who did what, in order, from the streams.
		out := audit(ctx, t, tandem, url, e.Bus, id)
		var who []string
		for _, line := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
			f := strings.Fields(line)
			who = append(who, f[2]+" "+f[3])
		}
		if want := []string{
			"test-editor tandem.draft.created", "test-editor tandem.draft.updated", "test-editor tandem.draft.submitted",
			"test-editor tandem.translation.opened", "test-translator tandem.translation.updated", "test-translator tandem.translation.updated",
			"test-translator tandem.translation.approved", "test-publisher tandem.article.published",
		}; !slices.Equal(who, want) {
			t.Errorf("audit:\n%s\nwant actors and types %v", out, want)
		}
		if !strings.Contains(out, `b1.1: "From June 3, the night study space on the third floor of the Library is open until 23:00 every day."`) {
			t.Errorf("audit does not show the segment edit:\n%s", out)
		}
	})
}

// audit runs `tandem audit` on the article, against the test's streams on
// the NATS server at natsURL, as an operator would, and returns what it
// printed.
func audit(ctx context.Context, t *testing.T, tandem, natsURL string, bus *events.Bus, id string) string {
	t.Helper()
	c := bus.Config()
	cmd := exec.CommandContext(ctx, tandem, "audit", id, "--nats-url", natsURL,
		"--editorial-stream", c.EditorialStream, "--editorial-prefix", c.EditorialPrefix,
		"--public-stream", c.PublicStream, "--public-prefix", c.PublicPrefix, "--log-level", "error")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("tandem audit %s: %v\n%s", id, err, stderr.String())
	}
	return stdout.String()
}

type rawMsg struct {
	Header interface{ Get(string) string }
}

func rawLast(ctx context.Context, e *stacktest.Env, subject string) (*rawMsg, error) {
	s, err := e.Bus.JetStream().Stream(ctx, e.Bus.Config().PublicStream)
	if err != nil {
		return nil, err
	}
	m, err := s.GetLastMsgForSubject(ctx, subject)
	if err != nil {
		return nil, err
	}
	return &rawMsg{Header: m.Header}, nil
}
