package draft

import (
	"errors"
	"regexp"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
)

var (
	editor = &articlev1.Actor{UserId: "li.ming", Name: "Li Ming"}
	other  = &articlev1.Actor{UserId: "wang.fang", Name: "Wang Fang"}
	then   = time.Date(2024, 5, 16, 9, 0, 0, 0, time.UTC)
	later  = then.Add(time.Hour)
)

// stored is a draft as the store returns it: created from valid() by the
// editor, with block ids, at revision rev.
func stored(rev uint64) *draftingv1.Draft {
	a := valid()
	a.Id, a.SourceLocale = "A1", "zh-CN"
	d := New(a, editor, then)
	d.Revision = rev
	return d
}

func wantChange(t *testing.T, what string, c *articlev1.Change, who *articlev1.Actor, at time.Time) {
	t.Helper()
	if !proto.Equal(c.GetActor(), who) || !c.GetTime().AsTime().Equal(at) {
		t.Errorf("%s = %v, want %s at %s", what, c, who.UserId, at)
	}
}

func TestNewIsADraftWithBlockIDs(t *testing.T) {
	a := valid()
	a.Locales["en"].Blocks[0].Id = "bkept"
	d := New(a, editor, then)
	if d.Status != draftingv1.DraftStatus_DRAFT_STATUS_DRAFT || d.Article != a {
		t.Fatalf("new draft %v", d)
	}
	wantChange(t, "created", d.Created, editor, then)
	wantChange(t, "updated", d.Updated, editor, then)
	if id := a.Locales["zh-CN"].Blocks[0].Id; !regexp.MustCompile(`^b[0-9a-f]{12}$`).MatchString(id) {
		t.Errorf("assigned block id %q", id)
	}
	if id := a.Locales["en"].Blocks[0].Id; id != "bkept" {
		t.Errorf("a block's own id became %q", id)
	}
}

func TestAssignIDsGivesEachBlockItsOwn(t *testing.T) {
	a := valid()
	a.Locales["zh-CN"].Blocks = append(a.Locales["zh-CN"].Blocks, para("二。"), para("三。"))
	AssignIDs(a)
	seen := map[string]bool{}
	for _, c := range a.Locales {
		for _, b := range c.Blocks {
			if b.Id == "" || seen[b.Id] {
				t.Fatalf("block id %q empty or repeated", b.Id)
			}
			seen[b.Id] = true
		}
	}
	AssignIDs(nil) // an article that is not there has no blocks
}

func TestIDFromRequestIsStableAndLooksLikeAULID(t *testing.T) {
	if got := IDFromRequest("desk-42"); got != "M6DD8YVKQ925JHTT5DV0KD5TWA" {
		t.Errorf("id of desk-42 = %s", got)
	}
	if IDFromRequest("desk-42") == IDFromRequest("desk-43") {
		t.Error("two request ids name one article")
	}
	if got := IDFromRequest(""); len(got) != 26 {
		t.Errorf("id %q is not 26 characters", got)
	}
}

func TestPurged(t *testing.T) {
	for st, want := range map[draftingv1.DraftStatus]bool{
		draftingv1.DraftStatus_DRAFT_STATUS_DRAFT:     false,
		draftingv1.DraftStatus_DRAFT_STATUS_SUBMITTED: false,
		draftingv1.DraftStatus_DRAFT_STATUS_WITHDRAWN: false,
		draftingv1.DraftStatus_DRAFT_STATUS_PURGED:    true,
	} {
		if got := Purged(&draftingv1.Draft{Status: st}); got != want {
			t.Errorf("Purged(%s) = %v", st, got)
		}
	}
	if Purged(nil) {
		t.Error("no draft is purged")
	}
}

func TestReplacePutsTheNewVersionInAndKeepsIDs(t *testing.T) {
	d := stored(4)
	d.Status = draftingv1.DraftStatus_DRAFT_STATUS_WITHDRAWN
	d.WithdrawnReason = "duplicate"
	zhID := d.Article.Locales["zh-CN"].Blocks[0].Id
	a := valid()
	a.Id = "SOMETHING-ELSE"
	a.SourceLocale = DefaultSourceLang
	a.Locales["zh-CN"].Blocks = append(a.Locales["zh-CN"].Blocks, para("新段落。"))
	if err := Replace(d, a, other, later); err != nil {
		t.Fatal(err)
	}
	if d.Article != a || a.Id != "A1" {
		t.Fatalf("article %v, id %q; want the new version under id A1", d.Article, a.Id)
	}
	if d.Status != draftingv1.DraftStatus_DRAFT_STATUS_DRAFT || d.WithdrawnReason != "" {
		t.Errorf("status %s, reason %q: want a draft again", d.Status, d.WithdrawnReason)
	}
	wantChange(t, "updated", d.Updated, other, later)
	wantChange(t, "created", d.Created, editor, then)
	blocks := a.Locales["zh-CN"].Blocks
	if blocks[0].Id != zhID || blocks[1].Id == "" || blocks[1].Id == zhID {
		t.Errorf("block ids %q %q, want %q kept and a new one", blocks[0].Id, blocks[1].Id, zhID)
	}
}

func TestAPurgedDraftIsNotFoundToEveryChange(t *testing.T) {
	for name, op := range map[string]func(*draftingv1.Draft) error{
		"replace":  func(d *draftingv1.Draft) error { return Replace(d, valid(), editor, later) },
		"withdraw": func(d *draftingv1.Draft) error { return Withdraw(d, "x", editor, later) },
		"submit":   func(d *draftingv1.Draft) error { return Submit(d, editor, later, false) },
		"patch": func(d *draftingv1.Draft) error {
			return Rules{}.Patch(d, nil, 7, valid(), []string{"date"}, editor, later)
		},
	} {
		d := stored(6)
		if err := Tombstone(d, "court order", editor, then); err != nil {
			t.Fatal(err)
		}
		d.Revision = 7
		err := op(d)
		if !errors.Is(err, ErrNotFound) || err.Error() != "draft A1 not found" {
			t.Errorf("%s of a purged draft: %v, want draft A1 not found", name, err)
		}
	}
}

func TestWithdrawTakesTheDraftOutOnce(t *testing.T) {
	d := stored(3)
	if err := Withdraw(d, "duplicate", other, later); err != nil {
		t.Fatal(err)
	}
	if d.Status != draftingv1.DraftStatus_DRAFT_STATUS_WITHDRAWN || d.WithdrawnReason != "duplicate" {
		t.Fatalf("status %s reason %q", d.Status, d.WithdrawnReason)
	}
	wantChange(t, "updated", d.Updated, other, later)
	err := Withdraw(d, "again", editor, later.Add(time.Hour))
	if !errors.Is(err, ErrAlreadyWithdrawn) || !errors.Is(err, ErrUnchanged) {
		t.Fatalf("second withdrawal: %v, want ErrAlreadyWithdrawn, an ErrUnchanged", err)
	}
	if d.WithdrawnReason != "duplicate" {
		t.Errorf("second withdrawal changed the reason to %q", d.WithdrawnReason)
	}
	wantChange(t, "updated", d.Updated, other, later)
}

func TestSubmitMarksTheCurrentRevision(t *testing.T) {
	d := stored(5)
	if err := Submit(d, other, later, true); err != nil {
		t.Fatal(err)
	}
	if d.Status != draftingv1.DraftStatus_DRAFT_STATUS_SUBMITTED || d.SubmittedRevision != 5 || !d.SubmittedMinor {
		t.Fatalf("submitted %s at %d minor %v", d.Status, d.SubmittedRevision, d.SubmittedMinor)
	}
	wantChange(t, "updated", d.Updated, other, later)

	// The submit is stored as revision 6; submitting again changes nothing.
	d.Revision = 6
	err := Submit(d, editor, later.Add(time.Hour), false)
	if !errors.Is(err, ErrSubmittedUnchanged) || !errors.Is(err, ErrUnchanged) {
		t.Fatalf("resubmit: %v, want ErrSubmittedUnchanged, an ErrUnchanged", err)
	}
	if !d.SubmittedMinor || d.SubmittedRevision != 5 {
		t.Error("an unchanged resubmit changed the draft")
	}
	wantChange(t, "updated", d.Updated, other, later)

	// Nor does a new version with the same content.
	if err := Replace(d, proto.Clone(d.Article).(*articlev1.Article), editor, later); !errors.Is(err, ErrSameContent) || !errors.Is(err, ErrUnchanged) {
		t.Fatalf("replace with the same content: %v, want ErrSameContent", err)
	}
	if err := Submit(d, editor, later, false); !errors.Is(err, ErrSubmittedUnchanged) {
		t.Fatalf("resubmit after the same content: %v, want ErrSubmittedUnchanged", err)
	}

	// A changed draft is submitted anew.
	a := proto.Clone(d.Article).(*articlev1.Article)
	a.Slug = "changed"
	if err := Replace(d, a, editor, later); err != nil {
		t.Fatal(err)
	}
	d.Revision = 8
	if err := Submit(d, editor, later, false); err != nil || d.SubmittedRevision != 8 || d.SubmittedMinor {
		t.Fatalf("submit of a later revision: %v, at %d minor %v", err, d.SubmittedRevision, d.SubmittedMinor)
	}
}

func TestReplaceWithTheSameContentBringsAWithdrawnDraftBack(t *testing.T) {
	d := stored(4)
	d.Status = draftingv1.DraftStatus_DRAFT_STATUS_WITHDRAWN
	if err := Replace(d, proto.Clone(d.Article).(*articlev1.Article), other, later); err != nil {
		t.Fatal(err)
	}
	if d.Status != draftingv1.DraftStatus_DRAFT_STATUS_DRAFT {
		t.Errorf("status %s, want a draft again", d.Status)
	}
	d.Status = draftingv1.DraftStatus_DRAFT_STATUS_DRAFT
	if err := Replace(d, proto.Clone(d.Article).(*articlev1.Article), editor, then); !errors.Is(err, ErrSameContent) {
		t.Errorf("replace of a draft with the same content: %v, want ErrSameContent", err)
	}
	wantChange(t, "updated", d.Updated, other, later)
}

func TestSubmitRefusesAWithdrawnDraft(t *testing.T) {
	d := stored(5)
	d.Status = draftingv1.DraftStatus_DRAFT_STATUS_WITHDRAWN
	err := Submit(d, editor, later, false)
	if !errors.Is(err, ErrWithdrawn) || errors.Is(err, ErrUnchanged) {
		t.Fatalf("submit withdrawn: %v, want ErrWithdrawn", err)
	}
	if d.Status != draftingv1.DraftStatus_DRAFT_STATUS_WITHDRAWN || d.SubmittedRevision != 0 {
		t.Errorf("a refused submit changed the draft: %v", d)
	}
}

func TestTombstoneKeepsNothingButTheIDAndWhy(t *testing.T) {
	d := stored(9)
	if err := Submit(d, editor, then, false); err != nil {
		t.Fatal(err)
	}
	if err := Tombstone(d, "court order", other, later); err != nil {
		t.Fatal(err)
	}
	want := &draftingv1.Draft{
		Article:         &articlev1.Article{Id: "A1"},
		Status:          draftingv1.DraftStatus_DRAFT_STATUS_PURGED,
		WithdrawnReason: "court order",
	}
	wantChange(t, "updated", d.Updated, other, later)
	if content := proto.Clone(d).(*draftingv1.Draft); content.Updated == nil || !proto.Equal(withoutUpdated(content), want) {
		t.Fatalf("tombstone %v, want %v and when", d, want)
	}
	err := Tombstone(d, "again", editor, then)
	if !errors.Is(err, ErrAlreadyPurged) || !errors.Is(err, ErrUnchanged) {
		t.Fatalf("second purge: %v, want ErrAlreadyPurged, an ErrUnchanged", err)
	}
	if d.WithdrawnReason != "court order" {
		t.Error("a second purge changed the tombstone")
	}
}

func withoutUpdated(d *draftingv1.Draft) *draftingv1.Draft {
	d.Updated = nil
	return d
}
