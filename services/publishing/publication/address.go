package publication

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"

	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
)

// ErrAddressTaken: another article is published at the address (or
// redirects from it), so an article whose slug leads there cannot be
// published until one of them changes its slug or leaves.
var ErrAddressTaken = errors.New("the address is held by another article")

// ClaimGrace is how long a claim whose article has not been published
// since is respected: long enough for the publish that made it to finish
// (its request has 30 seconds), short enough that a publish that failed
// after claiming does not hold the address for long.
const ClaimGrace = time.Minute

// AddressKey is the subject token of a path's address: the first 32 hex
// digits of its SHA-256 (a path holds '.' and '/', which subjects cannot).
func AddressKey(path string) string {
	sum := sha256.Sum256([]byte(path))
	return hex.EncodeToString(sum[:16])
}

// Paths are the addresses p holds: the path of each live locale, and each
// former path that redirects to a live locale.
func Paths(p *eventsv1.Publication) map[string]string {
	out := map[string]string{}
	for l, pl := range p.GetLocales() {
		out[pl.GetPath()] = l
	}
	for path, l := range p.GetMoved() {
		if p.GetLocales()[l] != nil {
			out[path] = l
		}
	}
	return out
}

// LastChange is when p last changed: its newest publication, correction
// or takedown.
func LastChange(p *eventsv1.Publication) time.Time {
	var last time.Time
	see := func(c *articlev1.Change) {
		if t := c.GetTime().AsTime(); c.GetTime() != nil && t.After(last) {
			last = t
		}
	}
	for _, pl := range p.GetLocales() {
		see(pl.GetPublished())
		see(pl.GetCorrection().GetChange())
	}
	for _, td := range p.GetTakenDown() {
		see(td.GetChange())
	}
	return last
}

// Claim gives the address a (as last recorded; empty when never claimed)
// of path to the locale of article, at change. holder is the public
// record of the article that holds it now (nil when it has none). It
// reports whether a changes; ErrAddressTaken (in an *Error naming the
// holder) when another article holds it:
//   - the holder serves or redirects the path, or
//   - the holder has not changed its record since it claimed the path
//     (its publish may be under way) and the claim is younger than
//     ClaimGrace.
//
// Otherwise the claim is stale (the holder moved on without releasing,
// or its publish failed) and is taken over.
func Claim(a *eventsv1.Address, path, article, locale string, holder *eventsv1.Publication, change *articlev1.Change) (bool, error) {
	if a.GetArticleId() == article && a.GetLocale() == locale {
		return false, nil
	}
	if h := a.GetArticleId(); h != "" && h != article {
		claimed := a.GetChange().GetTime().AsTime()
		now := change.GetTime().AsTime()
		if _, serves := Paths(holder)[path]; serves ||
			(!LastChange(holder).After(claimed) && now.Sub(claimed) < ClaimGrace) {
			return false, &Error{ErrAddressTaken,
				path + " is the address of article " + h + "; give this article another slug, or take " + h + " down first",
				map[string]string{"path": path, "holder": h}}
		}
	}
	a.Path, a.ArticleId, a.Locale, a.Change = path, article, locale, change
	return true, nil
}

// Vacate gives up article's address a at change. It reports whether a
// changes: an address another article holds now is left to it.
func Vacate(a *eventsv1.Address, article string, change *articlev1.Change) bool {
	if a.GetArticleId() != article {
		return false
	}
	a.ArticleId, a.Locale, a.Change = "", "", change
	return true
}
