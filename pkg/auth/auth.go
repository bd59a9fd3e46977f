// Package auth maps per-RPC bearer tokens to users and roles and checks
// every call against a policy of which roles may call which method.
//
// Tokens are never stored: the configuration file holds the hex SHA-256 of
// each token. A call without a token, or with one the file does not know,
// is Unauthenticated; a known user without a role the method allows is
// PermissionDenied. Methods missing from the policy are denied to everyone
// but admins, so a new RPC is closed until somebody opens it. pkg/rpc
// runs Authorize on every call its servers take.
package auth

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// Role is what a user may do.
type Role string

// The roles.
const (
	Editor     Role = "editor"
	Translator Role = "translator"
	Publisher  Role = "publisher"
	Admin      Role = "admin"
)

// Roles lists every role, in the order they are printed.
var Roles = []Role{Editor, Translator, Publisher, Admin}

func (r Role) valid() bool { return slices.Contains(Roles, r) }

// User is an authenticated caller.
type User struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Roles []Role `json:"roles"`
}

// Has reports whether u holds role r.
func (u User) Has(r Role) bool { return slices.Contains(u.Roles, r) }

// entry is one user in the configuration file.
type entry struct {
	User
	// TokenSHA256 is the hex SHA-256 of the user's bearer token; empty
	// for a user who only signs in with a password.
	TokenSHA256 string `json:"token_sha256,omitempty"`
	// PasswordHash is the user's password as an argon2id PHC string
	// (password.go); empty for a user who cannot sign in.
	PasswordHash string `json:"password_hash,omitempty"`
}

// File is the token configuration file.
type File struct {
	Users []entry `json:"users"`
}

// Store holds the users by token hash. It is safe for concurrent use, and
// Reload swaps its contents atomically, so tokens rotate without a restart.
type Store struct {
	path  string
	users atomic.Pointer[map[string]User]
	// accounts holds every entry by user id, for password sign-in and
	// for the users of sessions.
	accounts atomic.Pointer[map[string]entry]
	sessions atomic.Pointer[Sessions]
}

// Load reads the configuration file at path.
func Load(path string) (*Store, error) {
	s := &Store{path: path}
	if err := s.Reload(); err != nil {
		return nil, err
	}
	return s, nil
}

// Reload reads the file again. On error the old users stay in force.
func (s *Store) Reload() error {
	b, err := os.ReadFile(s.path)
	if err != nil {
		return fmt.Errorf("auth: %w", err)
	}
	var f File
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("auth: %s: %w", s.path, err)
	}
	m, err := f.index()
	if err != nil {
		return fmt.Errorf("auth: %s: %w", s.path, err)
	}
	accounts := make(map[string]entry, len(f.Users))
	for _, e := range f.Users {
		e.Name = cmp.Or(e.Name, e.ID)
		accounts[e.ID] = e
	}
	s.accounts.Store(&accounts)
	s.users.Store(&m)
	return nil
}

func (f File) index() (map[string]User, error) {
	m := make(map[string]User, len(f.Users))
	ids := map[string]bool{}
	for i, e := range f.Users {
		if e.ID == "" {
			return nil, fmt.Errorf("users[%d]: id is required", i)
		}
		if ids[e.ID] {
			return nil, fmt.Errorf("users[%d]: duplicate id %q", i, e.ID)
		}
		ids[e.ID] = true
		if e.TokenSHA256 == "" && e.PasswordHash == "" {
			return nil, fmt.Errorf("users[%d] (%s): token_sha256 or password_hash is required", i, e.ID)
		}
		if e.PasswordHash != "" {
			if _, err := parsePHC(e.PasswordHash); err != nil {
				return nil, fmt.Errorf("users[%d] (%s): password_hash: %w", i, e.ID, err)
			}
		}
		if e.TokenSHA256 == "" {
			continue
		}
		h, err := hex.DecodeString(e.TokenSHA256)
		if err != nil || len(h) != sha256.Size {
			return nil, fmt.Errorf("users[%d] (%s): token_sha256 must be 64 hex digits", i, e.ID)
		}
		for _, r := range e.Roles {
			if !r.valid() {
				return nil, fmt.Errorf("users[%d] (%s): unknown role %q", i, e.ID, r)
			}
		}
		if e.Name == "" {
			e.Name = e.ID
		}
		m[strings.ToLower(e.TokenSHA256)] = e.User
	}
	return m, nil
}

// Watch reloads the file whenever it changes (checked every interval)
// until ctx is done, so tokens are added, rotated or revoked without a
// restart. A file that does not load is reported to onError and the
// users in force stay.
func (s *Store) Watch(ctx context.Context, interval time.Duration, onError func(error)) {
	last := modTime(s.path)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if m := modTime(s.path); !m.Equal(last) {
			last = m
			if err := s.Reload(); err != nil && onError != nil {
				onError(err)
			}
		}
	}
}

func modTime(path string) time.Time {
	fi, err := os.Stat(path)
	if err != nil {
		return time.Time{}
	}
	return fi.ModTime()
}

// Authenticate returns the user a token belongs to.
func (s *Store) Authenticate(token string) (User, bool) {
	if token == "" {
		return User{}, false
	}
	u, ok := (*s.users.Load())[Hash(token)]
	return u, ok
}

// Hash returns the hex SHA-256 of a token, as the file stores it.
func Hash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// NewToken returns a fresh random token: 32 random bytes, hex.
func NewToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return "tdm_" + hex.EncodeToString(b)
}

// Grant is one user to write into a new configuration file, with the
// plain token it will use.
type Grant struct {
	User  User
	Token string
}

// Write stores grants as a configuration file (hashes only) at path.
func Write(path string, grants []Grant) error {
	var f File
	for _, g := range grants {
		e := entry{User: g.User}
		if g.Token != "" {
			e.TokenSHA256 = Hash(g.Token)
		}
		f.Users = append(f.Users, e)
	}
	return writeFile(path, f)
}

func writeFile(path string, f File) error {
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	// Written beside and renamed over the old file, so a process that
	// reloads it never reads it half-written.
	tmp, err := os.CreateTemp(filepath.Dir(path), ".auth-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// Policy says which roles may call each full gRPC method name
// ("/tandem.drafting.v1.DraftingService/CreateDraft"). A method mapped to
// Public needs no token at all.
type Policy map[string][]Role

// Public marks a method anyone may call without a token.
var Public = []Role{}

// Anyone marks a method every authenticated caller may call, whatever
// their roles (or none).
var Anyone = []Role{anyone}

// anyone stands for every role in Anyone; no user holds it.
const anyone Role = "*"

type ctxKey struct{}

// WithUser returns ctx carrying u.
func WithUser(ctx context.Context, u User) context.Context {
	return context.WithValue(ctx, ctxKey{}, u)
}

// FromContext returns the caller, if the call was authenticated.
func FromContext(ctx context.Context) (User, bool) {
	u, ok := ctx.Value(ctxKey{}).(User)
	return u, ok
}

// Authorize checks the call's bearer token against the policy and returns
// the context carrying the user.
func (s *Store) Authorize(ctx context.Context, method string, p Policy) (context.Context, error) {
	allowed, known := p[method]
	if known && len(allowed) == 0 {
		return ctx, nil // public
	}
	token := bearer(ctx)
	if token == "" {
		return nil, status.Error(codes.Unauthenticated, "missing bearer token: send 'authorization: Bearer <token>'")
	}
	u, ok := s.Authenticate(token)
	if !ok {
		var err error
		if u, ok, err = s.session(ctx, token); err != nil {
			return nil, err
		}
	}
	if !ok {
		return nil, status.Error(codes.Unauthenticated, "unknown or revoked token, or a session that ended: sign in again")
	}
	if u.Has(Admin) || slices.Contains(allowed, anyone) {
		return WithUser(ctx, u), nil
	}
	for _, r := range allowed {
		if u.Has(r) {
			return WithUser(ctx, u), nil
		}
	}
	if !known {
		allowed = []Role{Admin}
	}
	return nil, status.Errorf(codes.PermissionDenied, "%s requires %s; %s has %s", Action(method), roleNames(allowed, " or "), u.ID, roleNames(u.Roles, " and "))
}

// roleNames is "the publisher role", "the editor or admin role", or "no
// role", joining several with sep.
func roleNames(rs []Role, sep string) string {
	if len(rs) == 0 {
		return "no role"
	}
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	if len(rs) == 1 || sep == " or " {
		return "the " + strings.Join(s, sep) + " role"
	}
	return "the " + strings.Join(s, sep) + " roles"
}

// Presented reports whether a call carries a bearer token at all, right
// or wrong.
func Presented(ctx context.Context) bool { return bearer(ctx) != "" }

func bearer(ctx context.Context) string {
	md, _ := metadata.FromIncomingContext(ctx)
	for _, v := range md.Get("authorization") {
		if len(v) > 7 && strings.EqualFold(v[:7], "bearer ") {
			return strings.TrimSpace(v[7:])
		}
	}
	return ""
}

// Credentials attaches a bearer token to every call of a client
// connection.
type Credentials string

// GetRequestMetadata implements credentials.PerRPCCredentials.
func (c Credentials) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + string(c)}, nil
}

// RequireTransportSecurity implements credentials.PerRPCCredentials. Tokens
// travel in clear on loopback in development; production puts TLS in
// front.
func (c Credentials) RequireTransportSecurity() bool { return false }

// Actor is the authenticated caller of ctx as the actor events record: a
// zero Actor when nobody signed in (public calls).
func Actor(ctx context.Context) *articlev1.Actor {
	u, _ := FromContext(ctx)
	return &articlev1.Actor{UserId: u.ID, Name: u.Name}
}
