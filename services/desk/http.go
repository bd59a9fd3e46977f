package desk

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tandemnews/tandem/internal/client"
	"github.com/tandemnews/tandem/pkg/siteconfig"
	authv1 "github.com/tandemnews/tandem/proto/tandem/auth/v1"
	"github.com/tandemnews/tandem/services/desk/label"
)

// Cookie names.
const (
	sessionCookie = "tandem_session"
	langCookie    = "tandem_lang"
)

// callTimeout bounds every call to the services a request makes: a
// service that does not answer costs a page this long, then the page
// says so.
const callTimeout = 5 * time.Second

func (d *Desk) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /assets/{name}", serveAsset)
	mux.HandleFunc("GET /signin", d.signInPage)
	mux.HandleFunc("POST /signin", d.signIn)
	mux.HandleFunc("POST /signout", d.signOut)
	mux.HandleFunc("POST /lang", d.switchLang)
	// A preview link works without signing in: its signed token is the
	// permission, checked by publishing.
	mux.HandleFunc("GET /preview/{token}", d.linkedPreview)
	mux.HandleFunc("GET /preview/{token}/{locale}", d.linkedPreviewPage)
	mux.HandleFunc("GET /preview/{token}/media/{file}", d.linkedMedia)
	// The site's own files (icon, logo), which every page a preview shows
	// links as the site does.
	for path, a := range siteconfig.Assets {
		mux.Handle("GET "+path, a)
	}
	// The probes: the desk is live and ready whenever it answers. It does
	// not go unready when a service is down: it keeps serving and says
	// so on each page, which beats no desk at all.
	for _, probe := range []string{"GET /healthz", "GET /livez", "GET /readyz"} {
		mux.HandleFunc(probe, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Cache-Control", "no-store")
			_, _ = w.Write([]byte("ok\n"))
		})
	}
	mux.Handle("GET /{$}", d.signedIn(d.home))
	mux.Handle("GET /events", d.signedIn(d.events))
	mux.Handle("GET /articles/new", d.signedIn(d.newArticle))
	mux.Handle("POST /articles/new", d.signedIn(d.saveArticle))
	mux.Handle("GET /articles/{id}", d.signedIn(d.article))
	mux.Handle("POST /articles/{id}", d.signedIn(d.saveArticle))
	mux.Handle("POST /articles/{id}/preview", d.signedIn(d.preview))
	mux.Handle("POST /articles/{id}/{action}", d.signedIn(d.submitArticle))
	mux.Handle("GET /articles/{id}/history", d.signedIn(d.history))
	mux.Handle("GET /articles/{id}/publish", d.signedIn(d.publishScreen))
	mux.Handle("GET /articles/{id}/publish/preview", d.signedIn(d.publishPreview))
	mux.Handle("POST /articles/{id}/publish", d.signedIn(d.release))
	mux.Handle("GET /media", d.signedIn(d.media))
	mux.Handle("POST /media", d.signedIn(d.uploadMedia))
	mux.Handle("GET /media/picker", d.signedIn(d.mediaPicker))
	mux.Handle("GET /media/{file}", d.signedIn(d.mediaFile))
	mux.Handle("GET /jobs/{id}", d.signedIn(d.job))
	mux.Handle("GET /jobs/{id}/xliff", d.signedIn(d.xliff))
	mux.Handle("POST /jobs/{id}/{action}", d.signedIn(d.jobAction))
	// Cross-site requests that change anything are refused: the browser
	// says where a request comes from (Sec-Fetch-Site, Origin), and only
	// the desk's own pages may post to it.
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, langOf(r).T("error.crossorigin"), http.StatusForbidden)
	}))
	return headers(cop.Handler(mux))
}

// headers adds the headers every answer carries: no framing by other
// sites, no sniffing, scripts and styles only from the desk itself.
func headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'; object-src 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		if !strings.HasPrefix(r.URL.Path, "/assets/") {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// visit is one request of a signed-in person.
type visit struct {
	token string
	user  *authv1.User
	lang  label.Lang
	r     *http.Request
}

// ctx is the request's context bounded by callTimeout.
func (v *visit) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(v.r.Context(), callTimeout)
}

// view is the template data of a page of the visit.
func (v *visit) view(title string, data any) *view {
	return &view{Lang: v.lang, User: v.user, Title: title, Path: v.r.URL.RequestURI(), Data: data}
}

// signedIn runs h for a signed-in person and sends everybody else to the
// sign-in page. It asks the session service who the cookie's session
// belongs to, which also renews the session.
func (d *Desk) signedIn(h func(http.ResponseWriter, *visit)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lang := langOf(r)
		c, err := r.Cookie(sessionCookie)
		if err != nil || c.Value == "" {
			d.toSignIn(w, r, "")
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), callTimeout)
		defer cancel()
		who, err := d.svc.Sessions.WhoAmI(ctx, &authv1.WhoAmIRequest{}, client.Token(c.Value))
		switch status.Code(err) {
		case codes.OK:
		case codes.Unauthenticated:
			d.clearSession(w, r)
			d.toSignIn(w, r, "ended")
			return
		default:
			d.render(w, http.StatusServiceUnavailable, "problem", "layout", &view{Lang: lang, Title: "title.problem", Banner: sentence(lang, err), Path: r.URL.RequestURI()})
			return
		}
		h(w, &visit{token: c.Value, user: who.User, lang: lang, r: r})
	})
}

// toSignIn sends the browser to the sign-in page, to come back here
// after; htmx requests are told to load it as a whole page.
func (d *Desk) toSignIn(w http.ResponseWriter, r *http.Request, why string) {
	q := url.Values{}
	if r.Method == http.MethodGet && r.Header.Get("HX-Request") == "" {
		q.Set("next", r.URL.RequestURI())
	}
	if why != "" {
		q.Set("why", why)
	}
	to := "/signin"
	if len(q) > 0 {
		to += "?" + q.Encode()
	}
	if r.Header.Get("HX-Request") != "" {
		w.Header().Set("HX-Redirect", to)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// langOf is the language the person chose, or the one their browser
// asks for.
func langOf(r *http.Request) label.Lang {
	if c, err := r.Cookie(langCookie); err == nil {
		if l, ok := label.Parse(c.Value); ok {
			return l
		}
	}
	return label.Negotiate(r.Header.Get("Accept-Language"))
}

// switchLang remembers the language chosen and returns to the page.
func (d *Desk) switchLang(w http.ResponseWriter, r *http.Request) {
	l, ok := label.Parse(r.PostFormValue("lang"))
	if !ok {
		http.Error(w, langOf(r).T("error.badrequest"), http.StatusBadRequest)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: string(l), Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: d.isSecure(r)})
	http.Redirect(w, r, localPath(r.PostFormValue("back")), http.StatusSeeOther)
}

// localPath is p when it is a path on this site, "/" otherwise, so that
// no link can send a person elsewhere after signing in.
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") {
		return "/"
	}
	u, err := url.Parse(p)
	if err != nil || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	return p
}

func (d *Desk) isSecure(r *http.Request) bool { return d.secure || r.TLS != nil }
