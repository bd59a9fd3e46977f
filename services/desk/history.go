package desk

import (
	"net/http"
	"strconv"
	"time"

	"github.com/tandemnews/tandem/internal/client"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
)

// historyPage is an article's history, and the diff of two of its
// revisions when asked for.
type historyPage struct {
	ID      string
	Entries []historyEntry
	Next    string // the next page's token
	// From, To and the diff, when a diff is shown.
	From, To uint64
	Fields   []diffView
	Blocks   []diffView
}

type historyEntry struct {
	Revision, Previous uint64
	Event, By, Summary string
	Time               time.Time
}

// diffView is one changed field or block: its name and the runs of its
// diff (characters for Chinese, words for English, as drafting made it).
type diffView struct {
	Name  string
	Lang  string
	Spans []spanView
}

type spanView struct{ Op, Text string }

func spansOf(ts []*draftingv1.TextSpan) []spanView {
	out := make([]spanView, 0, len(ts))
	for _, s := range ts {
		out = append(out, spanView{Op: enumKey(s.GetOp().String(), "SPAN_OP_"), Text: s.GetText()})
	}
	return out
}

func langOfTag(tag string) string {
	if tag == "en" {
		return "en"
	}
	return "zh-CN"
}

// history shows the revisions of an article, newest first, and the diff
// of ?from= and ?to= when both are given.
func (d *Desk) history(w http.ResponseWriter, v *visit) {
	id := v.r.PathValue("id")
	q := v.r.URL.Query()
	ctx, cancel := v.ctx()
	defer cancel()
	as := client.Token(v.token)
	res, err := d.svc.Drafting.GetDraftHistory(ctx, &draftingv1.GetDraftHistoryRequest{Id: id, PageSize: 50, PageToken: q.Get("page")}, as)
	if err != nil {
		d.render(w, httpStatus(err), "problem", "layout", withBanner(v.view("title.problem", nil), sentence(v.lang, err)))
		return
	}
	p := &historyPage{ID: id, Next: res.GetNextPageToken()}
	for i, e := range res.GetEntries() {
		h := historyEntry{Revision: e.GetRevision(), Event: e.GetEventType(), By: e.GetActor().GetName(), Summary: e.GetSummary(), Time: e.GetTime().AsTime()}
		if i+1 < len(res.GetEntries()) {
			h.Previous = res.GetEntries()[i+1].GetRevision()
		}
		p.Entries = append(p.Entries, h)
	}
	view := v.view("title.history", p)
	from, _ := strconv.ParseUint(q.Get("from"), 10, 64)
	to, _ := strconv.ParseUint(q.Get("to"), 10, 64)
	if from > 0 && to > 0 {
		diff, err := d.svc.Drafting.DiffRevisions(ctx, &draftingv1.DiffRevisionsRequest{Id: id, FromRevision: from, ToRevision: to}, as)
		if err != nil {
			view.Banner = sentence(v.lang, err)
		} else {
			p.From, p.To = from, to
			for _, f := range diff.GetFields() {
				p.Fields = append(p.Fields, diffView{Name: f.GetField(), Lang: "", Spans: spansOf(f.GetDiff())})
			}
			for _, b := range diff.GetBlocks() {
				p.Blocks = append(p.Blocks, diffView{Name: b.GetLocale(), Lang: langOfTag(b.GetLocale()), Spans: spansOf(b.GetDiff())})
			}
		}
	}
	d.render(w, http.StatusOK, "history", "layout", view)
}
