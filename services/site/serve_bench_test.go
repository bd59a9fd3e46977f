package site

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/tandemnews/tandem/pkg/events"
)

// BenchmarkServeCachedPage is the site's own work for a page in the LRU,
// without the network: the part of the read path Tandem controls.
func BenchmarkServeCachedPage(b *testing.B) {
	s := New(&events.Bus{}, Options{})
	html := make([]byte, 20000)
	pg := &page{article: "A", locale: "en", path: "/en/news-events/news/x", key: "en:A:1-abc", hash: "abcdef0123456789", published: time.Now()}
	s.byPath[pg.path] = pg
	s.byArt["A"] = &record{pages: map[string]*page{"en": pg}}
	s.lru.Add(pg.key, html)
	req := httptest.NewRequest(http.MethodGet, pg.path, nil)
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
