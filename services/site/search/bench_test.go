package search

import (
	"fmt"
	"strings"
	"testing"
)

// archive indexes n small pages the way the bench's archive writes them:
// a numbered title and a paragraph repeated twenty times.
func archive(n int, zh bool) *Index {
	x := New()
	for i := range n {
		title := fmt.Sprintf("Campus story %d", i)
		if zh {
			title = fmt.Sprintf("校园新闻 %d", i)
		}
		x.Put(fmt.Sprint(i), "1", Doc{Title: title, Body: strings.Repeat(fmt.Sprintf("Paragraph of story %d. ", i), 20)})
	}
	return x
}

// BenchmarkIndex100k indexes 100,000 pages.
func BenchmarkIndex100k(b *testing.B) {
	for b.Loop() {
		archive(100000, false)
	}
}

// BenchmarkSearch100k searches 100,000 pages: a word every page holds
// (all are scored, ten kept), and a number one page holds.
func BenchmarkSearch100k(b *testing.B) {
	en, zh := archive(100000, false), archive(100000, true)
	for _, c := range []struct {
		name string
		x    *Index
		q    string
	}{{"common", en, "paragraphs"}, {"common-page50", en, "campus stories"}, {"rare", en, "story 71234"}, {"zh-common", zh, "校园新闻"}, {"zh-rare", zh, "校园新闻 71234"}} {
		b.Run(c.name, func(b *testing.B) {
			off := 0
			if strings.HasSuffix(c.name, "page50") {
				off = 490
			}
			for b.Loop() {
				if _, total := c.x.Search(c.q, off, 10); total == 0 {
					b.Fatal("nothing found")
				}
			}
		})
	}
}
