package inline

import (
	"reflect"
	"testing"
)

func TestSplitFindsPairedMarksAndStandaloneCodes(t *testing.T) {
	cases := []struct {
		s    string
		want []Piece
	}{
		{"**东楼**将于周一开放。", []Piece{{Open, "**", 1, "bold"}, {Text, "东楼", 0, ""}, {Close, "**", 1, "bold"}, {Text, "将于周一开放。", 0, ""}}},
		{"Run `make test` now.", []Piece{{Text, "Run ", 0, ""}, {Standalone, "`make test`", 1, "code"}, {Text, " now.", 0, ""}}},
		{"See [the *guide*](https://x.cn/a_(b)).", []Piece{
			{Text, "See ", 0, ""}, {Open, "[", 1, "link"}, {Text, "the ", 0, ""}, {Open, "*", 2, "italic"}, {Text, "guide", 0, ""},
			{Close, "*", 2, "italic"}, {Close, "](https://x.cn/a_(b))", 1, "link"}, {Text, ".", 0, ""}}},
		{"![校园](a.jpg) and <https://x.cn>", []Piece{{Standalone, "![校园](a.jpg)", 1, "image"}, {Text, " and ", 0, ""}, {Standalone, "<https://x.cn>", 2, "autolink"}}},
		// Marks that pair with nothing, and snake_case, stay text.
		{"**East Building reopens", []Piece{{Text, "**East Building reopens", 0, ""}}},
		{"file_name_here and 2 * 3", []Piece{{Text, "file_name_here and 2 * 3", 0, ""}}},
		{`\*not italic\*`, []Piece{{Text, `\*not italic\*`, 0, ""}}},
		{"[not a link] and `open", []Piece{{Text, "[not a link] and `open", 0, ""}}},
		// An emphasis open inside a link cannot close outside it.
		{"[**a](u)**", []Piece{{Open, "[", 1, "link"}, {Text, "**a", 0, ""}, {Close, "](u)", 1, "link"}, {Text, "**", 0, ""}}},
	}
	for _, c := range cases {
		got := Split(c.s)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("Split(%q)\n got %v\nwant %v", c.s, got, c.want)
		}
		if Join(got) != c.s {
			t.Errorf("Join(Split(%q)) = %q", c.s, Join(got))
		}
	}
}

func FuzzSplitJoinsBack(f *testing.F) {
	for _, s := range []string{"**东楼**", "[a](b) `c` ![d](e) <f:g>", "*_x_*", "\\", "[[a](b)](c)", "``a` b``"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ps := Split(s)
		if Join(ps) != s {
			t.Fatalf("Join(Split(%q)) = %q", s, Join(ps))
		}
		depth := 0
		for _, p := range ps {
			switch p.Kind {
			case Open:
				depth++
			case Close:
				depth--
			}
			if depth < 0 || p.Text == "" {
				t.Fatalf("Split(%q): %v", s, ps)
			}
		}
		if depth != 0 {
			t.Fatalf("Split(%q) leaves a pair open: %v", s, ps)
		}
	})
}
