package desk_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/tandemnews/tandem/internal/client"
	"github.com/tandemnews/tandem/pkg/auth"
	authv1 "github.com/tandemnews/tandem/proto/tandem/auth/v1"
	deskpkg "github.com/tandemnews/tandem/services/desk"
)

func TestAPersonSignsInWithAPasswordAndOut(t *testing.T) {
	d := startDesk(t)
	ctx := d.browser(t, 1280, "en-US")
	run(t, ctx, "a wrong password",
		chromedp.Navigate(d.DeskURL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#username`)),
		chromedp.SendKeys(chromedp.CSS(`#username`), "ed"),
		chromedp.SendKeys(chromedp.CSS(`#password`), "not the password"),
		chromedp.Submit(chromedp.CSS(`#password`)),
		chromedp.WaitVisible(chromedp.CSS(`#signin-error`)),
	)
	errText := text(t, ctx, `#signin-error`)
	if errText != "The username or the password is wrong." {
		t.Fatalf("a wrong password shows %q", errText)
	}
	d.signIn(t, ctx, auth.Editor)
	if who := text(t, ctx, `header .user`); who != "Ed Editor" {
		t.Fatalf("signed in as %q", who)
	}
	got, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{})
	if err != nil {
		t.Fatal(err)
	}
	cookies := got.Cookies
	var session *network.Cookie
	for _, c := range cookies {
		if c.Name == "tandem_session" {
			session = c
		}
	}
	if session == nil || !session.HTTPOnly || session.SameSite != network.CookieSameSiteLax {
		t.Fatalf("the session cookie is %+v", session)
	}
	run(t, ctx, "signing out",
		chromedp.Click(chromedp.CSS(`#signout`)),
		chromedp.WaitVisible(chromedp.CSS(`#username`)),
	)
	if main := text(t, ctx, `main`); !strings.Contains(main, "You have signed out.") {
		t.Fatalf("after signing out: %q", main)
	}
	// The session is over at the services, not only in this browser.
	cl, err := client.Dial(d.GRPCAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if _, ok := d.Auth.Authenticate(session.Value); ok {
		t.Fatal("the session token is a token of the file")
	}
	if err := whoAmI(cl, session.Value); err == nil {
		t.Fatal("the session still works after signing out")
	}
}

// httpDesk is a client of the desk at base without a browser: no
// redirects followed, cookies kept.
func httpClient() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// signInHTTP posts the sign-in form and returns the session cookie.
func signInHTTP(t *testing.T, base, user, pw string) (*http.Response, *http.Cookie) {
	t.Helper()
	res, err := httpClient().PostForm(base+"/signin", url.Values{"username": {user}, "password": {pw}, "next": {"/"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	for _, c := range res.Cookies() {
		if c.Name == "tandem_session" && c.Value != "" {
			return res, c
		}
	}
	return res, nil
}

func TestASessionHoldsAcrossDeskReplicasAndRestarts(t *testing.T) {
	d := startDesk(t)
	_, c := signInHTTP(t, d.DeskURL, "ed", password)
	if c == nil {
		t.Fatal("no session cookie")
	}
	// Another desk, started afresh on the same services, knows the
	// session: the desk keeps nothing of its own.
	cl, err := client.Dial(d.GRPCAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	other, err := deskpkg.New(deskpkg.Options{Client: cl})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(other)
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/", nil)
	req.AddCookie(c)
	res, err := httpClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("the other desk answered %s", res.Status)
	}
}

func TestCrossSiteRequestsAreRefused(t *testing.T) {
	d := startDesk(t)
	_, c := signInHTTP(t, d.DeskURL, "ed", password)
	req, _ := http.NewRequest(http.MethodPost, d.DeskURL+"/signout", nil)
	req.AddCookie(c)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Origin", "https://evil.example")
	res, err := httpClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("a cross-site sign-out answered %s", res.Status)
	}
	// The session was not ended by it.
	req, _ = http.NewRequest(http.MethodGet, d.DeskURL+"/", nil)
	req.AddCookie(c)
	if res, err = httpClient().Do(req); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("after the refused request: %v %v", res.Status, err)
	}
	res.Body.Close()
}

func TestFailedSignInsAreLimitedPerAddress(t *testing.T) {
	d := startDesk(t)
	var last *http.Response
	// Different usernames: the account limit of the session service does
	// not come into it.
	for i := range 11 {
		last, _ = signInHTTP(t, d.DeskURL, "nobody"+strings.Repeat("x", i), "not the password")
	}
	if last.StatusCode != http.StatusTooManyRequests || last.Header.Get("Retry-After") == "" {
		t.Fatalf("the 11th failed sign-in answered %s", last.Status)
	}
	// The right password from this address waits too.
	if res, c := signInHTTP(t, d.DeskURL, "ed", password); c != nil || res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("a right password during the lock: %s", res.Status)
	}
}

func TestASessionThatEndedSendsThePersonToSignInSayingWhy(t *testing.T) {
	d := startDesk(t)
	_, c := signInHTTP(t, d.DeskURL, "ed", password)
	cl, err := client.Dial(d.GRPCAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	// The session ends elsewhere (another tab signed out, or it idled).
	if _, err := cl.Sessions.SignOut(context.Background(), &authv1.SignOutRequest{}, client.Token(c.Value)); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, d.DeskURL+"/articles/new", nil)
	req.AddCookie(c)
	res, err := httpClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "why=ended") || !strings.Contains(loc, "next=%2Farticles%2Fnew") {
		t.Fatalf("an ended session answered %s, to %q", res.Status, loc)
	}
	cleared := false
	for _, k := range res.Cookies() {
		cleared = cleared || (k.Name == "tandem_session" && k.MaxAge < 0)
	}
	if !cleared {
		t.Fatal("the ended session's cookie was kept")
	}
	res, err = http.Get(d.DeskURL + loc)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(body), "你的登录已结束") && !strings.Contains(string(body), "Your session has ended") {
		t.Fatalf("the sign-in page does not say why:\n%s", body)
	}
}
