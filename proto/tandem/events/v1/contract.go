package eventsv1

// This file is written by hand: the names of Tandem's event contract,
// beside the messages that carry it. The event types and subjects below,
// with the payload messages of this package, are what a consumer of the
// streams relies on; docs/events.md describes each.

// Event types (the ce-type header). The payload of each is named beside
// it.
const (
	DraftCreated        = "tandem.draft.created"        // DraftEvent
	DraftUpdated        = "tandem.draft.updated"        // DraftEvent
	DraftSubmitted      = "tandem.draft.submitted"      // DraftEvent
	DraftWithdrawn      = "tandem.draft.withdrawn"      // DraftEvent
	DraftPurged         = "tandem.draft.purged"         // DraftEvent: a tombstone, id only
	TranslationOpened   = "tandem.translation.opened"   // ReviewEvent
	TranslationApproved = "tandem.translation.approved" // ReviewEvent
	// TranslationReopened: the editor resubmitted; segments whose source
	// changed need review.
	TranslationReopened = "tandem.translation.reopened" // ReviewEvent
	// TranslationUpdated: a segment, comment, dismissal or assignment.
	TranslationUpdated          = "tandem.translation.updated"           // ReviewEvent
	TranslationChangesRequested = "tandem.translation.changes_requested" // ReviewEvent
	GlossaryTermChanged         = "tandem.glossary.term_changed"         // GlossaryEvent
	GlossaryTermDeleted         = "tandem.glossary.term_deleted"         // GlossaryEvent
	MemoryAdded                 = "tandem.memory.added"                  // MemoryEvent
	ScheduleAdded               = "tandem.schedule.added"                // ScheduleEvent
	ScheduleCancelled           = "tandem.schedule.cancelled"            // ScheduleEvent
	ScheduleDone                = "tandem.schedule.done"                 // ScheduleEvent
	ScheduleFailed              = "tandem.schedule.failed"               // ScheduleEvent
	AddressClaimed              = "tandem.address.claimed"               // AddressEvent
	AddressReleased             = "tandem.address.released"              // AddressEvent
	ArticlePublished            = "tandem.article.published"             // ArticleEvent
	ArticleUnpublished          = "tandem.article.unpublished"           // ArticleEvent
	ArticleCorrected            = "tandem.article.corrected"             // ArticleEvent
	MediaAdded                  = "tandem.media.added"                   // MediaEvent
	MediaUpdated                = "tandem.media.updated"                 // MediaEvent
	MediaDeleted                = "tandem.media.deleted"                 // MediaEvent: id and deleted only
)

// Sources (the ce-source header): the service that owns an aggregate and
// alone writes it.
const (
	SourceDrafting   = "/tandem/drafting"
	SourceReview     = "/tandem/review"
	SourcePublishing = "/tandem/publishing"
	SourceMedia      = "/tandem/media"
)

// Kinds: the middle token of an aggregate's subject,
// <stream prefix>.<kind>.<id>.
const (
	KindDrafts    = "drafts"    // editorial.drafts.<article id>: DraftEvent
	KindReviews   = "reviews"   // editorial.reviews.<article id>: ReviewEvent
	KindGlossary  = "glossary"  // editorial.glossary.<term key hash>: GlossaryEvent
	KindMemory    = "memory"    // editorial.memory.<batch id>: MemoryEvent
	KindSchedules = "schedules" // editorial.schedules.<article id>: ScheduleEvent
	KindAddresses = "addresses" // editorial.addresses.<address key>: AddressEvent
	KindArticles  = "articles"  // public.articles.<article id>: ArticleEvent
	KindMedia     = "media"     // editorial.media.<media id>: MediaEvent
)

// MaxArticleBytes is the largest an article (encoded, every locale) may
// be on a server with NATS's default max_payload of 1 MiB.
const MaxArticleBytes = 256 << 10

// ArticleLimit is the size an article, or the English a translator
// makes of it, may have on a NATS server whose max_payload is
// maxPayload: a quarter of it, and never more than MaxArticleBytes. Every
// event that carries an article then fits: the draft, the translation
// job (the Chinese, the English by segment and assembled), and the
// publication with both locales.
func ArticleLimit(maxPayload int) int {
	if maxPayload <= 0 {
		return MaxArticleBytes
	}
	return min(MaxArticleBytes, maxPayload/4)
}
