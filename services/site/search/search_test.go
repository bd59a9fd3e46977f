package search

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func ids(hits []Hit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.ID)
	}
	return out
}

func TestChinesePhraseInsideLongerRun(t *testing.T) {
	x := New()
	x.Put("a1", "1", Doc{Title: "学校举办国际论坛", Body: "来自德国的专家学者参加了智能制造国际论坛并发表演讲。"})
	x.Put("a2", "1", Doc{Title: "图书馆开放", Body: "图书馆新的自习空间正式开放，师生可以刷校园卡进入。"})
	for q, want := range map[string][]string{
		"智能制造":  {"a1"}, // inside the run 参加了智能制造国际论坛并发表演讲
		"自习空间":  {"a2"},
		"国际 论坛": {"a1"},
		"论坛":    {"a1"},
		"制造图书":  nil, // every bigram must occur
	} {
		hits, total := x.Search(q, 0, 10)
		if !slices.Equal(ids(hits), want) || total != len(want) {
			t.Errorf("%q: %v (%d), want %v", q, ids(hits), total, want)
		}
	}
}

func TestEnglishIsStemmed(t *testing.T) {
	x := New()
	x.Put("a1", "1", Doc{Title: "Robotics team wins gold", Body: "The students competed against forty universities."})
	x.Put("a2", "1", Doc{Title: "Library opens study spaces", Body: "A new study space opened on Monday."})
	for q, want := range map[string][]string{
		"competing":       {"a1"}, // competed, competing → compet
		"Universities":    {"a1"},
		"university":      {"a1"},
		"win":             {"a1"},
		"opening":         {"a2"},
		"ＳＴＵＤＹ":           {"a2"}, // full-width letters fold
		"the":             nil,    // a stop word alone finds nothing
		"study gold":      nil,
		"spaces studying": {"a2"},
	} {
		hits, total := x.Search(q, 0, 10)
		if !slices.Equal(ids(hits), want) || total != len(want) {
			t.Errorf("%q: %v (%d), want %v", q, ids(hits), total, want)
		}
	}
}

func TestRemovedAndReplacedPagesAreNotFound(t *testing.T) {
	x := New()
	x.Put("a1", "1", Doc{Title: "Forum on robotics"})
	if hits, _ := x.Search("robotics", 0, 10); len(hits) != 1 {
		t.Fatalf("before removal: %v", hits)
	}
	x.Remove("a1")
	if hits, total := x.Search("robotics", 0, 10); len(hits) != 0 || total != 0 {
		t.Fatalf("after removal: %v %d", hits, total)
	}
	x.Put("a2", "1", Doc{Title: "Forum on robotics"})
	x.Put("a2", "2", Doc{Title: "Forum on chemistry"})
	if hits, _ := x.Search("robotics", 0, 10); len(hits) != 0 {
		t.Fatalf("the replaced version is still found: %v", hits)
	}
	if hits, _ := x.Search("chemistry", 0, 10); !slices.Equal(ids(hits), []string{"a2"}) {
		t.Fatalf("the new version is not found: %v", hits)
	}
	if x.Len() != 1 {
		t.Fatalf("len %d", x.Len())
	}
}

func TestPagingAndOrder(t *testing.T) {
	x := New()
	for i := range 25 {
		x.Put(fmt.Sprintf("a%02d", i), "1", Doc{Title: fmt.Sprintf("Story %d", i), Body: "campus news"})
	}
	x.Put("best", "1", Doc{Title: "Campus news", Body: "campus news"}) // the words in its title too
	var all []string
	for off := 0; ; off += 10 {
		hits, total := x.Search("campus news", off, 10)
		if total != 26 {
			t.Fatalf("total %d", total)
		}
		if len(hits) == 0 {
			break
		}
		all = append(all, ids(hits)...)
	}
	if len(all) != 26 || all[0] != "best" {
		t.Fatalf("pages: %v", all)
	}
	// Equal scores: the page indexed last first.
	if all[1] != "a24" || all[25] != "a00" {
		t.Fatalf("order: %v", all)
	}
	if hits, total := x.Search("campus", 100, 10); hits != nil || total != 26 {
		t.Fatalf("past the end: %v %d", hits, total)
	}
}

func TestCompactionKeepsWhatIsLive(t *testing.T) {
	x := New()
	for round := range 4 {
		for i := range 1000 {
			x.Put(fmt.Sprint(i), fmt.Sprint(round), Doc{Body: fmt.Sprintf("round%d common", round)})
		}
	}
	if x.dead >= 1024 && x.dead >= len(x.live) {
		t.Fatalf("not compacted: %d dead, %d live", x.dead, len(x.live))
	}
	if _, total := x.Search("round3", 0, 1); total != 1000 {
		t.Fatalf("round3: %d", total)
	}
	if _, total := x.Search("round0", 0, 1); total != 0 {
		t.Fatalf("round0: %d", total)
	}
	hits, total := x.Search("common", 0, 5)
	if total != 1000 || len(hits) != 5 || hits[0].ID != "999" {
		t.Fatalf("common: %v %d", hits, total)
	}
}

func TestSnippet(t *testing.T) {
	text := strings.Repeat("前言。", 30) + "来自德国的专家学者参加了智能制造国际论坛。" + strings.Repeat("结尾。", 30)
	frags := Snippet(text, "智能制造", 40)
	var b strings.Builder
	for _, f := range frags {
		if f.Hit {
			b.WriteString("[" + f.Text + "]")
		} else {
			b.WriteString(f.Text)
		}
	}
	if s := b.String(); !strings.Contains(s, "参加了[智能制造]国际") || !strings.HasPrefix(s, "…") || !strings.HasSuffix(s, "…") {
		t.Fatalf("snippet %q", s)
	}
	frags = Snippet("The students competed against forty universities.", "compete University", 200)
	var hits []string
	for _, f := range frags {
		if f.Hit {
			hits = append(hits, f.Text)
		}
	}
	if !slices.Equal(hits, []string{"competed", "universities"}) {
		t.Fatalf("hits %q", hits)
	}
	if frags := Snippet("nothing here", "absent", 5); len(frags) != 2 || frags[0].Text != "nothi" || frags[1].Text != "…" {
		t.Fatalf("no match: %v", frags)
	}
}

func TestArticleText(t *testing.T) {
	page := []byte(`<html><head><title>x</title></head><body><main><article>
<h1>Title</h1>
<p class="date"><time datetime="2024-01-01">2024-01-01</time></p>
<p>First <em>emphasised</em>word &amp; more.</p>
<h2>Next</h2><ul><li>one</li><li>two</li></ul>
</article></main></body></html>`)
	if got := ArticleText(page); got != "First emphasisedword & more. Next one two" {
		t.Fatalf("%q", got)
	}
}

func TestStopWordsAreNoLongerThanTheirBound(t *testing.T) {
	for w := range stopWords {
		if len(w) > maxStopWord {
			t.Errorf("%q is longer than maxStopWord", w)
		}
	}
}
