package desk

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tandemnews/tandem/internal/client"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

// jobPage is the translator's side-by-side.
type jobPage struct {
	ID        string
	Revision  uint64
	Status    string // open, approved, changes_requested
	Assignee  string
	Rows      []segRow
	Attention bool // only the rows that need attention
	Hidden    int  // rows the filter hides
	Focus     string
	Errors    map[string]string // by segment id, or "override_reason"
}

// segRow is one segment: Chinese left, English right.
type segRow struct {
	ID, Field, Source, Target, State string
	// SourceMarks is the source with the glossary's terms marked;
	// TargetMarks the target with the findings marked at their
	// offsets; SourceDiff the change of the source since it was
	// translated, when it changed.
	SourceMarks, TargetMarks []piece
	SourceDiff               []spanView
	Findings                 []findingView
	Suggestions              []suggestionView
	Comments                 []commentView
	Next                     string // the id of the row below, "" for the last
}

type findingView struct{ Check, Severity, Message string }

type commentView struct{ By, Text string }

type suggestionView struct {
	Source, Target string
	Score          int32
}

func enumKey(s, prefix string) string { return strings.ToLower(strings.TrimPrefix(s, prefix)) }

// needsAttention: a segment with a finding left, untranslated, or whose
// source changed.
func needsAttention(s *reviewv1.Segment) bool {
	for _, f := range s.GetFindings() {
		if !f.GetDismissed() {
			return true
		}
	}
	st := s.GetState()
	return st == reviewv1.SegmentState_SEGMENT_STATE_NEEDS_REVIEW || st == reviewv1.SegmentState_SEGMENT_STATE_INITIAL || s.GetTarget() == ""
}

func jobPageOf(j *reviewv1.Job, attention bool, terms glossaryTerms) *jobPage {
	p := &jobPage{ID: j.GetArticleId(), Revision: j.GetRevision(), Status: enumKey(j.GetStatus().String(), "JOB_STATUS_"), Assignee: j.GetAssignee().GetName(), Attention: attention, Errors: map[string]string{}}
	for _, u := range j.GetUnits() {
		for _, s := range u.GetSegments() {
			if attention && !needsAttention(s) {
				p.Hidden++
				continue
			}
			r := segRow{ID: s.GetId(), Field: u.GetKind(), Source: s.GetSource(), Target: s.GetTarget(), State: enumKey(s.GetState().String(), "SEGMENT_STATE_")}
			r.SourceMarks = marked(s.GetSource(), append(termMarks(s.GetSource(), terms), findingMarks(s.GetFindings(), reviewv1.Side_SIDE_SOURCE)...))
			if tm := findingMarks(s.GetFindings(), reviewv1.Side_SIDE_TARGET); len(tm) > 0 {
				r.TargetMarks = marked(s.GetTarget(), tm)
			}
			r.SourceDiff = sourceDiff(s.GetSourceDiff())
			for _, f := range s.GetFindings() {
				if !f.GetDismissed() {
					r.Findings = append(r.Findings, findingView{Check: f.GetCheck(), Severity: enumKey(f.GetSeverity().String(), "SEVERITY_"), Message: f.GetMessage()})
				}
			}
			for _, c := range s.GetComments() {
				r.Comments = append(r.Comments, commentView{By: c.GetBy().GetActor().GetName(), Text: c.GetText()})
			}
			for _, m := range s.GetSuggestions() {
				if m.GetUnit().GetTarget() != s.GetTarget() {
					r.Suggestions = append(r.Suggestions, suggestionView{Source: m.GetUnit().GetSource(), Target: m.GetUnit().GetTarget(), Score: m.GetScore()})
				}
			}
			if n := len(p.Rows); n > 0 {
				p.Rows[n-1].Next = r.ID
			}
			p.Rows = append(p.Rows, r)
		}
	}
	return p
}

// glossary is the glossary's terms as the side-by-side marks them.
func (d *Desk) glossary(ctx context.Context, v *visit) (glossaryTerms, error) {
	gl, err := d.svc.Review.ListTerms(ctx, &reviewv1.ListTermsRequest{}, client.Token(v.token))
	if err != nil {
		return glossaryTerms{}, err
	}
	return termsOf(gl.GetTerms()), nil
}

// job is the side-by-side of an article's translation job.
func (d *Desk) job(w http.ResponseWriter, v *visit) {
	ctx, cancel := v.ctx()
	defer cancel()
	// The glossary marks terms in the source; without it the page still
	// works, and says so. It is asked for while the job is read: the two
	// calls do not depend on each other.
	type glossaryAnswer struct {
		terms glossaryTerms
		err   error
	}
	gl := make(chan glossaryAnswer, 1)
	go func() {
		terms, err := d.glossary(ctx, v)
		gl <- glossaryAnswer{terms, err}
	}()
	res, err := d.svc.Review.GetJob(ctx, &reviewv1.GetJobRequest{ArticleId: v.r.PathValue("id")}, client.Token(v.token))
	g := <-gl
	if err != nil {
		d.render(w, httpStatus(err), "problem", "layout", withBanner(v.view("title.problem", nil), sentence(v.lang, err)))
		return
	}
	q := v.r.URL.Query()
	terms, gerr := g.terms, g.err
	p := jobPageOf(res.Job, q.Get("attention") == "1", terms)
	p.Focus = q.Get("focus")
	view := v.view("title.job", p)
	if gerr != nil {
		view.Banner = v.lang.T("job.no_glossary") + " " + sentence(v.lang, gerr)
	}
	if n := q.Get("done"); n != "" {
		view.Notice = v.lang.T("job.done_" + n)
	}
	d.render(w, http.StatusOK, "job", "layout", view)
}

// jobAction saves a segment, claims, approves or sends the job back.
func (d *Desk) jobAction(w http.ResponseWriter, v *visit) {
	id, action := v.r.PathValue("id"), v.r.PathValue("action")
	rev := parseUint(v.r.PostFormValue("revision"))
	ctx, cancel := v.ctx()
	defer cancel()
	as := client.Token(v.token)
	var err error
	back := url.Values{}
	if v.r.PostFormValue("attention") == "1" {
		back.Set("attention", "1")
	}
	seg := v.r.PostFormValue("segment")
	switch action {
	case "segment":
		_, err = d.svc.Review.UpdateSegment(ctx, &reviewv1.UpdateSegmentRequest{ArticleId: id, SegmentId: seg, ExpectedRevision: rev, Target: v.r.PostFormValue("target")}, as)
		focus := seg
		if v.r.PostFormValue("move") == "next" && v.r.PostFormValue("next") != "" {
			focus = v.r.PostFormValue("next")
		}
		back.Set("focus", focus)
	case "dismiss":
		_, err = d.svc.Review.DismissFinding(ctx, &reviewv1.DismissFindingRequest{ArticleId: id, SegmentId: seg, Check: v.r.PostFormValue("check"), Reason: strings.TrimSpace(v.r.PostFormValue("reason"))}, as)
		back.Set("focus", seg)
	case "comment":
		_, err = d.svc.Review.CommentSegment(ctx, &reviewv1.CommentSegmentRequest{ArticleId: id, SegmentId: seg, Text: strings.TrimSpace(v.r.PostFormValue("text"))}, as)
		back.Set("focus", seg)
	case "import":
		var data []byte
		if data, err = uploaded(v.r, "xliff"); err == nil {
			_, err = d.svc.Review.ImportXliff(ctx, &reviewv1.ImportXliffRequest{ArticleId: id, Xliff: data}, as)
		}
	case "claim":
		_, err = d.svc.Review.ClaimJob(ctx, &reviewv1.ClaimJobRequest{ArticleId: id}, as)
	case "approve":
		_, err = d.svc.Review.ApproveJob(ctx, &reviewv1.ApproveJobRequest{ArticleId: id, ExpectedRevision: rev, OverrideReason: strings.TrimSpace(v.r.PostFormValue("override_reason"))}, as)
	case "changes":
		_, err = d.svc.Review.RequestChanges(ctx, &reviewv1.RequestChangesRequest{ArticleId: id, ExpectedRevision: rev, Comment: strings.TrimSpace(v.r.PostFormValue("comment"))}, as)
	default:
		http.NotFound(w, v.r)
		return
	}
	if err == nil {
		if action != "segment" && action != "dismiss" && action != "comment" {
			back.Set("done", action)
		}
		http.Redirect(w, v.r, "/jobs/"+id+"?"+back.Encode()+anchor(back.Get("focus")), http.StatusSeeOther)
		return
	}
	res, gerr := d.svc.Review.GetJob(ctx, &reviewv1.GetJobRequest{ArticleId: id}, as)
	if gerr != nil {
		d.render(w, httpStatus(err), "problem", "layout", withBanner(v.view("title.problem", nil), sentence(v.lang, err)))
		return
	}
	terms, _ := d.glossary(ctx, v)
	p := jobPageOf(res.Job, back.Get("attention") == "1", terms)
	view := v.view("title.job", p)
	view.Banner = sentence(v.lang, err)
	switch {
	case action == "segment":
		p.Focus = seg
		p.Errors[seg] = view.Banner
		for i := range p.Rows {
			if p.Rows[i].ID == seg {
				p.Rows[i].Target = v.r.PostFormValue("target") // keep what was typed
			}
		}
	case action == "approve" && status.Code(err) == codes.FailedPrecondition:
		view.Banner = v.lang.T("job.override_needed") + " " + view.Banner
		p.Errors["override_reason"] = v.lang.T("job.override_needed")
	}
	d.render(w, httpStatus(err), "job", "layout", view)
}

func anchor(id string) string {
	if id == "" {
		return ""
	}
	return "#row-" + cssID(id)
}

// maxXLIFFBytes bounds an uploaded XLIFF file, as the gRPC message
// limit would.
const maxXLIFFBytes = 4 << 20

// uploaded is the file of a multipart form field.
func uploaded(r *http.Request, field string) ([]byte, error) {
	r.Body = http.MaxBytesReader(nil, r.Body, maxXLIFFBytes+64<<10)
	f, _, err := r.FormFile(field)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, "choose an XLIFF file to import (at most 4 MiB)")
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, maxXLIFFBytes))
}

// xliff downloads the job as XLIFF 2.0, for a translation tool.
func (d *Desk) xliff(w http.ResponseWriter, v *visit) {
	id := v.r.PathValue("id")
	ctx, cancel := v.ctx()
	defer cancel()
	res, err := d.svc.Review.ExportXliff(ctx, &reviewv1.ExportXliffRequest{ArticleId: id}, client.Token(v.token))
	if err != nil {
		d.render(w, httpStatus(err), "problem", "layout", withBanner(v.view("title.problem", nil), sentence(v.lang, err)))
		return
	}
	w.Header().Set("Content-Type", "application/xliff+xml")
	w.Header().Set("Content-Disposition", `attachment; filename="`+id+`.xlf"`)
	_, _ = w.Write(res.GetXliff())
}
