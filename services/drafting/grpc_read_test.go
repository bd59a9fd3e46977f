package drafting

import (
	"fmt"
	"slices"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
)

func TestHistoryAndDiffsFollowASequenceOfEdits(t *testing.T) {
	s := newService(t)
	a := valid()
	a.Locales["zh-CN"].Title = "学校举办2024智能制造国际论坛"
	a.Locales["zh-CN"].Blocks = []*articlev1.Block{para("论坛在图书馆报告厅举行。"), para("来自8个国家的专家参加了论坛。")}
	d1 := create(t, s, a)
	ids := []string{d1.Article.Locales["zh-CN"].Blocks[0].Id, d1.Article.Locales["zh-CN"].Blocks[1].Id}

	// Edit 1: the Chinese title, character by character.
	d2 := update(t, s, d1, func(a *articlev1.Article) {
		a.Locales["zh-CN"].Title = "学校隆重举办2024智能制造国际研讨会"
	})
	// Edit 2: swap the blocks, change one, add one (as a Markdown re-import
	// would: no ids), and change the English.
	d3 := update(t, s, d2, func(a *articlev1.Article) {
		zh := a.Locales["zh-CN"]
		zh.Blocks = []*articlev1.Block{para("来自8个国家的专家参加了论坛。"), para("论坛在学校图书馆报告厅隆重举行。"), para("新增段落。")}
		a.Locales["en"].Blocks[0].GetParagraph().Text = "The forum was held in the lecture hall."
	})
	sub, err := s.SubmitDraft(editorCtx(), &draftingv1.SubmitDraftRequest{Id: d1.Article.Id, ExpectedRevision: d3.Revision})
	if err != nil {
		t.Fatal(err)
	}

	h, err := s.GetDraftHistory(editorCtx(), &draftingv1.GetDraftHistoryRequest{Id: d1.Article.Id})
	if err != nil {
		t.Fatal(err)
	}
	var revs []uint64
	var sums []string
	for _, e := range h.Entries {
		revs = append(revs, e.Revision)
		sums = append(sums, e.Summary)
		if e.Actor.GetUserId() != "li.ming" || e.Time == nil {
			t.Errorf("entry %d lacks actor or time: %v", e.Revision, e)
		}
	}
	if want := []uint64{sub.Draft.Revision, d3.Revision, d2.Revision, d1.Revision}; !slices.Equal(revs, want) {
		t.Fatalf("history revisions %v, want newest first %v", revs, want)
	}
	wantSums := []string{
		fmt.Sprintf("submitted revision %d", d3.Revision),
		"blocks 1 changed, 1 added (zh-CN); blocks 1 changed (en)",
		"title (zh-CN)",
		"created (zh-CN, en)",
	}
	if !slices.Equal(sums, wantSums) {
		t.Fatalf("summaries\n%q\nwant\n%q", sums, wantSums)
	}

	// The title diff, exactly, by characters.
	diff, err := s.DiffRevisions(editorCtx(), &draftingv1.DiffRevisionsRequest{Id: d1.Article.Id, FromRevision: d1.Revision, ToRevision: d2.Revision})
	if err != nil {
		t.Fatal(err)
	}
	if len(diff.Fields) != 1 || diff.Fields[0].Field != `locales["zh-CN"].title` {
		t.Fatalf("fields %v", diff.Fields)
	}
	if got, want := render(diff.Fields[0].Diff), "学校[+隆重]举办2024智能制造国际[-论坛][+研讨会]"; got != want {
		t.Fatalf("title diff %s, want %s", got, want)
	}

	// The block diff: ids survived the re-import, the moved block is found,
	// the changed one diffed by characters, the new one added.
	diff, err = s.DiffRevisions(editorCtx(), &draftingv1.DiffRevisionsRequest{Id: d1.Article.Id, FromRevision: d2.Revision, ToRevision: d3.Revision})
	if err != nil {
		t.Fatal(err)
	}
	var zh []string
	for _, b := range diff.Blocks {
		if b.Locale == "zh-CN" {
			zh = append(zh, fmt.Sprintf("%s a%v m%v c%v %d>%d %s", b.BlockId, b.Added, b.Moved, b.Changed, b.FromIndex, b.ToIndex, render(b.Diff)))
		}
	}
	added := d3.Article.Locales["zh-CN"].Blocks[2].Id
	// Of two blocks that swapped places, the one outside the longest common
	// order counts as moved: here the first, which also changed.
	want := []string{
		fmt.Sprintf("%s afalse mtrue ctrue 0>1 论坛在[+学校]图书馆报告厅[+隆重]举行。", ids[0]),
		fmt.Sprintf("%s atrue mfalse cfalse -1>2 [+新增段落。]", added),
	}
	if !slices.Equal(zh, want) {
		t.Fatalf("zh block changes\n%q\nwant\n%q", zh, want)
	}
	if slices.Contains(ids, added) {
		t.Fatal("the new block took an old id")
	}
	var en []string
	for _, b := range diff.Blocks {
		if b.Locale == "en" {
			en = append(en, render(b.Diff))
		}
	}
	if want := []string{"[-Body][+The forum was held in the lecture hall]."}; !slices.Equal(en, want) {
		t.Fatalf("en block diff %q, want %q", en, want)
	}

	// Old revisions stay readable.
	old, err := s.GetDraftRevision(editorCtx(), &draftingv1.GetDraftRevisionRequest{Id: d1.Article.Id, Revision: d1.Revision})
	if err != nil || old.Draft.Article.Locales["zh-CN"].Title != "学校举办2024智能制造国际论坛" || old.Draft.Revision != d1.Revision {
		t.Fatalf("revision %d: %v %v", d1.Revision, old, err)
	}
	if _, err := s.GetDraftRevision(editorCtx(), &draftingv1.GetDraftRevisionRequest{Id: "OTHER", Revision: d1.Revision}); status.Code(err) != codes.NotFound {
		t.Fatalf("another article's revision: %v, want NotFound", err)
	}
}

func render(spans []*draftingv1.TextSpan) string {
	var out string
	for _, sp := range spans {
		switch sp.Op {
		case draftingv1.SpanOp_SPAN_OP_INSERT:
			out += "[+" + sp.Text + "]"
		case draftingv1.SpanOp_SPAN_OP_DELETE:
			out += "[-" + sp.Text + "]"
		default:
			out += sp.Text
		}
	}
	return out
}

func TestHistoryPagesNewestFirst(t *testing.T) {
	s := newService(t)
	d := create(t, s, valid())
	var revs []uint64
	revs = append(revs, d.Revision)
	for i := range 6 {
		d = update(t, s, d, func(a *articlev1.Article) { a.Locales["en"].Title = fmt.Sprintf("Title %d", i) })
		revs = append(revs, d.Revision)
	}
	slices.Reverse(revs)
	var got []uint64
	token := ""
	for pages := 0; ; pages++ {
		h, err := s.GetDraftHistory(editorCtx(), &draftingv1.GetDraftHistoryRequest{Id: d.Article.Id, PageSize: 3, PageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range h.Entries {
			got = append(got, e.Revision)
		}
		if token = h.NextPageToken; token == "" {
			if pages != 2 {
				t.Errorf("%d pages, want 3", pages+1)
			}
			break
		}
	}
	if !slices.Equal(got, revs) {
		t.Fatalf("paged history %v, want %v", got, revs)
	}
	_, err := s.GetDraftHistory(editorCtx(), &draftingv1.GetDraftHistoryRequest{Id: d.Article.Id, PageSize: 101, PageToken: "x"})
	if status.Code(err) != codes.InvalidArgument {
		t.Fatalf("bad page size and token: %v", err)
	}
	if _, err := s.GetDraftHistory(editorCtx(), &draftingv1.GetDraftHistoryRequest{Id: "NOPE"}); status.Code(err) != codes.NotFound {
		t.Fatalf("unknown draft: %v", err)
	}
}
