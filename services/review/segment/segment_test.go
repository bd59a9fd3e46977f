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

// splitCase is a text and the sentences it splits into.
type splitCase struct {
	name, text string
	want       []string
}

func expectSplits(t *testing.T, lang string, cases []splitCase) {
	t.Helper()
	for _, c := range cases {
		if got := texts(Split(c.text, lang)); !slices.Equal(got, c.want) {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

func TestSplitChineseKeepsClosingQuotesWithTheirSentence(t *testing.T) {
	expectSplits(t, "zh-CN", []splitCase{
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
	})
}

func TestSplitEnglishSkipsAbbreviationsInitialsAndNumbers(t *testing.T) {
	expectSplits(t, "en", []splitCase{
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
	})
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

func TestSplitEnglishEdgesOfTheRules(t *testing.T) {
	expectSplits(t, "en-GB", []splitCase{
		{"a period first, before a digit", ".5 percent more students enrolled. Most chose science.",
			[]string{".5 percent more students enrolled.", "Most chose science."}},
		{"question run and closing bracket", "Was it a record?!) Yes, it was.", []string{"Was it a record?!)", "Yes, it was."}},
		{"lower case after a question", "Why? because we care.", []string{"Why? because we care."}},
		{"opening quote starts a sentence", `The forum closed. "It was a success," he said.`,
			[]string{"The forum closed.", `"It was a success," he said.`}},
		{"opening bracket starts a sentence", "The forum closed. (Photos by Wang Li.)",
			[]string{"The forum closed.", "(Photos by Wang Li.)"}},
		{"new line between sentences", "The forum closed.\nIt will return in 2025.",
			[]string{"The forum closed.", "It will return in 2025."}},
		{"abbreviation in any case", "Classes run Mon. To Fri. Each week.", []string{"Classes run Mon. To Fri. Each week."}},
		{"period after a closing bracket", "He won (again). Then he left.", []string{"He won (again).", "Then he left."}},
	})
}

func TestSplitKeepsByteOffsetsOfEverySentence(t *testing.T) {
	text := "  会议开始。 “很好！”\n结束"
	want := []Span{{"会议开始。", 2, 17}, {"“很好！”", 18, 33}, {"结束", 34, 40}}
	if got := Split(text, "zh-TW"); !slices.Equal(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	en := " It opened. It closed. "
	want = []Span{{"It opened.", 1, 11}, {"It closed.", 12, 22}}
	if got := Split(en, "en"); !slices.Equal(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}

func TestAlignKeepsOffsetsOfAWholeBlock(t *testing.T) {
	zh := " 开幕式上，校长致欢迎辞。他表示，学校将持续深化产教融合。会议结束。 "
	en := "  The President delivered a welcome speech at the opening ceremony, saying the university will deepen integration. The meeting ended.\n"
	pairs := Align(zh, "zh-CN", en, "en")
	if len(pairs) != 1 {
		t.Fatalf("pairs %+v", pairs)
	}
	s, tg := pairs[0].Source, pairs[0].Target
	if s.Start != 1 || s.End != len(zh)-1 || s.Text != zh[1:len(zh)-1] {
		t.Errorf("source %+v", s)
	}
	if tg.Start != 2 || tg.End != len(en)-1 || tg.Text != en[2:len(en)-1] {
		t.Errorf("target %+v", tg)
	}
	if pairs := Align("  ", "zh-CN", "\n", "en"); pairs != nil {
		t.Errorf("blank block: %+v", pairs)
	}
	// A target and no source is still one pair to review.
	if pairs := Align("", "zh-CN", "The meeting ended.", "en"); len(pairs) != 1 || pairs[0].Source.Text != "" || pairs[0].Target.Text != "The meeting ended." {
		t.Errorf("target without source: %+v", pairs)
	}
}

func TestJoinWritesSentencesTheWayTheLanguageDoes(t *testing.T) {
	if got := Join([]string{"会议开始。", "会议结束。"}, "zh"); got != "会议开始。会议结束。" {
		t.Errorf("Chinese: %q", got)
	}
	if got := Join([]string{"It opened.", "It closed."}, "en"); got != "It opened. It closed." {
		t.Errorf("English: %q", got)
	}
	for lang, want := range map[string]bool{"zh": true, "zh-CN": true, "zh-Hant-TW": true, "zhx": false, "en": false, "": false} {
		if IsChinese(lang) != want {
			t.Errorf("IsChinese(%q) = %v", lang, !want)
		}
	}
	if got := Hash(""); got != "e3b0c44298fc1c14" {
		t.Errorf("hash of nothing %q: not the first 8 bytes of SHA-256", got)
	}
}
