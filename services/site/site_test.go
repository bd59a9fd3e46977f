package site

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/tandemnews/tandem/pkg/cache"
	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/siteconfig"
	"github.com/tandemnews/tandem/pkg/testkit"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
)

// writer writes the public record of articles the way publishing does:
// the whole public state of an article in each event on its subject.
func writer(s *events.Stream) *events.Aggregate[*eventsv1.Publication] {
	return events.Define(s, eventsv1.KindArticles, eventsv1.SourcePublishing,
		func(p *eventsv1.Publication) *eventsv1.ArticleEvent { return &eventsv1.ArticleEvent{Publication: p} },
		(*eventsv1.ArticleEvent).GetPublication, func(p *eventsv1.Publication, rev uint64) { p.Revision = rev })
}

// renderer stands in for publishing's GetRendered: it answers with the
// pages the test rendered, and counts the calls.
type renderer struct {
	publishingv1.PublishingServiceClient
	mu    sync.Mutex
	pages map[string]*publishingv1.GetRenderedResponse // article/locale
	calls atomic.Int32
	// gate, when set, holds every call until it is closed.
	gate chan struct{}
	err  error
}

func (r *renderer) GetRendered(ctx context.Context, req *publishingv1.GetRenderedRequest, _ ...grpc.CallOption) (*publishingv1.GetRenderedResponse, error) {
	r.calls.Add(1)
	r.mu.Lock()
	gate, err, res := r.gate, r.err, r.pages[req.GetArticleId()+"/"+req.GetLocale()]
	r.mu.Unlock()
	if gate != nil {
		<-gate
	}
	if err != nil {
		return nil, err
	}
	if res == nil {
		return nil, fmt.Errorf("%s/%s is not published", req.GetArticleId(), req.GetLocale())
	}
	return res, nil
}

func (r *renderer) put(article, locale string, html []byte, hash string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pages[article+"/"+locale] = &publishingv1.GetRenderedResponse{Html: html, ContentHash: hash}
}

// harness is a site following its own PUBLIC stream on an in-process
// NATS server, with a writer of publications and, when asked, Redis.
type harness struct {
	t      *testing.T
	bus    *events.Bus
	pubs   *events.Aggregate[*eventsv1.Publication]
	render *renderer
	opts   Options
	site   *Site
	rdb    *redis.Client
	prefix string
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	bus := testkit.Bus(t, testkit.StartNATS(t).URL())
	h := &harness{t: t, bus: bus, pubs: writer(bus.Public), render: &renderer{pages: map[string]*publishingv1.GetRenderedResponse{}}}
	h.opts = Options{Publishing: h.render, Logger: slog.New(slog.DiscardHandler)}
	return h
}

// useRedis gives the site the real Redis, under keys of the test's own.
func (h *harness) useRedis() *cache.Pages {
	h.rdb, h.prefix = testkit.Redis(h.t)
	h.opts.Pages = cache.New(h.rdb, h.prefix)
	return h.opts.Pages
}

// run starts the site and waits until it has read the stream.
func (h *harness) run() *Site {
	h.t.Helper()
	h.site = New(h.bus, h.opts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.site.Run(ctx) }()
	h.t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			h.t.Errorf("Run: %v", err)
		}
	})
	select {
	case <-h.site.Ready():
	case <-time.After(10 * time.Second):
		h.t.Fatal("the site did not catch up with the stream")
	}
	return h.site
}

var t0 = time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC)

// story is one locale of an article, as publishing releases it.
type story struct {
	locale, slug, title, date string
	section                   []string
	rev                       uint64
	at                        time.Time
	// bare leaves the HTML out of the event, so the site must find it in
	// its caches or ask publishing.
	bare bool
	// images are the media the page shows, the lead first.
	images []*eventsv1.PublishedImage
}

func (st story) path() string { return siteconfig.ArticlePath(st.locale, st.section, st.slug) }

// html is the page publishing would render for the story.
func (st story) html() []byte {
	return fmt.Appendf(nil, "<!DOCTYPE html>\n<html lang=%q><head><title>%s</title></head><body><main><h1>%s</h1><p>rev %d</p></main></body></html>\n",
		st.locale, st.title, st.title, st.rev)
}

// release puts the story into p as publishing does: a new path leaves a
// 301 behind, and the first publication time is kept.
func (st story) release(p *eventsv1.Publication) *eventsv1.PublishedLocale {
	html := st.html()
	sum := sha256.Sum256(html)
	now := &articlev1.Change{Actor: &articlev1.Actor{UserId: "publisher-1"}, Time: timestamppb.New(st.at)}
	pl := &eventsv1.PublishedLocale{
		Locale: st.locale, SourceRevision: st.rev, Path: st.path(), Title: st.title, Section: st.section,
		Date: st.date, Slug: st.slug, Html: html, ContentHash: hex.EncodeToString(sum[:]),
		Published: now, FirstPublished: now, Description: "About " + st.title, Images: st.images,
	}
	if prev := p.Locales[st.locale]; prev != nil {
		pl.FirstPublished = prev.FirstPublished
		if prev.Path != pl.Path {
			if p.Moved == nil {
				p.Moved = map[string]string{}
			}
			p.Moved[prev.Path] = st.locale
		}
	}
	delete(p.Moved, pl.Path)
	delete(p.TakenDown, st.locale)
	p.Locales[st.locale] = pl
	return pl
}

// takeDown removes a locale from p: its path answers 410.
func takeDown(p *eventsv1.Publication, locale string) {
	pl := p.Locales[locale]
	if p.TakenDown == nil {
		p.TakenDown = map[string]*eventsv1.TakenDown{}
	}
	p.TakenDown[locale] = &eventsv1.TakenDown{Locale: locale, Path: pl.Path, Title: pl.Title, Reason: "withdrawn"}
	for old, to := range p.Moved {
		if to == locale {
			delete(p.Moved, old)
		}
	}
	delete(p.Locales, locale)
}

// publish writes the next public state of article id, made by edit from
// the current one, and waits until the site has applied it.
func (h *harness) publish(id string, edit func(p *eventsv1.Publication)) *eventsv1.Publication {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p, err := h.pubs.Upsert(ctx, id, func(p *eventsv1.Publication) (events.Change, error) {
		p.ArticleId = id
		if p.Locales == nil {
			p.Locales = map[string]*eventsv1.PublishedLocale{}
		}
		edit(p)
		return events.Change{Type: eventsv1.ArticlePublished, Actor: "publisher-1"}, nil
	})
	if err != nil {
		h.t.Fatal(err)
	}
	h.wait(p.Revision)
	return p
}

// put publishes stories of article id, telling the renderer their pages.
func (h *harness) put(id string, stories ...story) *eventsv1.Publication {
	h.t.Helper()
	return h.publish(id, func(p *eventsv1.Publication) {
		for _, st := range stories {
			pl := st.release(p)
			h.render.put(id, st.locale, pl.Html, pl.ContentHash)
			if st.bare {
				pl.Html = nil
			}
		}
	})
}

// wait waits until the site has applied the event at seq.
func (h *harness) wait(seq uint64) {
	h.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); h.site.index.Seq() < seq; {
		if time.Now().After(deadline) {
			h.t.Fatalf("the site did not apply event %d (at %d)", seq, h.site.index.Seq())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// get asks the site for path with header name/value pairs.
func (h *harness) get(path string, header ...string) *httptest.ResponseRecorder {
	return h.do(http.MethodGet, path, header...)
}

func (h *harness) do(method, path string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.site.ServeHTTP(rec, req)
	return rec
}

// news is an English or Chinese story in News & Events / News.
func news(locale, slug string, rev uint64) story {
	return story{locale: locale, slug: slug, title: "Story " + slug + " " + locale, date: "2024-05-01",
		section: []string{"news-events", "news"}, rev: rev, at: t0}
}
