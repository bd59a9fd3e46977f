package index

import (
	"slices"
	"testing"
	"time"
)

// ids returns the article ids of pages.
func ids(pages []*Page) []string {
	var out []string
	for _, pg := range pages {
		out = append(out, pg.Article)
	}
	return out
}

// catalogue is an index of five articles: C and D share a date and are
// told apart by their first publication; E and F share both and are told
// apart by id.
func catalogue() *Index {
	ix := New()
	add := func(id, date string, first time.Time, section ...string) {
		pl := locale("en", "/en/"+id, date, 1, "aaaaaaaaaaaaaaaa", first.Add(time.Hour), section...)
		pl.FirstPublished = at(first)
		ix.Apply(publication(id, pl), uint64(len(id)))
	}
	add("B", "2024-05-03", t0, "news")
	add("C", "2024-05-02", t0.Add(2*time.Hour), "news", "research")
	add("D", "2024-05-02", t0.Add(time.Hour), "campus")
	add("F", "2024-05-01", t0)
	add("E", "2024-05-01", t0, "news")
	ix.Apply(publication("Z", locale("zh-CN", "/zh/z", "2024-06-01", 1, "aaaaaaaaaaaaaaaa", t0.Add(24*time.Hour))), 9)
	return ix
}

func TestLatestOrdersByDateThenFirstPublicationThenId(t *testing.T) {
	ix := catalogue()
	pages, total := ix.Latest("en", nil, 0, 10)
	if got := ids(pages); !slices.Equal(got, []string{"B", "C", "D", "E", "F"}) || total != 5 {
		t.Errorf("Latest = %v of %d, want B C D E F of 5", got, total)
	}
	pages, total = ix.Latest("en", nil, 1, 2)
	if got := ids(pages); !slices.Equal(got, []string{"C", "D"}) || total != 5 {
		t.Errorf("second page of two = %v of %d", got, total)
	}
	pages, total = ix.Latest("en", nil, 4, 2)
	if got := ids(pages); !slices.Equal(got, []string{"F"}) || total != 5 {
		t.Errorf("last, short page = %v of %d", got, total)
	}
	pages, total = ix.Latest("en", nil, 5, 2)
	if pages != nil || total != 5 {
		t.Errorf("past the end = %v of %d, want none of 5", ids(pages), total)
	}
	if n := ix.Count("en", nil); n != 5 {
		t.Errorf("Count %d, want 5", n)
	}
}

func TestLatestKeepsToTheSectionAndItsSubsections(t *testing.T) {
	ix := catalogue()
	pages, total := ix.Latest("en", []string{"news"}, 0, 10)
	if got := ids(pages); !slices.Equal(got, []string{"B", "C", "E"}) || total != 3 {
		t.Errorf("news = %v of %d, want B C E", got, total)
	}
	if n := ix.Count("en", []string{"news"}); n != 3 {
		t.Errorf("news count %d", n)
	}
	pages, _ = ix.Latest("en", []string{"news", "research"}, 0, 10)
	if got := ids(pages); !slices.Equal(got, []string{"C"}) {
		t.Errorf("news/research = %v", got)
	}
	pages, total = ix.Latest("zh-CN", nil, 0, 10)
	if got := ids(pages); !slices.Equal(got, []string{"Z"}) || total != 1 || ix.Count("zh-CN", nil) != 1 {
		t.Errorf("zh-CN = %v of %d", got, total)
	}
	if n := ix.Count("zh-CN", []string{"news"}); n != 0 {
		t.Errorf("zh-CN news count %d", n)
	}
}

func TestInSection(t *testing.T) {
	for _, c := range []struct {
		page, section []string
		want          bool
	}{
		{nil, nil, true},
		{[]string{"news"}, nil, true},
		{[]string{"news"}, []string{"news"}, true},
		{[]string{"news", "research"}, []string{"news"}, true},
		{[]string{"news"}, []string{"news", "research"}, false},
		{[]string{"campus"}, []string{"news"}, false},
		{[]string{"news", "research"}, []string{"research"}, false},
	} {
		if got := InSection(c.page, c.section); got != c.want {
			t.Errorf("InSection(%v, %v) = %v", c.page, c.section, got)
		}
	}
}

func TestArticlesAreOrderedById(t *testing.T) {
	ix := catalogue()
	var got []string
	for _, byLocale := range ix.Articles() {
		for _, pg := range byLocale {
			got = append(got, pg.Article)
		}
	}
	if !slices.Equal(got, []string{"B", "C", "D", "E", "F", "Z"}) {
		t.Errorf("Articles = %v", got)
	}
}

func TestLastChangeIsTheNewestPublication(t *testing.T) {
	ix := catalogue()
	if want := t0.Add(24 * time.Hour); !ix.LastChange().Equal(want) {
		t.Errorf("LastChange %v, want %v", ix.LastChange(), want)
	}
	if !New().LastChange().IsZero() {
		t.Error("an empty index has a last change")
	}
}
