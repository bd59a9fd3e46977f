// Package draft holds the rules of a draft: what an article may contain,
// how a draft moves from draft to submitted or withdrawn and finally to a
// tombstone, how a masked edit merges with the edits made since it was
// read, and how two revisions differ. It knows nothing of the transport
// or the store: each function changes a draft in memory or says why not.
package draft

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/tandemnews/tandem/pkg/field"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
)

// Errors of the draft lifecycle.
var (
	// ErrNotFound is a draft that is not there. A purged article's
	// tombstone answers so too: nothing of it is left to read or change.
	ErrNotFound = errors.New("not found")
	// ErrWithdrawn is a submit of a withdrawn draft.
	ErrWithdrawn = errors.New("the draft is withdrawn; edit it to bring it back, then submit")
	// ErrSourceLocaleChanged is a new version in another source locale:
	// the translations follow the source, so it stays what it was.
	ErrSourceLocaleChanged = errors.New("the source locale of an article cannot change")
	// ErrUnchanged is a change that finds the draft as it would leave it,
	// so a repeated request writes nothing and still succeeds.
	ErrUnchanged = errors.New("nothing to change")
	// ErrSubmittedUnchanged is a submit of a draft not changed since it
	// was last submitted.
	ErrSubmittedUnchanged = fmt.Errorf("%w: nothing changed since the last submit", ErrUnchanged)
	// ErrSameContent is a new version equal to the draft's content: it
	// leaves the draft as it is, submitted or not.
	ErrSameContent = fmt.Errorf("%w: the same content", ErrUnchanged)
	// ErrAlreadyWithdrawn is a withdrawal of a withdrawn draft.
	ErrAlreadyWithdrawn = fmt.Errorf("%w: already withdrawn", ErrUnchanged)
	// ErrAlreadyPurged is a purge of an article already purged.
	ErrAlreadyPurged = fmt.Errorf("%w: already purged", ErrUnchanged)
)

// notFound is ErrNotFound naming the draft.
func notFound(d *draftingv1.Draft) error {
	return fmt.Errorf("draft %s %w", d.GetArticle().GetId(), ErrNotFound)
}

// Purged reports whether d is the tombstone of a purged article.
func Purged(d *draftingv1.Draft) bool {
	return d.GetStatus() == draftingv1.DraftStatus_DRAFT_STATUS_PURGED
}

func changed(who *articlev1.Actor, now time.Time) *articlev1.Change {
	return &articlev1.Change{Actor: who, Time: timestamppb.New(now)}
}

// New is the state of a freshly created draft of a. Blocks without an id
// get one.
func New(a *articlev1.Article, who *articlev1.Actor, now time.Time) *draftingv1.Draft {
	AssignIDs(a)
	ch := changed(who, now)
	return &draftingv1.Draft{
		Article: a,
		Status:  draftingv1.DraftStatus_DRAFT_STATUS_DRAFT,
		Created: ch,
		Updated: ch,
	}
}

// Replace puts a, a whole new version of the article, into d. The id and
// source locale cannot change. Blocks without an id take the id of the
// block they continue (see carryIDs) or a new one. The draft is a draft
// again until submitted; a version equal to the content is ErrSameContent
// and leaves a submitted draft submitted (a withdrawn one it brings back).
func Replace(d *draftingv1.Draft, a *articlev1.Article, who *articlev1.Actor, now time.Time) error {
	if Purged(d) {
		return notFound(d)
	}
	if was := d.GetArticle().GetSourceLocale(); was != a.GetSourceLocale() {
		return fmt.Errorf("%w: %w", ErrSourceLocaleChanged, field.Invalid("article.source_locale", "cannot change from %s", was))
	}
	carryIDs(d.Article, a)
	AssignIDs(a)
	a.Id = d.Article.Id
	if d.Status != draftingv1.DraftStatus_DRAFT_STATUS_WITHDRAWN && proto.Equal(a, d.Article) {
		return ErrSameContent
	}
	d.Article = a
	d.Status = draftingv1.DraftStatus_DRAFT_STATUS_DRAFT
	d.WithdrawnReason = ""
	d.Updated = changed(who, now)
	return nil
}

// Withdraw takes the draft out of the flow, saying why.
func Withdraw(d *draftingv1.Draft, reason string, who *articlev1.Actor, now time.Time) error {
	switch {
	case field.Line.Problem(reason) != "":
		return reasonErr(reason)
	case Purged(d):
		return notFound(d)
	case d.Status == draftingv1.DraftStatus_DRAFT_STATUS_WITHDRAWN:
		return ErrAlreadyWithdrawn
	}
	d.Status = draftingv1.DraftStatus_DRAFT_STATUS_WITHDRAWN
	d.WithdrawnReason = reason
	d.Updated = changed(who, now)
	return nil
}

// Submit marks the current revision as submitted for translation; minor
// says the change since the last submission needs no new review. A draft
// still submitted has not changed since (a change of content makes it a
// draft again), so a second submit is ErrSubmittedUnchanged. Revisions
// cannot tell this: the submit is a revision of its own.
func Submit(d *draftingv1.Draft, who *articlev1.Actor, now time.Time, minor bool) error {
	switch {
	case Purged(d):
		return notFound(d)
	case d.Status == draftingv1.DraftStatus_DRAFT_STATUS_WITHDRAWN:
		return ErrWithdrawn
	case d.Status == draftingv1.DraftStatus_DRAFT_STATUS_SUBMITTED:
		return ErrSubmittedUnchanged
	}
	d.Status = draftingv1.DraftStatus_DRAFT_STATUS_SUBMITTED
	d.SubmittedRevision = d.Revision
	d.SubmittedMinor = minor
	d.Updated = changed(who, now)
	return nil
}

// Tombstone turns d into all that remains of a purged article: its id,
// the reason, and who purged it when. Nothing of the content stays.
func Tombstone(d *draftingv1.Draft, reason string, who *articlev1.Actor, now time.Time) error {
	switch {
	case field.Line.Problem(reason) != "":
		return reasonErr(reason)
	case Purged(d):
		return ErrAlreadyPurged
	}
	id := d.GetArticle().GetId()
	proto.Reset(d)
	d.Article = &articlev1.Article{Id: id}
	d.Status = draftingv1.DraftStatus_DRAFT_STATUS_PURGED
	d.WithdrawnReason = reason
	d.Updated = changed(who, now)
	return nil
}

// CheckReason adds what is wrong with the reason of a withdrawal or a
// purge, in the request field path: it is one line of plain text.
func CheckReason(v *field.Violations, path, reason string) {
	field.Line.Check(v, path, reason)
}

// reasonErr is what is wrong with reason, as the request's field.
func reasonErr(reason string) error {
	var v field.Violations
	CheckReason(&v, "reason", reason)
	return v.Err()
}

// AssignIDs gives every block without an id a new one.
func AssignIDs(a *articlev1.Article) {
	for _, c := range a.GetLocales() {
		for _, b := range c.GetBlocks() {
			if b.GetId() == "" {
				b.Id = newBlockID()
			}
		}
	}
}

func newBlockID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return "b" + hex.EncodeToString(b)
}

// IDFromRequest derives an article id from a client's request id: 26
// characters of Crockford base32, like the ULIDs the server makes. The
// same request id always names the same article, so a repeated create is
// recognised as the write already stored.
func IDFromRequest(rid string) string {
	sum := sha256.Sum256([]byte("tandem-create:" + rid))
	return crockford.EncodeToString(sum[:])[:26]
}

var crockford = base32.NewEncoding("0123456789ABCDEFGHJKMNPQRSTVWXYZ").WithPadding(base32.NoPadding)
