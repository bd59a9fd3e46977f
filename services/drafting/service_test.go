package drafting

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/testkit"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
)

func editorCtx() context.Context {
	return auth.WithUser(context.Background(), auth.User{ID: "li.ming", Name: "Li Ming", Roles: []auth.Role{auth.Editor}})
}

func newService(t *testing.T) *Service {
	t.Helper()
	return New(testkit.Bus(t, testkit.StartNATS(t).URL()), Options{})
}

func create(t *testing.T, s *Service, a *articlev1.Article) *draftingv1.Draft {
	t.Helper()
	res, err := s.CreateDraft(editorCtx(), &draftingv1.CreateDraftRequest{Article: a})
	if err != nil {
		t.Fatal(err)
	}
	return res.Draft
}

func update(t *testing.T, s *Service, d *draftingv1.Draft, edit func(a *articlev1.Article)) *draftingv1.Draft {
	t.Helper()
	a := proto.Clone(d.Article).(*articlev1.Article)
	edit(a)
	res, err := s.UpdateDraft(editorCtx(), &draftingv1.UpdateDraftRequest{Article: a, ExpectedRevision: d.Revision})
	if err != nil {
		t.Fatal(err)
	}
	return res.Draft
}

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

func TestConcurrentUpdatesLoseNothing(t *testing.T) {
	s := newService(t)
	d := create(t, s, valid())
	const writers = 20
	var (
		mu       sync.Mutex
		accepted = map[uint64]string{}
		aborted  int
		wg       sync.WaitGroup
	)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cur := d
			for attempt := 0; ; attempt++ {
				a := proto.Clone(cur.Article).(*articlev1.Article)
				a.Locales["en"].Title = fmt.Sprintf("Writer %d", w)
				res, err := s.UpdateDraft(editorCtx(), &draftingv1.UpdateDraftRequest{Article: a, ExpectedRevision: cur.Revision})
				if err == nil {
					mu.Lock()
					if prev, dup := accepted[res.Draft.Revision]; dup {
						t.Errorf("revision %d given to %s and writer %d", res.Draft.Revision, prev, w)
					}
					accepted[res.Draft.Revision] = a.Locales["en"].Title
					mu.Unlock()
					return
				}
				if status.Code(err) != codes.Aborted {
					t.Errorf("writer %d: %v, want Aborted or success", w, err)
					return
				}
				mu.Lock()
				aborted++
				mu.Unlock()
				g, err := s.GetDraft(editorCtx(), &draftingv1.GetDraftRequest{Id: d.Article.Id})
				if err != nil {
					t.Error(err)
					return
				}
				cur = g.Draft
			}
		}()
	}
	wg.Wait()
	if len(accepted) != writers {
		t.Fatalf("%d writes accepted, want %d (each writer retries until it lands)", len(accepted), writers)
	}
	// The history holds the creation and exactly the accepted writes.
	h, err := s.GetDraftHistory(editorCtx(), &draftingv1.GetDraftHistoryRequest{Id: d.Article.Id, PageSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Entries) != writers+1 {
		t.Fatalf("history has %d entries, want %d", len(h.Entries), writers+1)
	}
	for _, e := range h.Entries[:writers] {
		title, ok := accepted[e.Revision]
		if !ok {
			t.Fatalf("history revision %d was not an accepted write", e.Revision)
		}
		r, err := s.GetDraftRevision(editorCtx(), &draftingv1.GetDraftRevisionRequest{Id: d.Article.Id, Revision: e.Revision})
		if err != nil || r.Draft.Article.Locales["en"].Title != title {
			t.Fatalf("revision %d holds %v, want %q", e.Revision, r, title)
		}
	}
	t.Logf("%d writers: %d accepted, %d aborted and retried, 0 lost", writers, len(accepted), aborted)
}

func TestMaskedUpdatesOfDifferentFieldsDoNotConflict(t *testing.T) {
	s := newService(t)
	read := create(t, s, valid()) // both editors read this revision
	masked := func(rev uint64, path string, edit func(a *articlev1.Article)) (*draftingv1.Draft, error) {
		a := &articlev1.Article{Id: read.Article.Id}
		edit(a)
		res, err := s.UpdateDraft(editorCtx(), &draftingv1.UpdateDraftRequest{Article: a, ExpectedRevision: rev, UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{path}}})
		return res.GetDraft(), err
	}
	en := func(title string) func(a *articlev1.Article) {
		return func(a *articlev1.Article) { a.Locales = map[string]*articlev1.LocalizedContent{"en": {Title: title}} }
	}
	first, err := masked(read.Revision, "locales.en.title", en("English Title"))
	if err != nil {
		t.Fatal(err)
	}
	// Another editor, from the same stale revision, changes the date.
	second, err := masked(read.Revision, "date", func(a *articlev1.Article) { a.Date = "2024-06-01" })
	if err != nil {
		t.Fatalf("a stale update of another field: %v", err)
	}
	if second.Article.Date != "2024-06-01" || second.Article.Locales["en"].Title != "English Title" || second.Article.Locales["zh-CN"].Title != "标题" {
		t.Fatalf("merged article lost a change: %v", second.Article)
	}
	if second.Revision <= first.Revision {
		t.Fatalf("revisions %d then %d", first.Revision, second.Revision)
	}
	// A third, from the same stale revision, changes the English title
	// again: that overlaps the first editor's change.
	_, err = masked(read.Revision, "locales.en.title", en("Another Title"))
	st := status.Convert(err)
	if st.Code() != codes.Aborted {
		t.Fatalf("overlapping stale update: %v, want Aborted", err)
	}
	var current string
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			current = info.Metadata["current_revision"]
		}
	}
	if current != fmt.Sprint(second.Revision) {
		t.Fatalf("ErrorInfo current_revision %q, want %d", current, second.Revision)
	}
	// The whole-article form stays strict.
	a := proto.Clone(read.Article).(*articlev1.Article)
	if _, err := s.UpdateDraft(editorCtx(), &draftingv1.UpdateDraftRequest{Article: a, ExpectedRevision: read.Revision}); status.Code(err) != codes.Aborted {
		t.Fatalf("stale whole update: %v, want Aborted", err)
	}
	// Bad paths and a masked value that breaks a rule are InvalidArgument.
	_, err = masked(second.Revision, "locales.en.body", en("x"))
	if status.Code(err) != codes.InvalidArgument {
		t.Fatalf("unknown path: %v", err)
	}
	_, err = masked(second.Revision, "locales.en.title", en(" "))
	if status.Code(err) != codes.InvalidArgument {
		t.Fatalf("empty title through a mask: %v", err)
	}
}

func TestCreateRejectsUnknownSectionsAndTakenSlugs(t *testing.T) {
	bus := testkit.Bus(t, testkit.StartNATS(t).URL())
	s := New(bus, Options{})
	a := valid()
	a.Section = []string{"news-events", "sports"}
	_, err := s.CreateDraft(editorCtx(), &draftingv1.CreateDraftRequest{Article: a})
	if st := status.Convert(err); st.Code() != codes.InvalidArgument || !slices.Contains(fieldsOf(st), "article.section") {
		t.Fatalf("unknown section: %v", err)
	}
	// An article published under a slug keeps it.
	a = valid()
	a.Slug = "open-day"
	first := create(t, s, a)
	s.cat.putPublication(&eventsv1.Publication{ArticleId: first.Article.Id, Revision: 1, Locales: map[string]*eventsv1.PublishedLocale{"zh-CN": {Slug: "open-day"}}})
	again := valid()
	again.Slug = "open-day"
	_, err = s.CreateDraft(editorCtx(), &draftingv1.CreateDraftRequest{Article: again})
	if st := status.Convert(err); st.Code() != codes.InvalidArgument || !slices.Contains(fieldsOf(st), "article.slug") {
		t.Fatalf("taken slug: %v", err)
	}
	// Its own article may keep using it.
	update(t, s, first, func(a *articlev1.Article) { a.Locales["en"].Title = "Open Day" })
}

func fieldsOf(st *status.Status) []string {
	var out []string
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.FieldViolations {
				out = append(out, v.Field)
			}
		}
	}
	return out
}

func TestFiveMistakesComeBackInOneError(t *testing.T) {
	s := newService(t)
	a := valid()
	a.Date = "16/05/2024"                                // 1
	a.Section = []string{"News Events"}                  // 2
	a.Slug = "Forum_2024"                                // 3
	a.Locales["en"].Title = ""                           // 4
	a.Locales["zh-CN"].Blocks[0] = para("<b>加粗</b>的正文。") // 5
	_, err := s.CreateDraft(editorCtx(), &draftingv1.CreateDraftRequest{Article: a})
	st := status.Convert(err)
	want := []string{"article.section[0]", "article.date", "article.slug", `article.locales["en"].title`, `article.locales["zh-CN"].blocks[0].paragraph.text`}
	got := fieldsOf(st)
	slices.Sort(got)
	slices.Sort(want)
	if st.Code() != codes.InvalidArgument || !slices.Equal(got, want) {
		t.Fatalf("%v: fields %v, want %v", st.Code(), got, want)
	}
	info, err := s.bus.JetStream().Stream(context.Background(), s.bus.Config().EditorialStream)
	if err != nil {
		t.Fatal(err)
	}
	if n := info.CachedInfo().State.Msgs; n != 0 {
		t.Fatalf("%d events written by a rejected create", n)
	}
}

func TestCreateWithTheSameRequestIDIsStoredOnce(t *testing.T) {
	s := newService(t)
	req := func() *draftingv1.CreateDraftRequest {
		return &draftingv1.CreateDraftRequest{Article: valid(), RequestId: "desk-42"}
	}
	first, err := s.CreateDraft(editorCtx(), req())
	if err != nil {
		t.Fatal(err)
	}
	// The retry of a create whose answer was lost.
	again, err := s.CreateDraft(editorCtx(), req())
	if err != nil {
		t.Fatalf("retry: %v", err)
	}
	if again.Draft.Article.Id != first.Draft.Article.Id || again.Draft.Revision != first.Draft.Revision {
		t.Fatalf("retry made %s@%d, first %s@%d", again.Draft.Article.Id, again.Draft.Revision, first.Draft.Article.Id, first.Draft.Revision)
	}
	if !proto.Equal(again.Draft.Article, first.Draft.Article) {
		t.Fatal("the retry did not return what the first request stored")
	}
	h, err := s.GetDraftHistory(editorCtx(), &draftingv1.GetDraftHistoryRequest{Id: first.Draft.Article.Id})
	if err != nil || len(h.Entries) != 1 {
		t.Fatalf("history %v, %v; want one creation", h, err)
	}
	// Another request id is another article.
	other := req()
	other.RequestId = "desk-43"
	o, err := s.CreateDraft(editorCtx(), other)
	if err != nil || o.Draft.Article.Id == first.Draft.Article.Id {
		t.Fatalf("another request id: %v, %v", o, err)
	}
}
