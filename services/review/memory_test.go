package review

import (
	"context"
	"strings"
	"testing"
	"time"

	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/testkit"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

func running(t *testing.T) (*Service, func() *Service) {
	t.Helper()
	bus := testkit.Bus(t, testkit.StartNATS(t).URL())
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	start := func() *Service {
		s := New(bus, nil)
		go s.Run(ctx)
		<-s.Ready
		return s
	}
	return start(), start
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestApprovedPairsPrefillTheNextJobAndSuggestNearMatches(t *testing.T) {
	s, start := running(t)
	j := open(t, s, submitArticle(t, s.bus, "M1", false,
		[]string{"图书馆9月2日起开放。座位共280个。"},
		[]string{"The Library opens on September 2. It has 280 seats."}))
	if _, err := s.ApproveJob(wang, &reviewv1.ApproveJobRequest{ArticleId: "M1", ExpectedRevision: j.Revision}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the approval in the memory", func() bool { return s.tm.mem.Len() >= 3 })

	// A new article with one sentence the same and one close: no English.
	j2 := open(t, s, submitArticle(t, s.bus, "M2", false, []string{"图书馆9月2日起开放。座位共300个。"}, nil))
	exact, near := seg(j2, "b1.1"), seg(j2, "b1.2")
	if exact.Target != "The Library opens on September 2." || exact.Origin != reviewv1.TargetOrigin_TARGET_ORIGIN_MEMORY || exact.State != reviewv1.SegmentState_SEGMENT_STATE_TRANSLATED {
		t.Errorf("exact match not filled: %v", exact)
	}
	if near.Target != "" || len(near.Suggestions) != 1 || near.Suggestions[0].Score < 75 || near.Suggestions[0].Unit.Target != "It has 280 seats." || len(near.Suggestions[0].Diff) < 2 {
		t.Errorf("near match: target %q, suggestions %v", near.Target, near.Suggestions)
	}

	// A new replica rebuilds the memory from the stream.
	s2 := start()
	res, err := s2.SearchMemory(wang, &reviewv1.SearchMemoryRequest{Text: "座位共300个。"})
	if err != nil || len(res.Matches) != 1 || res.Size < 3 || res.Matches[0].Unit.ArticleId != "M1" || res.Matches[0].Unit.Translator != "wang" {
		t.Fatalf("search on a new replica: %v %v", res, err)
	}
	if _, err := s2.SearchMemory(wang, &reviewv1.SearchMemoryRequest{Text: "x", MinScore: 20}); status.Code(err) != codes.InvalidArgument {
		t.Errorf("min_score 20: %v", err)
	}
}

func TestTMXImportAndExportThroughTheService(t *testing.T) {
	s, _ := running(t)
	tmx := `<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header srclang="zh-CN" datatype="plaintext" segtype="sentence" adminlang="en" o-tmf="x" creationtool="x" creationtoolversion="1"/>
<body>
<tu><tuv xml:lang="zh-CN"><seg>欢迎师生前来。</seg></tuv><tuv xml:lang="en"><seg>All are welcome.</seg></tuv></tu>
<tu><tuv xml:lang="zh-CN"><seg>欢迎师生前来。</seg></tuv><tuv xml:lang="en"><seg>All are welcome.</seg></tuv></tu>
<tu><tuv xml:lang="zh-CN"><seg>只有中文。</seg></tuv></tu>
</body></tmx>`
	res, err := s.ImportMemory(lead, &reviewv1.ImportMemoryRequest{Tmx: []byte(tmx)})
	if err != nil || res.Added != 1 || res.Duplicates != 1 || res.Skipped != 1 {
		t.Fatalf("import: %v %v", res, err)
	}
	if _, err := s.ImportMemory(lead, &reviewv1.ImportMemoryRequest{Tmx: []byte("<tmx><body><tu>")}); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("broken TMX: %v", err)
	}
	again, err := s.ImportMemory(lead, &reviewv1.ImportMemoryRequest{Tmx: []byte(tmx)})
	if err != nil || again.Added != 0 || again.Duplicates != 2 {
		t.Fatalf("second import: %v %v", again, err)
	}
	out, err := s.ExportMemory(wang, &reviewv1.ExportMemoryRequest{})
	if err != nil || !strings.Contains(string(out.Tmx), "<seg>All are welcome.</seg>") {
		t.Fatalf("export: %s %v", out.GetTmx(), err)
	}
}

func TestXliffRoundTripAppliesTargetsAndReportsConflicts(t *testing.T) {
	bus := testkit.Bus(t, testkit.StartNATS(t).URL())
	s := New(bus, nil)
	open(t, s, submitArticle(t, bus, "X1", false, []string{"图书馆开放。座位共280个。", "欢迎。"}, []string{"", ""}))
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

func TestPurgedArticleLeavesTheMemory(t *testing.T) {
	s, start := running(t)
	j := open(t, s, submitArticle(t, s.bus, "P1", false, []string{"图书馆9月2日起开放。"}, []string{"The Library opens on September 2."}))
	if _, err := s.ApproveJob(wang, &reviewv1.ApproveJobRequest{ArticleId: "P1", ExpectedRevision: j.Revision}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the approval in the memory", func() bool { return len(s.tm.mem.Exact("图书馆9月2日起开放。")) == 1 })
	if err := s.HandleDraftEvent(context.Background(), &events.Event{Type: eventsv1.DraftPurged, Subject: "P1", ID: "purge-1"}); err != nil {
		t.Fatal(err)
	}
	if n := len(s.tm.mem.Exact("图书馆9月2日起开放。")); n != 0 {
		t.Fatalf("%d memory entries of a purged article", n)
	}
	subjects, err := s.bus.Editorial.Subjects(context.Background(), s.bus.Editorial.Wildcard(eventsv1.KindMemory))
	if err != nil || len(subjects) != 0 {
		t.Fatalf("memory subjects after purge: %v %v", subjects, err)
	}
	// A replica started afterwards does not see them either.
	if s2 := start(); s2.tm.mem.Len() != 0 {
		t.Fatalf("new replica holds %d entries", s2.tm.mem.Len())
	}
}
