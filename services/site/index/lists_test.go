package index

import (
	"fmt"
	"slices"
	"testing"
	"time"

	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
)

// ids returns the article ids of pages.
func ids(pages []*Page) []string {
	var out []string
	for _, pg := range pages {
		out = append(out, pg.Article)
	}
	return out
}

// catalogue is an index of five articles: C was published last, then D;
// B, E and F were first published at the same moment and are told apart
// by id, whatever their story dates.
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

func TestLatestOrdersByFirstPublicationThenId(t *testing.T) {
	ix := catalogue()
	pages, total := ix.Latest("en", nil, 0, 10)
	if got := ids(pages); !slices.Equal(got, []string{"C", "D", "B", "E", "F"}) || total != 5 {
		t.Errorf("Latest = %v of %d, want C D B E F of 5", got, total)
	}
	pages, total = ix.Latest("en", nil, 1, 2)
	if got := ids(pages); !slices.Equal(got, []string{"D", "B"}) || total != 5 {
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

func TestStoryDatedLongAgoAndPublishedLastListsFirst(t *testing.T) {
	ix := catalogue()
	old := locale("en", "/en/old", "2023-01-09", 1, "aaaaaaaaaaaaaaaa", t0.Add(48*time.Hour))
	ix.Apply(publication("A", old), 20)
	pages, _ := ix.Latest("en", nil, 0, 2)
	if got := ids(pages); !slices.Equal(got, []string{"A", "C"}) {
		t.Errorf("Latest = %v, want the story dated 2023 but published last first", got)
	}
	// A correction republishes it later still; it keeps its place, which
	// its first publication decides.
	fixed := locale("en", "/en/old", "2023-01-09", 2, "bbbbbbbbbbbbbbbb", t0.Add(72*time.Hour))
	fixed.FirstPublished = at(t0.Add(-72 * time.Hour))
	ix.Apply(publication("A", fixed), 21)
	pages, _ = ix.Latest("en", nil, 0, 10)
	if got := ids(pages); !slices.Equal(got, []string{"C", "D", "B", "E", "F", "A"}) {
		t.Errorf("after a correction Latest = %v, want A last by its first publication", got)
	}
}

func TestChangedIsTheNewestPublicationOrTakedown(t *testing.T) {
	ix := New()
	if !ix.Changed().IsZero() {
		t.Fatalf("empty index changed at %v", ix.Changed())
	}
	ix = catalogue()
	if got := ix.Changed(); !got.Equal(t0.Add(24 * time.Hour)) {
		t.Errorf("Changed = %v, want the newest publication %v", got, t0.Add(24*time.Hour))
	}
	down := &eventsv1.Publication{ArticleId: "Z", TakenDown: map[string]*eventsv1.TakenDown{
		"zh-CN": {Locale: "zh-CN", Path: "/zh/z", Change: at(t0.Add(30 * time.Hour))},
	}}
	ix.Apply(down, 30)
	if got := ix.Changed(); !got.Equal(t0.Add(30 * time.Hour)) {
		t.Errorf("after a takedown Changed = %v, want %v", got, t0.Add(30*time.Hour))
	}
}

func TestLeadImageIsTheFirstImageWithEveryWidth(t *testing.T) {
	pl := locale("en", "/en/photo", "2024-05-01", 1, "aaaaaaaaaaaaaaaa", t0)
	pl.Images = []*eventsv1.PublishedImage{
		{Media: "ab12", ContentType: "image/jpeg", Ext: "jpg", Width: 1600, Height: 900, Widths: []int32{400, 800, 1600}, Alt: "Students"},
		{Media: "cd34", Ext: "png", Width: 100, Height: 100, Widths: []int32{100}},
	}
	ix := New()
	ix.Apply(publication("P", pl), 1)
	lead := ix.Resolve("/en/photo").Page.Lead
	if lead == nil || lead.Media != "ab12" || lead.Alt != "Students" || lead.Width != 1600 || lead.Height != 900 || !slices.Equal(lead.Widths, []int32{400, 800, 1600}) {
		t.Fatalf("lead image = %+v", lead)
	}
	if u := lead.URL(800); u != "/media/ab12-800.jpg" {
		t.Errorf("URL(800) = %q", u)
	}
	ix.Apply(publication("Q", locale("en", "/en/text", "2024-05-01", 1, "aaaaaaaaaaaaaaaa", t0)), 2)
	if lead := ix.Resolve("/en/text").Page.Lead; lead != nil {
		t.Errorf("a page without images has lead %+v", lead)
	}
}

func TestLatestKeepsToTheSectionAndItsSubsections(t *testing.T) {
	ix := catalogue()
	pages, total := ix.Latest("en", []string{"news"}, 0, 10)
	if got := ids(pages); !slices.Equal(got, []string{"C", "B", "E"}) || total != 3 {
		t.Errorf("news = %v of %d, want C B E", got, total)
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

// TestLatestKeepsTheNewestAsASortWould compares the first pages, which
// keep only the newest while scanning, and deep pages, which sort the
// whole listing, with the order itself, on an archive with ties.
func TestLatestKeepsTheNewestAsASortWould(t *testing.T) {
	ix := New()
	var all []*Page
	for i := range 700 {
		id := fmt.Sprintf("A%03d", (i*389)%700)             // ids out of time order
		first := t0.Add(time.Duration(i%250) * time.Minute) // ties of time
		pl := locale("en", "/en/"+id, "2024-05-01", 1, "aaaaaaaaaaaaaaaa", first)
		ix.Apply(publication(id, pl), uint64(i+1))
		all = append(all, ix.Resolve("/en/"+id).Page)
	}
	slices.SortFunc(all, order)
	for _, c := range []struct{ offset, limit int }{{0, 4}, {0, 20}, {20, 20}, {240, 20}, {0, 300}, {680, 40}, {700, 20}} {
		got, total := ix.Latest("en", nil, c.offset, c.limit)
		want := all[min(c.offset, 700):min(c.offset+c.limit, 700)]
		if total != 700 || !slices.Equal(ids(got), ids(want)) {
			t.Errorf("Latest(%d, %d) = %v of %d, want %v", c.offset, c.limit, ids(got), total, ids(want))
		}
	}
}

// BenchmarkLatest renders what a front page asks of an archive of
// 100,000 articles: its first page, and a deep one.
func BenchmarkLatest(b *testing.B) {
	ix := New()
	for i := range 100_000 {
		id := fmt.Sprintf("A%06d", i)
		ix.Apply(publication(id, locale("en", "/en/"+id, "2024-05-01", 1, "aaaaaaaaaaaaaaaa", t0.Add(time.Duration(i)*time.Minute))), uint64(i+1))
	}
	for _, c := range []struct {
		name          string
		offset, limit int
	}{{"first-page", 0, 20}, {"page-100", 1980, 20}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				ix.Latest("en", nil, c.offset, c.limit)
			}
		})
	}
}
