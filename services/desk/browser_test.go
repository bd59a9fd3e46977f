package desk_test

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tandemnews/tandem/internal/client"
	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/testkit"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	authv1 "github.com/tandemnews/tandem/proto/tandem/auth/v1"
)

// chromium is the browser the tests drive: CHROMIUM, else
// /usr/bin/chromium.
func chromium(t *testing.T) string {
	t.Helper()
	p := os.Getenv("CHROMIUM")
	if p == "" {
		p = "/usr/bin/chromium"
	}
	if _, err := exec.LookPath(p); err != nil {
		if testkit.InCI() {
			t.Fatalf("no Chromium at %s: the browser tests need it in CI (apt-get install -y chromium fonts-noto-cjk)", p)
		}
		t.Skipf("no Chromium at %s: the browser tests are skipped (apt-get install -y chromium fonts-noto-cjk, or set CHROMIUM)", p)
	}
	return p
}

// desk is a whole Tandem with a desk user per role: "ed" (editor), "tr"
// (translator), "pub" (publisher), each with the password of password.
type desk struct {
	*stacktest.Env
	chrome string
}

const password = "desk password 1"

// people are the desk users the tests sign in as, by role.
var people = map[auth.Role]auth.User{
	auth.Editor:     {ID: "ed", Name: "Ed Editor", Roles: []auth.Role{auth.Editor}},
	auth.Translator: {ID: "tr", Name: "Tr Translator", Roles: []auth.Role{auth.Translator}},
	auth.Publisher:  {ID: "pub", Name: "Pub Publisher", Roles: []auth.Role{auth.Publisher}},
}

func startDesk(t *testing.T) *desk {
	t.Helper()
	chrome := chromium(t)
	e := stacktest.StartWith(t, testkit.StartNATS(t).URL(), nil)
	for _, r := range []auth.Role{auth.Editor, auth.Translator, auth.Publisher} {
		if err := auth.AddUser(e.AuthFile, people[r], password); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Auth.Reload(); err != nil {
		t.Fatal(err)
	}
	return &desk{Env: e, chrome: chrome}
}

// browser is a new headless Chromium, with its own profile (cookies),
// width wide, in language lang ("en-US", "zh-CN"). It closes when the
// test ends.
func (d *desk) browser(t *testing.T, width int, lang string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(d.chrome),
		chromedp.NoSandbox,
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.WindowSize(width, 900),
		chromedp.Flag("lang", lang),
		chromedp.Flag("accept-lang", lang),
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	tctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	// The window cannot be narrower than 500 pixels: a phone's width is
	// emulated.
	if err := chromedp.Do(tctx, chromedp.EmulateViewport(int64(width), 900)); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	return tctx
}

// run runs the steps, failing the test with what it was doing.
func run(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// text is the visible text of the first element sel matches, once it is
// there.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// signIn signs in as the person of role on the sign-in page.
func (d *desk) signIn(t *testing.T, ctx context.Context, r auth.Role) {
	t.Helper()
	run(t, ctx, "signing in as "+string(r),
		chromedp.Navigate(d.DeskURL+"/signin"),
		chromedp.WaitVisible(chromedp.CSS(`#username`)),
		chromedp.SendKeys(chromedp.CSS(`#username`), people[r].ID),
		chromedp.SendKeys(chromedp.CSS(`#password`), password),
		chromedp.Submit(chromedp.CSS(`#password`)),
		chromedp.WaitVisible(chromedp.CSS(`#signout`)),
	)
}

func whoAmI(cl *client.Client, token string) error {
	_, err := cl.Sessions.WhoAmI(context.Background(), &authv1.WhoAmIRequest{}, client.Token(token))
	return err
}

func itoa(n int) string { return strconv.Itoa(n) }

// sampleArticle is stacktest's sample article, published by the tests
// that need one public.
func sampleArticle() *articlev1.Article { return stacktest.SampleArticle() }
