package draft

import (
	"errors"
	"slices"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/tandemnews/tandem/pkg/field"
	"github.com/tandemnews/tandem/pkg/siteconfig"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
)

func TestCheckMaskNamesEveryPathThatIsNoField(t *testing.T) {
	good := []string{"date", "section", "slug", "locales.zh-CN", "locales.en", "locales.en.title",
		"locales.zh-CN.summary", "locales.en.blocks", "locales.en.byline", "locales.en.keywords"}
	var v field.Violations
	CheckMask(good, &v)
	if v.Len() != 0 {
		t.Fatalf("good paths refused: %v", v.Fields())
	}
	bad := []string{"date", "", "title", "locales", "locales.", "locales.fr", "locales.fr.title", "locales.en.body", "locales.en.title.x", "Date", "source_locale"}
	CheckMask(bad, &v)
	want := []string{"update_mask.paths[1]", "update_mask.paths[2]", "update_mask.paths[3]", "update_mask.paths[4]", "update_mask.paths[5]",
		"update_mask.paths[6]", "update_mask.paths[7]", "update_mask.paths[8]", "update_mask.paths[9]", "update_mask.paths[10]"}
	if got := v.Fields(); !slices.Equal(got, want) {
		t.Fatalf("violations %v, want %v", got, want)
	}
}

func full() *articlev1.Article {
	a := valid()
	a.Slug = "forum"
	en := a.Locales["en"]
	en.Summary = "Summary."
	en.Keywords = []string{"forum"}
	en.Byline = &articlev1.Byline{Authors: []string{"Li Ming"}, Office: "News Office"}
	return a
}

func TestCopyFieldCopiesOneFieldAndNothingElse(t *testing.T) {
	src := full()
	src.Date, src.Section = "2024-06-01", []string{"campus-life"}
	src.Locales["en"].Title = "New"
	for _, path := range []string{"date", "section", "slug", "locales.en.title", "locales.en.summary", "locales.en.blocks", "locales.en.byline", "locales.en.keywords"} {
		dst := valid()
		before := proto.Clone(dst).(*articlev1.Article)
		CopyField(dst, src, path)
		if !SameField(dst, src, path) {
			t.Errorf("%s: not copied: %v", path, dst)
		}
		for _, other := range []string{"date", "section", "slug", "locales.zh-CN", "locales.en.title", "locales.en.summary", "locales.en.blocks", "locales.en.byline", "locales.en.keywords"} {
			if other != path && !SameField(dst, before, other) {
				t.Errorf("copying %s changed %s", path, other)
			}
		}
	}
}

func TestCopyFieldCopiesValuesNotReferences(t *testing.T) {
	src, dst := full(), &articlev1.Article{}
	for _, p := range []string{"section", "locales.en.blocks", "locales.en.byline", "locales.en.keywords"} {
		CopyField(dst, src, p)
	}
	CopyField(dst, src, "locales.zh-CN")
	src.Section[0] = "changed"
	src.Locales["en"].Blocks[0].GetParagraph().Text = "changed"
	src.Locales["en"].Byline.Office = "changed"
	src.Locales["en"].Keywords[0] = "changed"
	src.Locales["zh-CN"].Title = "changed"
	if !proto.Equal(dst, &articlev1.Article{Section: []string{"news-events", "news"}, Locales: map[string]*articlev1.LocalizedContent{
		"en":    {Blocks: []*articlev1.Block{para("Body.")}, Byline: &articlev1.Byline{Authors: []string{"Li Ming"}, Office: "News Office"}, Keywords: []string{"forum"}},
		"zh-CN": {Title: "标题", Blocks: []*articlev1.Block{para("正文。")}},
	}}) {
		t.Fatalf("the copy follows its source: %v", dst)
	}
}

func TestCopyFieldOfAWholeLocaleRemovesOneTheSourceLacks(t *testing.T) {
	dst := valid()
	CopyField(dst, &articlev1.Article{}, "locales.en")
	if _, ok := dst.Locales["en"]; ok || dst.Locales["zh-CN"] == nil {
		t.Fatalf("locales %v, want zh-CN alone", dst.Locales)
	}
	// A field of a locale the source lacks empties that field.
	CopyField(dst, &articlev1.Article{}, "locales.zh-CN.title")
	if dst.Locales["zh-CN"].Title != "" || len(dst.Locales["zh-CN"].Blocks) != 1 {
		t.Fatalf("zh-CN %v, want no title and the block kept", dst.Locales["zh-CN"])
	}
	// A field of a locale the target lacks adds the locale.
	CopyField(dst, valid(), "locales.en.summary")
	if dst.Locales["en"] == nil {
		t.Fatal("the en locale was not added")
	}
}

func TestSameField(t *testing.T) {
	a, b := full(), full()
	b.Locales["en"].Title = "Other"
	for path, want := range map[string]bool{"date": true, "slug": true, "locales.zh-CN": true, "locales.en.summary": true, "locales.en.title": false, "locales.en": false} {
		if got := SameField(a, b, path); got != want {
			t.Errorf("SameField(%s) = %v, want %v", path, got, want)
		}
	}
}

func TestMergeAppliesTheMaskOnTheCurrentDraft(t *testing.T) {
	cur := stored(3)
	edit := &articlev1.Article{Date: "2024-06-01", Slug: "ignored"}
	merged, err := Merge(cur, nil, 3, edit, []string{"date"})
	if err != nil {
		t.Fatal(err)
	}
	want := proto.Clone(cur.Article).(*articlev1.Article)
	want.Date = "2024-06-01"
	if !proto.Equal(merged, want) {
		t.Fatalf("merged %v, want %v", merged, want)
	}
	if cur.Article.Date != "2024-05-16" {
		t.Error("Merge changed the current draft")
	}
}

func TestMergeOfAStaleEditKeepsWhatCameSince(t *testing.T) {
	base := stored(3)
	cur := stored(5)
	cur.Article.Locales["en"].Title = "Changed since"
	merged, err := Merge(cur, base, 3, &articlev1.Article{Date: "2024-06-01"}, []string{"date"})
	if err != nil {
		t.Fatal(err)
	}
	if merged.Date != "2024-06-01" || merged.Locales["en"].Title != "Changed since" {
		t.Fatalf("merged %v lost a change", merged)
	}
}

func TestMergeRefusesAStaleEditOfAChangedField(t *testing.T) {
	base := stored(3)
	cur := stored(5)
	cur.Article.Locales["en"].Title = "Changed since"
	edit := &articlev1.Article{Date: "2024-06-01", Locales: map[string]*articlev1.LocalizedContent{"en": {Title: "Mine"}}}
	_, err := Merge(cur, base, 3, edit, []string{"date", "locales.en.title"})
	var ce *ConflictError
	if !errors.Is(err, ErrConflict) || !errors.As(err, &ce) {
		t.Fatalf("err %v, want a ConflictError", err)
	}
	if *ce != (ConflictError{ID: "A1", Field: "locales.en.title", Current: 5}) {
		t.Errorf("conflict %+v", *ce)
	}
	if want := "draft A1 (locales.en.title) was changed by someone else: the current revision is 5; read it again and reapply your change"; err.Error() != want {
		t.Errorf("message %q", err)
	}
	if md := ce.Metadata(); len(md) != 1 || md["current_revision"] != "5" {
		t.Errorf("metadata %v", md)
	}
	if errors.Is(errors.New("other"), ErrConflict) || ce.Is(ErrNotFound) {
		t.Error("ConflictError matches what it is not")
	}
}

func TestMergeFromARevisionTheDraftNeverHad(t *testing.T) {
	_, err := Merge(stored(5), nil, 4, valid(), []string{"date"})
	var fe *field.Error
	if !errors.Is(err, ErrUnknownRevision) || !errors.As(err, &fe) {
		t.Fatalf("err %v, want ErrUnknownRevision with a field error", err)
	}
	if want := (field.Violation{Field: "expected_revision", Description: "4 is not a revision of draft A1"}); len(fe.Violations) != 1 || fe.Violations[0] != want {
		t.Errorf("violations %v", fe.Violations)
	}
}

func TestPatchChecksTheMergedArticle(t *testing.T) {
	rules := Rules{Site: siteconfig.Default()}
	d := stored(3)
	before := proto.Clone(d)
	err := rules.Patch(d, nil, 3, &articlev1.Article{Locales: map[string]*articlev1.LocalizedContent{"en": {Title: " "}}}, []string{"locales.en.title"}, other, later)
	var fe *field.Error
	if !errors.As(err, &fe) || len(fe.Violations) != 1 || fe.Violations[0].Field != `article.locales["en"].title` {
		t.Fatalf("empty title through a mask: %v", err)
	}
	if !proto.Equal(d, before) {
		t.Fatal("a refused patch changed the draft")
	}
	err = rules.Patch(d, nil, 3, &articlev1.Article{Section: []string{"sports"}}, []string{"section"}, other, later)
	if !errors.As(err, &fe) || fe.Violations[0].Field != "article.section" {
		t.Fatalf("unknown section through a mask: %v", err)
	}
	if err := rules.Patch(d, nil, 2, valid(), []string{"date"}, other, later); !errors.Is(err, ErrUnknownRevision) {
		t.Fatalf("stale without a base: %v", err)
	}
}

func TestPatchReplacesTheDraftWithTheMergedArticle(t *testing.T) {
	d := stored(3)
	d.Status = draftingv1.DraftStatus_DRAFT_STATUS_SUBMITTED
	id := d.Article.Locales["zh-CN"].Blocks[0].Id
	err := Rules{}.Patch(d, nil, 3, &articlev1.Article{Id: "X", Locales: map[string]*articlev1.LocalizedContent{"en": {Title: "New"}}}, []string{"locales.en.title"}, other, later)
	if err != nil {
		t.Fatal(err)
	}
	if d.Article.Id != "A1" || d.Article.Locales["en"].Title != "New" || d.Article.Locales["zh-CN"].Blocks[0].Id != id {
		t.Fatalf("patched article %v", d.Article)
	}
	if d.Status != draftingv1.DraftStatus_DRAFT_STATUS_DRAFT {
		t.Errorf("status %s, want a draft again", d.Status)
	}
	wantChange(t, "updated", d.Updated, other, later)
}

func TestCheckMaskReadsALocaleWrittenForJSON(t *testing.T) {
	paths := []string{"locales.zh_cn", "locales.ZH_CN.title", "locales.EN", "date"}
	var v field.Violations
	CheckMask(paths, &v)
	if want := []string{"locales.zh-CN", "locales.zh-CN.title", "locales.en", "date"}; v.Len() != 0 || !slices.Equal(paths, want) {
		t.Fatalf("paths %v (violations %v), want %v", paths, v.Fields(), want)
	}
}
