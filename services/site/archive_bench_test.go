package site

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/siteconfig"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
)

// BenchmarkPublishCost100k is what one publish costs a replica holding
// 100,000 bilingual articles: each answer rendered again from the index,
// as on the first request after an event (the cache emptied each time).
func BenchmarkPublishCost100k(b *testing.B) {
	s := New(&events.Bus{}, Options{})
	sections := [][]string{{"news-events", "news"}, {"news-events", "notices"}, {"campus-life"}}
	start := time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC)
	for i := range 100000 {
		id := fmt.Sprintf("01REPLAY%018d", i)
		p := &eventsv1.Publication{ArticleId: id, Locales: map[string]*eventsv1.PublishedLocale{}}
		when := &articlev1.Change{Time: timestamppb.New(start.Add(time.Duration(i) * time.Minute))}
		for _, l := range siteconfig.Locales {
			slug := fmt.Sprintf("story-%04d", i)
			p.Locales[l] = &eventsv1.PublishedLocale{
				Locale: l, SourceRevision: 1, Path: siteconfig.ArticlePath(l, sections[i%3], slug), Title: fmt.Sprintf("Story %d", i),
				Section: sections[i%3], Date: start.AddDate(0, 0, i/3).Format(time.DateOnly), Slug: slug,
				ContentHash: fmt.Sprintf("%064x", i), Published: when, FirstPublished: when,
			}
		}
		s.index.Apply(p, uint64(i+1))
	}
	for _, path := range []string{"/zh/", "/en/news-events/", "/zh/feed.xml", "/en/atom.xml", "/sitemap.xml", "/sitemap-1.xml"} {
		b.Run(strings.NewReplacer("/", "", ".xml", "").Replace(path)+"", func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			w := &discard{h: http.Header{}}
			for b.Loop() {
				s.lists.clear()
				clear(w.h)
				s.ServeHTTP(w, req)
			}
			if w.code != http.StatusOK {
				b.Fatalf("status %d", w.code)
			}
		})
	}
}
