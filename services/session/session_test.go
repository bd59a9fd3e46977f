package session_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tandemnews/tandem/internal/client"
	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/testkit"
	authv1 "github.com/tandemnews/tandem/proto/tandem/auth/v1"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	"github.com/tandemnews/tandem/services/session"
)

const password = "correct horse battery"

// env is a whole stack with a user "ana" (editor) who signs in with
// password.
func env(t *testing.T) (*stacktest.Env, *client.Client) {
	t.Helper()
	e := stacktest.StartWith(t, testkit.StartNATS(t).URL(), nil)
	if err := auth.AddUser(e.AuthFile, auth.User{ID: "ana", Name: "Ana Li", Roles: []auth.Role{auth.Editor}}, password); err != nil {
		t.Fatal(err)
	}
	if err := e.Auth.Reload(); err != nil {
		t.Fatal(err)
	}
	cl, err := client.Dial(e.GRPCAddr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return e, cl
}

func signIn(ctx context.Context, t *testing.T, cl *client.Client, user, pw string) (*authv1.SignInResponse, error) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		res, err := cl.Sessions.SignIn(ctx, &authv1.SignInRequest{Username: user, Password: pw})
		// The buckets are created as the stack starts.
		if status.Code(err) != codes.Unavailable || time.Now().After(deadline) {
			return res, err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestASessionIsABearerTokenOfItsUserUntilSignedOut(t *testing.T) {
	ctx := context.Background()
	_, cl := env(t)
	res, err := signIn(ctx, t, cl, "ana", password)
	if err != nil {
		t.Fatal(err)
	}
	if res.User.Id != "ana" || res.User.Name != "Ana Li" || strings.Join(res.User.Roles, ",") != "editor" {
		t.Fatalf("signed in as %v", res.User)
	}
	tok := client.Token(res.Token)
	who, err := cl.Sessions.WhoAmI(ctx, &authv1.WhoAmIRequest{}, tok)
	if err != nil || who.User.Id != "ana" || who.SignedInAt == nil {
		t.Fatalf("WhoAmI = %v, %v", who, err)
	}
	// The other services accept it as ana's, with ana's roles.
	if _, err := cl.Drafting.ListDrafts(ctx, &draftingv1.ListDraftsRequest{}, tok); err != nil {
		t.Fatalf("ListDrafts with the session: %v", err)
	}
	if _, err := cl.Drafting.PurgeArticle(ctx, &draftingv1.PurgeArticleRequest{Id: "x", Reason: "r"}, tok); status.Code(err) != codes.PermissionDenied {
		t.Fatalf("an editor's session purged: %v", err)
	}
	if _, err := cl.Sessions.SignOut(ctx, &authv1.SignOutRequest{}, tok); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.Drafting.ListDrafts(ctx, &draftingv1.ListDraftsRequest{}, tok); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("ListDrafts after signing out: %v", err)
	}
}

func TestRemovingAUserEndsTheirSessions(t *testing.T) {
	ctx := context.Background()
	e, cl := env(t)
	res, err := signIn(ctx, t, cl, "ana", password)
	if err != nil {
		t.Fatal(err)
	}
	if err := auth.RemoveUser(e.AuthFile, "ana"); err != nil {
		t.Fatal(err)
	}
	if err := e.Auth.Reload(); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.Sessions.WhoAmI(ctx, &authv1.WhoAmIRequest{}, client.Token(res.Token)); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("WhoAmI of a removed user: %v", err)
	}
}

func TestWrongPasswordsLockTheAccountAndSayNothingAboutWhichPartWasWrong(t *testing.T) {
	ctx := context.Background()
	_, cl := env(t)
	_, errUnknown := signIn(ctx, t, cl, "nobody", password)
	_, errWrong := signIn(ctx, t, cl, "ana", "not the password")
	if status.Code(errUnknown) != codes.Unauthenticated || status.Code(errWrong) != codes.Unauthenticated {
		t.Fatalf("unknown user: %v; wrong password: %v", errUnknown, errWrong)
	}
	if status.Convert(errUnknown).Message() != status.Convert(errWrong).Message() {
		t.Fatalf("the answers tell an unknown user from a wrong password: %q, %q", errUnknown, errWrong)
	}
	for range session.DefaultMaxFailures - 1 {
		if _, err := signIn(ctx, t, cl, "ana", "not the password"); status.Code(err) != codes.Unauthenticated {
			t.Fatal(err)
		}
	}
	// Locked now: even the right password is refused, with a sentence.
	_, err := signIn(ctx, t, cl, "ana", password)
	if status.Code(err) != codes.ResourceExhausted || !strings.Contains(status.Convert(err).Message(), "too many failed sign-ins for ana") {
		t.Fatalf("the locked account answered %v", err)
	}
}

func TestSignInNamesEveryMissingField(t *testing.T) {
	_, cl := env(t)
	_, err := signIn(context.Background(), t, cl, " ", "")
	if status.Code(err) != codes.InvalidArgument {
		t.Fatal(err)
	}
	msg := status.Convert(err).Message()
	if !strings.Contains(msg, "username") || !strings.Contains(msg, "password") {
		t.Fatalf("%q does not name both fields", msg)
	}
}

func TestASessionLeftIdleEndsAndOneInUseIsRenewed(t *testing.T) {
	ctx := context.Background()
	bus := testkit.Bus(t, testkit.StartNATS(t).URL())
	dir := t.TempDir()
	file := dir + "/auth.json"
	if err := auth.AddUser(file, auth.User{ID: "ana", Roles: []auth.Role{auth.Editor}}, password); err != nil {
		t.Fatal(err)
	}
	users, err := auth.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	s := session.New(bus, users, session.Options{IdleTimeout: 10 * time.Minute})
	var offset atomic.Int64
	s.SetClock(func() time.Time { return time.Now().Add(time.Duration(offset.Load())) })
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error)
	go func() { done <- s.Run(rctx) }()
	t.Cleanup(func() { cancel(); <-done })

	var res *authv1.SignInResponse
	for deadline := time.Now().Add(10 * time.Second); ; {
		res, err = s.SignIn(ctx, &authv1.SignInRequest{Username: "ana", Password: password})
		if status.Code(err) != codes.Unavailable || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	if res.IdleTimeoutSeconds != 600 {
		t.Fatalf("idle timeout %d s", res.IdleTimeoutSeconds)
	}
	look := func() error { _, err := s.Sessions().Lookup(ctx, res.Token); return err }
	// Nine minutes on it is alive, and its use renews it (written more
	// than a minute ago)...
	offset.Store(int64(9 * time.Minute))
	if err := look(); err != nil {
		t.Fatalf("after 9 idle minutes: %v", err)
	}
	// ...so nine minutes after that use it is alive still.
	offset.Store(int64(18 * time.Minute))
	if err := look(); err != nil {
		t.Fatalf("9 minutes after its last use: %v", err)
	}
	// Eleven minutes without use end it.
	offset.Store(int64(18*time.Minute + 11*time.Minute))
	if err := look(); err != auth.ErrNoSession {
		t.Fatalf("after 11 idle minutes: %v", err)
	}
}

func TestBeforeTheBucketsExistATokenIsNoSessionNotAnOutage(t *testing.T) {
	bus := testkit.Bus(t, testkit.StartNATS(t).URL())
	users, err := auth.Load(writeEmpty(t))
	if err != nil {
		t.Fatal(err)
	}
	s := session.New(bus, users, session.Options{})
	if _, err := s.Sessions().Lookup(context.Background(), "tdm_unknown"); err != auth.ErrNoSession {
		t.Fatalf("Lookup before Run: %v", err)
	}
}

func writeEmpty(t *testing.T) string {
	t.Helper()
	path := t.TempDir() + "/auth.json"
	if err := auth.Write(path, []auth.Grant{{User: auth.User{ID: "bot"}, Token: "tdm_bot"}}); err != nil {
		t.Fatal(err)
	}
	return path
}
