package job

import (
	"testing"

	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

func TestPrefillFillsOnlyWhatHasNoEnglish(t *testing.T) {
	near := &reviewv1.MemoryMatch{Score: 80, Unit: &reviewv1.MemoryUnit{Target: "It has 280 seats."}}
	mem := memo{
		exact: map[string][]string{"欢迎。": {"Welcome all."}, "标题": {"Headline"}},
		near:  map[string]*reviewv1.MemoryMatch{"座位共300个。": near, "标题": near},
	}
	j := Open(draft(3, []string{"欢迎。", "座位共300个。", "再见。"}, nil), "ed", opened)
	Find(j, "title.1").Target = "Title"
	Find(j, "b3.1").Suggestions = []*reviewv1.MemoryMatch{near}
	Prefill(j, mem)
	if s := Find(j, "title.1"); s.Target != "Title" || s.Suggestions != nil {
		t.Errorf("the editor's English was replaced: %v", s)
	}
	if s := Find(j, "b1.1"); s.Target != "Welcome all." || s.State != translated || s.Origin != reviewv1.TargetOrigin_TARGET_ORIGIN_MEMORY || s.Suggestions != nil {
		t.Errorf("exact match %v", s)
	}
	if s := Find(j, "b2.1"); s.Target != "" || s.State != initial || len(s.Suggestions) != 1 || s.Suggestions[0] != near {
		t.Errorf("near match %v", s)
	}
	if s := Find(j, "b3.1"); s.Suggestions != nil {
		t.Errorf("old suggestions kept: %v", s.Suggestions)
	}
}

func TestPairsAreTheApprovedTranslations(t *testing.T) {
	j := paragraphs([]string{"欢迎。", "再见。"}, []string{"Welcome.", ""})
	if _, err := Approve(j, Approval{OverrideReason: "the goodbye stays Chinese"}, wang, checks); err != nil {
		t.Fatal(err)
	}
	pairs := Pairs(j)
	if len(pairs) != 2 {
		t.Fatalf("pairs %v", pairs)
	}
	p := pairs[1]
	if p.Source != "欢迎。" || p.Target != "Welcome." || p.SourceLocale != "zh-CN" || p.TargetLocale != "en" || p.ArticleId != "A1" ||
		p.Translator != "wang" || !p.Time.AsTime().Equal(opened) {
		t.Errorf("pair %v", p)
	}
	if pairs[0].Source != "标题" {
		t.Errorf("first pair %v", pairs[0])
	}
}
