package desk

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	authv1 "github.com/tandemnews/tandem/proto/tandem/auth/v1"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
	"github.com/tandemnews/tandem/services/desk/label"
)

// longJob is a job of n segments as review shows it: every fifth with a
// warning on both sides, every seventh with a memory suggestion, the
// glossary's term in every source.
func longJob(n int) *reviewv1.Job {
	j := &reviewv1.Job{ArticleId: "long-report", Revision: 7, Status: reviewv1.JobStatus_JOB_STATUS_OPEN, Assignee: &articlev1.Actor{Name: "translator"}}
	for i := range n {
		s := &reviewv1.Segment{
			Id: fmt.Sprintf("b%d.1", i+1), Field: "text",
			Source: fmt.Sprintf("第%d段讲的是图书馆夜间开放的安排。", i+1),
			Target: fmt.Sprintf("Paragraph %d is about the library's night hours.", i+1),
			State:  reviewv1.SegmentState_SEGMENT_STATE_TRANSLATED,
		}
		if i%5 == 0 {
			s.Findings = append(s.Findings, &reviewv1.Finding{Check: "numbers", Severity: reviewv1.Severity_SEVERITY_WARNING, Message: "The number differs from the source.",
				Spans: []*reviewv1.Span{{Side: reviewv1.Side_SIDE_SOURCE, Start: 1, End: 2}, {Side: reviewv1.Side_SIDE_TARGET, Start: 10, End: 11}}})
		}
		if i%7 == 0 {
			s.Suggestions = append(s.Suggestions, &reviewv1.MemoryMatch{Score: 88, Unit: &reviewv1.MemoryUnit{Source: "图书馆夜间开放的安排。", Target: "The library's night hours."}})
		}
		j.Units = append(j.Units, &reviewv1.Unit{Id: fmt.Sprintf("b%d", i+1), Kind: "paragraph", Segments: []*reviewv1.Segment{s}})
	}
	return j
}

// BenchmarkJobPage is the desk's own work for the side-by-side of a
// 250-segment job, with a glossary of 300 terms: the rows made from the
// job, and the page rendered.
// The calls to the services are left out; test/bench measures the whole.
func BenchmarkJobPage(b *testing.B) {
	p, err := parsePages()
	if err != nil {
		b.Fatal(err)
	}
	d := &Desk{pages: p, log: slog.New(slog.DiscardHandler)}
	j := longJob(250)
	// A glossary of 300 terms, one of which each source holds.
	gl := []*reviewv1.Term{{Source: "图书馆", Targets: []string{"library"}}}
	for i := range 299 {
		gl = append(gl, &reviewv1.Term{Source: fmt.Sprintf("术语%d号", i), Targets: []string{fmt.Sprintf("term %d", i)}})
	}
	terms := termsOf(gl)
	r := httptest.NewRequest(http.MethodGet, "/jobs/long-report", nil)
	v := &visit{lang: label.En, r: r, user: &authv1.User{Id: "translator", Roles: []string{"translator"}}}
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		w.Body = nil
		d.render(discard{w}, http.StatusOK, "job", "layout", v.view("title.job", jobPageOf(j, false, terms)))
	}
}

// discard is a ResponseWriter that keeps the headers and drops the body.
type discard struct{ *httptest.ResponseRecorder }

func (discard) Write(b []byte) (int, error) { return io.Discard.Write(b) }

// TestSegmentRowsEscapeWhatTheyShow: the rows are written by Go code, not
// html/template, so every text and attribute they show must still be
// escaped, here hostile ones in each place a row shows them.
func TestSegmentRowsEscapeWhatTheyShow(t *testing.T) {
	p, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	d := &Desk{pages: p, log: slog.New(slog.DiscardHandler)}
	const evil = `<x>"'&+`
	j := longJob(2)
	s := j.Units[1].Segments[0]
	s.Field = evil
	s.Source = evil + "图书馆"
	s.Target = "</textarea>" + evil
	s.State = reviewv1.SegmentState_SEGMENT_STATE_NEEDS_REVIEW
	s.SourceDiff = []*draftingv1.TextSpan{{Op: draftingv1.SpanOp_SPAN_OP_EQUAL, Text: evil}, {Op: draftingv1.SpanOp_SPAN_OP_INSERT, Text: evil}, {Op: draftingv1.SpanOp_SPAN_OP_DELETE, Text: evil}}
	s.Comments = []*reviewv1.Comment{{By: &articlev1.Change{Actor: &articlev1.Actor{Name: evil}}, Text: evil}}
	s.Suggestions = []*reviewv1.MemoryMatch{{Score: 91, Unit: &reviewv1.MemoryUnit{Source: evil, Target: evil}}}
	s.Findings = []*reviewv1.Finding{{Check: evil, Severity: reviewv1.Severity_SEVERITY_ERROR, Message: evil,
		Spans: []*reviewv1.Span{{Side: reviewv1.Side_SIDE_TARGET, Start: 0, End: 3}, {Side: reviewv1.Side_SIDE_SOURCE, Start: 0, End: 2}}}}
	s.Id = evil
	terms := termsOf([]*reviewv1.Term{{Source: "图书馆", Targets: []string{evil}}})
	pg := jobPageOf(j, false, terms)
	pg.Errors[evil] = evil
	w := httptest.NewRecorder()
	d.render(w, http.StatusOK, "job", "layout", (&visit{lang: label.En, r: httptest.NewRequest(http.MethodGet, "/jobs/x", nil)}).view("title.job", pg))
	page := w.Body.String()
	if strings.Contains(page, "<x>") || strings.Contains(page, `"'&+`) || strings.Count(page, "</textarea>") != 2 {
		t.Fatalf("a row shows unescaped text:\n%s", page)
	}
	// Each of the 20 places shows the escaped text.
	if n := strings.Count(page, "&lt;x&gt;&#34;&#39;&amp;&#43;"); n < 20 {
		t.Fatalf("the escaped text shows %d times, want 20 or more:\n%s", n, page)
	}
}

func TestTermMarksFindEveryTermOnceLongestFirst(t *testing.T) {
	terms := termsOf([]*reviewv1.Term{
		{Source: "书", Targets: []string{"book"}},
		{Source: "图书馆", Targets: []string{"library"}},
		{Source: "NUS", Targets: []string{"NUS"}},
		{Source: "馆馆", Targets: []string{"-"}},
	})
	got := termMarks("图书馆三楼的书，NUS图书馆馆藏", terms)
	want := []mark{
		{Start: 0, End: 3, Class: "term", Title: "library"},
		{Start: 11, End: 14, Class: "term", Title: "library"},
		{Start: 8, End: 11, Class: "term", Title: "NUS"},
		{Start: 6, End: 7, Class: "term", Title: "book"},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("marks %+v, want %+v", got, want)
	}
	if got := termMarks("没有术语", terms); got != nil {
		t.Fatalf("marks without a term: %+v", got)
	}
}

// TestTheSideBySideOffersTheJobsActionsToTranslatorsOnly: claim, import,
// approve and request changes are a translator's (review refuses them to
// anybody else); an editor who opens the page reads it without them.
func TestTheSideBySideOffersTheJobsActionsToTranslatorsOnly(t *testing.T) {
	p, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	d := &Desk{pages: p, log: slog.New(slog.DiscardHandler)}
	actions := []string{`id="claim"`, `id="xliff"`, `id="approve"`, `id="request-changes"`}
	for _, c := range []struct {
		roles []string
		offer bool
	}{{[]string{"translator"}, true}, {[]string{"admin"}, true}, {[]string{"editor"}, false}, {[]string{"publisher"}, false}} {
		v := &visit{lang: label.En, r: httptest.NewRequest(http.MethodGet, "/jobs/long-report", nil), user: &authv1.User{Id: "p", Roles: c.roles}}
		w := httptest.NewRecorder()
		d.render(w, http.StatusOK, "job", "layout", v.view("title.job", jobPageOf(longJob(3), false, glossaryTerms{})))
		page := w.Body.String()
		if !strings.Contains(page, `id="row-b3_1"`) {
			t.Fatalf("%v: the rows are missing", c.roles)
		}
		for _, a := range actions {
			if strings.Contains(page, a) != c.offer {
				t.Errorf("%v: %s offered %v, want %v", c.roles, a, !c.offer, c.offer)
			}
		}
	}
}
