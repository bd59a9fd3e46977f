package publishing

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/cache"
	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/siteconfig"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	errorsv1 "github.com/tandemnews/tandem/proto/tandem/errors/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

func (e *env) publish(id string, locales ...string) *eventsv1.Publication {
	e.t.Helper()
	res, err := e.svc.PublishArticle(e.ctx, &publishingv1.PublishArticleRequest{ArticleId: id, Locales: locales})
	if err != nil {
		e.t.Fatal(err)
	}
	return res.Publication
}

func TestPublishStoresThePagesAndAnnouncesThem(t *testing.T) {
	e := newEnv(t)
	rev := e.ready("A1")
	reply := e.publish("A1", "zh-CN", "en")
	zh, en := reply.Locales["zh-CN"], reply.Locales["en"]
	if zh.GetPath() != "/zh/news-events/news/forum" || en.GetPath() != "/en/news-events/news/forum" {
		t.Fatalf("paths %q %q", zh.GetPath(), en.GetPath())
	}
	if zh.SourceRevision != rev || en.Title != "Forum in English" || zh.Html != nil || en.Html != nil {
		t.Errorf("reply = %v", reply)
	}
	if got := zh.GetPublished().GetActor(); got.GetUserId() != "chief" || got.GetName() != "Chief Editor" || zh.FirstPublished.GetTime().AsTime() != zh.Published.GetTime().AsTime() {
		t.Errorf("published = %v, first %v", zh.GetPublished(), zh.GetFirstPublished())
	}
	p := e.record("A1")
	for _, l := range []string{"zh-CN", "en"} {
		pl := p.Locales[l]
		sum := sha256.Sum256(pl.Html)
		if len(pl.Html) == 0 || pl.ContentHash != hex.EncodeToString(sum[:]) || pl.Description == "" || reply.Locales[l].ContentHash != pl.ContentHash {
			t.Errorf("%s: hash %s of %d bytes, description %q", l, pl.ContentHash, len(pl.Html), pl.Description)
		}
		if !bytes.Contains(pl.Html, []byte(`hreflang="zh-CN"`)) || !bytes.Contains(pl.Html, []byte(`hreflang="en"`)) {
			t.Errorf("%s does not link both languages", l)
		}
		if got := e.cached("A1", pl); !bytes.Equal(got, pl.Html) {
			t.Errorf("Redis holds %d bytes for %s, want the published page", len(got), pl.Path)
		}
		r, err := e.svc.GetRendered(e.ctx, &publishingv1.GetRenderedRequest{ArticleId: "A1", Locale: l})
		if err != nil || !bytes.Equal(r.Html, pl.Html) || r.Path != pl.Path || r.ContentHash != pl.ContentHash || r.SourceRevision != pl.SourceRevision {
			t.Errorf("GetRendered %s: %v", l, err)
		}
	}
	ev := e.last("A1")
	if ev.Type != eventsv1.ArticlePublished || ev.Actor != "chief" || ev.Source != eventsv1.SourcePublishing {
		t.Errorf("event %s by %s from %s", ev.Type, ev.Actor, ev.Source)
	}
	if got := ev.Data.(*eventsv1.ArticleEvent).ChangedLocales; !slices.Equal(got, []string{"zh-CN", "en"}) {
		t.Errorf("changed locales %v", got)
	}
	got, err := e.svc.GetPublication(e.ctx, &publishingv1.GetPublicationRequest{ArticleId: "A1"})
	if err != nil || got.Publication.Revision != p.Revision || got.Publication.Locales["en"].Html != nil {
		t.Errorf("GetPublication: %v %v", got, err)
	}
}

func TestPublishTellsEachLocalesURLOnTheConfiguredSite(t *testing.T) {
	e := newEnv(t)
	site := siteconfig.Default()
	site.BaseURL = "https://news.example.edu"
	e.svc = New(e.bus, Options{Pages: e.pages, Logger: quiet, Site: site})
	e.ready("A1")
	reply := e.publish("A1", "zh-CN", "en")
	want := map[string]string{
		"zh-CN": "https://news.example.edu/zh/news-events/news/forum",
		"en":    "https://news.example.edu/en/news-events/news/forum",
	}
	stored := e.record("A1")
	for l, url := range want {
		if got := reply.Locales[l].GetUrl(); got != url {
			t.Errorf("reply %s: url %q, want %q", l, got, url)
		}
		if got := stored.Locales[l].GetUrl(); got != url {
			t.Errorf("announced %s: url %q, want %q", l, got, url)
		}
	}
}

func TestPublishUsesTheSubmittedRevisionNotTheLatestDraft(t *testing.T) {
	e := newEnv(t)
	e.ready("A1")
	later := sampleArticle("A1")
	later.Locales["zh-CN"].Title = "未提交的标题"
	later.Slug = "renamed"
	if _, err := draftWriter(e.bus.Editorial).Update(e.ctx, "A1", 0, func(d *draftingv1.Draft) (events.Change, error) {
		d.Article = later
		return events.Change{Type: eventsv1.DraftUpdated, Actor: "editor"}, nil
	}); err != nil {
		t.Fatal(err)
	}
	zh := e.publish("A1", "zh-CN").Locales["zh-CN"]
	if zh.Title != content().Title || zh.Slug != "forum" {
		t.Errorf("published %q at %s, not the submitted revision", zh.Title, zh.Path)
	}
}

func TestCorrectShowsTheNoteAndKeepsFirstPublished(t *testing.T) {
	e := newEnv(t)
	e.ready("A1")
	first := e.publish("A1", "zh-CN").Locales["zh-CN"]
	_, err := e.svc.CorrectArticle(e.ctx, &publishingv1.CorrectArticleRequest{ArticleId: "A1", Locales: []string{"zh-CN"}, Note: " "})
	wantViolations(t, err, "note")
	_, err = e.svc.CorrectArticle(e.ctx, &publishingv1.CorrectArticleRequest{ArticleId: "A1", Locales: []string{"en"}, Note: "Fixed."})
	wantReason(t, err, codes.FailedPrecondition, errorsv1.ErrorReason_ERROR_REASON_LOCALE_MISSING, map[string]string{"locale": "en"})
	if msg := status.Convert(err).Message(); msg != "A1 is not published in en; publish it instead of correcting it" {
		t.Errorf("message %q", msg)
	}
	res, err := e.svc.CorrectArticle(e.ctx, &publishingv1.CorrectArticleRequest{ArticleId: "A1", Locales: []string{"zh-CN"}, Note: "  The room was wrong. "})
	if err != nil {
		t.Fatal(err)
	}
	zh := res.Publication.Locales["zh-CN"]
	if zh.GetCorrection().GetNote() != "The room was wrong." || !zh.FirstPublished.GetTime().AsTime().Equal(first.Published.GetTime().AsTime()) {
		t.Errorf("corrected = %v", zh)
	}
	if zh.ContentHash == first.ContentHash {
		t.Error("the corrected page was not rendered again")
	}
	if page := e.cached("A1", zh); !bytes.Contains(page, []byte("The room was wrong.")) {
		t.Error("Redis holds a page without the correction")
	}
	if ev := e.last("A1"); ev.Type != eventsv1.ArticleCorrected {
		t.Errorf("event %s", ev.Type)
	}
}

func TestUnpublishTakesALocaleDownAndForgetsItsPages(t *testing.T) {
	e := newEnv(t)
	e.ready("A1")
	before := e.publish("A1", "zh-CN", "en")
	_, err := e.svc.UnpublishArticle(e.ctx, &publishingv1.UnpublishArticleRequest{ArticleId: "A1", Locales: []string{"en"}})
	wantViolations(t, err, "reason")
	res, err := e.svc.UnpublishArticle(e.ctx, &publishingv1.UnpublishArticleRequest{ArticleId: "A1", Locales: []string{"en"}, Reason: " photo rights withdrawn "})
	if err != nil {
		t.Fatal(err)
	}
	p := res.Publication
	td := p.TakenDown["en"]
	if p.Locales["en"] != nil || td.GetPath() != before.Locales["en"].Path || td.GetReason() != "photo rights withdrawn" || td.GetChange().GetActor().GetUserId() != "chief" {
		t.Errorf("publication = %v", p)
	}
	e.settle("A1")
	if e.cached("A1", before.Locales["en"]) != nil {
		t.Error("Redis still holds the page taken down")
	}
	zh := e.record("A1").Locales["zh-CN"]
	if e.cached("A1", before.Locales["zh-CN"]) != nil {
		t.Error("Redis still holds the Chinese page's version that linked the English")
	}
	if bytes.Contains(zh.Html, []byte(`hreflang="en"`)) || !bytes.Equal(e.cached("A1", zh), zh.Html) {
		t.Error("the Chinese page still links the English, or Redis serves an old version")
	}
	if ev := e.last("A1"); ev.Type != eventsv1.ArticleUnpublished || !slices.Equal(ev.Data.(*eventsv1.ArticleEvent).ChangedLocales, []string{"en"}) {
		t.Errorf("event %s %v", ev.Type, ev.Data)
	}
	_, err = e.svc.UnpublishArticle(e.ctx, &publishingv1.UnpublishArticleRequest{ArticleId: "A1", Locales: []string{"en"}, Reason: "again"})
	wantReason(t, err, codes.FailedPrecondition, errorsv1.ErrorReason_ERROR_REASON_LOCALE_MISSING, map[string]string{"locale": "en"})
	_, err = e.svc.UnpublishArticle(e.ctx, &publishingv1.UnpublishArticleRequest{ArticleId: "NONE", Locales: []string{"en"}, Reason: "x"})
	if st := status.Convert(err); st.Code() != codes.NotFound || st.Message() != "publication of NONE not found" {
		t.Errorf("unknown article: %v", err)
	}
	// Published again, the locale is live and no longer taken down.
	again := e.publish("A1", "en")
	if again.TakenDown["en"] != nil || e.cached("A1", again.Locales["en"]) == nil {
		t.Errorf("published again: %v", again)
	}
}

func TestPublishRefusesWhatIsNotReady(t *testing.T) {
	e := newEnv(t)
	_, err := e.svc.PublishArticle(e.ctx, &publishingv1.PublishArticleRequest{ArticleId: "", Locales: []string{"zh-CN", "fr", "zh-CN"}})
	wantViolations(t, err, "article_id", "locales[1]", "locales[2]")
	_, err = e.svc.PublishArticle(e.ctx, &publishingv1.PublishArticleRequest{ArticleId: "A1"})
	wantViolations(t, err, "locales")
	_, err = e.svc.PublishArticle(e.ctx, &publishingv1.PublishArticleRequest{ArticleId: "NONE", Locales: []string{"zh-CN"}})
	if st := status.Convert(err); st.Code() != codes.NotFound || st.Message() != "article NONE not found" {
		t.Errorf("unknown article: %v", err)
	}

	// Stored but never submitted.
	if _, err := draftWriter(e.bus.Editorial).Upsert(e.ctx, "A1", func(d *draftingv1.Draft) (events.Change, error) {
		d.Article = sampleArticle("A1")
		return events.Change{Type: eventsv1.DraftCreated, Actor: "editor"}, nil
	}); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.PublishArticle(e.ctx, &publishingv1.PublishArticleRequest{ArticleId: "A1", Locales: []string{"zh-CN"}})
	wantReason(t, err, codes.FailedPrecondition, errorsv1.ErrorReason_ERROR_REASON_DRAFT_NOT_SUBMITTED, map[string]string{})

	rev := e.submit(sampleArticle("A1"))
	_, err = e.svc.PublishArticle(e.ctx, &publishingv1.PublishArticleRequest{ArticleId: "A1", Locales: []string{"zh-CN", "en"}})
	wantReason(t, err, codes.FailedPrecondition, errorsv1.ErrorReason_ERROR_REASON_TRANSLATION_NOT_APPROVED, map[string]string{"locale": "en"})
	e.review("A1", rev, reviewv1.JobStatus_JOB_STATUS_OPEN, "Draft")
	_, err = e.svc.PublishArticle(e.ctx, &publishingv1.PublishArticleRequest{ArticleId: "A1", Locales: []string{"en"}})
	wantReason(t, err, codes.FailedPrecondition, errorsv1.ErrorReason_ERROR_REASON_TRANSLATION_NOT_APPROVED, map[string]string{"locale": "en"})
	e.review("A1", rev-1, reviewv1.JobStatus_JOB_STATUS_APPROVED, "Old")
	_, err = e.svc.PublishArticle(e.ctx, &publishingv1.PublishArticleRequest{ArticleId: "A1", Locales: []string{"en"}})
	wantReason(t, err, codes.FailedPrecondition, errorsv1.ErrorReason_ERROR_REASON_TRANSLATION_STALE, map[string]string{
		"locale": "en", "translation_source_revision": events.Revision(rev - 1), "submitted_revision": events.Revision(rev)})
	if _, err := e.svc.pubs.Get(e.ctx, "A1"); !errors.Is(err, events.ErrNotFound) {
		t.Errorf("a refused publication was written: %v", err)
	}
}

func TestGetRenderedAnswersOnlyPublishedPages(t *testing.T) {
	e := newEnv(t)
	e.ready("A1")
	e.publish("A1", "zh-CN")
	_, err := e.svc.GetRendered(e.ctx, &publishingv1.GetRenderedRequest{ArticleId: " ", Locale: "fr"})
	wantViolations(t, err, "article_id", "locale")
	for _, c := range []struct{ id, locale, msg string }{
		{"A1", "en", "en page of A1 not found"},
		{"NONE", "zh-CN", "published article NONE not found"},
	} {
		_, err := e.svc.GetRendered(e.ctx, &publishingv1.GetRenderedRequest{ArticleId: c.id, Locale: c.locale})
		if st := status.Convert(err); st.Code() != codes.NotFound || st.Message() != c.msg {
			t.Errorf("%s %s: %v", c.id, c.locale, err)
		}
	}
	_, err = e.svc.GetPublication(e.ctx, &publishingv1.GetPublicationRequest{})
	wantViolations(t, err, "article_id")
}

func TestPublishWithoutRedisStillAnnounces(t *testing.T) {
	e := newEnv(t)
	e.svc.pages.cache = nil
	e.ready("A1")
	zh := e.publish("A1", "zh-CN").Locales["zh-CN"]
	if len(e.record("A1").Locales["zh-CN"].Html) == 0 || e.cached("A1", zh) != nil {
		t.Error("without Redis the record must carry the page, and Redis stay empty")
	}
	if _, err := e.svc.UnpublishArticle(e.ctx, &publishingv1.UnpublishArticleRequest{ArticleId: "A1", Locales: []string{"zh-CN"}, Reason: "x"}); err != nil {
		t.Fatal(err)
	}
}

func TestPublishingGoesOnWhenRedisFails(t *testing.T) {
	e := newEnv(t)
	dead := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialerRetries: 1, DialerRetryTimeout: time.Millisecond})
	t.Cleanup(func() { dead.Close() })
	e.svc.pages.cache = cache.New(dead, "dead:")
	e.ready("A1")
	e.publish("A1", "zh-CN", "en")
	if len(e.record("A1").Locales["en"].Html) == 0 {
		t.Fatal("the record lacks the page Redis could not take")
	}
	if _, err := e.svc.UnpublishArticle(e.ctx, &publishingv1.UnpublishArticleRequest{ArticleId: "A1", Locales: []string{"en"}, Reason: "x"}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.HandleDraftEvent(e.ctx, purged("A1")); err != nil {
		t.Fatal(err)
	}
	if p := e.record("A1"); len(p.Locales) != 0 || p.TakenDown["en"] == nil {
		t.Errorf("publication = %v", p)
	}
}

func TestPolicyCoversEveryMethod(t *testing.T) {
	p := (&Service{}).Policy()
	desc := publishingv1.PublishingService_ServiceDesc
	names := []string{}
	for _, m := range desc.Methods {
		names = append(names, m.MethodName)
	}
	for _, m := range desc.Streams {
		names = append(names, m.StreamName)
	}
	if len(p) != len(names) {
		t.Errorf("%d rules for %d methods", len(p), len(names))
	}
	for _, name := range names {
		m := struct{ MethodName string }{name}
		full := "/" + desc.ServiceName + "/" + m.MethodName
		roles, ok := p[full]
		if !ok {
			t.Errorf("no rule for %s", full)
			continue
		}
		// GetRendered serves what is public; GetLinkedPreview and
		// GetLinkedMedia what a signed link shows.
		public := m.MethodName == "GetRendered" || m.MethodName == "GetLinkedPreview" || m.MethodName == "GetLinkedMedia"
		if public != (len(roles) == 0) {
			t.Errorf("%s allows %v", m.MethodName, roles)
		}
		if !public && !slices.Contains(roles, auth.Publisher) {
			t.Errorf("%s shuts out publishers: %v", m.MethodName, roles)
		}
		// Reading, and previewing (which stores nothing), is open to
		// editors; every change is the publishers' alone.
		if strings.HasPrefix(m.MethodName, "Get") || strings.HasPrefix(m.MethodName, "List") || m.MethodName == "PreviewArticle" {
			continue
		}
		if slices.Contains(roles, auth.Editor) {
			t.Errorf("editors may call %s", m.MethodName)
		}
	}
}
