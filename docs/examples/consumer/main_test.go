package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/testkit"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
)

// TestTheConsumerMirrorsPublishedArticlesAndResumesAfterARestart runs
// the example against a real NATS server: it takes in the articles
// published before it started, follows new publications and takedowns,
// and after a restart goes on from where it stopped.
func TestTheConsumerMirrorsPublishedArticlesAndResumesAfterARestart(t *testing.T) {
	bus := testkit.Bus(t, testkit.StartNATS(t).URL())
	cfg := bus.Config()
	url := bus.JetStream().Conn().ConnectedUrl()
	out := t.TempDir()
	c := config{NATSURL: url, Stream: cfg.PublicStream, Prefix: cfg.PublicPrefix, Durable: "mirror-test", Out: out}

	publish := func(article, typ string, html map[string]string, takenDown ...string) {
		t.Helper()
		p := &eventsv1.Publication{ArticleId: article, Locales: map[string]*eventsv1.PublishedLocale{}, TakenDown: map[string]*eventsv1.TakenDown{}}
		for l, h := range html {
			p.Locales[l] = &eventsv1.PublishedLocale{Locale: l, Title: "title " + l, Html: []byte(h)}
		}
		for _, l := range takenDown {
			p.TakenDown[l] = &eventsv1.TakenDown{Locale: l}
		}
		subj, _ := bus.Public.Subject(eventsv1.KindArticles, article)
		if _, err := bus.Public.Publish(context.Background(), subj, &events.Event{Type: typ, Source: eventsv1.SourcePublishing, Subject: article, Actor: "张三", Data: &eventsv1.ArticleEvent{Publication: p}}); err != nil {
			t.Fatal(err)
		}
	}
	file := func(parts ...string) string {
		b, err := os.ReadFile(filepath.Join(append([]string{out}, parts...)...))
		if err != nil {
			return ""
		}
		return string(b)
	}
	start := func() func() {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- run(ctx, c, slog.New(slog.DiscardHandler)) }()
		return func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("the consumer stopped with: %v", err)
			}
		}
	}
	eventually := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); !ok(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within 10s", what)
			}
		}
	}

	// Published before the consumer exists: it starts from the current
	// state of each article.
	publish("A1", eventsv1.ArticlePublished, map[string]string{"zh-CN": "<p>旧</p>"})
	publish("A1", eventsv1.ArticleCorrected, map[string]string{"zh-CN": "<p>新</p>", "en": "<p>new</p>"})
	stop := start()
	eventually("A1 mirrored", func() bool { return file("A1", "zh-CN.html") == "<p>新</p>" && file("A1", "en.html") == "<p>new</p>" })
	var rec struct {
		ArticleID string `json:"articleId"`
		Revision  string
	}
	if err := json.Unmarshal([]byte(file("A1", "publication.json")), &rec); err != nil || rec.ArticleID != "A1" || rec.Revision != "2" {
		t.Errorf("A1/publication.json = %+v (%v), want article A1 at revision 2", rec, err)
	}

	// New publications and a takedown of one locale.
	publish("A2", eventsv1.ArticlePublished, map[string]string{"en": "<p>two</p>"})
	publish("A1", eventsv1.ArticleUnpublished, map[string]string{"zh-CN": "<p>新</p>"}, "en")
	eventually("A2 mirrored and A1's English taken down", func() bool {
		_, err := os.Stat(filepath.Join(out, "A1", "en.html"))
		return file("A2", "en.html") == "<p>two</p>" && os.IsNotExist(err)
	})

	// Stopped, it misses nothing: it resumes where it stopped.
	stop()
	publish("A3", eventsv1.ArticlePublished, map[string]string{"zh-CN": "<p>三</p>"})
	publish("A2", eventsv1.ArticleUnpublished, nil, "en")
	stop = start()
	defer stop()
	eventually("A3 mirrored and A2 taken down after the restart", func() bool {
		_, err := os.Stat(filepath.Join(out, "A2"))
		return file("A3", "zh-CN.html") == "<p>三</p>" && os.IsNotExist(err)
	})
	if file("A1", "zh-CN.html") != "<p>新</p>" {
		t.Errorf("A1's Chinese page changed: %q", file("A1", "zh-CN.html"))
	}
}
