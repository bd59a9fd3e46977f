package session

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/events"
)

// renewEvery is how often a session in use is written again to restart
// its idle time: the bucket's age limit counts from the last write, and
// NATS 2.9 has no per-key TTL to touch instead.
const renewEvery = time.Minute

// errNotReady is the buckets not created yet (NATS not answering at start).
var errNotReady = errors.New("the session store is not ready")

// record is what a session key holds.
type record struct {
	User     string    `json:"user"`
	SignedIn time.Time `json:"signed_in"`
	// Used is when the session was last renewed. The bucket's age limit
	// removes an idle session in the end; Used ends it on time between
	// two sweeps of the server.
	Used time.Time `json:"used"`
}

// Store holds the sessions and the failed sign-ins in two JetStream
// key-value buckets named after the editorial stream, so that test
// streams on a shared server get buckets of their own.
type Store struct {
	js       jetstream.JetStream
	name     string
	idle     time.Duration
	lockout  time.Duration
	sessions atomic.Pointer[jetstream.KeyValue]
	failedKV atomic.Pointer[jetstream.KeyValue]
	log      *slog.Logger
	now      func() time.Time
}

func newStore(bus *events.Bus, idle, lockout time.Duration, log *slog.Logger) *Store {
	return &Store{js: bus.JetStream(), name: bus.Config().EditorialStream, idle: idle, lockout: lockout, log: log, now: time.Now}
}

// Buckets are the names of the two buckets of an editorial stream.
func Buckets(editorialStream string) (sessions, failures string) {
	return editorialStream + "_SESSIONS", editorialStream + "_SIGNIN_FAILURES"
}

func (s *Store) open(ctx context.Context) error {
	sn, fn := Buckets(s.name)
	kv, err := s.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: sn, Description: "Tandem sign-in sessions by token SHA-256; the age limit is the idle timeout", TTL: s.idle, History: 1})
	if err != nil {
		return err
	}
	fkv, err := s.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: fn, Description: "Tandem failed sign-ins in a row, by account", TTL: s.lockout, History: 1})
	if err != nil {
		return err
	}
	s.sessions.Store(&kv)
	s.failedKV.Store(&fkv)
	return nil
}

func key(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

func (s *Store) buckets() (jetstream.KeyValue, jetstream.KeyValue, error) {
	kv, fkv := s.sessions.Load(), s.failedKV.Load()
	if kv == nil || fkv == nil {
		return nil, nil, errNotReady
	}
	return *kv, *fkv, nil
}

// Open starts a session for the user id and returns its token.
func (s *Store) Open(ctx context.Context, user string) (token string, at time.Time, err error) {
	kv, _, err := s.buckets()
	if err != nil {
		return "", time.Time{}, err
	}
	token = auth.NewToken()
	at = s.now().UTC()
	b, _ := json.Marshal(record{User: user, SignedIn: at, Used: at})
	if _, err := kv.Create(ctx, key(token), b); err != nil {
		return "", time.Time{}, err
	}
	return token, at, nil
}

// Close ends the session of token; a token that is no session is left
// alone.
func (s *Store) Close(ctx context.Context, token string) error {
	kv, _, err := s.buckets()
	if err != nil {
		return err
	}
	return kv.Purge(ctx, key(token))
}

// sessionBucket is the bucket of sessions. Before Run has created or
// updated it (a service just started, NATS slow to answer), it is looked
// up as it is; when it does not exist, nobody is signed in.
func (s *Store) sessionBucket(ctx context.Context) (jetstream.KeyValue, error) {
	if kv := s.sessions.Load(); kv != nil {
		return *kv, nil
	}
	name, _ := Buckets(s.name)
	kv, err := s.js.KeyValue(ctx, name)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		return nil, auth.ErrNoSession
	}
	return kv, err
}

// get returns the live session of token.
func (s *Store) get(ctx context.Context, token string) (record, jetstream.KeyValueEntry, error) {
	kv, err := s.sessionBucket(ctx)
	if err != nil {
		return record{}, nil, err
	}
	e, err := kv.Get(ctx, key(token))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return record{}, nil, auth.ErrNoSession
	}
	if err != nil {
		return record{}, nil, err
	}
	var r record
	if err := json.Unmarshal(e.Value(), &r); err != nil || r.User == "" {
		return record{}, nil, auth.ErrNoSession
	}
	if s.now().Sub(r.Used) > s.idle {
		return record{}, nil, auth.ErrNoSession
	}
	return r, e, nil
}

// Lookup implements auth.Sessions: the user of a live session, renewed
// when its last write is more than a minute old.
func (s *Store) Lookup(ctx context.Context, token string) (string, error) {
	if len(token) > 256 {
		return "", auth.ErrNoSession
	}
	r, e, err := s.get(ctx, token)
	if err != nil {
		return "", err
	}
	if now := s.now(); now.Sub(r.Used) > renewEvery {
		kv, err := s.sessionBucket(ctx)
		if err != nil {
			return r.User, nil // renewed at the next use
		}
		r.Used = now.UTC()
		b, _ := json.Marshal(r)
		// Two calls renewing at once: one wins, and that is enough.
		if _, err := kv.Update(ctx, e.Key(), b, e.Revision()); err != nil && !errors.Is(err, jetstream.ErrKeyExists) {
			s.log.Warn("session not renewed", "user", r.User, "err", err)
		}
	}
	return r.User, nil
}

// failed counts a failed sign-in of the account.
func (s *Store) failed(ctx context.Context, user string) {
	_, fkv, err := s.buckets()
	if err != nil {
		return
	}
	k := key("user:" + user)
	n, rev := s.failuresOf(ctx, fkv, k)
	v := []byte(strconv.Itoa(n + 1))
	if rev == 0 {
		_, err = fkv.Create(ctx, k, v)
	} else {
		_, err = fkv.Update(ctx, k, v, rev)
	}
	if err != nil && !errors.Is(err, jetstream.ErrKeyExists) {
		s.log.Warn("failed sign-in not counted", "user", user, "err", err)
	}
}

// failures is how many sign-ins of the account failed in a row.
func (s *Store) failures(ctx context.Context, user string) int {
	_, fkv, err := s.buckets()
	if err != nil {
		return 0
	}
	n, _ := s.failuresOf(ctx, fkv, key("user:"+user))
	return n
}

func (s *Store) failuresOf(ctx context.Context, fkv jetstream.KeyValue, k string) (int, uint64) {
	e, err := fkv.Get(ctx, k)
	if err != nil {
		return 0, 0
	}
	n, _ := strconv.Atoi(string(e.Value()))
	return n, e.Revision()
}

// succeeded clears the failures of the account.
func (s *Store) succeeded(ctx context.Context, user string) {
	if _, fkv, err := s.buckets(); err == nil {
		_ = fkv.Purge(ctx, key("user:"+user))
	}
}
