package qa

import (
	"slices"
	"strings"
	"testing"

	"github.com/tandemnews/tandem/services/review/glossary"
)

func TestNearMissCountsOccurrencesOfTheTerm(t *testing.T) {
	g := glossary.New([]glossary.Term{{Source: "联盟", Targets: []string{"Alliance"}}})
	c := &Checker{Glossary: g}
	// The correct term once does not hide the misspelt second use.
	expectExactly(t, c, []exact{
		{"联盟成员来自十所高校，联盟秘书处设在深圳。", "Members of the Alliance come from ten universities; the Appliance secretariat is in Shenzhen.",
			[]Finding{warning(CheckGlossaryNearMiss, `"Appliance" is probably the glossary term "Alliance" (for 联盟), misspelt`, src(0, 2), tgt(56, 65))}},
		// Case aside, whole words only.
		{"联盟成立。", "The ALLAINCE was founded.", []Finding{warning(CheckGlossaryNearMiss, `"ALLAINCE" is probably the glossary term "Alliance" (for 联盟), misspelt`, src(0, 2), tgt(4, 12))}},
		// As many renderings as uses: nothing to look for.
		{"联盟成员来自十所高校，联盟秘书处设在深圳。", "Members of the Alliance come from ten universities; the Alliance secretariat is in Shenzhen.", nil},
	})
}

func TestMaxEditsGrowsWithTheTerm(t *testing.T) {
	for n, want := range map[int]int{3: 0, 4: 1, 6: 1, 7: 2, 12: 2} {
		if got := maxEdits(n); got != want {
			t.Errorf("maxEdits(%d) = %d, want %d", n, got, want)
		}
	}
}

func TestFullWidthFlagsChinesePunctuationOnly(t *testing.T) {
	c := &Checker{}
	clean := []string{
		"“We are ready,” she said.",
		"The university’s ‘smart campus’ opened.",
		"Classes resume in March—after the holiday – as planned…",
		"Open 9–5, Monday to Friday.",
	}
	for _, en := range clean {
		if fs := run(c, "她说：“我们准备好了。”", en); slices.Contains(checks(fs), CheckFullWidth) {
			t.Errorf("%q: %v", en, fs)
		}
	}
	wrong := map[string]string{
		"The meeting began，and ended.": "，",
		"He read 《China Daily》.":       "《 》",
		"It was 「new」.":                "「 」",
		"Wait……":                       "… …",
		"Room Ａ１ opened.":              "Ａ １",
		"A　wide space.":                "\u3000",
		"Where？ Here！":                 "？ ！",
		"Vice-president【Chen】 spoke.":  "【 】",
		"Items: books、pens and paper.": "、",
	}
	for en, marks := range wrong {
		fs := run(c, "会议开始。", en)
		i := slices.IndexFunc(fs, func(f Finding) bool { return f.Check == CheckFullWidth })
		if i < 0 || !strings.HasSuffix(fs[i].Message, marks) {
			t.Errorf("%q: %v, want full-width %s", en, fs, marks)
		}
	}
}

func TestLinksAndAddressesMustBeTheSame(t *testing.T) {
	c := &Checker{}
	expectExactly(t, c, []exact{
		{"详情见https://www.szpu.edu.cn/news/2024，咨询邮箱xsc@szpu.edu.cn。", "Details are at https://www.szpu.edu.cn/news/2024; write to xsc@szpu.edu.cn.", nil},
		{"详见[学校官网](https://www.szpu.edu.cn)。", "See [the university's website](https://www.szpu.edu.cn).", nil},
		{"详情见https://www.szpu.edu.cn/news/2024。", "Details are at https://www.szpu.edu.cn/news/2023.", []Finding{failure(CheckLinks,
			"addresses differ: https://www.szpu.edu.cn/news/2024 is in the source but not in the target; https://www.szpu.edu.cn/news/2023 is in the target but not in the source",
			src(3, 36), tgt(15, 48))}},
		{"咨询邮箱xsc@szpu.edu.cn。", "Write to the office.", []Finding{failure(CheckLinks,
			"addresses differ: xsc@szpu.edu.cn is in the source but not in the target", src(4, 19))}},
	})
}

func TestMarkupMarksPairAndMatch(t *testing.T) {
	c := &Checker{}
	expectExactly(t, c, []exact{
		{"**东楼**将于周一开放。", "**East Building** opens on Monday.", nil},
		{"运行`make test`即可。", "Just run `make test`.", nil},
		{"**东楼**将于周一开放。", "**East Building opens on Monday.", []Finding{
			warning(CheckMarkup, "2 mark(s) (* or `) in the target pair with nothing and would show as written", tgt(0, 1), tgt(1, 2)),
			warning(CheckMarkup, "inline marks differ: 1 bold in the source, 0 in the target", tgt(0, 32)),
		}},
		{"*东楼*将于周一开放。", "East Building opens on Monday.", []Finding{
			warning(CheckMarkup, "inline marks differ: 1 italic in the source, 0 in the target", tgt(0, 30)),
		}},
		{"运行`make test`即可。", "Just run `make tests`.", []Finding{
			warning(CheckMarkup, `inline marks differ: the code differs: "make test" in the source, "make tests" in the target`, tgt(0, 22)),
		}},
	})
}

func TestSpellingUsesTheMaintainedList(t *testing.T) {
	c := &Checker{}
	expectExactly(t, c, []exact{
		{"学校收到了申请。", "The university recieved the applications.", []Finding{warning(CheckSpelling, `misspelt: "recieved" ("received")`, tgt(15, 23))}},
		{"政府支持。", "Goverment support.", []Finding{warning(CheckSpelling, `misspelt: "Goverment" ("Government")`, tgt(0, 9))}},
		// British and American spellings are both English.
		{"中心开放。", "The centre opened; the center opened.", nil},
	})
}

func TestNamesAreWrittenInFull(t *testing.T) {
	g := glossary.New([]glossary.Term{
		{Source: "深圳职业技术大学", Targets: []string{"Shenzhen Polytechnic University"}, Name: glossary.Organisation},
		{Source: "陈伟", Targets: []string{"Chen Wei"}, Name: glossary.Person},
	})
	c := &Checker{Glossary: g}
	expectExactly(t, c, []exact{
		{"深圳职业技术大学举行典礼。", "Shenzhen Polytechnic held a ceremony.", []Finding{failure(CheckName,
			`"Shenzhen Polytechnic" is the organisation's name Shenzhen Polytechnic University (深圳职业技术大学), cut short`, src(0, 8), tgt(0, 20))}},
		{"陈伟发言。", "Wei Chen spoke.", []Finding{failure(CheckName, `"Wei Chen" is the person's name Chen Wei (陈伟), with its words in another order`, src(0, 2), tgt(0, 8))}},
		{"陈伟发言。", "Chen Wie spoke.", []Finding{failure(CheckName, `"Chen Wie" is the person's name Chen Wei (陈伟), misspelt`, src(0, 2), tgt(0, 8))}},
		{"陈伟发言。", "chen wei spoke.", []Finding{failure(CheckName, `"chen wei" is the person's name Chen Wei (陈伟), in the wrong case`, src(0, 2), tgt(0, 8))}},
		{"陈伟发言。", "The dean spoke.", []Finding{failure(CheckName, `the person's name 陈伟 is written "Chen Wei" in English, which the target does not use`, src(0, 2))}},
		// Later mentions may be shorter, as English writes them.
		{"陈伟说，陈伟还表示。", "Chen Wei said so, and Chen added more.", nil},
		{"深圳职业技术大学举行典礼，深圳职业技术大学校长致辞。", "Shenzhen Polytechnic University held a ceremony, and the university's president spoke.", nil},
	})
}
