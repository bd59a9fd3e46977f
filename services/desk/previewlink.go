package desk

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/tandemnews/tandem/internal/client"
	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
	"github.com/tandemnews/tandem/services/desk/label"
)

// linkLives are the lifetimes a publisher may give a preview link, in
// days; the form offers these and nothing else.
var linkLives = []int{1, 3, 7, 30}

// previewLink is a link the publisher just made.
type previewLink struct {
	URL     string
	Expires time.Time
}

// createLink asks publishing for a signed preview link to the article
// and shows it on the publisher's screen. Publishing signs it: the desk
// holds no key that could show a draft.
func (d *Desk) createLink(w http.ResponseWriter, v *visit, id string) {
	days := 7
	for _, n := range linkLives {
		if v.r.PostFormValue("days") == strconv.Itoa(n) {
			days = n
		}
	}
	ctx, cancel := v.ctx()
	defer cancel()
	res, err := d.svc.Publishing.CreatePreviewLink(ctx, &publishingv1.CreatePreviewLinkRequest{ArticleId: id, Expires: timestamppb.New(time.Now().Add(time.Duration(days) * 24 * time.Hour))}, client.Token(v.token))
	if err != nil {
		d.renderPublish(w, v, httpStatus(err), nil, sentence(v.lang, err))
		return
	}
	scheme := "http"
	if d.isSecure(v.r) {
		scheme = "https"
	}
	d.renderPublishWith(w, v, http.StatusOK, nil, "", &previewLink{URL: scheme + "://" + v.r.Host + "/preview/" + res.GetToken(), Expires: res.GetExpires().AsTime()})
}

// linkPage is the page a preview link opens: both languages that can be
// shown, as the site will show them.
type linkPage struct {
	Token   string
	Locales []struct{ Tag, Key string }
	Expires time.Time
	Problem string
}

// linkedPreview serves /preview/{token} to anybody: the token is the
// permission, and publishing checks it.
func (d *Desk) linkedPreview(w http.ResponseWriter, r *http.Request) {
	lang := langOf(r)
	tok := r.PathValue("token")
	ctx, cancel := context.WithTimeout(r.Context(), callTimeout)
	defer cancel()
	res, err := d.svc.Publishing.GetLinkedPreview(ctx, &publishingv1.GetLinkedPreviewRequest{Token: tok})
	p := &linkPage{Token: tok}
	code := http.StatusOK
	if err != nil {
		p.Problem, code = linkProblem(lang, err)
	} else {
		p.Expires = res.GetExpires().AsTime()
		for _, l := range editLocales {
			if slices.Contains(res.GetLocales(), l.Tag) {
				p.Locales = append(p.Locales, l)
			}
		}
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	d.render(w, code, "preview", "layout", &view{Lang: lang, Title: "title.preview", Path: r.URL.RequestURI(), Data: p})
}

// linkedPreviewPage is one language of a preview link's article, for
// the frames of /preview/{token}.
func (d *Desk) linkedPreviewPage(w http.ResponseWriter, r *http.Request) {
	lang := langOf(r)
	ctx, cancel := context.WithTimeout(r.Context(), callTimeout)
	defer cancel()
	res, err := d.svc.Publishing.GetLinkedPreview(ctx, &publishingv1.GetLinkedPreviewRequest{Token: r.PathValue("token"), Locale: r.PathValue("locale")})
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err != nil {
		msg, code := linkProblem(lang, err)
		w.WriteHeader(code)
		_ = previewProblem.Execute(w, msg)
		return
	}
	_, _ = w.Write(res.GetHtml())
}

// linkedMedia serves /preview/{token}/media/<id>-<width>.<ext> to
// anybody: a photo of the link's article, where the link's page loads its
// images. Publishing checks the link and that the article shows the
// photo; the desk only passes the bytes on, kept by the browser no longer
// than the link lives. Anything refused is the page's 404 or 410.
func (d *Desk) linkedMedia(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	m := mediaFileName.FindStringSubmatch(r.PathValue("file"))
	if m == nil {
		http.NotFound(w, r)
		return
	}
	width, _ := strconv.Atoi(m[2])
	ctx, cancel := context.WithTimeout(r.Context(), callTimeout)
	defer cancel()
	stream, err := d.svc.Publishing.GetLinkedMedia(ctx, &publishingv1.GetLinkedMediaRequest{Token: r.PathValue("token"), Media: m[1], Width: int32(width)})
	var first *publishingv1.GetLinkedMediaResponse
	if err == nil {
		first, err = stream.Recv()
	}
	if err != nil {
		msg, code := linkProblem(langOf(r), err)
		if code == http.StatusBadRequest {
			code = http.StatusNotFound // a width the photo lacks
		}
		http.Error(w, msg, code)
		return
	}
	if photoExt[first.GetContentType()] != m[3] {
		http.NotFound(w, r)
		return
	}
	if life := int(min(time.Until(first.GetExpires().AsTime()), mediaMaxAge*time.Second) / time.Second); life > 0 {
		h.Set("Cache-Control", "private, max-age="+strconv.Itoa(life))
	}
	d.passPhoto(w, first.GetContentType(), first.GetSize(), first.GetData(), m[1], func() ([]byte, error) {
		chunk, err := stream.Recv()
		return chunk.GetData(), err
	})
}

// linkProblem is what a visitor of a link that shows nothing reads: an
// expired link and a wrong one are told apart, anything else is the
// usual sentence.
func linkProblem(lang label.Lang, err error) (string, int) {
	if status.Code(err) == codes.InvalidArgument {
		if msg, ok := violations(err)["token"]; ok {
			if strings.Contains(msg, "expired") {
				return lang.T("link.expired"), http.StatusGone
			}
			return lang.T("link.invalid"), http.StatusNotFound
		}
	}
	return sentence(lang, err), httpStatus(err)
}
