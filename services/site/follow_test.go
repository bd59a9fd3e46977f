package site

import (
	"context"
	"net/http"
	"testing"

	"github.com/tandemnews/tandem/pkg/events"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
)

func TestEventThatIsNoPublicationIsSkipped(t *testing.T) {
	h := newHarness(t)
	h.run()
	subj, err := h.bus.Public.Subject(eventsv1.KindArticles, "A1")
	if err != nil {
		t.Fatal(err)
	}
	seq, err := h.bus.Public.Publish(context.Background(), subj, &events.Event{
		Type: eventsv1.ArticlePublished, Source: eventsv1.SourcePublishing, Subject: "A1", Actor: "publisher-1",
		Data: &eventsv1.ScheduleEvent{},
	})
	if err != nil {
		t.Fatal(err)
	}
	st := news("en", "after", 1)
	p := h.put("A2", st)
	if p.Revision <= seq {
		t.Fatalf("the publication came at %d, before the stray event at %d", p.Revision, seq)
	}
	if res := h.get(st.path()); res.Code != http.StatusOK {
		t.Errorf("the publication after a stray event: %d", res.Code)
	}
	if n := h.site.index.Count("en", nil); n != 1 {
		t.Errorf("the index counts %d English articles, want 1", n)
	}
}
