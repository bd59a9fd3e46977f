package textdiff

import (
	"reflect"
	"slices"
	"testing"

	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
)

func TestDiffChineseByCharacters(t *testing.T) {
	got := Diff("学校举办2024智能制造国际论坛", "学校隆重举办2024智能制造国际研讨会", "zh-CN")
	want := []Span{
		{Equal, "学校"},
		{Insert, "隆重"},
		{Equal, "举办2024智能制造国际"},
		{Delete, "论坛"},
		{Insert, "研讨会"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
}

func TestDiffEnglishByWords(t *testing.T) {
	got := Diff("The forum was held in the Library.", "The international forum was held in the lecture hall.", "en")
	want := []Span{
		{Equal, "The "},
		{Insert, "international "},
		{Equal, "forum was held in the "},
		{Delete, "Library"},
		{Insert, "lecture hall"},
		{Equal, "."},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
}

func TestDiffKeepsWordsWhole(t *testing.T) {
	// A character diff would keep the shared "e"; a word diff replaces the word.
	got := Diff("one", "ten", "en")
	want := []Span{{Delete, "one"}, {Insert, "ten"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v", got)
	}
	if got := Diff("", "", "en"); got != nil {
		t.Fatalf("empty texts: %v", got)
	}
	if got := Diff("don't re-run", "don't rerun", "en"); !reflect.DeepEqual(got, []Span{{Equal, "don't "}, {Delete, "re-run"}, {Insert, "rerun"}}) {
		t.Fatalf("apostrophes and hyphens: %v", got)
	}
}

func TestSpansMapEveryOperation(t *testing.T) {
	got := Spans("the old hall", "the new hall", "en")
	var ops []draftingv1.SpanOp
	var text string
	for _, s := range got {
		ops = append(ops, s.Op)
		text += s.Text
	}
	want := []draftingv1.SpanOp{draftingv1.SpanOp_SPAN_OP_EQUAL, draftingv1.SpanOp_SPAN_OP_DELETE, draftingv1.SpanOp_SPAN_OP_INSERT, draftingv1.SpanOp_SPAN_OP_EQUAL}
	if !slices.Equal(ops, want) || text != "the oldnew hall" {
		t.Fatalf("spans = %v %q", ops, text)
	}
	if Spans("", "", "en") != nil {
		t.Error("two empty texts have no spans")
	}
}
