package qa

import (
	"fmt"
	"slices"
	"testing"
)

// numberList shows numbers as "key text@start-end", with a ~ before the
// key of a spelled one, in the order found.
func numberList(ns []Number) []string {
	out := []string{}
	for _, n := range ns {
		mark := ""
		if n.Spelled {
			mark = "~"
		}
		out = append(out, fmt.Sprintf("%s%s %s@%d-%d", mark, n.Key, n.Text, n.Start, n.End))
	}
	return out
}

// read is a text and the numbers found in it, as numberList shows them.
type read struct {
	text string
	want []string
}

func expectNumbers(t *testing.T, numbers func(string) []Number, cases []read) {
	t.Helper()
	for _, c := range cases {
		if got := numberList(numbers(c.text)); !slices.Equal(got, c.want) {
			t.Errorf("%s:\n got %q\nwant %q", c.text, got, c.want)
		}
	}
}

func TestChineseNumbersReadsEveryWritingWithItsOffsets(t *testing.T) {
	expectNumbers(t, ChineseNumbers, []read{
		{"咨询电话0755-12345678、0755-86719999。",
			[]string{"p075512345678 0755-12345678@12-25", "p075586719999 0755-86719999@28-41"}},
		{"每日22:00至次日6:00开放。", []string{"t22:00 22:00@6-11", "t6:00 6:00@20-24"}},
		{"讲座于下午3:30开始，晚上9:15结束。", []string{"t15:30 下午3:30@9-19", "t21:15 晚上9:15@28-38"}},
		{"开放时间为上午9点至下午3点半。", []string{"t9:00 上午9点@15-25", "t15:30 下午3点半@28-41"}},
		{"午餐会中午12点开始，中午1点结束。", []string{"t12:00 中午12点@9-20", "t13:00 中午1点@29-39"}},
		{"晚会晚上7点5分开始。", []string{"t19:05 晚上7点5分@6-20"}},
		{"开放至晚上12点，下午12点半午休。", []string{"t0:00 晚上12点@9-20", "t12:30 下午12点半@23-37"}},
		{"凌晨2点抵达，早上8点半出发。", []string{"t2:00 凌晨2点@0-10", "t8:30 早上8点半@19-32"}},
		{"三点钟开会。", []string{"~t3:00 三点@0-6"}},
		{"中心面积达1.2万平方米。", []string{"12000 1.2万@15-21"}},
		{"全国职业教育投入超过1.2万亿元。", []string{"1200000000000 1.2万亿@30-39"}},
		{"投入3亿元，建成5千平方米。", []string{"300000000 3亿@6-10", "5000 5千@22-26"}},
		{"共有1,200名学生、96.5分。", []string{"1200 1,200@6-11", "96.5 96.5@23-27"}},
		{"三位教授和十五名学生参加。", []string{"~3 三@0-3", "~15 十五@15-21"}},
		{"二〇二四年，共一百二十三人。", []string{"~2024 二〇二四@0-12", "~123 一百二十三@21-36"}},
		{"总投资三千五百万元。", []string{"~35000000 三千五百万@9-24"}},
		{"规模达三万亿，一万二千亿，两亿三千万，十万。",
			[]string{"~3000000000000 三万亿@9-18", "~1200000000000 一万二千亿@21-36", "~230000000 两亿三千万@39-54", "~100000 十万@57-63"}},
		{"第十五届大赛", []string{"~15 十五@3-9"}},
		{"千万不要迟到。", []string{}},
		{"共2间会议室，电话0755-12345678。", []string{"2 2@3-4", "p075512345678 0755-12345678@25-38"}},
	})
}

func TestEnglishNumbersReadsEveryWritingWithItsOffsets(t *testing.T) {
	expectNumbers(t, EnglishNumbers, []read{
		{"Call 0755-12345678 or 0755-86719999.",
			[]string{"p075512345678 0755-12345678@5-18", "p075586719999 0755-86719999@22-35"}},
		{"Open from 9 a.m. to 5 p.m. daily.", []string{"t9:00 9 a.m.@10-16", "t17:00 5 p.m.@20-26"}},
		{"The talk runs from 10:15 p.m. to 12:30 a.m.", []string{"t22:15 10:15 p.m.@19-29", "t0:30 12:30 a.m.@33-43"}},
		{"It opens at 7:05 and closes at 24:00.", []string{"t7:05 7:05@12-16", "t0:00 24:00@31-36"}},
		{"Lunch is at 12:30 p.m., or 12 p.m. on Fridays.", []string{"t12:30 12:30 p.m.@12-22", "t12:00 12 p.m.@27-34"}},
		{"Lunch is served from noon to 1 p.m., the library is open until midnight.",
			[]string{"t12:00 noon@21-25", "t13:00 1 p.m.@29-35", "t0:00 midnight@63-71"}},
		{"The forum runs between May 14 and June 2.", []string{"5 May@23-26", "14 14@27-29", "6 June@34-38", "2 2@39-40"}},
		{"Registration closes March 8.", []string{"3 March@20-25", "8 8@26-27"}},
		{"The festival returns in October, and the deadline is Sept. 30.", []string{"10 October@24-31", "9 Sept@53-57", "30 30@59-61"}},
		{"Students March on campus. May we join?", []string{}},
		{"Funding reached 1,200 billion yuan, 3 million more than 1.2 trillion.",
			[]string{"1200000000000 1,200 billion@16-29", "3000000 3 million@36-45", "1200000000000 1.2 trillion@56-68"}},
		{"It covers 12,000 square meters and 96.5 percent.", []string{"12000 12,000@10-16", "96.5 96.5@35-39"}},
		{"Twenty-one students and seven experts came first.",
			[]string{"~21 Twenty-one@0-10", "~7 seven@24-29", "~1 first@43-48"}},
		{"2 lines: 0755-12345678", []string{"2 2@0-1", "p075512345678 0755-12345678@9-22"}},
	})
}

func TestCompareMatchesFiguresFirstAndReportsOnlyRealQuantities(t *testing.T) {
	cases := []struct {
		zh, en         string
		missing, extra []string
	}{
		// 一 in 进一步 is no quantity: a spelled number may go untranslated.
		{"学校将进一步提升质量。", "The university will improve quality.", []string{}, []string{}},
		// 一千 is a quantity: a spelled number of a hundred or more counts.
		{"共一千名学生。", "A total of 100 students.", []string{"~1000 一千@3-9"}, []string{"100 100@11-14"}},
		// 一百 is a quantity too, right at the limit.
		{"近一百名学生。", "Nearly a few students.", []string{"~100 一百@3-9"}, []string{}},
		// 〇 is a digit that does not start a quantity.
		{"〇〇七号房间。", "Room seven.", []string{}, []string{}},
		// The figure 2 takes the figure in the target, not the word two.
		{"铜奖2项。", "Two bronze medals, 2 in all.", []string{}, []string{}},
		{"铜奖1项。", "2 bronze medals.", []string{"1 1@6-7"}, []string{"2 2@0-1"}},
	}
	for _, c := range cases {
		m := Compare(ChineseNumbers(c.zh), EnglishNumbers(c.en))
		if got := numberList(m.Missing); !slices.Equal(got, c.missing) {
			t.Errorf("%s / %s: missing %q, want %q", c.zh, c.en, got, c.missing)
		}
		if got := numberList(m.Extra); !slices.Equal(got, c.extra) {
			t.Errorf("%s / %s: extra %q, want %q", c.zh, c.en, got, c.extra)
		}
	}
}
