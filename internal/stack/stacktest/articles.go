package stacktest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/siteconfig"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	"github.com/tandemnews/tandem/services/publishing"
)

// SampleArticle is a short bilingual news article with a photo, new on
// each call.
func SampleArticle() *articlev1.Article {
	return &articlev1.Article{
		Section: []string{"news-events", "news"},
		Date:    "2024-06-03",
		Slug:    "library-opens-night-study-space",
		Locales: map[string]*articlev1.LocalizedContent{
			"zh-CN": {
				Title: "图书馆夜间自习空间正式开放",
				Blocks: []*articlev1.Block{
					{Kind: &articlev1.Block_Paragraph{Paragraph: &articlev1.Paragraph{Text: "6月3日起，图书馆三楼夜间自习空间每天开放至23时。"}}},
					{Kind: &articlev1.Block_Figure{Figure: &articlev1.Figure{File: "night-study.jpg", Caption: "同学们在夜间自习空间学习"}}},
				},
				Byline: &articlev1.Byline{Authors: []string{"周敏"}, Office: "图书馆"},
			},
			"en": {
				Title: "Library Opens a Night Study Space",
				Blocks: []*articlev1.Block{
					{Kind: &articlev1.Block_Paragraph{Paragraph: &articlev1.Paragraph{Text: "From June 3, the night study space on the third floor of the Library is open until 23:00 every day."}}},
					{Kind: &articlev1.Block_Figure{Figure: &articlev1.Figure{File: "night-study.jpg", Caption: "Students studying in the night study space"}}},
				},
				Byline: &articlev1.Byline{Authors: []string{"Zhou Min"}, Office: "University Library"},
			},
		},
	}
}

// PublishDirect writes n publications to PUBLIC as publishing writes them
// (rendered pages included), without going through drafting and review,
// and returns their paths: a large archive in seconds.
func PublishDirect(t testing.TB, bus *events.Bus, site *siteconfig.Config, n int) []string {
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
