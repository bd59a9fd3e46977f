package job

import (
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
	"github.com/tandemnews/tandem/services/review/qa"
)

const (
	initial     = reviewv1.SegmentState_SEGMENT_STATE_INITIAL
	translated  = reviewv1.SegmentState_SEGMENT_STATE_TRANSLATED
	reviewed    = reviewv1.SegmentState_SEGMENT_STATE_REVIEWED
	needsReview = reviewv1.SegmentState_SEGMENT_STATE_NEEDS_REVIEW
	final       = reviewv1.SegmentState_SEGMENT_STATE_FINAL
	editor      = reviewv1.TargetOrigin_TARGET_ORIGIN_EDITOR
	translator  = reviewv1.TargetOrigin_TARGET_ORIGIN_TRANSLATOR
)

var opened = time.Date(2024, 9, 2, 8, 0, 0, 0, time.UTC)

// draft is a submitted draft with one paragraph per Chinese text, and the
// English paragraphs given.
func draft(rev uint64, zh, en []string) *draftingv1.Draft {
	blocks := func(texts []string) []*articlev1.Block {
		var out []*articlev1.Block
		for i, tx := range texts {
			out = append(out, para("blk"+string(rune('a'+i)), tx))
		}
		return out
	}
	return &draftingv1.Draft{
		SubmittedRevision: rev,
		Article: &articlev1.Article{Id: "A1", SourceLocale: "zh-CN", Locales: map[string]*articlev1.LocalizedContent{
			"zh-CN": {Title: "标题", Blocks: blocks(zh)},
			"en":    {Title: "Title", Blocks: blocks(en)},
		}},
	}
}

func TestOpenBuildsTheJobOfASubmittedDraft(t *testing.T) {
	d := draft(7, []string{"欢迎。"}, []string{"Welcome."})
	d.SubmittedMinor = true
	d.Updated = &articlev1.Change{Actor: &articlev1.Actor{UserId: "ed", Name: "Editor Ed"}}
	j := Open(d, "ed", opened)
	if j.ArticleId != "A1" || j.SourceRevision != 7 || j.SourceLocale != "zh-CN" || j.TargetLocale != "en" || !j.Minor ||
		j.Status != reviewv1.JobStatus_JOB_STATUS_OPEN || j.Source.GetTitle() != "标题" {
		t.Errorf("job %v", j)
	}
	if j.Opened.GetActor().GetName() != "Editor Ed" || !j.Opened.GetTime().AsTime().Equal(opened) {
		t.Errorf("opened %v", j.Opened)
	}
	if s := Find(j, "b1.1"); s.GetTarget() != "Welcome." || len(j.Units) != 2 {
		t.Errorf("units %v", j.Units)
	}
	// Submitted by someone else than the last editor: the actor alone.
	if j := Open(d, "lead", opened); j.Opened.GetActor().GetUserId() != "lead" || j.Opened.GetActor().GetName() != "" {
		t.Errorf("opener %v", j.Opened.GetActor())
	}
	d.Article.SourceLocale = "en"
	if j := Open(d, "ed", opened); j != nil {
		t.Errorf("an English article opened a job: %v", j)
	}
}

// memo is a memory with exact translations and one near match per source.
type memo struct {
	exact map[string][]string
	near  map[string]*reviewv1.MemoryMatch
}

func (m memo) Targets(source string) []string { return m.exact[source] }

func (m memo) Suggest(source, _ string) []*reviewv1.MemoryMatch {
	if n := m.near[source]; n != nil {
		return []*reviewv1.MemoryMatch{n}
	}
	return nil
}

func TestSupersedeOpensAFirstJobFilledFromTheMemoryAndChecked(t *testing.T) {
	mem := memo{exact: map[string][]string{"欢迎。": {"All welcome.", "Welcome."}}}
	next := Open(draft(3, []string{"欢迎。", "座位共280个。"}, nil), "ed", opened)
	cur := &reviewv1.Job{}
	if typ := Supersede(cur, next, Checks{Checker: &qa.Checker{}, Memory: mem}); typ != eventsv1.TranslationOpened {
		t.Fatalf("event %q", typ)
	}
	if s := Find(cur, "b1.1"); s.Target != "All welcome." || s.State != translated || s.Origin != reviewv1.TargetOrigin_TARGET_ORIGIN_MEMORY {
		t.Errorf("exact match: %v", s)
	}
	if cur.Target.GetBlocks()[0].GetParagraph().GetText() != "All welcome." || cur.PreviousSourceRevision != 0 {
		t.Errorf("job %v", cur)
	}
	if f := Find(cur, "title.1").GetFindings(); len(f) != 0 {
		t.Errorf("findings on an untranslated title: %v", f)
	}
	if typ := Supersede(cur, next, Checks{Checker: &qa.Checker{}}); typ != "" {
		t.Errorf("the same revision again: %q", typ)
	}
	older := Open(draft(2, []string{"别的。"}, nil), "ed", opened)
	if typ := Supersede(cur, older, Checks{Checker: &qa.Checker{}}); typ != "" || cur.SourceRevision != 3 {
		t.Errorf("an older revision: %q, job at %d", typ, cur.SourceRevision)
	}
}

func TestSupersedeReopensWithTheWorkDone(t *testing.T) {
	checks := Checks{Checker: &qa.Checker{}}
	cur := &reviewv1.Job{}
	Supersede(cur, Open(draft(3, []string{"图书馆开放。", "座位共280个。"}, []string{"The Library opens.", "It has 280 seats."}), "ed", opened), checks)
	cur.Assignee = &articlev1.Actor{UserId: "wang"}
	Find(cur, "b1.1").State = reviewed
	Find(cur, "b1.1").Comments = []*reviewv1.Comment{{Text: "ok"}}
	Find(cur, "b2.1").Origin = translator
	next := Open(draft(5, []string{"图书馆开放。", "座位共300个。"}, []string{"The Library opens.", "It has 280 seats."}), "ed", opened)
	if typ := Supersede(cur, next, checks); typ != eventsv1.TranslationReopened {
		t.Fatalf("event %q", typ)
	}
	if cur.SourceRevision != 5 || cur.PreviousSourceRevision != 3 || cur.GetAssignee().GetUserId() != "wang" {
		t.Errorf("job %v", cur)
	}
	same, changed := Find(cur, "b1.1"), Find(cur, "b2.1")
	if same.State != reviewed || len(same.Comments) != 1 {
		t.Errorf("unchanged segment %v", same)
	}
	if changed.State != needsReview || changed.PreviousSource != "座位共280个。" || len(changed.Findings) == 0 || changed.Findings[0].Check != CheckSourceChanged {
		t.Errorf("changed segment %v", changed)
	}
}

func seg(id, source, target string, state reviewv1.SegmentState, origin reviewv1.TargetOrigin) *reviewv1.Segment {
	return &reviewv1.Segment{Id: id, Field: "text", Source: source, SourceHash: hashOf(source), Target: target, State: state, Origin: origin}
}

func hashOf(s string) string {
	return buildUnits([]unitText{{id: "u", fields: []part{{"text", s, ""}}}}, "zh-CN", "en")[0].Segments[0].SourceHash
}

func unit(id, block string, segs ...*reviewv1.Segment) *reviewv1.Unit {
	return &reviewv1.Unit{Id: id, BlockId: block, Segments: segs}
}

func TestCarryOverFollowsUnchangedSourcesWhereverTheyMoved(t *testing.T) {
	when := &articlev1.Change{Actor: &articlev1.Actor{UserId: "wang"}}
	kept := seg("b1.1", "欢迎。", "Welcome.", reviewed, translator)
	kept.Comments, kept.Dismissals, kept.Changed = []*reviewv1.Comment{{Text: "c"}}, []*reviewv1.Dismissal{{Check: "x"}}, when
	kept.PreviousSource, kept.SourceDiff = "p", []*draftingv1.TextSpan{{}}
	old := []*reviewv1.Unit{unit("b1", "a", kept), unit("b2", "b", seg("b2.1", "再见。", "Bye.", final, translator))}
	// A block was inserted before the first: the texts moved.
	units := []*reviewv1.Unit{unit("b1", "new", seg("b1.1", "新的。", "", initial, 0)), unit("b2", "a", seg("b2.1", "欢迎。", "", initial, 0)),
		unit("b3", "b", seg("b3.1", "再见。", "", initial, 0))}
	carryOver(units, old, "zh-CN", false)
	got := units[1].Segments[0]
	if got.Target != "Welcome." || got.State != reviewed || got.Origin != translator || len(got.Comments) != 1 || len(got.Dismissals) != 1 ||
		got.Changed != when || got.PreviousSource != "p" || len(got.SourceDiff) != 1 {
		t.Errorf("moved segment %v", got)
	}
	if s := units[2].Segments[0]; s.Target != "Bye." || s.State != final {
		t.Errorf("second moved segment %v", s)
	}
	if s := units[0].Segments[0]; s.Target != "" || s.State != initial {
		t.Errorf("new segment %v", s)
	}
}

func TestCarryOverUsesEachOldSegmentOnce(t *testing.T) {
	old := []*reviewv1.Unit{unit("b1", "a", seg("b1.1", "好。", "Good.", reviewed, translator), seg("b1.2", "好。", "Fine.", translated, translator))}
	units := []*reviewv1.Unit{unit("b1", "a", seg("b1.1", "好。", "", initial, 0), seg("b1.2", "好。", "", initial, 0), seg("b1.3", "好。", "", initial, 0))}
	carryOver(units, old, "zh-CN", false)
	var got []string
	for _, s := range units[0].Segments {
		got = append(got, s.Target)
	}
	if got[0] != "Good." || got[1] != "Fine." || got[2] != "" {
		t.Errorf("targets %q", got)
	}
}

func TestCarryOverMarksChangedSourcesForReview(t *testing.T) {
	stale := seg("b1.1", "座位共280个。", "It has 280 seats.", needsReview, translator)
	stale.PreviousSource = "座位共250个。"
	old := []*reviewv1.Unit{
		unit("b1", "a", seg("b1.1", "图书馆开放。", "The Library opens.", reviewed, translator)),
		unit("b2", "b", stale),
		unit("b3", "c", seg("b3.1", "欢迎。", "", initial, 0)),
	}
	units := func() []*reviewv1.Unit {
		return []*reviewv1.Unit{
			unit("b1", "a", seg("b1.1", "图书馆今天开放。", "", initial, 0)),
			unit("b2", "b", seg("b2.1", "座位共300个。", "", initial, 0)),
			unit("b3", "c", seg("b3.1", "欢迎大家。", "", initial, 0)),
		}
	}
	major := units()
	carryOver(major, old, "zh-CN", false)
	s := major[0].Segments[0]
	if s.Target != "The Library opens." || s.State != needsReview || s.PreviousSource != "图书馆开放。" || len(s.SourceDiff) == 0 || s.SourceHash != hashOf("图书馆今天开放。") {
		t.Errorf("changed segment %v", s)
	}
	if s := major[1].Segments[0]; s.PreviousSource != "座位共250个。" || s.State != needsReview {
		t.Errorf("a segment still to review keeps what its target was made from: %v", s)
	}
	if s := major[2].Segments[0]; s.State != initial || s.PreviousSource != "" {
		t.Errorf("a changed segment without English: %v", s)
	}
	minor := units()
	carryOver(minor, old, "zh-CN", true)
	if s := minor[0].Segments[0]; s.Target != "The Library opens." || s.State != reviewed || s.PreviousSource != "" {
		t.Errorf("minor change %v", s)
	}
}

func TestCarryOverTakesTheEditorsEnglishWhereNoTranslatorWrote(t *testing.T) {
	old := []*reviewv1.Unit{unit("b1", "a",
		seg("b1.1", "一。", "One.", translated, editor),
		seg("b1.2", "二。", "Two!", reviewed, translator),
		seg("b1.3", "三。", "", initial, 0),
		seg("b1.4", "四。", "Four.", translated, editor),
	)}
	units := []*reviewv1.Unit{unit("b1", "a",
		seg("b1.1", "一。", "First.", translated, editor),
		seg("b1.2", "二。", "Second.", translated, editor),
		seg("b1.3", "三。", "Third.", translated, editor),
		seg("b1.4", "四。", "", initial, 0),
	)}
	carryOver(units, old, "zh-CN", false)
	want := []struct {
		target string
		state  reviewv1.SegmentState
		origin reviewv1.TargetOrigin
	}{{"First.", translated, editor}, {"Two!", reviewed, translator}, {"Third.", translated, editor}, {"Four.", translated, editor}}
	for i, w := range want {
		if s := units[0].Segments[i]; s.Target != w.target || s.State != w.state || s.Origin != w.origin {
			t.Errorf("segment %d: %v, want %v", i+1, s, w)
		}
	}
}

func TestPlaceCountsOnlyTheSameField(t *testing.T) {
	u := unit("b3", "", &reviewv1.Segment{Field: "caption"}, &reviewv1.Segment{Field: "alt"}, &reviewv1.Segment{Field: "caption"})
	if p := place(u, u.Segments[2], 2); p != "b3/caption/1" {
		t.Errorf("place %q", p)
	}
	u.BlockId = "f"
	if p := place(u, u.Segments[1], 1); p != "block:f/alt/0" {
		t.Errorf("place %q", p)
	}
}

func TestSupersedeLeavesNextAlone(t *testing.T) {
	next := Open(draft(3, []string{"欢迎。"}, nil), "ed", opened)
	cur := &reviewv1.Job{}
	Supersede(cur, next, Checks{Checker: &qa.Checker{}})
	cur.Units[0].Segments[0].Target = "changed"
	if next.Units[0].Segments[0].Target == "changed" || !proto.Equal(next.Target, cur.Target) {
		t.Error("the stored job shares its segments with the new one")
	}
}
