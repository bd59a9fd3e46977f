package qa

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Number is a quantity found in a text. Key is what two numbers are
// compared by: the value in plain decimal ("12000", "96.5"), "t" and a
// 24-hour time ("t22:00"), or "p" and the digits of a phone number.
type Number struct {
	Key        string
	Text       string
	Start, End int
	// Spelled is set for numbers written in words: Chinese numerals
	// (七位, 第一名, 一楼) and English words (seven, first). A translator
	// may write them either way or leave a figure of speech out, so an
	// unmatched spelled number is not a mismatch on its own.
	Spelled bool
}

var (
	phoneRe  = regexp.MustCompile(`\+?\d{1,3}[- ]\d{2,4}[- ]\d{6,8}|\(0\d{2,3}\)\s?\d{7,8}|0\d{2,3}-\d{7,8}(?:-\d{1,5})?|\b1[3-9]\d{9}\b|\b\d{3}-\d{3}-\d{4}\b`)
	timeRe   = regexp.MustCompile(`(\d{1,2})[:：](\d{2})(?:\s?([ap])\.?m\.?)?`)
	enHourRe = regexp.MustCompile(`(?i)\b(\d{1,2})\s?([ap])\.?m\.?`)
	zhTimeRe = regexp.MustCompile(`(上午|下午|晚上|中午|凌晨|早上)?(\d{1,2}|[一二两三四五六七八九十]{1,3})[点時时](?:(\d{1,2})分|半)?`)
	digitsRe = regexp.MustCompile(`\d+(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?`)
	zhNumRe  = regexp.MustCompile(`[零〇一二两三四五六七八九十百千万亿]+`)
	enWordRe = regexp.MustCompile(`(?i)\b(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:-(?:one|two|three|four|five|six|seven|eight|nine))?|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|twentieth|dozen|once|twice)\b`)
	monthRe  = regexp.MustCompile(`\b(January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\b\.?(\s+\d)?`)
	scaleRe  = regexp.MustCompile(`^\s*(thousand|million|billion|trillion)\b`)
)

var months = map[string]int{
	"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}

var enWords = map[string]int{
	"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
	"ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
	"seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
	"sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
	"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
	"ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "twentieth": 20, "dozen": 12, "once": 1, "twice": 2,
}

// reader collects the numbers of one text, each byte read as part of one
// number at most. Phone numbers are read first: their digits are no
// other number.
type reader struct {
	taken taken
	out   []Number
}

func newReader(s string) *reader {
	r := &reader{taken: make(taken, len(s))}
	for _, m := range phoneRe.FindAllStringIndex(s, -1) {
		r.add(Number{Key: phoneKey(s[m[0]:m[1]]), Text: s[m[0]:m[1]], Start: m[0], End: m[1]})
	}
	return r
}

func (r *reader) add(n Number) {
	r.taken.take(n.Start, n.End)
	r.out = append(r.out, n)
}

// numbers returns what was read, in text order.
func (r *reader) numbers() []Number {
	sortNumbers(r.out)
	return r.out
}

// taken marks byte ranges already read as a number, so a time or phone
// number is not read again as plain digits.
type taken []bool

func (t taken) free(start, end int) bool {
	for i := start; i < end; i++ {
		if t[i] {
			return false
		}
	}
	return true
}

func (t taken) take(start, end int) {
	for i := start; i < end; i++ {
		t[i] = true
	}
}

// EnglishNumbers finds the numbers of an English text: figures with
// thousands separators and decimals, scales (1.2 million), ordinals
// (21st), month names as their number (May 14 = 5 and 14), times (22:00,
// 3 p.m.), phone numbers, and number words (seven, first) as spelled.
func EnglishNumbers(s string) []Number {
	r := newReader(s)
	t, add := r.taken, r.add
	for _, m := range timeRe.FindAllStringSubmatchIndex(s, -1) {
		if t.free(m[0], m[1]) {
			h, _ := strconv.Atoi(s[m[2]:m[3]])
			ampm := ""
			if m[6] >= 0 {
				ampm = strings.ToLower(s[m[6]:m[7]])
			}
			add(Number{Key: timeKey(h, s[m[4]:m[5]], ampm), Text: s[m[0]:m[1]], Start: m[0], End: m[1]})
		}
	}
	for _, m := range enHourRe.FindAllStringSubmatchIndex(s, -1) {
		if t.free(m[0], m[1]) {
			h, _ := strconv.Atoi(s[m[2]:m[3]])
			add(Number{Key: timeKey(h, "00", strings.ToLower(s[m[4]:m[5]])), Text: s[m[0]:m[1]], Start: m[0], End: m[1]})
		}
	}
	for _, m := range clockWords.FindAllStringIndex(s, -1) {
		hour := 0
		if strings.EqualFold(s[m[0]:m[1]], "noon") {
			hour = 12
		}
		add(Number{Key: timeKey(hour, "00", ""), Text: s[m[0]:m[1]], Start: m[0], End: m[1]})
	}
	for _, m := range monthRe.FindAllStringSubmatchIndex(s, -1) {
		name := s[m[2]:m[3]]
		if name == "May" && m[4] < 0 {
			continue // the verb, not the month
		}
		if name == "Mar" || name == "March" {
			if m[4] < 0 {
				continue // "march" as a verb at a sentence start
			}
		}
		add(Number{Key: strconv.Itoa(months[strings.ToLower(name[:3])]), Text: name, Start: m[2], End: m[3]})
	}
	for _, m := range digitsRe.FindAllStringIndex(s, -1) {
		if !t.free(m[0], m[1]) {
			continue
		}
		v, _ := strconv.ParseFloat(strings.ReplaceAll(s[m[0]:m[1]], ",", ""), 64)
		end := m[1]
		if sm := scaleRe.FindStringSubmatchIndex(s[end:]); sm != nil {
			switch s[end+sm[2] : end+sm[3]] {
			case "thousand":
				v *= 1e3
			case "million":
				v *= 1e6
			case "billion":
				v *= 1e9
			case "trillion":
				v *= 1e12
			}
			end += sm[1]
		}
		add(Number{Key: format(v), Text: s[m[0]:end], Start: m[0], End: end})
	}
	for _, m := range enWordRe.FindAllStringIndex(s, -1) {
		if !t.free(m[0], m[1]) {
			continue
		}
		w := strings.ToLower(s[m[0]:m[1]])
		v := 0
		for _, part := range strings.Split(w, "-") {
			v += enWords[part]
		}
		add(Number{Key: strconv.Itoa(v), Text: s[m[0]:m[1]], Start: m[0], End: m[1], Spelled: true})
	}
	return r.numbers()
}

func phoneKey(s string) string {
	var b strings.Builder
	b.WriteByte('p')
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

var clockWords = regexp.MustCompile(`(?i)\b(midnight|noon)\b`)

func timeKey(hour int, min, ampm string) string {
	switch ampm {
	case "p":
		if hour < 12 {
			hour += 12
		}
	case "a":
		if hour == 12 {
			hour = 0
		}
	}
	if hour == 24 {
		hour = 0 // 24:00 and 0:00 are both midnight
	}
	return "t" + strconv.Itoa(hour) + ":" + twoDigits(min)
}

func twoDigits(s string) string {
	if len(s) == 1 {
		return "0" + s
	}
	return s
}

func format(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func sortNumbers(ns []Number) {
	slices.SortStableFunc(ns, func(a, b Number) int { return a.Start - b.Start })
}

// Mismatch is the outcome of comparing the numbers of a source and its
// translation: the numbers of each side that the other lacks.
type Mismatch struct {
	Missing []Number // in the source, not in the target
	Extra   []Number // in the target, not in the source
}

// Compare pairs numbers by key, figures first. Spelled numbers left over
// are not reported: 一 in 进一步 ("further") or "one of" are not
// quantities. The exception is a spelled Chinese number of 100 or more
// that starts with a digit (一千, 三万), which is a quantity.
func Compare(source, target []Number) Mismatch {
	used := make([]bool, len(target))
	// find takes the target number with key, a figure before a word.
	find := func(key string) bool {
		for _, spelled := range []bool{false, true} {
			for i, n := range target {
				if !used[i] && n.Key == key && n.Spelled == spelled {
					used[i] = true
					return true
				}
			}
		}
		return false
	}
	var m Mismatch
	// Figures first so a spelled number cannot take the figure a figure
	// needs.
	for _, n := range source {
		if !n.Spelled && !find(n.Key) {
			m.Missing = append(m.Missing, n)
		}
	}
	for _, n := range source {
		if n.Spelled && !find(n.Key) && bigSpelled(n) {
			m.Missing = append(m.Missing, n)
		}
	}
	for i, n := range target {
		if !used[i] && !n.Spelled {
			m.Extra = append(m.Extra, n)
		}
	}
	return m
}

func bigSpelled(n Number) bool {
	v, err := strconv.ParseFloat(n.Key, 64)
	if err != nil || v < 100 {
		return false
	}
	r, _ := utf8.DecodeRuneInString(n.Text)
	_, digit := zhDigit[r]
	return digit && r != '零' && r != '〇'
}
