package site

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/tandemnews/tandem/pkg/events"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	"github.com/tandemnews/tandem/services/site/index"
)

// BenchmarkServeCachedPage is the site's own work for a page in the LRU,
// without the network: the part of the read path Tandem controls.
func BenchmarkServeCachedPage(b *testing.B) {
	s := New(&events.Bus{}, Options{})
	html := make([]byte, 20000)
	pl := &eventsv1.PublishedLocale{
		Locale: "en", SourceRevision: 1, Path: "/en/news-events/news/x", ContentHash: "abcdef0123456789",
		Published: &articlev1.Change{Time: timestamppb.New(time.Now())},
	}
	s.index.Apply(&eventsv1.Publication{ArticleId: "A", Locales: map[string]*eventsv1.PublishedLocale{"en": pl}}, 1)
	s.tiers.lru.Add(index.Key("en", "A", index.Version(pl)), html)
	req := httptest.NewRequest(http.MethodGet, pl.Path, nil)
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		s.ServeHTTP(w, req)
	}
	if w.code != http.StatusOK {
		b.Fatalf("status %d", w.code)
	}
}

// discard is a ResponseWriter that keeps nothing, as a fast client would.
type discard struct {
	h    http.Header
	code int
}

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(code int)        { d.code = code }
