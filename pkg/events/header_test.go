package events

import (
	"strings"
	"testing"
)

func TestHeaderValuesArePercentEncodedAsTheNATSBindingSays(t *testing.T) {
	for in, want := range map[string]string{
		"tandem.article.published": "tandem.article.published",
		"Euro € 😀":                 "Euro%20%E2%82%AC%20%F0%9F%98%80",
		`a "quoted" 100%`:          "a%20%22quoted%22%20100%25",
		"张三":                       "%E5%BC%A0%E4%B8%89",
		"tab\there":                "tab%09here",
	} {
		got := encodeHeader(in)
		if got != want {
			t.Errorf("encodeHeader(%q) = %q, want %q", in, got, want)
		}
		for i := 0; i < len(got); i++ {
			if c := got[i]; c < 0x21 || c > 0x7E {
				t.Errorf("encodeHeader(%q) holds byte %#x outside printable ASCII", in, c)
			}
		}
		back, err := decodeHeader(got)
		if err != nil || back != in {
			t.Errorf("decodeHeader(%q) = %q, %v; want %q", got, back, err, in)
		}
	}
}

func TestDecodeHeaderAcceptsWhatTheBindingAllowsAndRefusesTheRest(t *testing.T) {
	for in, want := range map[string]string{
		"%e5%bc%a0":         "张",            // lower-case hex
		"%61bc":             "abc",          // needlessly encoded
		`"quoted value"`:    "quoted value", // double-quoted, from older writers
		`"say \"hi\""`:      `say "hi"`,
		"张三":                "张三", // raw UTF-8 stored before the encoding was applied
		"type.googleapis.x": "type.googleapis.x",
	} {
		if got, err := decodeHeader(in); err != nil || got != want {
			t.Errorf("decodeHeader(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"%C0%A0" /* overlong space */, "%ZZ", "50%", "%4", "\xff"} {
		if got, err := decodeHeader(bad); err == nil {
			t.Errorf("decodeHeader(%q) = %q, want an error", bad, got)
		}
	}
	if !strings.HasPrefix(SchemaPrefix, "https://") {
		t.Errorf("SchemaPrefix %q is not an absolute URI", SchemaPrefix)
	}
}
