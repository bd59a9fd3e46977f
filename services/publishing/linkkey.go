package publishing

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/tandemnews/tandem/pkg/events"
)

// Preview links: a token is base64url("v1|<article id>|<expiry, Unix
// seconds>") "." base64url(HMAC-SHA256 of that text). The 32-byte key is
// made at random by the first replica that needs it and kept in a
// key-value bucket of publishing's, so every replica checks every link.

// maxLinkLife is how far ahead a preview link may expire.
const maxLinkLife = 30 * 24 * time.Hour

var (
	errLinkInvalid = errors.New("is not a valid preview link")
	errLinkExpired = errors.New("has expired")
)

// linkKey holds the signing key once read.
type linkKey struct {
	bus *events.Bus
	mu  sync.Mutex
	key []byte
}

const linkKeyName = "hmac-sha256"

// get returns the key, making and storing it when there is none yet.
// Two replicas making it at once agree: the second one's Create fails
// and it reads the first one's.
func (k *linkKey) get(ctx context.Context) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.key != nil {
		return k.key, nil
	}
	js := k.bus.JetStream()
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: LinkKeyBucket(k.bus.Config()), Description: "Tandem: the key that signs preview links (publishing only)", History: 1})
	if err != nil {
		return nil, fmt.Errorf("preview link key bucket: %w", err)
	}
	e, err := kv.Get(ctx, linkKeyName)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		fresh := make([]byte, 32)
		_, _ = rand.Read(fresh)
		if _, err = kv.Create(ctx, linkKeyName, fresh); err == nil {
			k.key = fresh
			return fresh, nil
		}
		if !errors.Is(err, jetstream.ErrKeyExists) {
			return nil, fmt.Errorf("preview link key: %w", err)
		}
		e, err = kv.Get(ctx, linkKeyName)
	}
	if err != nil {
		return nil, fmt.Errorf("preview link key: %w", err)
	}
	if len(e.Value()) != 32 {
		return nil, errors.New("preview link key: stored key is not 32 bytes")
	}
	k.key = e.Value()
	return k.key, nil
}

func mac(key []byte, payload string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// signLink returns the token for article id until expires.
func signLink(key []byte, id string, expires time.Time) string {
	payload := "v1|" + id + "|" + strconv.FormatInt(expires.Unix(), 10)
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(payload)) + "." + enc.EncodeToString(mac(key, payload))
}

// checkLink returns the article and expiry of a token signed with key,
// errLinkInvalid when it is not one, errLinkExpired when it is past now.
func checkLink(key []byte, token string, now time.Time) (string, time.Time, error) {
	enc := base64.RawURLEncoding
	p, s, ok := strings.Cut(token, ".")
	if !ok {
		return "", time.Time{}, errLinkInvalid
	}
	payload, err1 := enc.DecodeString(p)
	sig, err2 := enc.DecodeString(s)
	if err1 != nil || err2 != nil || !hmac.Equal(sig, mac(key, string(payload))) {
		return "", time.Time{}, errLinkInvalid
	}
	parts := strings.Split(string(payload), "|")
	if len(parts) != 3 || parts[0] != "v1" {
		return "", time.Time{}, errLinkInvalid
	}
	sec, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil {
		return "", time.Time{}, errLinkInvalid
	}
	exp := time.Unix(sec, 0).UTC()
	if !now.Before(exp) {
		return parts[1], exp, errLinkExpired
	}
	return parts[1], exp, nil
}
