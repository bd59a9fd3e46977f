package desk

import (
	"context"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tandemnews/tandem/internal/client"
	authv1 "github.com/tandemnews/tandem/proto/tandem/auth/v1"
)

// signInForm is the sign-in page's data.
type signInForm struct {
	Username string
	Next     string
	// Errors by field ("username", "password"), and Error for the whole
	// form.
	Errors map[string]string
	Error  string
	// Why is "ended" after a session ended, "out" after signing out.
	Why string
}

func (d *Desk) signInPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	lang := langOf(r)
	f := &signInForm{Next: localPath(q.Get("next")), Why: q.Get("why")}
	d.render(w, http.StatusOK, "signin", "layout", &view{Lang: lang, Title: "title.signin", Path: r.URL.RequestURI(), Data: f})
}

// signIn checks the credentials with the session service and, when they
// are right, keeps the session token in an HttpOnly cookie. The cookie is
// a browser-session cookie; the session itself ends when it has not been
// used for the session service's idle timeout.
func (d *Desk) signIn(w http.ResponseWriter, r *http.Request) {
	lang := langOf(r)
	f := &signInForm{Username: r.PostFormValue("username"), Next: localPath(r.PostFormValue("next")), Errors: map[string]string{}}
	page := func(code int) {
		d.render(w, code, "signin", "layout", &view{Lang: lang, Title: "title.signin", Path: "/signin", Data: f})
	}
	addr := clientAddr(r)
	if wait := d.limits.wait(addr); wait > 0 {
		f.Error = lang.T("signin.address_locked")
		w.Header().Set("Retry-After", retryAfter(wait))
		page(http.StatusTooManyRequests)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), callTimeout)
	defer cancel()
	res, err := d.svc.Sessions.SignIn(ctx, &authv1.SignInRequest{Username: f.Username, Password: r.PostFormValue("password")})
	switch status.Code(err) {
	case codes.OK:
	case codes.Unauthenticated:
		d.limits.fail(addr)
		f.Error = lang.T("signin.wrong")
		page(http.StatusUnauthorized)
		return
	case codes.InvalidArgument:
		f.Errors = fieldErrors(lang, err)
		page(http.StatusBadRequest)
		return
	case codes.ResourceExhausted:
		d.limits.fail(addr)
		f.Error = lang.T("signin.account_locked")
		page(http.StatusTooManyRequests)
		return
	default:
		f.Error = sentence(lang, err)
		page(http.StatusServiceUnavailable)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: res.Token, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: d.isSecure(r)})
	d.log.Info("signed in", "user", res.User.GetId())
	http.Redirect(w, r, f.Next, http.StatusSeeOther)
}

// signOut ends the session at the session service and forgets the
// cookie.
func (d *Desk) signOut(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		ctx, cancel := context.WithTimeout(r.Context(), callTimeout)
		defer cancel()
		if _, err := d.svc.Sessions.SignOut(ctx, &authv1.SignOutRequest{}, client.Token(c.Value)); err != nil && status.Code(err) != codes.Unauthenticated {
			d.log.Warn("session not ended at the session service", "err", err)
		}
	}
	d.clearSession(w, r)
	http.Redirect(w, r, "/signin?why=out", http.StatusSeeOther)
}

func (d *Desk) clearSession(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: d.isSecure(r)})
}

// clientAddr is the address a request came from. The desk sees the
// address that connected to it: behind a proxy, that is the proxy's.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func retryAfter(d time.Duration) string { return strconv.Itoa(int(d.Seconds()) + 1) }

// addressLimits limit the failed sign-ins of each client address: a
// token bucket per address that only failures take from.
type addressLimits struct {
	mu     sync.Mutex
	by     map[string]*rate.Limiter
	burst  int
	refill time.Duration
}

func newAddressLimits(burst int, refill time.Duration) *addressLimits {
	return &addressLimits{by: map[string]*rate.Limiter{}, burst: burst, refill: refill}
}

func (a *addressLimits) limiter(addr string) *rate.Limiter {
	a.mu.Lock()
	defer a.mu.Unlock()
	l, ok := a.by[addr]
	if !ok {
		l = rate.NewLimiter(rate.Every(a.refill), a.burst)
		a.by[addr] = l
	}
	return l
}

// wait is how long addr must wait before it may try again; 0 when it may
// now.
func (a *addressLimits) wait(addr string) time.Duration {
	r := a.limiter(addr).Reserve()
	defer r.Cancel()
	return r.Delay()
}

// fail counts a failed sign-in of addr.
func (a *addressLimits) fail(addr string) { a.limiter(addr).Allow() }

// prune forgets the addresses whose buckets are full again.
func (a *addressLimits) prune() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for addr, l := range a.by {
		if l.Tokens() >= float64(a.burst) {
			delete(a.by, addr)
		}
	}
}
