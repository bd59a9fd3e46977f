package desk

import (
	"errors"
	"net/http"
	"sort"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/tandemnews/tandem/internal/client"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
)

// editorPage is the editor's data.
type editorPage struct {
	Form     *editForm
	New      bool
	Status   string // the draft's status key
	Sections []option
	// Errors by form field ("zh_title", "date"); Problems are those no
	// field shows.
	Errors   map[string]string
	Problems []string
	// Conflicts, after a stale save: the fields someone else changed
	// meanwhile that this save changes too, theirs beside these.
	Conflicts []conflict
}

// conflict is one field two people changed.
type conflict struct{ Field, Theirs, Mine string }

func (d *Desk) sections(v *visit) []option {
	var out []option
	for _, key := range d.site.SectionPaths() {
		out = append(out, option{Value: key, Label: d.site.SectionLabel(strings.Split(key, "/"), v.lang.HTML())})
	}
	return out
}

// newArticle is the empty editor.
func (d *Desk) newArticle(w http.ResponseWriter, v *visit) {
	f := formOf(&articlev1.Article{}, 0)
	d.render(w, http.StatusOK, "editor", "layout", v.view("title.new", &editorPage{Form: f, New: true, Sections: d.sections(v), Errors: map[string]string{}}))
}

// article is the editor of a stored article.
func (d *Desk) article(w http.ResponseWriter, v *visit) {
	ctx, cancel := v.ctx()
	defer cancel()
	res, err := d.svc.Drafting.GetDraft(ctx, &draftingv1.GetDraftRequest{Id: v.r.PathValue("id")}, client.Token(v.token))
	if err != nil {
		d.render(w, httpStatus(err), "problem", "layout", withBanner(v.view("title.problem", nil), sentence(v.lang, err)))
		return
	}
	p := &editorPage{Form: formOf(res.Draft.Article, res.Draft.Revision), Status: draftStatus(res.Draft), Sections: d.sections(v), Errors: map[string]string{}}
	view := v.view("title.edit", p)
	switch v.r.URL.Query().Get("done") {
	case "saved":
		view.Notice = v.lang.T("editor.saved")
	case "submitted":
		view.Notice = v.lang.T("editor.submitted")
	case "withdrawn":
		view.Notice = v.lang.T("editor.withdrawn")
	}
	d.render(w, http.StatusOK, "editor", "layout", view)
}

func withBanner(v *view, s string) *view { v.Banner = s; return v }

func draftStatus(dr *draftingv1.Draft) string {
	return strings.ToLower(strings.TrimPrefix(dr.GetStatus().String(), "DRAFT_STATUS_"))
}

// saveArticle creates the article (id "") or saves the fields the form
// changed since the revision it was read at.
func (d *Desk) saveArticle(w http.ResponseWriter, v *visit) {
	id := v.r.PathValue("id") // "" on /articles/new
	f := readForm(v.r, id)
	p := &editorPage{Form: f, New: id == "", Sections: d.sections(v), Errors: map[string]string{}}
	a, problems := f.article()
	ctx, cancel := v.ctx()
	defer cancel()
	as := client.Token(v.token)
	var err error
	if len(problems) > 0 {
		// The bodies do not read; the service checks everything else, so
		// that every problem shows at once.
		_, err = d.svc.Drafting.UpdateDraft(ctx, &draftingv1.UpdateDraftRequest{Article: a, ValidateOnly: true}, as)
		if status.Code(err) == codes.OK {
			err = status.Error(codes.InvalidArgument, "the body does not read")
		}
	} else if id == "" {
		var res *draftingv1.CreateDraftResponse
		if res, err = d.svc.Drafting.CreateDraft(ctx, &draftingv1.CreateDraftRequest{Article: a}, as); err == nil {
			http.Redirect(w, v.r, "/articles/"+res.Draft.Article.Id+"?done=saved", http.StatusSeeOther)
			return
		}
	} else {
		var base *draftingv1.GetDraftRevisionResponse
		base, err = d.svc.Drafting.GetDraftRevision(ctx, &draftingv1.GetDraftRevisionRequest{Id: id, Revision: f.Revision}, as)
		if err == nil {
			keepIDs(base.GetDraft().GetArticle(), a)
			paths := mask(base.GetDraft().GetArticle(), a)
			if len(paths) == 0 {
				http.Redirect(w, v.r, "/articles/"+id+"?done=saved", http.StatusSeeOther)
				return
			}
			_, err = d.svc.Drafting.UpdateDraft(ctx, &draftingv1.UpdateDraftRequest{Article: a, ExpectedRevision: f.Revision, UpdateMask: &fieldmaskpb.FieldMask{Paths: paths}}, as)
			if err == nil {
				http.Redirect(w, v.r, "/articles/"+id+"?done=saved", http.StatusSeeOther)
				return
			}
			if status.Code(err) == codes.Aborted {
				d.conflicts(v, p, base.GetDraft().GetArticle(), a, paths)
			}
		}
	}
	view := v.view("title.edit", p)
	if p.New {
		view.Title = "title.new"
	}
	for k, msg := range problems {
		p.Errors[k] = msg
	}
	for path, msg := range violations(err) {
		if fld := formField(path); fld != "" {
			p.Errors[fld] = join(p.Errors[fld], msg)
		} else {
			p.Problems = append(p.Problems, path+": "+msg)
		}
	}
	sort.Strings(p.Problems)
	switch {
	case len(p.Conflicts) > 0:
		view.Banner = v.lang.T("editor.conflict")
	case len(p.Errors) > 0 || len(p.Problems) > 0:
		view.Banner = v.lang.T("editor.invalid")
	case err != nil:
		view.Banner = sentence(v.lang, err)
	}
	d.render(w, httpStatus(cmpErr(err)), "editor", "layout", view)
}

func cmpErr(err error) error {
	if err == nil {
		return status.Error(codes.InvalidArgument, "")
	}
	return err
}

// conflicts fills the merge view after a stale save: the current draft,
// and of the fields this save changes, those someone else changed since
// base, theirs beside these. The form moves to the current revision, so
// that saving again keeps these over theirs.
func (d *Desk) conflicts(v *visit, p *editorPage, base, mine *articlev1.Article, paths []string) {
	ctx, cancel := v.ctx()
	defer cancel()
	cur, err := d.svc.Drafting.GetDraft(ctx, &draftingv1.GetDraftRequest{Id: mine.GetId()}, client.Token(v.token))
	if err != nil {
		return
	}
	theirs := cur.GetDraft().GetArticle()
	changed := map[string]bool{}
	for _, path := range mask(base, theirs) {
		changed[path] = true
	}
	tf, mf := formOf(theirs, 0), formOf(mine, 0)
	for _, path := range paths {
		if !changed[path] && !changed[strings.Join(strings.Split(path, ".")[:2], ".")] {
			continue
		}
		p.Conflicts = append(p.Conflicts, conflict{Field: path, Theirs: fieldText(tf, path), Mine: fieldText(mf, path)})
	}
	p.Form.Revision = cur.GetDraft().GetRevision()
}

// fieldText is the value of a mask path in a form, as text.
func fieldText(f *editForm, path string) string {
	switch path {
	case "date":
		return f.Date
	case "section":
		return f.Section
	case "slug":
		return f.Slug
	}
	parts := strings.Split(path, ".")
	for _, lf := range f.Locales {
		if len(parts) < 2 || lf.Tag != parts[1] {
			continue
		}
		if len(parts) == 2 {
			return lf.Title + "\n\n" + lf.Body
		}
		switch parts[2] {
		case "title":
			return lf.Title
		case "summary":
			return lf.Summary
		case "byline":
			return lf.Authors + " / " + lf.Office
		case "blocks":
			return lf.Body
		}
	}
	return ""
}

// submitArticle submits the revision the page showed, or withdraws it.
func (d *Desk) submitArticle(w http.ResponseWriter, v *visit) {
	id, rev := v.r.PathValue("id"), parseUint(v.r.PostFormValue("revision"))
	if a := v.r.PathValue("action"); a != "submit" && a != "withdraw" { // publish has its own route
		http.NotFound(w, v.r)
		return
	}
	ctx, cancel := v.ctx()
	defer cancel()
	as := client.Token(v.token)
	var err error
	done := "submitted"
	if v.r.PathValue("action") == "withdraw" {
		done = "withdrawn"
		_, err = d.svc.Drafting.WithdrawDraft(ctx, &draftingv1.WithdrawDraftRequest{Id: id, ExpectedRevision: rev, Reason: strings.TrimSpace(v.r.PostFormValue("reason"))}, as)
	} else {
		_, err = d.svc.Drafting.SubmitDraft(ctx, &draftingv1.SubmitDraftRequest{Id: id, ExpectedRevision: rev}, as)
	}
	if err != nil {
		res, gerr := d.svc.Drafting.GetDraft(ctx, &draftingv1.GetDraftRequest{Id: id}, as)
		if gerr != nil {
			d.render(w, httpStatus(err), "problem", "layout", withBanner(v.view("title.problem", nil), sentence(v.lang, err)))
			return
		}
		p := &editorPage{Form: formOf(res.Draft.Article, res.Draft.Revision), Status: draftStatus(res.Draft), Sections: d.sections(v), Errors: map[string]string{}}
		for path, msg := range violations(err) {
			p.Problems = append(p.Problems, path+": "+msg)
		}
		d.render(w, httpStatus(err), "editor", "layout", withBanner(v.view("title.edit", p), sentence(v.lang, err)))
		return
	}
	http.Redirect(w, v.r, "/articles/"+id+"?done="+done, http.StatusSeeOther)
}

// preview renders one language of the form as the site will show it,
// through publishing's PreviewArticle, into the editor's preview frame.
// The page keeps the site's own styles, so it gets a policy of its own:
// its inline styles apply, and no script in it runs (default-src 'none').
// It is not sandboxed: Chromium leaves a sandboxed frame's page blank
// when a form of the parent loads it.
func (d *Desk) preview(w http.ResponseWriter, v *visit) {
	id := v.r.PathValue("id")
	if id == "new" {
		id = ""
	}
	f := readForm(v.r, id)
	locale := v.r.URL.Query().Get("locale")
	a, problems := f.article()
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	ctx, cancel := v.ctx()
	defer cancel()
	res, err := d.svc.Publishing.PreviewArticle(ctx, &publishingv1.PreviewArticleRequest{Article: a, Locale: locale}, client.Token(v.token))
	if err == nil && len(problems) > 0 {
		err = errors.New(problems[localeKey(locale)+"_body"])
	}
	if err != nil {
		w.WriteHeader(httpStatus(err))
		msg := v.lang.T("editor.nopreview")
		if s, ok := status.FromError(err); ok {
			msg += " " + sentence(v.lang, s.Err())
		} else {
			msg += " " + err.Error()
		}
		_ = previewProblem.Execute(w, msg)
		return
	}
	_, _ = w.Write(res.GetHtml())
}

func localeKey(tag string) string {
	for _, l := range editLocales {
		if l.Tag == tag {
			return l.Key
		}
	}
	return ""
}
