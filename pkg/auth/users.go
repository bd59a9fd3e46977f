package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// People sign in with a username (their user id) and a password kept,
// hashed, in the same file as the tokens. The functions here edit that
// file the way `tandem users` does; a running server picks the change up
// through Watch.

// ErrNoUser is a user id the file does not hold.
var ErrNoUser = errors.New("no such user")

// ErrUserExists is a user id the file holds already.
var ErrUserExists = errors.New("a user with this id exists already")

// AddUser adds a user who signs in with password to the file at path,
// creating the file when it does not exist.
func AddUser(path string, u User, password string) error {
	if u.ID == "" {
		return errors.New("a user id is required")
	}
	for _, r := range u.Roles {
		if !r.valid() {
			return fmt.Errorf("unknown role %q (one of %v)", r, Roles)
		}
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	return edit(path, true, func(f *File) error {
		if slices.ContainsFunc(f.Users, func(e entry) bool { return e.ID == u.ID }) {
			return fmt.Errorf("%s: %w", u.ID, ErrUserExists)
		}
		f.Users = append(f.Users, entry{User: u, PasswordHash: hash})
		return nil
	})
}

// SetPassword sets the password of the user id in the file at path.
func SetPassword(path, id, password string) error {
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	return edit(path, false, func(f *File) error {
		i := slices.IndexFunc(f.Users, func(e entry) bool { return e.ID == id })
		if i < 0 {
			return fmt.Errorf("%s: %w", id, ErrNoUser)
		}
		f.Users[i].PasswordHash = hash
		return nil
	})
}

// RemoveUser removes the user id, token and password, from the file at
// path. Their sessions end with it: a session is only as good as its
// user's entry.
func RemoveUser(path, id string) error {
	return edit(path, false, func(f *File) error {
		n := len(f.Users)
		f.Users = slices.DeleteFunc(f.Users, func(e entry) bool { return e.ID == id })
		if len(f.Users) == n {
			return fmt.Errorf("%s: %w", id, ErrNoUser)
		}
		return nil
	})
}

// edit applies change to the file at path and writes it back, after
// checking that the result still loads.
func edit(path string, create bool, change func(*File) error) error {
	var f File
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist) && create:
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(b, &f); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	if err := change(&f); err != nil {
		return err
	}
	if _, err := f.index(); err != nil {
		return err
	}
	return writeFile(path, f)
}

// dummyHash is verified against when a username is unknown, so a wrong
// username costs the same time as a wrong password and does not reveal
// which usernames exist.
var dummyHash = sync.OnceValue(func() string {
	h, err := HashPassword("not the password of anybody")
	if err != nil {
		panic(err) // only crypto/rand can fail, and it does not
	}
	return h
})

// CheckPassword returns the user whose id and password these are.
func (s *Store) CheckPassword(id, password string) (User, bool) {
	e, ok := (*s.accounts.Load())[id]
	if !ok || e.PasswordHash == "" {
		VerifyPassword(dummyHash(), password)
		return User{}, false
	}
	if !VerifyPassword(e.PasswordHash, password) {
		return User{}, false
	}
	return e.User, true
}

// User returns the user with the id, if the file holds them.
func (s *Store) User(id string) (User, bool) {
	e, ok := (*s.accounts.Load())[id]
	return e.User, ok
}

// Sessions looks up session tokens: the tokens people receive when they
// sign in with a password (services/session keeps them in JetStream).
type Sessions interface {
	// Lookup returns the user id of a live session token, renewing its
	// idle time, and ErrNoSession when the token is no session.
	Lookup(ctx context.Context, token string) (userID string, err error)
}

// ErrNoSession is a token that is no live session.
var ErrNoSession = errors.New("no such session")

// UseSessions makes Authorize accept the live sessions of s as bearer
// tokens, for the user each was opened by.
func (s *Store) UseSessions(ss Sessions) { s.sessions.Store(&ss) }

// session returns the user of a session token. A store of sessions that
// cannot answer is Unavailable: the caller may be signed in, and must
// not be told otherwise.
func (s *Store) session(ctx context.Context, token string) (User, bool, error) {
	ss := s.sessions.Load()
	if ss == nil {
		return User{}, false, nil
	}
	id, err := (*ss).Lookup(ctx, token)
	if errors.Is(err, ErrNoSession) {
		return User{}, false, nil
	}
	if err != nil {
		return User{}, false, status.Error(codes.Unavailable, "sessions cannot be checked right now; try again in a moment")
	}
	u, ok := s.User(id)
	return u, ok, nil
}

// Bearer returns the bearer token a call carries, or "".
func Bearer(ctx context.Context) string { return bearer(ctx) }

// HasPassword reports whether the user id can sign in with a password.
func (s *Store) HasPassword(id string) bool {
	return (*s.accounts.Load())[id].PasswordHash != ""
}
