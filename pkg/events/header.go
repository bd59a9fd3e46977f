package events

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Header values follow the CloudEvents NATS protocol binding (binary
// mode, "NATS Header Values"): every byte of a space, a double quote, a
// percent sign, or anything outside printable US-ASCII (0x21-0x7E) is
// percent-encoded with upper-case hex digits. A user id or a subject in
// Chinese thus travels as %E5%BC%A0..., which any NATS client carries
// unchanged.

// encodeHeader percent-encodes v as the binding says.
func encodeHeader(v string) string {
	if !needsEncoding(v) {
		return v
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(v) * 3)
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c <= ' ' || c >= 0x7F || c == '"' || c == '%' {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0x0F])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func needsEncoding(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c <= ' ' || c >= 0x7F || c == '"' || c == '%' {
			return true
		}
	}
	return false
}

var errHeaderValue = errors.New("not a valid header value")

// decodeHeader undoes encodeHeader. As the binding asks, a double-quoted
// value is unquoted first, lower-case hex and needless escapes are
// accepted, and a result that is not UTF-8 is refused. Values written
// before the encoding was applied (plain ASCII, or raw UTF-8) read as
// they were.
func decodeHeader(v string) (string, error) {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		var b strings.Builder
		for i := 1; i < len(v)-1; i++ {
			if v[i] == '\\' && i+1 < len(v)-1 {
				i++
			}
			b.WriteByte(v[i])
		}
		v = b.String()
	}
	if !strings.Contains(v, "%") {
		if !utf8.ValidString(v) {
			return "", fmt.Errorf("%w: not UTF-8", errHeaderValue)
		}
		return v, nil
	}
	out := make([]byte, 0, len(v))
	for i := 0; i < len(v); i++ {
		if v[i] != '%' {
			out = append(out, v[i])
			continue
		}
		if i+2 >= len(v) {
			return "", fmt.Errorf("%w: a %% without two hex digits", errHeaderValue)
		}
		hi, ok1 := unhex(v[i+1])
		lo, ok2 := unhex(v[i+2])
		if !ok1 || !ok2 {
			return "", fmt.Errorf("%w: %q is not a percent escape", errHeaderValue, v[i:i+3])
		}
		out = append(out, hi<<4|lo)
		i += 2
	}
	if !utf8.Valid(out) {
		return "", fmt.Errorf("%w: not UTF-8", errHeaderValue)
	}
	return string(out), nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
