// Package hook holds the rules of webhooks: what an endpoint may be (its
// URL, the addresses it may reach, the event types it wants), how a
// delivery is signed (Standard Webhooks: HMAC-SHA256 over id, timestamp
// and body), and when a failed delivery is tried again.
package hook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tandemnews/tandem/pkg/field"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
)

// Limits of an endpoint.
const (
	// MaxURLLength bounds an endpoint's URL.
	MaxURLLength = 2048
	// MaxDescriptionRunes bounds its description.
	MaxDescriptionRunes = 200
	// MaxEndpoints bounds how many endpoints exist at once.
	MaxEndpoints = 100
	// DefaultOverlap is how long old secrets go on signing after a
	// rotation, unless the admin says otherwise.
	DefaultOverlap = 24 * time.Hour
	// MaxOverlap bounds that time.
	MaxOverlap = 7 * 24 * time.Hour
	// MaxRedeliver bounds the dead letters one Redeliver sends.
	MaxRedeliver = 100
)

// Errors of the rules.
var (
	// ErrNotFound: no endpoint has the id.
	ErrNotFound = errors.New("no such webhook endpoint")
	// ErrTooMany: MaxEndpoints exist already.
	ErrTooMany = fmt.Errorf("there are %d webhook endpoints already, the most Tandem keeps; remove one first", MaxEndpoints)
)

// Types are the event types an endpoint can receive: those of PUBLIC.
var Types = []string{eventsv1.ArticlePublished, eventsv1.ArticleCorrected, eventsv1.ArticleUnpublished}

// Request is what an admin asks for when adding an endpoint.
type Request struct {
	URL          string
	EventTypes   []string
	AllowPrivate bool
	Description  string
}

// Check adds a violation for every field of r that is wrong, with paths
// as the request's fields. The URL's host is not resolved here; see
// Guard.CheckHost.
func (r Request) Check(v *field.Violations) {
	if _, err := ParseURL(r.URL); err != nil {
		v.Add("url", "%s", err)
	}
	for i, t := range r.EventTypes {
		if !slices.Contains(Types, t) {
			v.Add(fmt.Sprintf("event_types[%d]", i), "%q is not a public event type; one of %s", t, strings.Join(Types, ", "))
		}
	}
	field.Line.Check(v, "description", r.Description)
	if n := utf8.RuneCountInString(r.Description); n > MaxDescriptionRunes {
		v.Add("description", "is %d characters; at most %d", n, MaxDescriptionRunes)
	}
}

// Wants reports whether an endpoint that asked for types receives an
// event of type t.
func Wants(types []string, t string) bool {
	return len(types) == 0 && slices.Contains(Types, t) || slices.Contains(types, t)
}

// SecretPrefix starts every signing secret, as Standard Webhooks writes
// them.
const SecretPrefix = "whsec_"

// NewSecret returns a new signing secret: SecretPrefix and the base64 of
// 24 random bytes.
func NewSecret() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return SecretPrefix + base64.StdEncoding.EncodeToString(b)
}

// Sign returns the webhook-signature value of a delivery signed with
// every secret: "v1,<base64 HMAC-SHA256(key, id.timestamp.body)>" per
// secret, separated by spaces, so a receiver holding any one of them
// verifies it.
func Sign(secrets []string, id string, at time.Time, body []byte) (string, error) {
	sigs := make([]string, 0, len(secrets))
	for _, s := range secrets {
		key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, SecretPrefix))
		if err != nil {
			return "", fmt.Errorf("a signing secret is not base64: %w", err)
		}
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte(id + "." + strconv.FormatInt(at.Unix(), 10) + "."))
		mac.Write(body)
		sigs = append(sigs, "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	}
	if len(sigs) == 0 {
		return "", errors.New("no signing secret")
	}
	return strings.Join(sigs, " "), nil
}

// Schedule is the delay before each retry of a failed delivery: a
// delivery is tried len(Schedule)+1 times, then dead-lettered.
type Schedule []time.Duration

// DefaultSchedule retries after 5 seconds, 5 minutes, 30 minutes, 2, 5,
// 10 and 10 hours: eight tries over about 27.5 hours, the schedule the
// Standard Webhooks guide suggests.
var DefaultSchedule = Schedule{5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour}

// Next returns how long to wait after try number tries (1 for the first)
// failed, and false when that was the last try.
func (s Schedule) Next(tries int) (time.Duration, bool) {
	if tries < 1 || tries > len(s) {
		return 0, false
	}
	return s[tries-1], true
}

// Tries is how many times a delivery is tried in all.
func (s Schedule) Tries() int { return len(s) + 1 }
