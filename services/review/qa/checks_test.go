package qa

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/tandemnews/tandem/services/review/glossary"
)

func tgt(start, end int) Span { return Span{Side: Target, Start: start, End: end} }
func src(start, end int) Span { return Span{Side: Source, Start: start, End: end} }

func warning(check, msg string, spans ...Span) Finding {
	return Finding{Check: check, Severity: Warning, Message: msg, Spans: spans}
}

func failure(check, msg string, spans ...Span) Finding {
	return Finding{Check: check, Severity: Error, Message: msg, Spans: spans}
}

type exact struct {
	zh, en string
	want   []Finding
}

// expectExactly runs each case and compares every finding: check,
// severity, message and the characters it points at.
func expectExactly(t *testing.T, c *Checker, cases []exact) {
	t.Helper()
	for _, cs := range cases {
		got := run(c, cs.zh, cs.en)
		if len(got) == 0 && len(cs.want) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, cs.want) {
			t.Errorf("%s / %q:\n got %+v\nwant %+v", cs.zh, cs.en, got, cs.want)
		}
	}
}

func TestSpacingFindingsPointAtTheSpacesAndQuoteTheirWords(t *testing.T) {
	expectExactly(t, &Checker{}, []exact{
		{"会议开始。", " The meeting began.", []Finding{warning(CheckEdgeSpace, "the target starts or ends with a space", tgt(0, 1))}},
		{"会议开始。", "The meeting began.  ", []Finding{warning(CheckEdgeSpace, "the target starts or ends with a space", tgt(18, 20))}},
		{"会议开始。", "  The meeting began. ", []Finding{warning(CheckEdgeSpace, "the target starts or ends with a space", tgt(0, 2), tgt(20, 21))}},
		// Two words each side of the run, as the corpus expects.
		{"论坛开始。", "The forum offered training in  intelligent manufacturing to students.",
			[]Finding{warning(CheckDoubleSpace, `double space in "training in  intelligent manufacturing"`, tgt(29, 31))}},
		{"论坛开始。", "The  forum opened.", []Finding{warning(CheckDoubleSpace, `double space in "The  forum opened."`, tgt(3, 5))}},
		{"论坛开始。", "It opened on  May.", []Finding{warning(CheckDoubleSpace, `double space in "opened on  May."`, tgt(12, 14))}},
		{"开幕式开始。", "The opening   ceremony was held.", []Finding{warning(CheckDoubleSpace, `double space in "The opening   ceremony was"`, tgt(11, 14))}},
		// A run does not count the run before it as a word.
		{"陈静和周立发言。", "Chen  Jing and  Zhou Li spoke.",
			[]Finding{warning(CheckDoubleSpace, `double space in "Chen  Jing and", "Jing and  Zhou Li"`, tgt(4, 6), tgt(14, 16))}},
		{"会议开始。", " The  meeting began. ", []Finding{
			warning(CheckEdgeSpace, "the target starts or ends with a space", tgt(0, 1), tgt(20, 21)),
			warning(CheckDoubleSpace, `double space in "The  meeting began."`, tgt(4, 6)),
		}},
	})
}

func TestRepeatedWordsSkipNamesAndPunctuatedRepeats(t *testing.T) {
	expectExactly(t, &Checker{}, []exact{
		{"效果非常好。", "It was very, very good and and fine.", []Finding{warning(CheckRepeatedWord, `"and" twice in a row`, tgt(23, 30))}},
		{"陈晨和孙孙发言。", "Chen Chen and Sun Sun spoke.", nil},
		{"他说会议开始了。", "He said the the meeting began.", []Finding{warning(CheckRepeatedWord, `"the" twice in a row`, tgt(8, 15))}},
		{"2024年、2024年。", "In 2024 2024.", nil},
	})
}

func TestHanAndNumbersFindingsNameWhatDiffers(t *testing.T) {
	expectExactly(t, &Checker{}, []exact{
		{"图书馆开放。", "The Library 开放 at 图书馆.", []Finding{failure(CheckHanInTarget, "Chinese left in the English: 开放, 图书馆", tgt(12, 14), tgt(18, 21))}},
		{"电话：0755-12345678，22:00关闭。", "Phone: 0755-1234, closes at 9 p.m.", []Finding{failure(CheckNumbers,
			"numbers differ: the phone number 075512345678 (0755-12345678) is in the source but not in the target; "+
				"the time 22:00 is in the source but not in the target; 0755 is in the target but not in the source; "+
				"1234 is in the target but not in the source; 9 p.m. is in the target but not in the source",
			src(3, 16), src(17, 22), tgt(7, 11), tgt(12, 16), tgt(28, 34))}},
		{"讲座于下午3:30开始。", "The talk starts at 3:30 p.m.", nil},
		{"自习室开放至晚上12点。", "The study room is open until midnight.", nil},
		{"全国职业教育投入1.2万亿元。", "China invests 1.2 trillion yuan in vocational education.", nil},
		{"面积达12000平方米。", "It covers 1,200 square meters.", []Finding{failure(CheckNumbers,
			"numbers differ: 12000 is in the source but not in the target; 1,200 is in the target but not in the source",
			src(3, 8), tgt(10, 15))}},
	})
}

func TestGlossaryFindingsNameTheTermAndBothPlaces(t *testing.T) {
	g := glossary.New([]glossary.Term{
		{Source: "图书馆", Targets: []string{"Library"}, CaseSensitive: true},
		{Source: "院长", Targets: []string{"Dean"}},
		{Source: "教务处", Targets: []string{"Office of Academic Affairs", "Academic Affairs Office"}},
		{Source: "校长", Targets: []string{"headmaster"}, Forbidden: true, Note: "a school head, not ours"},
		{Targets: []string{"Principal"}, Forbidden: true},
		{Source: "学期", Targets: []string{"semester"}},
	})
	expectExactly(t, &Checker{Glossary: g}, []exact{
		// A case-sensitive term in the wrong case is missing, not misspelt.
		{"图书馆开放。", "The library opens.", []Finding{warning(CheckGlossaryMissing, `the glossary translates 图书馆 as "Library", which the target does not use`, src(0, 3))}},
		{"图书馆开放。", "The Library opens. The Library closes.", nil},
		// Four letters are enough to tell a misspelling.
		{"院长讲话。", "The Daen spoke.", []Finding{warning(CheckGlossaryNearMiss, `"Daen" is probably the glossary term "Dean" (for 院长), misspelt`, src(0, 2), tgt(4, 8))}},
		{"院长讲话。", "The dean spoke.", nil},
		{"院长致辞。", "Remarks by the Daen.", []Finding{warning(CheckGlossaryNearMiss, `"Daen" is probably the glossary term "Dean" (for 院长), misspelt`, src(0, 2), tgt(15, 19))}},
		{"教务处通知。", "The office announced.", []Finding{warning(CheckGlossaryMissing,
			`the glossary translates 教务处 as "Office of Academic Affairs" or "Academic Affairs Office", which the target does not use`, src(0, 3))}},
		{"教务处通知。", "The Office of Acadmic Affairs announced.", []Finding{warning(CheckGlossaryNearMiss,
			`"Office of Acadmic Affairs" is probably the glossary term "Office of Academic Affairs" (for 教务处), misspelt`, src(0, 3), tgt(4, 29))}},
		// Two slips in a word of seven letters or more are still a misspelling.
		{"新学期开始。", "The new simister begins.", []Finding{warning(CheckGlossaryNearMiss, `"simister" is probably the glossary term "semester" (for 学期), misspelt`, src(1, 3), tgt(8, 16))}},
		// Three are not.
		{"新学期开始。", "The new simistor begins.", []Finding{warning(CheckGlossaryMissing, `the glossary translates 学期 as "semester", which the target does not use`, src(1, 3))}},
		{"新学期开始。", "The new semster begins.", []Finding{warning(CheckGlossaryNearMiss, `"semster" is probably the glossary term "semester" (for 学期), misspelt`, src(1, 3), tgt(8, 15))}},
		{"校长讲话。", "The headmaster spoke, the Principal listened.", []Finding{
			failure(CheckGlossaryForbid, `"headmaster" is a forbidden term: a school head, not ours`, tgt(4, 14)),
			failure(CheckGlossaryForbid, `"Principal" is a forbidden term`, tgt(26, 35)),
		}},
		// A forbidden word glued into another is some other word.
		{"校长讲话。", "The Principalship was discussed.", nil},
		{"图书馆开放。", "TheLibrary opens.", []Finding{warning(CheckGlossaryJoined, `the glossary term "Library" runs into the word next to it: "TheLibrary"`, tgt(3, 10))}},
		{"图书馆开放。", `The "LibraryCard" desk opens.`, []Finding{warning(CheckGlossaryJoined, `the glossary term "Library" runs into the word next to it: "LibraryCard"`, tgt(5, 12))}},
		// A term found twice in the source is checked once.
		{"图书馆和图书馆。", "The library and the library.", []Finding{warning(CheckGlossaryMissing, `the glossary translates 图书馆 as "Library", which the target does not use`, src(0, 3))}},
	})
}

func TestPunctuationFindingsCountMarksAndCompareSentenceEnds(t *testing.T) {
	expectExactly(t, &Checker{}, []exact{
		{"会议（上午）开始。", "The meeting (morning began.", []Finding{warning(CheckUnbalanced, `1 '(' but 0 ')'`, tgt(12, 13))}},
		{"会议开始。", "The meeting) began (today.", []Finding{warning(CheckUnbalanced, `1 '(' but 1 ')'`, tgt(11, 12), tgt(19, 20))}},
		{"会议开始。", `He said "the meeting "began" today.`, []Finding{warning(CheckUnbalanced, "an odd number (3) of double quotes", tgt(27, 28))}},
		{"会议开始。", "The meeting began：today。", []Finding{warning(CheckFullWidth, "full-width punctuation in the English: ： 。", tgt(17, 18), tgt(23, 24))}},
		{"会议开始了吗？", "The meeting began.", []Finding{warning(CheckEndPunctuation, "the source ends with '?', the target with '.'", tgt(17, 18))}},
		{"会议开始", "The meeting began.", []Finding{warning(CheckEndPunctuation, "the source ends with no punctuation, the target with '.'", tgt(17, 18))}},
		{"会议开始。", "The meeting began", []Finding{warning(CheckEndPunctuation, "the source ends with '.', the target with no punctuation", tgt(16, 17))}},
		{"会议开始。", "The meeting began... ", []Finding{
			warning(CheckEndPunctuation, "the source ends with '.', the target with an ellipsis", tgt(19, 20)),
			warning(CheckEdgeSpace, "the target starts or ends with a space", tgt(20, 21)),
		}},
		{"会议开始……", "The meeting began...", nil},
		{"他说：“会议开始。”", `He said: "The meeting began."`, nil},
		// A Chinese clause ended by ； may end an English sentence.
		{"一是创新；", "First, innovation.", nil},
		{"一是创新。", "First, innovation;", []Finding{warning(CheckEndPunctuation, "the source ends with '.', the target with ';'", tgt(17, 18))}},
	})
}

func TestEmptyAndUnchangedTargetsStopTheOtherChecks(t *testing.T) {
	expectExactly(t, &Checker{}, []exact{
		{"图书馆开放。", "  ", []Finding{failure(CheckEmpty, "the segment is not translated yet", src(0, 6))}},
		{"图书馆开放。", "图书馆开放。 ", []Finding{failure(CheckSameAsSource, "the target is the source text, unchanged", tgt(0, 7))}},
		{"  ", "", nil},
		{"2024", "2024", nil},
	})
}

func TestInconsistencyReportsEachOtherTranslationOnce(t *testing.T) {
	others := []string{"the library opens.", "", "The library is open.", "The Library is open.", "  The  library  is open. "}
	got := run(&Checker{}, "学校图书馆开放。", "The Library opens.", others...)
	want := []Finding{warning(CheckInconsistent, `the same source is translated elsewhere as "The library is open."`, tgt(0, 18))}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestSeverityNames(t *testing.T) {
	for sev, want := range map[Severity]string{Info: "info", Warning: "warning", Error: "error", 0: "unknown"} {
		if got := sev.String(); got != want {
			t.Errorf("%d: %q, want %q", sev, got, want)
		}
	}
}

func TestRatioKeepsARunningMeanAndSpread(t *testing.T) {
	var r Ratio
	if r.SD() != 0 {
		t.Fatalf("empty ratio has spread %v", r.SD())
	}
	r.Add(1)
	if r.N != 1 || r.Mean != 1 || r.SD() != 0 {
		t.Fatalf("one sample: %+v, sd %v", r, r.SD())
	}
	r.Add(3)
	if r.Mean != 2 || r.M2 != 2 || math.Abs(r.SD()-math.Sqrt2) > 1e-12 {
		t.Fatalf("two samples: %+v, sd %v", r, r.SD())
	}
	r.Add(2)
	r.Add(6)
	if r.N != 4 || r.Mean != 3 || r.M2 != 14 || math.Abs(r.SD()-math.Sqrt(14.0/3)) > 1e-12 {
		t.Fatalf("four samples: %+v, sd %v", r, r.SD())
	}
}

func TestRatioOfJudgesSourcesOfTwelveCharactersOrMore(t *testing.T) {
	const twelve = "图书馆二十四小时自习空间"
	x, ok := RatioOf(" "+twelve+" ", "The Library's 24-hour study space")
	if !ok || math.Abs(x-math.Log(33.0/12)) > 1e-12 {
		t.Errorf("twelve characters: %v %v, want log(33/12)", x, ok)
	}
	if _, ok := RatioOf("图书馆自习空间正式开放", "The study space opens."); ok {
		t.Error("an eleven-character heading is judged")
	}
	if _, ok := RatioOf(twelve, "  "); ok {
		t.Error("an empty target is judged")
	}
}

func TestLengthRatioTrustsThirtyApprovedSegmentsWithSomeSpread(t *testing.T) {
	// 23 characters, and a target five times as long.
	const zh = "学校将持续深化产教融合推动国际合作与人才培养。"
	long := strings.Repeat("x", 23*5)
	ratioFinding := func(c *Checker, en string) string {
		for _, f := range run(c, zh, en) {
			if f.Check == CheckLengthRatio {
				if f.Severity != Info || !reflect.DeepEqual(f.Spans, []Span{tgt(0, len(en))}) {
					t.Errorf("length finding %+v", f)
				}
				return f.Message
			}
		}
		return ""
	}
	if got, want := ratioFinding(&Checker{}, "Yes."), "the target is 0.2 times the length of the source; approved translations are 0.6 to 15.8 times"; got != want {
		t.Errorf("default band: %q, want %q", got, want)
	}
	if got := ratioFinding(&Checker{}, long); got != "" {
		t.Errorf("five times is within the default band: %q", got)
	}
	approved := func(n int, ratios ...float64) Ratio {
		var r Ratio
		for i := range n {
			r.Add(math.Log(ratios[i%len(ratios)]))
		}
		return r
	}
	// Thirty approved segments at two and two and a half times: a narrow
	// band, widened to the floor of 0.15.
	c := &Checker{Ratio: approved(30, 2, 2.5)}
	if got, want := ratioFinding(c, long), "the target is 5.0 times the length of the source; approved translations are 1.2 to 4.1 times"; got != want {
		t.Errorf("thirty approved: %q, want %q", got, want)
	}
	if got := ratioFinding(&Checker{Ratio: approved(29, 2, 2.5)}, long); got != "" {
		t.Errorf("29 approved segments are not enough to judge: %q", got)
	}
	// Approved segments all of one ratio have no spread to judge by.
	if got := ratioFinding(&Checker{Ratio: approved(40, 2)}, long); got != "" {
		t.Errorf("no spread: %q", got)
	}
	// A wide spread widens the band past the floor.
	c = &Checker{Ratio: approved(40, 1, 4)}
	if got, want := ratioFinding(c, strings.Repeat("x", 23*40)), "the target is 40.0 times the length of the source; approved translations are 0.1 to 33.2 times"; got != want {
		t.Errorf("wide spread: %q, want %q", got, want)
	}
}
