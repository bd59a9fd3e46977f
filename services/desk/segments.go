package desk

import (
	"bytes"
	"fmt"
	"html/template"
	"net/url"
	"strconv"
	"strings"

	"github.com/tandemnews/tandem/services/desk/label"
)

// The side-by-side's rows are written by Go code rather than by
// html/template: a job has hundreds of segments, and html/template
// evaluates every action of every row through reflection, which made
// rendering a 250-segment job the larger part of its page's time (about
// 90,000 allocations and 25 ms of CPU per page, see BenchmarkJobPage).
// The rest of the page stays in templates/job.html, which calls
// segmentRows once. Every value written here goes through esc (or, in a
// path, url.PathEscape and esc), which replaces the characters
// html/template replaces in text, attribute values and a textarea.

// htmlEscaper escapes text for an element's content or a quoted
// attribute value, as html/template's escapers do.
var htmlEscaper = strings.NewReplacer(
	"\x00", "\uFFFD",
	`"`, "&#34;",
	"&", "&amp;",
	"'", "&#39;",
	"+", "&#43;",
	"<", "&lt;",
	">", "&gt;",
)

// rowWriter writes the rows of a side-by-side.
type rowWriter struct {
	b *bytes.Buffer
	// The labels every row repeats, looked up once.
	target, save, sourceChanged, markedTarget, dismiss, comment, addComment string
	lang                                                                    label.Lang
}

func (w *rowWriter) raw(s string) { w.b.WriteString(s) }

func (w *rowWriter) esc(s string) { _, _ = htmlEscaper.WriteString(w.b, s) }

// attr writes a quoted attribute, with its leading space.
func (w *rowWriter) attr(name, value string) {
	w.raw(" ")
	w.raw(name)
	w.raw(`="`)
	w.esc(value)
	w.raw(`"`)
}

// segmentRows writes the rows of the side-by-side v shows, whose data
// is a *jobPage, straight into the page render is writing, and returns
// nothing to print: a template writes each part to its writer as it
// comes to it, so the rows land where the template calls segmentRows,
// and half a megabyte of rows is neither copied into a string nor
// through fmt's buffer.
func segmentRows(v *view) (template.HTML, error) {
	p, ok := v.Data.(*jobPage)
	if !ok || v.out == nil {
		return "", fmt.Errorf("segmentRows: called with %T outside render, not with a job while rendering it", v.Data)
	}
	w := &rowWriter{b: v.out, lang: v.Lang,
		target: v.T("job.target"), save: v.T("job.save"), sourceChanged: v.T("job.source_changed"),
		markedTarget: v.T("job.marked_target"), dismiss: v.T("job.dismiss"),
		comment: v.T("job.comment_label"), addComment: v.T("job.add_comment")}
	id := url.PathEscape(p.ID)
	rev := strconv.FormatUint(p.Revision, 10)
	for i := range p.Rows {
		w.row(p, &p.Rows[i], id, rev)
	}
	return "", nil
}

// row writes one segment: the form with the source, the target and what
// the checks, the memory and the comments say, then its tools (dismiss
// a finding, comment).
func (w *rowWriter) row(p *jobPage, r *segRow, jobPath, rev string) {
	rid := cssID(r.ID)
	w.raw("\n  <div role=\"listitem\" class=\"seg-item\">\n  <form")
	w.attr("id", "row-"+rid)
	w.attr("class", "card seg seg-"+r.State)
	w.raw(` method="post" action="/jobs/`)
	w.esc(jobPath)
	w.raw(`/segment"`)
	w.attr("data-next", cssID(r.Next))
	w.raw(">\n    <input type=\"hidden\" name=\"revision\" value=\"")
	w.raw(rev)
	w.raw("\">\n    <input type=\"hidden\" name=\"segment\"")
	w.attr("value", r.ID)
	w.raw(">\n    <input type=\"hidden\" name=\"next\"")
	w.attr("value", r.Next)
	w.raw(">\n    <input type=\"hidden\" name=\"move\" value=\"\">\n    ")
	if p.Attention {
		w.raw(`<input type="hidden" name="attention" value="1">`)
	}
	w.raw("\n    <div class=\"src\" lang=\"zh-CN\"><span class=\"muted field-name\">")
	w.esc(r.Field)
	w.raw(`</span><p class="source">`)
	for _, m := range r.SourceMarks {
		switch m.Class {
		case "term":
			w.raw(`<abbr class="term"`)
			w.attr("title", m.Title)
			w.raw(` tabindex="0">`)
			w.esc(m.Text)
			w.raw("</abbr>")
		case "":
			w.esc(m.Text)
		default:
			w.mark(m)
		}
	}
	w.raw("</p>\n      ")
	if len(r.SourceDiff) > 0 {
		w.raw(`<p class="source-diff"><span class="muted"`)
		w.attr("lang", string(w.lang))
		w.raw(">")
		w.esc(w.sourceChanged)
		w.raw("</span> ")
		for _, s := range r.SourceDiff {
			switch s.Op {
			case "insert":
				w.raw("<ins>")
				w.esc(s.Text)
				w.raw("</ins>")
			case "delete":
				w.raw("<del>")
				w.esc(s.Text)
				w.raw("</del>")
			default:
				w.esc(s.Text)
			}
		}
		w.raw("</p>")
	}
	w.raw("</div>\n    <div class=\"tgt\" lang=\"en\">\n      <label")
	w.attr("for", "t-"+rid)
	w.raw(` class="visually-hidden">`)
	w.esc(w.target)
	w.raw("</label>\n      <textarea")
	w.attr("id", "t-"+rid)
	w.raw(` name="target" rows="3" class="target" `)
	problem := p.Errors[r.ID]
	if problem != "" {
		w.raw(`aria-invalid="true"`)
	}
	w.raw(">")
	w.esc(r.Target)
	w.raw("</textarea>\n      ")
	if problem != "" {
		w.raw(`<p class="field-error">`)
		w.esc(problem)
		w.raw("</p>")
	}
	w.raw("\n      ")
	if len(r.TargetMarks) > 0 {
		w.raw(`<p class="target-marks"><span class="visually-hidden">`)
		w.esc(w.markedTarget)
		w.raw(": </span>")
		for _, m := range r.TargetMarks {
			if m.Class == "" {
				w.esc(m.Text)
			} else {
				w.mark(m)
			}
		}
		w.raw("</p>")
	}
	w.raw("\n      <p class=\"seg-state\"><span")
	w.attr("class", "state state-seg-"+r.State)
	w.raw(">")
	w.esc(w.lang.T("seg." + r.State))
	w.raw("</span>\n        <button class=\"secondary save\">")
	w.esc(w.save)
	w.raw("</button></p>\n      ")
	for _, f := range r.Findings {
		w.raw("<p")
		w.attr("class", "finding sev-"+f.Severity)
		w.raw("><strong>")
		w.esc(w.lang.T("sev." + f.Severity))
		w.raw("</strong> ")
		w.esc(f.Message)
		w.raw(` <span class="muted">(`)
		w.esc(f.Check)
		w.raw(")</span></p>")
	}
	w.raw("\n      ")
	for _, c := range r.Comments {
		w.raw(`<p class="comment"><strong>`)
		w.esc(c.By)
		w.raw("</strong> ")
		w.esc(c.Text)
		w.raw("</p>")
	}
	w.raw("\n      ")
	for i, s := range r.Suggestions {
		w.raw(`<div class="suggestion"><span class="score">`)
		w.raw(strconv.Itoa(int(s.Score)))
		w.raw(`%</span> <span lang="en" class="sugg-target">`)
		w.esc(s.Target)
		w.raw("</span>\n        <button type=\"button\" class=\"link apply\"")
		w.attr("data-target", s.Target)
		w.raw(">")
		w.esc(fmt.Sprintf(w.lang.T("job.apply"), i+1))
		w.raw("</button>\n        <span class=\"muted sugg-source\" lang=\"zh-CN\">")
		w.esc(s.Source)
		w.raw("</span></div>")
	}
	w.raw("\n    </div>\n  </form>\n  <div class=\"seg-tools\">\n    ")
	for _, f := range r.Findings {
		w.raw(`<form method="post" action="/jobs/`)
		w.esc(jobPath)
		w.raw("/dismiss\" class=\"inline dismiss\">\n      <input type=\"hidden\" name=\"segment\"")
		w.attr("value", r.ID)
		w.raw(`><input type="hidden" name="check"`)
		w.attr("value", f.Check)
		w.raw(">\n      <label")
		w.attr("for", "dr-"+rid+"-"+f.Check)
		w.raw(">")
		w.esc(fmt.Sprintf(w.lang.T("job.dismiss_reason"), f.Check))
		w.raw("</label>\n      <input")
		w.attr("id", "dr-"+rid+"-"+f.Check)
		w.raw(" name=\"reason\" class=\"dismiss-reason\">\n      <button class=\"secondary dismiss-btn\">")
		w.esc(w.dismiss)
		w.raw("</button>\n    </form>")
	}
	w.raw("\n    <form method=\"post\" action=\"/jobs/")
	w.esc(jobPath)
	w.raw("/comment\" class=\"inline comment-form\">\n      <input type=\"hidden\" name=\"segment\"")
	w.attr("value", r.ID)
	w.raw(">\n      <label")
	w.attr("for", "c-"+rid)
	w.raw(` class="visually-hidden">`)
	w.esc(w.comment)
	w.raw("</label>\n      <input")
	w.attr("id", "c-"+rid)
	w.raw(` name="text"`)
	w.attr("placeholder", w.comment)
	w.raw(">\n      <button class=\"secondary\">")
	w.esc(w.addComment)
	w.raw("</button>\n    </form>\n  </div>\n  </div>\n")
}

// mark writes a marked piece of text: a finding's range.
func (w *rowWriter) mark(m piece) {
	w.raw("<mark")
	w.attr("class", m.Class)
	w.attr("title", m.Title)
	w.raw(">")
	w.esc(m.Text)
	w.raw("</mark>")
}
