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

// valid is a well-formed article: the Chinese source and an English
// version, one paragraph each.
func valid() *articlev1.Article {
	a := &articlev1.Article{Section: []string{"news-events", "news"}, Date: "2024-05-16", Locales: map[string]*articlev1.LocalizedContent{}}
	for l, text := range map[string][2]string{"zh-CN": {"标题", "正文。"}, "en": {"Title", "Body."}} {
		a.Locales[l] = &articlev1.LocalizedContent{Title: text[0], Blocks: []*articlev1.Block{para(text[1])}}
	}
	return a
}

func para(s string) *articlev1.Block {
	return &articlev1.Block{Kind: &articlev1.Block_Paragraph{Paragraph: &articlev1.Paragraph{Text: s}}}
}

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
	s.cat.PutPublication(&eventsv1.Publication{ArticleId: first.Article.Id, Revision: 1, Locales: map[string]*eventsv1.PublishedLocale{"zh-CN": {Slug: "open-day"}}})
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
