package segment

import (
	"slices"
	"testing"
)

func texts(spans []Span) []string {
	out := make([]string, len(spans))
	for i, s := range spans {
		out[i] = s.Text
	}
	return out
}

func TestSplitChineseKeepsClosingQuotesWithTheirSentence(t *testing.T) {
	cases := []struct {
		name, text string
		want       []string
	}{
		{"news prose", "5月14日至15日，2024智能制造国际论坛在我校图书馆报告厅举行。来自德国等8个国家的30余位专家参加了论坛。",
			[]string{"5月14日至15日，2024智能制造国际论坛在我校图书馆报告厅举行。", "来自德国等8个国家的30余位专家参加了论坛。"}},
		{"quote closes after the stop", "他说：“我们将继续努力。”随后，会议结束。",
			[]string{"他说：“我们将继续努力。”", "随后，会议结束。"}},
		{"question, exclamation and semicolon", "为什么？因为热爱！一是创新；二是合作。",
			[]string{"为什么？", "因为热爱！", "一是创新；", "二是合作。"}},
		{"ellipsis run", "他们来自北京、上海……还有更多。", []string{"他们来自北京、上海……", "还有更多。"}},
		{"bracket after stop", "详见附件。（完）", []string{"详见附件。", "（完）"}},
		{"decimal and book title stay whole", "总分96.5分，报告题为《工业机器人与柔性生产线》。", []string{"总分96.5分，报告题为《工业机器人与柔性生产线》。"}},
		{"no terminator", "主旨报告", []string{"主旨报告"}},
		{"blank", "  ", nil},
	}
	for _, c := range cases {
		if got := texts(Split(c.text, "zh-CN")); !slices.Equal(got, c.want) {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

func TestSplitEnglishSkipsAbbreviationsInitialsAndNumbers(t *testing.T) {
	cases := []struct {
		name, text string
		want       []string
	}{
		{"two sentences", "The forum opened on May 14. More than 30 experts attended.",
			[]string{"The forum opened on May 14.", "More than 30 experts attended."}},
		{"title abbreviation", "Dr. Schmidt, a researcher, spoke. He was brief.",
			[]string{"Dr. Schmidt, a researcher, spoke.", "He was brief."}},
		{"initials", "The prize went to J. R. Smith of the U.S. team. It was his first.",
			[]string{"The prize went to J. R. Smith of the U.S. team.", "It was his first."}},
		{"dotted abbreviations", "Bring a pen, e.g. a black one. Doors open at 9 a.m. sharp.",
			[]string{"Bring a pen, e.g. a black one.", "Doors open at 9 a.m. sharp."}},
		{"decimals and versions", "The team scored 96.5 points. Funding rose 1.2 million yuan.",
			[]string{"The team scored 96.5 points.", "Funding rose 1.2 million yuan."}},
		{"quote closes after the stop", `He said, "We will win." Then he left.`,
			[]string{`He said, "We will win."`, "Then he left."}},
		{"question and exclamation", "Why? Because we care! 2024 was good.",
			[]string{"Why?", "Because we care!", "2024 was good."}},
		{"lower case after period", "Visit www.example.edu. then leave.", []string{"Visit www.example.edu. then leave."}},
		{"month abbreviation", "The deadline is Sept. 30 for all.", []string{"The deadline is Sept. 30 for all."}},
		{"ellipsis", "We waited... Then it came.", []string{"We waited...", "Then it came."}},
	}
	for _, c := range cases {
		if got := texts(Split(c.text, "en")); !slices.Equal(got, c.want) {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

func TestSplitOffsetsPointIntoTheText(t *testing.T) {
	text := "  第一句。 第二句！"
	for _, s := range Split(text, "zh") {
		if text[s.Start:s.End] != s.Text {
			t.Errorf("span %d-%d is %q, text %q", s.Start, s.End, text[s.Start:s.End], s.Text)
		}
	}
}

func TestAlignPairsOneToOneOnlyWhenCountsMatch(t *testing.T) {
	zh := "开幕式上，校长致欢迎辞。他表示，学校将持续深化产教融合。"
	en := "At the opening ceremony, the President delivered a welcome speech. He said the university will deepen industry-education integration."
	pairs := Align(zh, "zh-CN", en, "en")
	if len(pairs) != 2 || pairs[1].Source.Text != "他表示，学校将持续深化产教融合。" || pairs[1].Target.Text != "He said the university will deepen industry-education integration." {
		t.Fatalf("matching counts: %+v", pairs)
	}
	// Three Chinese sentences against two English ones: one segment, no guess.
	pairs = Align(zh+"会议结束。", "zh-CN", en, "en")
	if len(pairs) != 1 || pairs[0].Source.Text != zh+"会议结束。" || pairs[0].Target.Text != en {
		t.Fatalf("different counts: %+v", pairs)
	}
	// No target yet: one segment per source sentence, targets empty.
	pairs = Align(zh, "zh-CN", " ", "en")
	if len(pairs) != 2 || pairs[0].Target.Text != "" {
		t.Fatalf("empty target: %+v", pairs)
	}
}

func TestHashChangesWithTheSource(t *testing.T) {
	a, b := Hash("一"), Hash("一")
	if Hash("一") == Hash("二") || a != b || len(a) != 16 {
		t.Fatal("hash is not a stable 16-hex-digit identity of the text")
	}
}

func FuzzSplit(f *testing.F) {
	for _, s := range []string{"他说：“好。”然后。", "Dr. J. Smith won 96.5 points. Then?", "……。！", "e.g.. .. .", "\xff。"} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, text string, zh bool) {
		lang := "en"
		if zh {
			lang = "zh-CN"
		}
		prev := 0
		for _, s := range Split(text, lang) {
			if s.Start < prev || s.End > len(text) || s.Start >= s.End || text[s.Start:s.End] != s.Text {
				t.Fatalf("bad span %+v in %q", s, text)
			}
			prev = s.End
		}
		_ = Align(text, lang, text, "en")
	})
}
