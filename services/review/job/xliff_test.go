package job

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/tandemnews/tandem/pkg/field"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
	"github.com/tandemnews/tandem/services/review/xliff"
)

func TestExportCarriesStatesNotesAndBases(t *testing.T) {
	j := paragraphs([]string{"座位共300个。", "欢迎。"}, []string{"It has 280 seats.", ""})
	j.Revision = 9
	s := Find(j, "b1.1")
	s.State, s.PreviousSource = needsReview, "座位共280个。"
	s.Comments = []*reviewv1.Comment{{By: wang.change(), Text: "check the count"}}
	Find(j, "title.1").State = final
	doc := Export(j)
	if doc.Article != "A1" || doc.SrcLang != "zh-CN" || doc.TrgLang != "en" || !slices.Equal(doc.Notes, []string{"标题 (job revision 9, source revision 3)"}) {
		t.Errorf("doc %+v", doc)
	}
	if len(doc.Units) != 3 || doc.Units[1].ID != "b1" || doc.Units[1].Name != "paragraph" {
		t.Fatalf("units %+v", doc.Units)
	}
	want := []string{`b1.1: the source changed; it was "座位共280个。"`, "b1.1: wang: check the count"}
	if !slices.Equal(doc.Units[1].Notes, want) || doc.Units[0].Notes != nil {
		t.Errorf("notes %q", doc.Units[1].Notes)
	}
	xs := doc.Units[1].Segments[0]
	if xs.ID != "b1.1" || xs.Source != "座位共300个。" || xs.Target != "It has 280 seats." || xs.State != "translated" || xs.SubState != needsReviewSubState || xs.Base != base(s) {
		t.Errorf("segment %+v", xs)
	}
	if st := doc.Units[0].Segments[0]; st.State != "final" || st.SubState != "" {
		t.Errorf("title %+v", st)
	}
	if st := doc.Units[2].Segments[0]; st.State != "initial" || st.Target != "" {
		t.Errorf("untranslated %+v", st)
	}
	before := base(s)
	s.Target = "x"
	if base(s) == before {
		t.Error("the base does not change with the target")
	}
}

func TestCheckFileRefusesAnotherArticleOrLanguage(t *testing.T) {
	problems := func(doc *xliff.Doc) []string {
		var v field.Violations
		CheckFile(&v, doc, "A1")
		var out []string
		if fe, ok := v.Err().(*field.Error); ok {
			for _, f := range fe.Violations {
				out = append(out, f.Field+": "+f.Description)
			}
		}
		return out
	}
	for _, lang := range []string{"en", "EN", "en-GB", "En-us"} {
		if p := problems(&xliff.Doc{Article: "A1", TrgLang: lang, Units: []xliff.Unit{{Segments: []xliff.Segment{{Target: strings.Repeat("a", MaxTargetRunes)}}}}}); p != nil {
			t.Errorf("%s: %v", lang, p)
		}
	}
	got := problems(&xliff.Doc{Article: "A2", TrgLang: "eng", Units: []xliff.Unit{{Segments: []xliff.Segment{{ID: "b1.1", Target: strings.Repeat("字", MaxTargetRunes+1)}}}}})
	want := []string{
		`xliff: the file is for article "A2", not "A1"`,
		`xliff: trgLang is "eng"; the job translates into en`,
		"xliff: segment b1.1: the target is 10001 characters; at most 10000",
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems %q", got)
	}
}

// exported is a job with three paragraphs, the first two translated, and
// its file.
func exported() (*reviewv1.Job, *xliff.Doc) {
	j := paragraphs([]string{"图书馆开放。", "座位共280个。", "欢迎。"}, []string{"The Library opens.", "It has 280 seats.", ""})
	return j, Export(j)
}

func segmentOfDoc(doc *xliff.Doc, id string) *xliff.Segment {
	for i := range doc.Units {
		for k := range doc.Units[i].Segments {
			if doc.Units[i].Segments[k].ID == id {
				return &doc.Units[i].Segments[k]
			}
		}
	}
	return nil
}

func TestImportAppliesWhatChangedInTheFileOnly(t *testing.T) {
	j, doc := exported()
	s1 := Find(j, "b1.1")
	s1.Dismissals = []*reviewv1.Dismissal{{Check: "x", TextHash: "old"}}
	s1.PreviousSource = "p"
	segmentOfDoc(doc, "b1.1").State = "reviewed"
	segmentOfDoc(doc, "b3.1").Target, segmentOfDoc(doc, "b3.1").State = "All  welcome.", "translated"
	typ, res, err := Import(j, doc, wang, checks)
	if err != nil || typ != eventsv1.TranslationUpdated || res.Applied != 2 || res.Conflicts != nil {
		t.Fatalf("import: %q %+v %v", typ, res, err)
	}
	if s1.State != reviewed || s1.Origin != editor || s1.PreviousSource != "" || len(s1.Dismissals) != 0 || s1.Changed.GetActor().GetUserId() != "wang" {
		t.Errorf("b1.1 %v", s1)
	}
	s3 := Find(j, "b3.1")
	if s3.Target != "All  welcome." || s3.State != translated || s3.Origin != reviewv1.TargetOrigin_TARGET_ORIGIN_IMPORT {
		t.Errorf("b3.1 %v", s3)
	}
	if got := checksOf(j, "b3.1"); !slices.Equal(got, []string{"double-space warning"}) {
		t.Errorf("an applied segment was not checked: %v", got)
	}
	if s2 := Find(j, "b2.1"); s2.Changed != nil {
		t.Errorf("an unchanged segment was touched: %v", s2)
	}
	if j.Assignee.GetUserId() != "wang" {
		t.Errorf("the import did not claim the job: %v", j.Assignee)
	}
	// The same file again applies nothing more.
	if typ, res, err := Import(j, Export(j), wang, checks); err != nil || typ != "" || res.Applied != 0 {
		t.Errorf("nothing to apply: %q %+v %v", typ, res, err)
	}
}

func TestImportReportsConflictsAndLeavesThemAlone(t *testing.T) {
	j, doc := exported()
	segmentOfDoc(doc, "b1.1").Target = "The Library opens today."
	segmentOfDoc(doc, "b2.1").Target, segmentOfDoc(doc, "b2.1").Source = "It has 300 seats.", "座位共300个。"
	Find(j, "b1.1").Target = "Changed in Tandem."
	typ, res, err := Import(j, doc, wang, checks)
	if err != nil || typ != "" || res.Applied != 0 || len(res.Conflicts) != 2 {
		t.Fatalf("import: %q %+v %v", typ, res, err)
	}
	if c := res.Conflicts[0]; c.SegmentId != "b1.1" || c.Reason != "changed in Tandem since the file was exported; the job's version is kept" {
		t.Errorf("conflict %v", c)
	}
	if c := res.Conflicts[1]; c.SegmentId != "b2.1" || c.Reason != "the source in the file differs from the job's; export the job again" {
		t.Errorf("conflict %v", c)
	}
	if Find(j, "b1.1").Target != "Changed in Tandem." || Find(j, "b2.1").Target != "It has 280 seats." || j.Assignee != nil {
		t.Errorf("a conflict was applied: %v", j)
	}
}

func TestImportKeepsReviewStatesTheFileDidNotSettle(t *testing.T) {
	j := paragraphs([]string{"座位共300个。", "欢迎。"}, []string{"It has 280 seats.", "Welcome."})
	for _, id := range []string{"b1.1", "b2.1"} {
		Find(j, id).State, Find(j, id).PreviousSource = needsReview, "旧的。"
	}
	doc := Export(j)
	// b1.1 comes back as it went: still to review. b2.1 has new English
	// but still carries the sub-state; the title is emptied.
	segmentOfDoc(doc, "b2.1").Target = "All welcome."
	segmentOfDoc(doc, "title.1").Target = " "
	_, res, err := Import(j, doc, wang, checks)
	if err != nil || res.Applied != 2 {
		t.Fatalf("import: %+v %v", res, err)
	}
	if s := Find(j, "b1.1"); s.State != needsReview || s.Changed != nil {
		t.Errorf("b1.1 %v", s)
	}
	if s := Find(j, "b2.1"); s.State != translated || s.PreviousSource != "" || s.Target != "All welcome." {
		t.Errorf("b2.1 %v", s)
	}
	if s := Find(j, "title.1"); s.State != initial {
		t.Errorf("blank title %v", s)
	}
}

func TestImportRefusesUnknownSegmentsAndOthersJobs(t *testing.T) {
	j, doc := exported()
	segmentOfDoc(doc, "b1.1").Target = "x"
	segmentOfDoc(doc, "b2.1").ID = "b8.1"
	segmentOfDoc(doc, "b3.1").ID = "b9.1"
	_, _, err := Import(j, doc, wang, checks)
	var fe *field.Error
	if !errors.Is(err, ErrSegmentNotFound) || !errors.As(err, &fe) || len(fe.Violations) != 2 ||
		fe.Violations[1].Description != `segment "b9.1" is not in the job (it may be from another source revision)` {
		t.Fatalf("unknown segments: %v", err)
	}
	if Find(j, "b1.1").Target == "x" {
		t.Error("a file with unknown segments was applied")
	}
	if _, _, err := Import(claimedBy(j, zhao), Export(j), wang, checks); !errors.Is(err, ErrClaimed) {
		t.Errorf("another's job: %v", err)
	}
	if _, _, err := Import(closed(j), Export(j), zhao, checks); !errors.Is(err, ErrNotOpen) {
		t.Errorf("a closed job: %v", err)
	}
}

// sourceTargetsFile is the job's export whose targets are copies of their
// sources, as written and read back: what a tool that translates the
// targets (OmegaT) opens.
func sourceTargetsFile(t *testing.T, j *reviewv1.Job) *xliff.Doc {
	t.Helper()
	var b bytes.Buffer
	if err := xliff.Write12(&b, ExportSourceTargets(j)); err != nil {
		t.Fatal(err)
	}
	doc, err := xliff.Read(&b)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestExportSourceTargetsCopiesSourcesAndKeepsTheEnglishInNotes(t *testing.T) {
	j, _ := exported()
	s2 := Find(j, "b2.1")
	s2.State, s2.PreviousSource = needsReview, "座位共200个。"
	doc := sourceTargetsFile(t, j)
	if !doc.SourceTargets {
		t.Fatal("the file does not say its targets are sources")
	}
	for _, id := range []string{"b1.1", "b2.1", "b3.1"} {
		if xs := segmentOfDoc(doc, id); xs.Target != xs.Source {
			t.Errorf("%s: target %q, want a copy of the source %q", id, xs.Target, xs.Source)
		}
	}
	if n := ExportSourceTargets(j).Units[1].Notes; !slices.Contains(n, "b1.1: the English is now: The Library opens.") {
		t.Errorf("notes %q lack the English", n)
	}
	// The English stays in the document, for the TMX beside the file.
	if xs := segmentOfDoc(ExportSourceTargets(j), "b1.1"); xs.Target != "The Library opens." {
		t.Errorf("b1.1 %+v", xs)
	}
}

func TestImportOfSourceTargetsAppliesOnlyWhatTheToolTranslated(t *testing.T) {
	j, _ := exported()
	doc := sourceTargetsFile(t, j)
	// The tool filled b1.1 with its English (from the TMX), translated
	// b3.1, and left b2.1 untranslated: its target is still the source.
	segmentOfDoc(doc, "b1.1").Target = "The Library opens."
	segmentOfDoc(doc, "b3.1").Target = "All welcome."
	// Meanwhile b2.1 was changed in Tandem: an untranslated target is no
	// conflict.
	Find(j, "b2.1").Target = "There are 280 seats."
	typ, res, err := Import(j, doc, wang, checks)
	if err != nil || typ != eventsv1.TranslationUpdated || res.Applied != 1 || res.Conflicts != nil {
		t.Fatalf("import: %q %+v %v", typ, res, err)
	}
	if s3 := Find(j, "b3.1"); s3.Target != "All welcome." || s3.State != translated || s3.Origin != reviewv1.TargetOrigin_TARGET_ORIGIN_IMPORT {
		t.Errorf("b3.1 %v", s3)
	}
	if s1 := Find(j, "b1.1"); s1.Changed != nil || s1.State != translated {
		t.Errorf("b1.1, filled with its own English, was touched: %v", s1)
	}
	if s2 := Find(j, "b2.1"); s2.Target != "There are 280 seats." {
		t.Errorf("b2.1, not translated in the tool, was overwritten: %v", s2)
	}

	// A target the tool changed is checked against the base: b2.1 changed
	// in Tandem since this file was exported.
	doc = sourceTargetsFile(t, j)
	Find(j, "b2.1").Target = "Seats: 280."
	segmentOfDoc(doc, "b2.1").Target = "It seats 280."
	segmentOfDoc(doc, "b1.1").Target = "The library is open."
	_, res, err = Import(j, doc, wang, checks)
	if err != nil || res.Applied != 1 || len(res.Conflicts) != 1 || res.Conflicts[0].SegmentId != "b2.1" {
		t.Fatalf("import: %+v %v", res, err)
	}
	if Find(j, "b2.1").Target != "Seats: 280." || Find(j, "b1.1").Target != "The library is open." {
		t.Errorf("b2.1 %q, b1.1 %q", Find(j, "b2.1").Target, Find(j, "b1.1").Target)
	}
}
