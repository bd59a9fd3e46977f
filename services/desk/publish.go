package desk

import (
	"net/http"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/tandemnews/tandem/internal/client"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

// publishPage is the publisher's screen of one article.
type publishPage struct {
	ID      string
	Title   string
	Locales []publishLocale
	Errors  map[string]string
	// Link is the preview link just made, shown once; Lives are the
	// lifetimes offered, in days.
	Link  *previewLink
	Lives []int
	// Timeline is the audit timeline, newest first; Pending the
	// schedules that can be cancelled.
	Timeline []timelineEntry
	Pending  []scheduleView
}

// publishLocale is one language: what can be released, and what is
// public.
type publishLocale struct {
	Tag, Key string
	Ready    bool   // there is content to release (submitted Chinese, approved English)
	Public   string // the public address, "" when not public
	Taken    string // why it was taken down, if it was
}

// releasable is the article as publishing will release it: the Chinese
// of the submitted revision, the English of the approved translation.
func (d *Desk) releasable(v *visit, id string) (*articlev1.Article, map[string]bool, error) {
	ctx, cancel := v.ctx()
	defer cancel()
	as := client.Token(v.token)
	dr, err := d.svc.Drafting.GetDraft(ctx, &draftingv1.GetDraftRequest{Id: id}, as)
	if err != nil {
		return nil, nil, err
	}
	a := proto.Clone(dr.Draft.Article).(*articlev1.Article)
	ready := map[string]bool{}
	if sub := dr.Draft.GetSubmittedRevision(); sub > 0 {
		if rev, err := d.svc.Drafting.GetDraftRevision(ctx, &draftingv1.GetDraftRevisionRequest{Id: id, Revision: sub}, as); err == nil {
			a = rev.Draft.Article
			ready["zh-CN"] = a.GetLocales()["zh-CN"] != nil
		}
	}
	delete(a.Locales, "en")
	job, err := d.svc.Review.GetJob(ctx, &reviewv1.GetJobRequest{ArticleId: id}, as)
	switch {
	case err == nil && job.Job.GetStatus() == reviewv1.JobStatus_JOB_STATUS_APPROVED && job.Job.GetTarget() != nil:
		a.Locales["en"] = job.Job.GetTarget()
		ready["en"] = true
	case err != nil && status.Code(err) != codes.NotFound && status.Code(err) != codes.PermissionDenied:
		return nil, nil, err
	}
	return a, ready, nil
}

// publishScreen shows both languages as the site will show them, what is
// public, and the actions of a publisher.
func (d *Desk) publishScreen(w http.ResponseWriter, v *visit) {
	d.renderPublish(w, v, http.StatusOK, nil, "")
}

func (d *Desk) renderPublish(w http.ResponseWriter, v *visit, code int, errs map[string]string, banner string) {
	d.renderPublishWith(w, v, code, errs, banner, nil)
}

func (d *Desk) renderPublishWith(w http.ResponseWriter, v *visit, code int, errs map[string]string, banner string, link *previewLink) {
	id := v.r.PathValue("id")
	a, ready, err := d.releasable(v, id)
	if err != nil {
		d.render(w, httpStatus(err), "problem", "layout", withBanner(v.view("title.problem", nil), sentence(v.lang, err)))
		return
	}
	p := &publishPage{ID: id, Title: a.GetLocales()["zh-CN"].GetTitle(), Errors: errs, Link: link, Lives: linkLives}
	if p.Errors == nil {
		p.Errors = map[string]string{}
	}
	ctx, cancel := v.ctx()
	defer cancel()
	pub, err := d.svc.Publishing.GetPublication(ctx, &publishingv1.GetPublicationRequest{ArticleId: id}, client.Token(v.token))
	if err != nil && status.Code(err) != codes.NotFound {
		banner = join(banner, sentence(v.lang, err))
	}
	for _, l := range editLocales {
		pl := publishLocale{Tag: l.Tag, Key: l.Key, Ready: ready[l.Tag]}
		if got := pub.GetPublication().GetLocales()[l.Tag]; got != nil {
			pl.Public = d.site.URL(got.GetPath())
		}
		if td := pub.GetPublication().GetTakenDown()[l.Tag]; td != nil {
			pl.Taken = td.GetReason()
		}
		p.Locales = append(p.Locales, pl)
	}
	tl, pending, err := d.timeline(ctx, client.Token(v.token), id, pub.GetPublication())
	if err != nil {
		banner = join(banner, v.lang.T("timeline.partial")+" "+sentence(v.lang, err))
	}
	p.Timeline, p.Pending = tl, pending
	view := v.view("title.publish", p)
	view.Banner = banner
	if n := v.r.URL.Query().Get("done"); n != "" {
		view.Notice = v.lang.T("publish.done_" + n)
	}
	d.render(w, code, "publish", "layout", view)
}

// publishPreview is one language of the article as the site will show
// it once released, for the publisher's preview frame.
func (d *Desk) publishPreview(w http.ResponseWriter, v *visit) {
	a, _, err := d.releasable(v, v.r.PathValue("id"))
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:")
	if err == nil {
		ctx, cancel := v.ctx()
		defer cancel()
		var res *publishingv1.PreviewArticleResponse
		if res, err = d.svc.Publishing.PreviewArticle(ctx, &publishingv1.PreviewArticleRequest{Article: a, Locale: v.r.URL.Query().Get("locale")}, client.Token(v.token)); err == nil {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write(res.GetHtml())
			return
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(httpStatus(err))
	_ = previewProblem.Execute(w, v.lang.T("editor.nopreview")+" "+sentence(v.lang, err))
}

// release publishes, schedules, corrects or takes down the languages the
// form names.
func (d *Desk) release(w http.ResponseWriter, v *visit) {
	id, action := v.r.PathValue("id"), v.r.PostFormValue("action")
	locales := v.r.PostForm["locale"]
	ctx, cancel := v.ctx()
	defer cancel()
	as := client.Token(v.token)
	var err error
	errs := map[string]string{}
	switch action {
	case "publish":
		_, err = d.svc.Publishing.PublishArticle(ctx, &publishingv1.PublishArticleRequest{ArticleId: id, Locales: locales}, as)
	case "schedule":
		at, perr := time.ParseInLocation("2006-01-02T15:04", v.r.PostFormValue("at"), time.Local)
		if perr != nil {
			errs["at"] = v.lang.T("publish.bad_time")
			d.renderPublish(w, v, http.StatusBadRequest, errs, v.lang.T("editor.invalid"))
			return
		}
		_, err = d.svc.Publishing.SchedulePublish(ctx, &publishingv1.SchedulePublishRequest{ArticleId: id, Locales: locales, At: timestamppb.New(at)}, as)
	case "correct":
		_, err = d.svc.Publishing.CorrectArticle(ctx, &publishingv1.CorrectArticleRequest{ArticleId: id, Locales: locales, Note: strings.TrimSpace(v.r.PostFormValue("note"))}, as)
	case "cancel":
		_, err = d.svc.Publishing.CancelSchedule(ctx, &publishingv1.CancelScheduleRequest{ArticleId: id, ScheduleId: v.r.PostFormValue("schedule")}, as)
	case "link":
		d.createLink(w, v, id)
		return
	case "takedown":
		_, err = d.svc.Publishing.UnpublishArticle(ctx, &publishingv1.UnpublishArticleRequest{ArticleId: id, Locales: locales, Reason: strings.TrimSpace(v.r.PostFormValue("reason"))}, as)
	default:
		http.NotFound(w, v.r)
		return
	}
	if err == nil {
		http.Redirect(w, v.r, "/articles/"+id+"/publish?done="+action, http.StatusSeeOther)
		return
	}
	for path, msg := range violations(err) {
		field := path
		if field == "locales" || strings.HasPrefix(field, "locales[") {
			field = "locale"
		}
		errs[field] = join(errs[field], msg)
	}
	d.renderPublish(w, v, httpStatus(err), errs, sentence(v.lang, err))
}
