package auth

import (
	"strings"
	"unicode"
)

// Action names what a call of a full gRPC method does, for the people who
// read the error: "/tandem.publishing.v1.PublishingService/PublishArticle"
// is "publishing an article". The method's name is a verb and its object
// in CamelCase, as every Tandem method is.
func Action(method string) string {
	name := method[strings.LastIndexByte(method, '/')+1:]
	words := camelWords(name)
	if len(words) == 0 {
		return method
	}
	action := gerund(words[0])
	if obj := object(words[1:]); obj != "" {
		action += " " + obj
	}
	return action
}

// camelWords splits "GetDraftHistory" into Get, Draft, History.
func camelWords(s string) []string {
	var words []string
	start := 0
	for i, r := range s {
		if i > start && unicode.IsUpper(r) {
			words = append(words, s[start:i])
			start = i
		}
	}
	if start < len(s) {
		words = append(words, s[start:])
	}
	return words
}

// verbs are the verbs whose -ing form is not the regular one, or that
// read better as another verb.
var verbs = map[string]string{
	"Get":    "reading",
	"Put":    "saving",
	"Diff":   "comparing",
	"Submit": "submitting",
	"Cancel": "cancelling",
}

func gerund(verb string) string {
	if g, ok := verbs[verb]; ok {
		return g
	}
	v := strings.ToLower(verb)
	if strings.HasSuffix(v, "e") && !strings.HasSuffix(v, "ee") {
		v = v[:len(v)-1]
	}
	return v + "ing"
}

// objects are the objects a method's name writes differently from what
// a reader calls them.
var objects = map[string]string{
	"glossary":      "the glossary",
	"memory":        "the translation memory",
	"xliff":         "XLIFF",
	"rendered":      "a rendered page",
	"publish":       "a publication",
	"draft history": "a draft's history",
	"changes":       "changes",
}

// object is "a draft", "an article", "drafts": the words after the verb,
// with an article when they name one thing.
func object(words []string) string {
	if len(words) == 0 {
		return ""
	}
	o := strings.ToLower(strings.Join(words, " "))
	if s, ok := objects[o]; ok {
		return s
	}
	if strings.HasSuffix(o, "s") && !strings.HasSuffix(o, "ss") {
		return o // several
	}
	if strings.ContainsRune("aeiou", rune(o[0])) {
		return "an " + o
	}
	return "a " + o
}
