package auth_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/tandemnews/tandem/pkg/auth"
)

func write(t *testing.T, grants ...auth.Grant) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "auth.json")
	if err := auth.Write(p, grants); err != nil {
		t.Fatal(err)
	}
	return p
}

func call(token string) context.Context {
	md := metadata.MD{}
	if token != "" {
		md.Set("authorization", "Bearer "+token)
	}
	return metadata.NewIncomingContext(context.Background(), md)
}

func TestAuthorizeMapsTokensToRoles(t *testing.T) {
	ed, admin := auth.NewToken(), auth.NewToken()
	s, err := auth.Load(write(t,
		auth.Grant{User: auth.User{ID: "ed", Roles: []auth.Role{auth.Editor}}, Token: ed},
		auth.Grant{User: auth.User{ID: "root", Roles: []auth.Role{auth.Admin}}, Token: admin},
	))
	if err != nil {
		t.Fatal(err)
	}
	p := auth.Policy{"/x/Edit": {auth.Editor}, "/x/Publish": {auth.Publisher}, "/x/Public": auth.Public}
	for _, c := range []struct {
		name, token, method string
		want                codes.Code
	}{
		{"editor edits", ed, "/x/Edit", codes.OK},
		{"editor may not publish", ed, "/x/Publish", codes.PermissionDenied},
		{"no token", "", "/x/Edit", codes.Unauthenticated},
		{"unknown token", "tdm_nope", "/x/Edit", codes.Unauthenticated},
		{"public needs no token", "", "/x/Public", codes.OK},
		{"admin may do anything", admin, "/x/Publish", codes.OK},
		{"a method missing from the policy is closed", ed, "/x/Unlisted", codes.PermissionDenied},
		{"admin may call it", admin, "/x/Unlisted", codes.OK},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx, err := s.Authorize(call(c.token), c.method, p)
			if got := status.Code(err); got != c.want {
				t.Fatalf("code %v (%v), want %v", got, err, c.want)
			}
			if c.want == codes.OK && c.token != "" {
				if _, ok := auth.FromContext(ctx); !ok {
					t.Fatal("no user in context")
				}
			}
		})
	}
}

func TestTokenFileHoldsOnlyHashes(t *testing.T) {
	tok := auth.NewToken()
	p := write(t, auth.Grant{User: auth.User{ID: "ed", Roles: []auth.Role{auth.Editor}}, Token: tok})
	b, _ := os.ReadFile(p)
	if contains(string(b), tok) {
		t.Fatal("the token file holds the plain token")
	}
	if !contains(string(b), auth.Hash(tok)) {
		t.Fatal("the token file lacks the token's hash")
	}
}

func TestReloadRotatesTokensWithoutRestart(t *testing.T) {
	old, fresh := auth.NewToken(), auth.NewToken()
	p := write(t, auth.Grant{User: auth.User{ID: "ed", Roles: []auth.Role{auth.Editor}}, Token: old})
	s, err := auth.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := auth.Write(p, []auth.Grant{{User: auth.User{ID: "ed", Roles: []auth.Role{auth.Editor}}, Token: fresh}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Reload(); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Authenticate(old); ok {
		t.Error("the old token still works")
	}
	if _, ok := s.Authenticate(fresh); !ok {
		t.Error("the new token does not work")
	}
}

func TestLoadRejectsBadFiles(t *testing.T) {
	for name, body := range map[string]string{
		"unknown role": `{"users":[{"id":"a","roles":["owner"],"token_sha256":"` + auth.Hash("x") + `"}]}`,
		"short hash":   `{"users":[{"id":"a","roles":["editor"],"token_sha256":"abc"}]}`,
		"no id":        `{"users":[{"roles":["editor"],"token_sha256":"` + auth.Hash("x") + `"}]}`,
		"not json":     `users: []`,
	} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "auth.json")
			os.WriteFile(p, []byte(body), 0o600)
			if _, err := auth.Load(p); err == nil {
				t.Fatal("loaded a bad file")
			}
		})
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func TestWatchPicksUpANewTokenFile(t *testing.T) {
	old, fresh := auth.NewToken(), auth.NewToken()
	p := write(t, auth.Grant{User: auth.User{ID: "ed", Roles: []auth.Role{auth.Editor}}, Token: old})
	s, err := auth.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	defer func() { cancel(); <-stopped }() // before the folder is removed
	go func() { defer close(stopped); s.Watch(ctx, 10*time.Millisecond, func(err error) { t.Error(err) }) }()
	time.Sleep(20 * time.Millisecond)
	if err := auth.Write(p, []auth.Grant{{User: auth.User{ID: "ed", Roles: []auth.Role{auth.Editor}}, Token: fresh}}); err != nil {
		t.Fatal(err)
	}
	// Make sure the change is visible even on a coarse file clock.
	future := time.Now().Add(time.Second)
	if err := os.Chtimes(p, future, future); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); ; {
		_, newOK := s.Authenticate(fresh)
		_, oldOK := s.Authenticate(old)
		if newOK && !oldOK {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the rotated token file was not picked up")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
