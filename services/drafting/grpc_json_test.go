package drafting

import (
	"slices"
	"strconv"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
)

// A field mask in JSON (what grpcurl sends) is one string of lowerCamel
// paths, which cannot hold the '-' of zh-CN: written zhCn, it still names
// the Chinese. README.md shows this request.
func TestUpdateMaskInJSONNamesEveryLocale(t *testing.T) {
	s := newService(t)
	d := create(t, s, valid())

	var req draftingv1.UpdateDraftRequest
	if err := protojson.Unmarshal([]byte(`{
		"article": {"id": "`+d.Article.Id+`", "locales": {"zh-CN": {"title": "新标题"}, "en": {"title": "New title"}}},
		"expectedRevision": "`+strconv.FormatUint(d.Revision, 10)+`",
		"updateMask": "locales.zhCn.title,locales.en.title"
	}`), &req); err != nil {
		t.Fatal(err)
	}
	if got := req.GetUpdateMask().GetPaths(); !slices.Equal(got, []string{"locales.zh_cn.title", "locales.en.title"}) {
		t.Fatalf("JSON paths read as %v", got)
	}
	res, err := s.UpdateDraft(editorCtx(), &req)
	if err != nil {
		t.Fatal(err)
	}
	zh, en := res.Draft.Article.Locales["zh-CN"], res.Draft.Article.Locales["en"]
	if zh.Title != "新标题" || en.Title != "New title" || len(zh.Blocks) != 1 || len(en.Blocks) != 1 {
		t.Fatalf("draft after the masked update: %v", res.Draft.Article)
	}

	// A path with the '-' is not JSON's: protojson refuses it.
	if err := protojson.Unmarshal([]byte(`{"updateMask": "locales.zh-CN.title"}`), &req); err == nil {
		t.Error("protojson read a path with a '-'")
	}
}

func TestValidateOnlyChecksEverythingAndStoresNothing(t *testing.T) {
	s := newService(t)
	a := valid()
	a.Slug = "open-day"
	first := create(t, s, a)
	s.cat.PutPublication(&eventsv1.Publication{ArticleId: first.Article.Id, Revision: 1, Locales: map[string]*eventsv1.PublishedLocale{"zh-CN": {Slug: "open-day"}}})

	bad := valid()
	bad.Slug = "open-day"
	bad.Section = []string{"news-events", "sports"}
	_, err := s.CreateDraft(editorCtx(), &draftingv1.CreateDraftRequest{Article: bad, ValidateOnly: true})
	if st := status.Convert(err); st.Code() != codes.InvalidArgument || !slices.Equal(fieldsOf(st), []string{"article.section", "article.slug"}) {
		t.Fatalf("validate-only create: %v", err)
	}
	res, err := s.CreateDraft(editorCtx(), &draftingv1.CreateDraftRequest{Article: valid(), ValidateOnly: true})
	if err != nil || res.GetDraft() != nil {
		t.Fatalf("validate-only create of a good article = %v, %v; want an empty answer", res, err)
	}
	// Its own slug is no problem for the article itself, and nothing of
	// the update is stored.
	own := proto.Clone(first.Article).(*articlev1.Article)
	own.Locales["zh-CN"].Title = "改过的标题"
	if _, err := s.UpdateDraft(editorCtx(), &draftingv1.UpdateDraftRequest{Article: own, ValidateOnly: true}); err != nil {
		t.Fatalf("validate-only update: %v", err)
	}
	own.Section = []string{"nowhere"}
	if _, err := s.UpdateDraft(editorCtx(), &draftingv1.UpdateDraftRequest{Article: own, ValidateOnly: true}); !slices.Equal(fieldsOf(status.Convert(err)), []string{"article.section"}) {
		t.Fatalf("validate-only update of an unknown section: %v", err)
	}
	got, err := s.GetDraft(editorCtx(), &draftingv1.GetDraftRequest{Id: first.Article.Id})
	if err != nil || got.Draft.Revision != first.Revision || got.Draft.Article.Locales["zh-CN"].Title == "改过的标题" {
		t.Fatalf("a validate-only update was stored: %v, %v", got, err)
	}
	subjects, err := s.drafts.Stream.Subjects(editorCtx(), s.drafts.Stream.Wildcard(eventsv1.KindDrafts))
	if err != nil || len(subjects) != 1 {
		t.Fatalf("validate-only creates stored drafts: %v, %v", subjects, err)
	}
}
