package main

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

func TestWidthCountsTerminalCells(t *testing.T) {
	for s, want := range map[string]int{
		"abc": 3, "图书馆": 6, "，。": 4, "Ａ１": 4, "“quoted”": 8, "e\u0301": 1, "": 0, "图书 library": 12,
	} {
		if got := width(s); got != want {
			t.Errorf("width(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestWrapKeepsClosingPunctuationOffTheStartOfALine(t *testing.T) {
	cases := []struct {
		s    string
		cols int
		want []string
	}{
		// The comma would start the second line: 第 moves down with it.
		{"十月十八日至二十日，第十三届", 18, []string{"十月十八日至二十", "日，第十三届"}},
		{"会议在东楼举行。”他说。", 16, []string{"会议在东楼举", "行。”他说。"}},
		// An opening mark does not end a line.
		{"主题是《科技与未来》", 8, []string{"主题是", "《科技与", "未来》"}},
		{"The Library opens on Monday, September 2.", 12, []string{"The Library", "opens on", "Monday,", "September 2."}},
	}
	for _, c := range cases {
		got := wrap(c.s, c.cols)
		if !slices.Equal(got, c.want) {
			t.Errorf("wrap(%q, %d) = %q, want %q", c.s, c.cols, got, c.want)
		}
		for i, line := range got {
			if width(line) > c.cols {
				t.Errorf("wrap(%q): line %d %q is %d columns", c.s, i, line, width(line))
			}
			if r := []rune(line)[0]; i > 0 && strings.ContainsRune(closing, r) {
				t.Errorf("wrap(%q): line %d starts with %q", c.s, i, r)
			}
		}
	}
}

func TestPrintJobAlignsColumnsAndShowsWhatChanged(t *testing.T) {
	j := &reviewv1.Job{ArticleId: "A1", Revision: 3, Status: reviewv1.JobStatus_JOB_STATUS_OPEN, SourceRevision: 2, Units: []*reviewv1.Unit{
		{Id: "b1", Kind: "paragraph", Segments: []*reviewv1.Segment{{
			Id: "b1.1", Source: "图书馆9月2日起开放。", Target: "The Library opens on September 1.",
			State: reviewv1.SegmentState_SEGMENT_STATE_NEEDS_REVIEW, PreviousSource: "图书馆9月1日起开放。",
			SourceDiff: []*draftingv1.TextSpan{
				{Op: draftingv1.SpanOp_SPAN_OP_EQUAL, Text: "图书馆9月"},
				{Op: draftingv1.SpanOp_SPAN_OP_DELETE, Text: "1"},
				{Op: draftingv1.SpanOp_SPAN_OP_INSERT, Text: "2"},
				{Op: draftingv1.SpanOp_SPAN_OP_EQUAL, Text: "日起开放。"},
			},
		}}},
		{Id: "keywords", Kind: "keywords", Segments: []*reviewv1.Segment{{
			Id: "keywords.3", Source: "创新创业", Target: "innovation", State: reviewv1.SegmentState_SEGMENT_STATE_TRANSLATED,
		}}},
	}}
	var b bytes.Buffer
	printJob(&b, j)
	want := "job for A1  revision 3  open  source revision 2\n" +
		"\n[b1] paragraph\n" +
		"  b1.1        needs-review  图书馆9月2日起开放。                 | The Library opens on September 1.\n" +
		"                            changed: 图书馆9月[-1-]{+2+}日起开放。\n" +
		"\n[keywords] keywords\n" +
		"  keywords.3  translated    创新创业                             | innovation\n"
	if b.String() != want {
		t.Errorf("printed\n%s\nwant\n%s", b.String(), want)
	}
	if strings.Contains(b.String(), "was: ") {
		t.Error("the old source is printed whole")
	}
}
