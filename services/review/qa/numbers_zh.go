package qa

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ChineseNumbers finds the numbers of a Chinese text: figures (1,200,
// 96.5, 1.2万 = 12000), Chinese numerals (一百二十 = 120, 第一 = 1), dates
// read as their parts (5月14日 = 5 and 14), times (22:00, 下午3点 = 15:00)
// and phone numbers.
func ChineseNumbers(s string) []Number {
	r := newReader(s)
	t, add := r.taken, r.add
	for _, m := range timeRe.FindAllStringSubmatchIndex(s, -1) {
		if t.free(m[0], m[1]) {
			h, _ := strconv.Atoi(s[m[2]:m[3]])
			// 下午3:30 is 15:30: the part of the day before the clock.
			start := m[0]
			if p := zhPeriodRe.FindString(s[:start]); p != "" {
				h = halfDay(p, h)
				start -= len(p)
			}
			add(Number{Key: timeKey(h, s[m[4]:m[5]], ""), Text: s[start:m[1]], Start: start, End: m[1]})
		}
	}
	for _, m := range zhTimeRe.FindAllStringSubmatchIndex(s, -1) {
		if !t.free(m[0], m[1]) {
			continue
		}
		// 一点 is also "a little": a time in numerals counts as spelled.
		h, spelled := chineseValue(s[m[4]:m[5]])
		if !spelled {
			h64, _ := strconv.Atoi(s[m[4]:m[5]])
			h = float64(h64)
		}
		hour := int(h)
		if m[2] >= 0 {
			hour = halfDay(s[m[2]:m[3]], hour)
		}
		min := "00"
		if m[6] >= 0 {
			min = twoDigits(s[m[6]:m[7]])
		} else if strings.HasSuffix(s[m[0]:m[1]], "半") {
			min = "30"
		}
		add(Number{Key: timeKey(hour, min, ""), Text: s[m[0]:m[1]], Start: m[0], End: m[1], Spelled: spelled})
	}
	for _, m := range digitsRe.FindAllStringIndex(s, -1) {
		if !t.free(m[0], m[1]) {
			continue
		}
		v, _ := strconv.ParseFloat(strings.ReplaceAll(s[m[0]:m[1]], ",", ""), 64)
		end := m[1]
		// A Chinese multiplier after figures: 1.2万, 3千, 5亿.
		if r, size := utf8.DecodeRuneInString(s[end:]); size > 0 {
			if mul, ok := zhScale[r]; ok {
				v *= mul
				end += size
				// 万亿 is 10⁴ × 10⁸: 1.2万亿 = 1.2 trillion.
				if r2, size2 := utf8.DecodeRuneInString(s[end:]); r == '万' && r2 == '亿' {
					v *= zhScale[r2]
					end += size2
				}
			}
		}
		// A figure right after 百分之 is a percentage; the key is the same.
		add(Number{Key: format(v), Text: s[m[0]:end], Start: m[0], End: end})
	}
	for _, m := range zhNumRe.FindAllStringIndex(s, -1) {
		if !t.free(m[0], m[1]) {
			continue
		}
		text := s[m[0]:m[1]]
		v, ok := chineseValue(text)
		if !ok {
			continue
		}
		add(Number{Key: format(v), Text: text, Start: m[0], End: m[1], Spelled: true})
	}
	return r.numbers()
}

// zhPeriodRe is a part of the day right before a clock time: 下午3:30.
var zhPeriodRe = regexp.MustCompile(`(?:上午|下午|晚上|中午|凌晨|早上)$`)

// halfDay turns an hour said after a part of the day (下午, 晚上, 中午)
// into the 24-hour clock.
func halfDay(period string, hour int) int {
	switch period {
	case "下午":
		if hour < 12 {
			hour += 12
		}
	case "晚上":
		// 晚上12点 is midnight, the 24:00 that timeKey reads as 0:00.
		if hour <= 12 {
			hour += 12
		}
	case "中午":
		if hour < 6 {
			hour += 12
		}
	}
	return hour
}

var zhScale = map[rune]float64{'十': 10, '百': 100, '千': 1e3, '万': 1e4, '亿': 1e8}

var zhDigit = map[rune]float64{'零': 0, '〇': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}

// chineseValue reads a run of Chinese numerals: 一百二十 = 120, 十五 = 15,
// 三千五百万 = 35000000, 二〇二四 = 2024 (digit by digit). A run that is
// only multipliers (百, 千万) is not a number.
func chineseValue(s string) (float64, bool) {
	rs := []rune(s)
	digitOnly, anyDigit := true, false
	for _, r := range rs {
		if _, ok := zhDigit[r]; ok {
			anyDigit = true
		} else {
			digitOnly = false
		}
	}
	if !anyDigit && rs[0] != '十' {
		// Multipliers alone (百, 千万 "by all means") are not numbers.
		return 0, false
	}
	if digitOnly && len(rs) > 1 {
		// 二〇二四: read digit by digit.
		v := 0.0
		for _, r := range rs {
			v = v*10 + zhDigit[r]
		}
		return v, true
	}
	var total, section, digit float64
	for i, r := range rs {
		if d, ok := zhDigit[r]; ok {
			digit = d
			continue
		}
		mul := zhScale[r]
		switch {
		case mul >= 1e8:
			// 亿 multiplies all that comes before it: 三万亿 = 3×10¹²,
			// 一万二千亿 = 1.2×10¹².
			total = (total + section + digit) * mul
			section, digit = 0, 0
		case mul >= 1e4:
			section = (section + digit) * mul
			total += section
			section, digit = 0, 0
		default:
			if digit == 0 && i == 0 {
				digit = 1 // 十五 = 15
			}
			section += digit * mul
			digit = 0
		}
	}
	return total + section + digit, true
}
