// Package label holds the desk's own words in Chinese and English and
// picks the language a person reads.
package label

import (
	"golang.org/x/text/language"
)

// Lang is a language of the desk's labels.
type Lang string

// The languages.
const (
	Zh Lang = "zh"
	En Lang = "en"
)

// Langs lists the languages, Chinese first.
var Langs = []Lang{Zh, En}

var matcher = language.NewMatcher([]language.Tag{language.Chinese, language.English})

// Negotiate picks the language for an Accept-Language header; Chinese
// when it names neither.
func Negotiate(acceptLanguage string) Lang {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Zh
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return Zh
	}
	return []Lang{Zh, En}[i]
}

// Parse returns the language named s, and false for any other.
func Parse(s string) (Lang, bool) {
	switch Lang(s) {
	case Zh, En:
		return Lang(s), true
	}
	return "", false
}

// HTML is the BCP 47 tag of the language, for the lang attribute.
func (l Lang) HTML() string {
	if l == En {
		return "en"
	}
	return "zh-CN"
}

// Other is the language the switch offers.
func (l Lang) Other() Lang {
	if l == En {
		return Zh
	}
	return En
}

// T returns the label of key in l; the key itself when none exists, so a
// missing label shows up instead of an empty space (TestEveryLabelHasBothLanguages
// keeps that from happening).
func (l Lang) T(key string) string {
	m := zh
	if l == En {
		m = en
	}
	if s, ok := m[key]; ok {
		return s
	}
	return key
}
