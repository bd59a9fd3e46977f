package publication

import (
	"errors"
	"strconv"
	"strings"
)

// The rules' refusals, for errors.Is. ErrNotSubmitted is returned as it
// is; the others come wrapped in an *Error that names the article and the
// locale concerned.
var (
	// ErrNotSubmitted: nothing is published before an editor submits it.
	ErrNotSubmitted = errors.New("the draft has not been submitted; an editor must submit it before it can be published")
	// ErrTranslationNotApproved: a target locale is published only from
	// a translation a translator approved.
	ErrTranslationNotApproved = errors.New("no translation into the locale is approved")
	// ErrTranslationStale: the approved translation was made from another
	// revision than the one submitted, so it must be reviewed again.
	ErrTranslationStale = errors.New("the approved translation was made from another revision than the one submitted")
	// ErrLocaleMissing: a correction or takedown names a locale that is
	// not published.
	ErrLocaleMissing = errors.New("the locale is not published")
	// ErrMediaNotReady: a figure names a media item the library does not
	// hold, or one without its alternative text in both languages.
	ErrMediaNotReady = errors.New("a figure's image is not ready to publish")
)

// Error is a refusal about one locale of an article: errors.Is matches its
// sentinel, Error says what to do in the caller's terms, and Metadata
// gives the details a client branches on (google.rpc.ErrorInfo).
type Error struct {
	err  error
	msg  string
	meta map[string]string
}

func (e *Error) Error() string { return e.msg }

// Unwrap returns the sentinel.
func (e *Error) Unwrap() error { return e.err }

// Metadata is the locale concerned and, for a stale translation, the two
// revisions that differ.
func (e *Error) Metadata() map[string]string { return e.meta }

func notApproved(article, locale string) error {
	return &Error{ErrTranslationNotApproved,
		article + " cannot be published: no translation into " + locale + " is approved",
		map[string]string{"locale": locale}}
}

func stale(locale string, translated, submitted uint64) error {
	t, s := strconv.FormatUint(translated, 10), strconv.FormatUint(submitted, 10)
	return &Error{ErrTranslationStale,
		"the approved " + locale + " translation was made from revision " + t + ", but revision " + s + " is submitted; it must be reviewed again",
		map[string]string{"locale": locale, "translation_source_revision": t, "submitted_revision": s}}
}

func missing(article, locale, hint string) error {
	return &Error{ErrLocaleMissing, article + " is not published in " + locale + hint, map[string]string{"locale": locale}}
}

// MediaMissing refuses a figure whose media item the library does not
// hold.
func MediaMissing(article, locale, media string) error {
	return &Error{ErrMediaNotReady,
		article + " cannot be published in " + locale + ": a figure shows the media item " + media + ", which the library does not hold; choose another image (tandem media list)",
		map[string]string{"locale": locale, "media": media}}
}

// MediaAltMissing refuses a figure whose image has no alternative text
// in some languages.
func MediaAltMissing(article, locale, media string, missing []string) error {
	m := strings.Join(missing, ", ")
	return &Error{ErrMediaNotReady,
		article + " cannot be published in " + locale + ": the image " + media + " has no alternative text in " + m + "; a published image needs it in both languages (tandem media alt " + media + " --alt-zh … --alt-en …)",
		map[string]string{"locale": locale, "media": media, "missing": m}}
}
