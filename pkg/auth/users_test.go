package auth

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

func TestPasswordsAreArgon2idHashesThatOnlyTheirPasswordMatches(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q", h)
	}
	h2, _ := HashPassword("correct horse battery")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	if !VerifyPassword(h, "correct horse battery") || VerifyPassword(h, "correct horse batterx") || VerifyPassword("$argon2id$v=19$m=1,t=1,p=1$x$y", "x") {
		t.Fatal("verification wrong")
	}
	if _, err := HashPassword("short"); !errors.Is(err, ErrWeakPassword) {
		t.Fatalf("a short password: %v", err)
	}
}

func TestUsersAreAddedGivenPasswordsAndRemovedInTheTokenFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "auth.json")
	if err := Write(path, []Grant{{User: User{ID: "bot", Roles: []Role{Editor}}, Token: "tdm_bot"}}); err != nil {
		t.Fatal(err)
	}
	if err := AddUser(path, User{ID: "ana", Name: "Ana", Roles: []Role{Translator}}, "first password"); err != nil {
		t.Fatal(err)
	}
	if err := AddUser(path, User{ID: "ana", Roles: []Role{Editor}}, "first password"); !errors.Is(err, ErrUserExists) {
		t.Fatalf("adding ana twice: %v", err)
	}
	if err := AddUser(path, User{ID: "bo", Roles: []Role{"boss"}}, "first password"); err == nil {
		t.Fatal("an unknown role was added")
	}
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if u, ok := s.CheckPassword("ana", "first password"); !ok || u.Name != "Ana" || !u.Has(Translator) {
		t.Fatalf("ana: %v %v", u, ok)
	}
	if _, ok := s.Authenticate("tdm_bot"); !ok {
		t.Fatal("the token of bot is lost")
	}
	if _, ok := s.CheckPassword("bot", ""); ok || s.HasPassword("bot") {
		t.Fatal("bot, who has no password, signs in")
	}
	if err := SetPassword(path, "ana", "second password"); err != nil {
		t.Fatal(err)
	}
	if err := SetPassword(path, "nobody", "second password"); !errors.Is(err, ErrNoUser) {
		t.Fatalf("nobody's password: %v", err)
	}
	_ = s.Reload()
	if _, ok := s.CheckPassword("ana", "first password"); ok {
		t.Fatal("the old password still works")
	}
	if _, ok := s.CheckPassword("ana", "second password"); !ok {
		t.Fatal("the new password does not work")
	}
	if err := RemoveUser(path, "ana"); err != nil {
		t.Fatal(err)
	}
	_ = s.Reload()
	if _, ok := s.User("ana"); ok {
		t.Fatal("ana is still there")
	}
	b, _ := os.ReadFile(path)
	if strings.Contains(string(b), "second password") {
		t.Fatal("a password is stored in clear")
	}
}

type sessions map[string]string

func (s sessions) Lookup(_ context.Context, token string) (string, error) {
	if id, ok := s[token]; ok {
		return id, nil
	}
	if token == "tdm_broken" {
		return "", errors.New("nats: timeout")
	}
	return "", ErrNoSession
}

func TestAuthorizeAcceptsALiveSessionAsItsUser(t *testing.T) {
	path := filepath.Join(t.TempDir(), "auth.json")
	if err := AddUser(path, User{ID: "ana", Roles: []Role{Editor}}, "first password"); err != nil {
		t.Fatal(err)
	}
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	p := Policy{"/m": {Editor}}
	call := func(tok string) (User, error) {
		ctx := metadata.NewIncomingContext(context.Background(), metadata.Pairs("authorization", "Bearer "+tok))
		ctx, err := s.Authorize(ctx, "/m", p)
		if err != nil {
			return User{}, err
		}
		u, _ := FromContext(ctx)
		return u, nil
	}
	if _, err := call("tdm_session"); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("without sessions: %v", err)
	}
	s.UseSessions(sessions{"tdm_session": "ana", "tdm_gone": "removed-user"})
	if u, err := call("tdm_session"); err != nil || u.ID != "ana" {
		t.Fatalf("a live session: %v %v", u, err)
	}
	if _, err := call("tdm_gone"); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("the session of a removed user: %v", err)
	}
	if _, err := call("tdm_broken"); status.Code(err) != codes.Unavailable {
		t.Fatalf("sessions not answering: %v", err)
	}
}
