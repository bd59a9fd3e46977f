package drafting

import (
	"slices"
	"strconv"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"

	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
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
