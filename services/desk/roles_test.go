package desk

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	authv1 "github.com/tandemnews/tandem/proto/tandem/auth/v1"
	"github.com/tandemnews/tandem/services/desk/label"
)

// TestThePublishScreenOffersItsActionsToPublishersOnly: publishing,
// scheduling, corrections, takedowns, preview links and cancelling are a
// publisher's (publishing refuses them to anybody else); an editor who
// opens the screen sees the state, the preview and the timeline, and a
// sentence saying who acts here.
func TestThePublishScreenOffersItsActionsToPublishersOnly(t *testing.T) {
	p, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	d := &Desk{pages: p, log: slog.New(slog.DiscardHandler)}
	page := publishPage{
		ID:      "a1",
		Title:   "Forum",
		Locales: []publishLocale{{Tag: "zh-CN", Key: "zh", Ready: true}, {Tag: "en", Key: "en", Ready: true, Public: "/en/news/forum"}},
		Lives:   []int{1, 7},
		Pending: []scheduleView{{ID: "s1", Locales: []string{"en"}}},
	}
	actions := []string{`id="publish-zh"`, `id="publish-en"`, `id="make-link"`, `value="schedule"`, `value="correct"`, `value="takedown"`, `cancel-schedule`}
	for _, c := range []struct {
		roles []string
		offer bool
	}{{[]string{"publisher"}, true}, {[]string{"admin"}, true}, {[]string{"editor"}, false}, {[]string{"translator"}, false}} {
		v := &visit{lang: label.En, r: httptest.NewRequest(http.MethodGet, "/articles/a1/publish", nil), user: &authv1.User{Id: "p", Roles: c.roles}}
		w := httptest.NewRecorder()
		d.render(w, http.StatusOK, "publish", "layout", v.view("title.publish", page))
		out := w.Body.String()
		if !strings.Contains(out, `id="preview-zh"`) || !strings.Contains(out, `id="schedule-s1"`) {
			t.Fatalf("%v: the preview or the pending schedule is missing", c.roles)
		}
		for _, a := range actions {
			if strings.Contains(out, a) != c.offer {
				t.Errorf("%v: %s offered %v, want %v", c.roles, a, !c.offer, c.offer)
			}
		}
		if strings.Contains(out, `id="publisher-only"`) == c.offer {
			t.Errorf("%v: the publishers-only sentence shown %v", c.roles, !c.offer)
		}
	}
}
