package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Passwords are hashed with argon2id (RFC 9106) and kept as PHC strings,
// "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>", so the parameters
// travel with each hash and can be raised later without invalidating the
// hashes already stored. The defaults are OWASP's minimum for argon2id:
// 19 MiB, two passes, one lane.
const (
	argonMemory  = 19 * 1024 // KiB
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// Password limits: long enough to resist guessing, short enough that a
// hash costs what it should.
const (
	MinPasswordRunes = 10
	MaxPasswordBytes = 256
)

// ErrWeakPassword is a password outside the limits.
var ErrWeakPassword = fmt.Errorf("a password has at least %d characters and at most %d bytes", MinPasswordRunes, MaxPasswordBytes)

// CheckPasswordRules returns ErrWeakPassword for a password outside the
// limits.
func CheckPasswordRules(pw string) error {
	if utf8.RuneCountInString(pw) < MinPasswordRunes || len(pw) > MaxPasswordBytes {
		return ErrWeakPassword
	}
	return nil
}

// HashPassword returns the argon2id PHC string of pw.
func HashPassword(pw string) (string, error) {
	if err := CheckPasswordRules(pw); err != nil {
		return "", err
	}
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	p := phc{memory: argonMemory, time: argonTime, threads: argonThreads, salt: salt}
	p.key = argon2.IDKey([]byte(pw), salt, p.time, p.memory, p.threads, argonKeyLen)
	return p.String(), nil
}

// VerifyPassword reports whether pw matches the PHC string hash, in time
// that does not depend on where they differ.
func VerifyPassword(hash, pw string) bool {
	p, err := parsePHC(hash)
	if err != nil || len(pw) > MaxPasswordBytes {
		return false
	}
	key := argon2.IDKey([]byte(pw), p.salt, p.time, p.memory, p.threads, uint32(len(p.key)))
	return subtle.ConstantTimeCompare(key, p.key) == 1
}

// phc is a parsed argon2id PHC string.
type phc struct {
	memory, time uint32
	threads      uint8
	salt, key    []byte
}

func (p phc) String() string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.memory, p.time, p.threads, b64.EncodeToString(p.salt), b64.EncodeToString(p.key))
}

var errPHC = errors.New(`not an argon2id hash ("$argon2id$v=19$m=...,t=...,p=...$salt$hash")`)

func parsePHC(s string) (phc, error) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return phc{}, errPHC
	}
	var p phc
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.memory, &p.time, &p.threads); err != nil {
		return phc{}, errPHC
	}
	// Bounds keep a hand-edited file from making every sign-in cost
	// gigabytes or minutes.
	if p.memory < 8 || p.memory > 1<<20 || p.time < 1 || p.time > 16 || p.threads < 1 {
		return phc{}, errPHC
	}
	var err1, err2 error
	p.salt, err1 = base64.RawStdEncoding.DecodeString(parts[4])
	p.key, err2 = base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(p.salt) < 8 || len(p.key) < 16 {
		return phc{}, errPHC
	}
	return p, nil
}
