package review

import (
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

func TestXliffRoundTripAppliesTargetsAndReportsConflicts(t *testing.T) {
	s := fresh(t)
	open(t, s, submitArticle(t, s.bus, "X1", false, []string{"图书馆开放。座位共280个。", "欢迎。"}, []string{"", ""}))
	exp, err := s.ExportXliff(wang, &reviewv1.ExportXliffRequest{ArticleId: "X1"})
	if err != nil {
		t.Fatal(err)
	}
	doc := string(exp.Xliff)
	if !strings.Contains(doc, `<segment id="b1.2" state="initial">`) {
		t.Fatalf("export:\n%s", doc)
	}
	// Meanwhile, b2.1 is translated in Tandem.
	if _, err := s.UpdateSegment(wang, &reviewv1.UpdateSegmentRequest{ArticleId: "X1", SegmentId: "b2.1", ExpectedRevision: exp.Revision, Target: "Welcome."}); err != nil {
		t.Fatal(err)
	}
	// The CAT tool translates all three.
	translated := strings.NewReplacer(
		`<segment id="b1.1" state="initial">`, `<segment id="b1.1" state="reviewed">`,
		"<source>图书馆开放。</source>", "<source>图书馆开放。</source><target>The Library opens.</target>",
		"<source>座位共280个。</source>", "<source>座位共280个。</source><target>It has 280 seats.</target>",
		"<source>欢迎。</source>", "<source>欢迎。</source><target>All welcome.</target>",
	).Replace(doc)
	res, err := s.ImportXliff(wang, &reviewv1.ImportXliffRequest{ArticleId: "X1", Xliff: []byte(translated)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Applied != 2 || len(res.Conflicts) != 1 || res.Conflicts[0].SegmentId != "b2.1" {
		t.Fatalf("applied %d, conflicts %v", res.Applied, res.Conflicts)
	}
	j := res.Job
	if s1 := seg(j, "b1.1"); s1.Target != "The Library opens." || s1.State != reviewv1.SegmentState_SEGMENT_STATE_REVIEWED || s1.Origin != reviewv1.TargetOrigin_TARGET_ORIGIN_IMPORT {
		t.Errorf("b1.1 %v", s1)
	}
	if seg(j, "b2.1").Target != "Welcome." {
		t.Errorf("the conflicting segment was overwritten: %v", seg(j, "b2.1"))
	}
	if j.Target.Blocks[0].GetParagraph().GetText() != "The Library opens. It has 280 seats." {
		t.Errorf("assembled English %q", j.Target.Blocks[0].GetParagraph().GetText())
	}
	// A file with a segment the job does not have changes nothing.
	bad := strings.Replace(translated, `id="b1.2"`, `id="b9.9"`, 1)
	if _, err := s.ImportXliff(wang, &reviewv1.ImportXliffRequest{ArticleId: "X1", Xliff: []byte(bad)}); status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "b9.9") {
		t.Fatalf("unknown segment: %v", err)
	}
	if _, err := s.ImportXliff(wang, &reviewv1.ImportXliffRequest{ArticleId: "X2", Xliff: []byte(translated)}); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("another article's file: %v", err)
	}
}

func TestXliff12ExportIsImportedWithTheSameConflictRules(t *testing.T) {
	s := fresh(t)
	open(t, s, submitArticle(t, s.bus, "X3", false, []string{"图书馆开放。", "欢迎。"}, []string{"", ""}))
	if _, err := s.ExportXliff(wang, &reviewv1.ExportXliffRequest{ArticleId: "X3", Version: "3.0"}); status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), `"3.0" is not an XLIFF version`) {
		t.Fatalf("version 3.0: %v", err)
	}
	exp, err := s.ExportXliff(wang, &reviewv1.ExportXliffRequest{ArticleId: "X3", Version: "1.2"})
	if err != nil {
		t.Fatal(err)
	}
	doc := string(exp.Xliff)
	if !strings.Contains(doc, `version="1.2"`) || !strings.Contains(doc, `<trans-unit id="b1.1"`) {
		t.Fatalf("export:\n%s", doc)
	}
	if _, err := s.UpdateSegment(wang, &reviewv1.UpdateSegmentRequest{ArticleId: "X3", SegmentId: "b2.1", ExpectedRevision: exp.Revision, Target: "Welcome."}); err != nil {
		t.Fatal(err)
	}
	translated := strings.NewReplacer(
		`<source xml:lang="zh-CN">图书馆开放。</source>`, `<source xml:lang="zh-CN">图书馆开放。</source><target state="signed-off">The Library opens.</target>`,
		`<source xml:lang="zh-CN">欢迎。</source>`, `<source xml:lang="zh-CN">欢迎。</source><target state="translated">All welcome.</target>`,
	).Replace(doc)
	res, err := s.ImportXliff(wang, &reviewv1.ImportXliffRequest{ArticleId: "X3", Xliff: []byte(translated)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Applied != 1 || len(res.Conflicts) != 1 || res.Conflicts[0].SegmentId != "b2.1" {
		t.Fatalf("applied %d, conflicts %v", res.Applied, res.Conflicts)
	}
	if s1 := seg(res.Job, "b1.1"); s1.Target != "The Library opens." || s1.State != reviewv1.SegmentState_SEGMENT_STATE_REVIEWED {
		t.Errorf("b1.1 %v", s1)
	}
}
