package qa

import (
	"slices"
	"strings"
	"testing"

	"github.com/tandemnews/tandem/services/review/glossary"
)

func checks(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Check)
	}
	slices.Sort(out)
	return out
}

func run(c *Checker, src, tgt string, others ...string) []Finding {
	return c.Check(Segment{Source: src, Target: tgt, SourceLang: "zh-CN", TargetLang: "en"}, others)
}

func TestNumbersKnowChineseWritingOfQuantities(t *testing.T) {
	c := &Checker{}
	same := []struct{ zh, en string }{
		{"中心面积达1.2万平方米。", "The centre covers 12,000 square meters."},
		{"100余名学生参加。", "More than 100 students took part."},
		{"60多家企业参会。", "Over 60 enterprises attended."},
		{"七位专家获奖。", "Seven experts won awards."},
		{"他获得第一名。", "He won first place."},
		{"11月29日，会议召开。", "The meeting opened on November 29."},
		{"每日22:00至次日6:00开放。", "Open daily from 22:00 to 6:00 the next day."},
		{"下午3点开始。", "It starts at 3 p.m."},
		{"电话：0755-12345678。", "Phone: 0755-12345678."},
		{"增长了12.5%。", "It grew by 12.5 percent."},
		{"投入3亿元。", "300 million yuan was invested."},
		{"共有一百二十台机器人。", "There are 120 robots."},
		{"学校将进一步提升质量。", "The university will further improve quality."},
		{"总分96.5分。", "A total score of 96.5 points."},
		{"每日开放至24时。", "Open until midnight every day."},
	}
	for _, p := range same {
		if fs := run(c, p.zh, p.en); slices.Contains(checks(fs), CheckNumbers) {
			t.Errorf("%s / %s: %v", p.zh, p.en, fs)
		}
	}
	differ := []struct{ zh, en, mention string }{
		{"面积达12000平方米。", "It covers 1,200 square meters.", "12000"},
		{"铜奖1项。", "2 bronze medals.", "2 is in the target"},
		{"5月14日举行。", "Held on May 15.", "15 is in the target"},
		{"共一千名学生。", "A total of 100 students.", "1000"},
		{"22:00关闭。", "Closes at 21:00.", "22:00"},
	}
	for _, p := range differ {
		fs := run(c, p.zh, p.en)
		i := slices.IndexFunc(fs, func(f Finding) bool { return f.Check == CheckNumbers })
		if i < 0 || fs[i].Severity != Error || !strings.Contains(fs[i].Message, p.mention) {
			t.Errorf("%s / %s: %v, want a numbers error naming %s", p.zh, p.en, fs, p.mention)
		}
	}
}

func TestEachCheckFires(t *testing.T) {
	g := glossary.New([]glossary.Term{
		{Source: "图书馆", Targets: []string{"Library"}},
		{Source: "教务处", Targets: []string{"Office of Academic Affairs"}},
		{Targets: []string{"Principal"}, Forbidden: true},
	})
	c := &Checker{Glossary: g}
	cases := []struct {
		zh, en string
		want   string
		sev    Severity
	}{
		{"图书馆开放。", "", CheckEmpty, Error},
		{"图书馆开放。", "图书馆开放。", CheckSameAsSource, Error},
		{"图书馆开放。", "The Library 开放.", CheckHanInTarget, Error},
		{"图书馆开放。", "The reading room opens.", CheckGlossaryMissing, Warning},
		{"图书馆开放。", "The Libary opens.", CheckGlossaryNearMiss, Warning},
		{"图书馆开放。", "TheLibrary opens.", CheckGlossaryJoined, Warning},
		{"校长讲话。", "The Principal spoke.", CheckGlossaryForbid, Error},
		{"会议开始。", "The meeting began。", CheckFullWidth, Warning},
		{"会议开始。", "The meeting  began.", CheckDoubleSpace, Warning},
		{"会议开始。", " The meeting began.", CheckEdgeSpace, Warning},
		{"会议（上午）开始。", "The meeting (morning began.", CheckUnbalanced, Warning},
		{"会议开始。", `He said "the meeting began.`, CheckUnbalanced, Warning},
		{"会议开始。", "The the meeting began.", CheckRepeatedWord, Warning},
		{"会议开始了吗？", "The meeting began.", CheckEndPunctuation, Warning},
		{"会议开始。", "The meeting began.", "", 0},
	}
	for _, cs := range cases {
		fs := run(c, cs.zh, cs.en)
		got := checks(fs)
		if cs.want == "" {
			if len(fs) != 0 {
				t.Errorf("%q: %v, want nothing", cs.en, fs)
			}
			continue
		}
		i := slices.IndexFunc(fs, func(f Finding) bool { return f.Check == cs.want })
		if i < 0 || fs[i].Severity != cs.sev {
			t.Errorf("%q: %v, want %s (%s)", cs.en, got, cs.want, cs.sev)
		}
	}
}

func TestSpansCountCharactersNotBytes(t *testing.T) {
	fs := run(&Checker{}, "会议开始。", "会议  began.")
	for _, f := range fs {
		if f.Check == CheckDoubleSpace && (f.Spans[0].Start != 2 || f.Spans[0].End != 4) {
			t.Errorf("double space at %+v, want characters 2-4", f.Spans[0])
		}
	}
}

func TestInconsistencyIgnoresCaseAndReportsOtherTranslations(t *testing.T) {
	c := &Checker{}
	if fs := run(c, "学校图书馆开放。", "The Library opens.", "the library opens."); len(fs) != 0 {
		t.Errorf("case only: %v", fs)
	}
	fs := run(c, "学校图书馆开放。", "The Library opens.", "The library is open.")
	if !slices.Contains(checks(fs), CheckInconsistent) {
		t.Errorf("different translation: %v", fs)
	}
}

func TestLengthRatioUsesApprovedSegmentsOnceThereAreEnough(t *testing.T) {
	c := &Checker{}
	src := "学校将持续深化产教融合推动国际合作与人才培养。"
	if fs := run(c, src, "Yes."); !slices.Contains(checks(fs), CheckLengthRatio) {
		t.Errorf("a 4-letter translation of 23 characters: %v", fs)
	}
	var r Ratio
	for range 40 {
		x, _ := RatioOf(src, "Yes, indeed.")
		r.Add(x)
		x, _ = RatioOf(src, "Yes, indeed!!")
		r.Add(x)
	}
	c.Ratio = r
	if fs := run(c, src, "Yes, indeed."); slices.Contains(checks(fs), CheckLengthRatio) {
		t.Errorf("ratio within the approved ones: %v", fs)
	}
}

func FuzzCheck(f *testing.F) {
	for _, s := range [][2]string{
		{"5月14日至15日，30余位专家。", "From May 14 to 15, more than 30 experts."},
		{"1.2万平方米，0755-12345678，下午3点半", "12,000 square meters, 0755-12345678, 3:30 p.m."},
		{"二〇二四年一百二十台", "2024 one hundred twenty"},
		{"万一千万亿", "  ((\"\"  the the "},
	} {
		f.Add(s[0], s[1])
	}
	g := glossary.New([]glossary.Term{{Source: "图书馆", Targets: []string{"Library"}}, {Targets: []string{"bad"}, Forbidden: true}})
	c := &Checker{Glossary: g}
	f.Fuzz(func(t *testing.T, src, tgt string) {
		for _, fd := range run(c, src, tgt, tgt+"x") {
			if fd.Check == "" || fd.Severity < Info || fd.Severity > Error || fd.Message == "" {
				t.Fatalf("malformed finding %+v", fd)
			}
			for _, sp := range fd.Spans {
				text := tgt
				if sp.Side == Source {
					text = src
				}
				if sp.Start < 0 || sp.End < sp.Start || sp.End > len([]rune(text)) {
					t.Fatalf("span %+v outside %q", sp, text)
				}
			}
		}
	})
}

func TestEveryFindingPointsSomewhere(t *testing.T) {
	g := glossary.New([]glossary.Term{{Source: "图书馆", Targets: []string{"Library"}}, {Targets: []string{"Principal"}, Forbidden: true}})
	c := &Checker{Glossary: g}
	cases := [][2]string{
		{"图书馆开放。", ""},
		{"图书馆（东区）开放了吗？", " The Principal said (east) wing)  opens the the 开放， \"quoted"},
		{"学校将持续深化产教融合推动国际合作与人才培养。", "Yes"},
	}
	for _, cs := range cases {
		for _, f := range run(c, cs[0], cs[1], "other") {
			if len(f.Spans) == 0 {
				t.Errorf("%s on %q has no offsets", f.Check, cs[1])
			}
		}
	}
	fs := run(c, "会议。", "The (east) wing) opens.")
	i := slices.IndexFunc(fs, func(f Finding) bool { return f.Check == CheckUnbalanced })
	if i < 0 || fs[i].Spans[0].Start != 15 {
		t.Errorf("unbalanced: %+v, want the lone ) at character 15", fs)
	}
}
