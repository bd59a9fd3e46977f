package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/siteconfig"
	"github.com/tandemnews/tandem/pkg/testkit"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	"github.com/tandemnews/tandem/services/publishing"
)

// publishDirect writes n publications to PUBLIC as publishing writes them
// (rendered pages included), without going through drafting and review.
func publishDirect(t *testing.T, bus *events.Bus, site *siteconfig.Config, n int) []string {
	t.Helper()
	ctx := context.Background()
	r := &publishing.Renderer{Site: site}
	pubs := publishing.Publications(bus.Public)
	sections := [][]string{{"news-events", "news"}, {"news-events", "notices"}, {"campus-life"}}
	var paths []string
	start := time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC)
	for i := range n {
		id := fmt.Sprintf("01REPLAY%018d", i)
		section := sections[i%len(sections)]
		slug := fmt.Sprintf("story-%04d", i)
		date := start.AddDate(0, 0, i/3).Format(time.DateOnly)
		when := &articlev1.Change{Actor: &articlev1.Actor{UserId: "replay"}, Time: timestamppb.New(start.Add(time.Duration(i) * time.Minute))}
		p := &eventsv1.Publication{ArticleId: id, Locales: map[string]*eventsv1.PublishedLocale{}}
		for _, l := range siteconfig.Locales {
			c := &articlev1.LocalizedContent{
				Title:  fmt.Sprintf("%s %d", map[string]string{"zh-CN": "校园新闻", "en": "Campus story"}[l], i),
				Blocks: []*articlev1.Block{{Id: "b1", Kind: &articlev1.Block_Paragraph{Paragraph: &articlev1.Paragraph{Text: strings.Repeat(fmt.Sprintf("Paragraph of story %d. ", i), 20)}}}},
				Byline: &articlev1.Byline{Authors: []string{"Reporter"}, Office: "News Office"},
			}
			html, err := r.Render(publishing.Page{Locale: l, Section: section, Date: date, Slug: slug, Content: c, Published: siteconfig.Locales})
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(html)
			path := siteconfig.ArticlePath(l, section, slug)
			p.Locales[l] = &eventsv1.PublishedLocale{
				Locale: l, SourceRevision: uint64(i + 1), Path: path, Title: c.Title, Section: section, Date: date, Slug: slug,
				Content: c, Html: html, ContentHash: hex.EncodeToString(sum[:]), Published: when, FirstPublished: when,
			}
			paths = append(paths, path)
		}
		if _, err := pubs.Upsert(ctx, id, func(cur *eventsv1.Publication) (events.Change, error) {
			cur.ArticleId, cur.Locales = p.ArticleId, p.Locales
			return events.Change{Type: eventsv1.ArticlePublished, Actor: "replay"}, nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	return paths
}

// TestReplayRebuildsTheSameSite publishes 1,000 articles, then starts an
// empty site replica against the stream: it serves the same listings,
// feeds, sitemap and pages as the replica that saw them arrive.
func TestReplayRebuildsTheSameSite(t *testing.T) {
	e := startEnv(t, testkit.StartNATS(t).URL())
	sc := siteconfig.Default()
	sc.BaseURL = e.siteURL
	const n = 1000
	paths := publishDirect(t, e.bus, sc, n)
	eventually(t, "the first replica has every article", func() bool {
		code, _ := fetch(t, e.siteURL+paths[len(paths)-1])
		return code == http.StatusOK
	})
	fresh := e.startSite(t, nil, 0) // empty, no Redis: everything from the stream

	compare := []string{"/sitemap.xml", "/robots.txt", "/zh/feed.xml", "/en/atom.xml", "/en/campus-life/feed.xml"}
	for _, l := range []string{"zh", "en"} {
		for _, sec := range []string{"", "news-events/", "news-events/news/", "campus-life/"} {
			for _, page := range []string{"", "?page=2", "?page=17"} {
				compare = append(compare, "/"+l+"/"+sec+page)
			}
		}
	}
	for i := 0; i < len(paths); i += 37 {
		compare = append(compare, paths[i])
	}
	for _, p := range compare {
		codeA, a := fetch(t, e.siteURL+p)
		codeB, b := fetch(t, fresh+p)
		if codeA != codeB || a != b {
			t.Errorf("%s: %d (%d bytes) on the live replica, %d (%d bytes) on the rebuilt one", p, codeA, len(a), codeB, len(b))
		}
	}
	if code, body := fetch(t, fresh+"/sitemap.xml"); code != http.StatusOK || strings.Count(body, "<url>") != 2*n {
		t.Errorf("rebuilt sitemap: %d, %d urls, want %d", code, strings.Count(body, "<url>"), 2*n)
	}
	t.Logf("verified: %d articles replayed; %d addresses identical on both replicas", n, len(compare))
}
