// Package publication holds the rules of an article's public record: what
// a publisher may release from the submitted draft and the approved
// translation, how each released locale is recorded (its path, when it
// first went public, the paths it left, its correction), and how locales
// are taken down or cleared. It does no I/O: the service reads the drafts
// and jobs, calls these functions on the publication it loaded, and writes
// the result.
package publication

import (
	"maps"
	"slices"
	"strings"

	"github.com/tandemnews/tandem/pkg/siteconfig"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

// Release is one locale about to be published.
type Release struct {
	Locale string
	// Revision is the revision the content comes from: the submitted
	// draft's for the source locale, the approved job's for a target.
	Revision uint64
	Article  *articlev1.Article
	Content  *articlev1.LocalizedContent
	// Images are the media items the page shows, lead image first
	// (services/publishing/media.go finds them in the library).
	Images []*eventsv1.PublishedImage
}

// Sources is what a release is chosen from.
type Sources struct {
	// ID is the article's id.
	ID string
	// Submitted is the draft's submitted revision; 0 when the editor has
	// not submitted it.
	Submitted uint64
	// Article is the draft's article as it was submitted.
	Article *articlev1.Article
	// Job is the translation job; nil when there is none.
	Job *reviewv1.Job
}

// NeedsTranslation reports whether a locale in locales is not the source
// locale, so that the translation job must be read before choosing.
func (s Sources) NeedsTranslation(locales []string) bool {
	return slices.ContainsFunc(locales, func(l string) bool { return l != s.Article.GetSourceLocale() })
}

// Choose finds the content of each locale: the source from the submitted
// draft revision, a target from a translation approved against that
// revision. The first locale that cannot be released stops it.
func (s Sources) Choose(locales []string) ([]Release, error) {
	if s.Submitted == 0 {
		return nil, ErrNotSubmitted
	}
	a := s.Article
	out := make([]Release, 0, len(locales))
	for _, l := range locales {
		if l == a.GetSourceLocale() {
			out = append(out, Release{Locale: l, Revision: s.Submitted, Article: a, Content: a.GetLocales()[l]})
			continue
		}
		j := s.Job
		if j.GetStatus() != reviewv1.JobStatus_JOB_STATUS_APPROVED || j.GetTargetLocale() != l {
			return nil, notApproved(s.ID, l)
		}
		if j.GetSourceRevision() != s.Submitted {
			return nil, stale(l, j.GetSourceRevision(), s.Submitted)
		}
		out = append(out, Release{Locale: l, Revision: j.GetRevision(), Article: a, Content: j.GetTarget()})
	}
	return out, nil
}

// Slug is the article's slug, or its id in lower case when it has none.
func Slug(a *articlev1.Article) string {
	if a.GetSlug() != "" {
		return a.GetSlug()
	}
	return strings.ToLower(a.GetId())
}

// Record is r as published at change. A locale published before (prev
// not nil) keeps when it first went public and its last correction.
func (r Release) Record(prev *eventsv1.PublishedLocale, change *articlev1.Change) *eventsv1.PublishedLocale {
	a := r.Article
	slug := Slug(a)
	pl := &eventsv1.PublishedLocale{
		Locale:         r.Locale,
		SourceRevision: r.Revision,
		Path:           siteconfig.ArticlePath(r.Locale, a.GetSection(), slug),
		Title:          r.Content.GetTitle(),
		Section:        a.GetSection(),
		Date:           a.GetDate(),
		Slug:           slug,
		Content:        r.Content,
		Published:      change,
		FirstPublished: change,
		Images:         r.Images,
	}
	if prev != nil {
		pl.FirstPublished = prev.GetFirstPublished()
		if pl.FirstPublished == nil {
			pl.FirstPublished = prev.GetPublished()
		}
		pl.Correction = prev.GetCorrection()
	}
	return pl
}

// Publish puts each release into p as published at change: a locale that
// moved leaves its old path in p.Moved (so the site redirects it), and a
// locale taken down before is live again.
func Publish(p *eventsv1.Publication, id string, rels []Release, change *articlev1.Change) {
	p.ArticleId = id
	if p.Locales == nil {
		p.Locales = map[string]*eventsv1.PublishedLocale{}
	}
	for _, r := range rels {
		prev := p.Locales[r.Locale]
		pl := r.Record(prev, change)
		if prev != nil && prev.Path != pl.Path {
			if p.Moved == nil {
				p.Moved = map[string]string{}
			}
			p.Moved[prev.Path] = r.Locale
		}
		delete(p.Moved, pl.Path) // live again
		delete(p.TakenDown, r.Locale)
		p.Locales[r.Locale] = pl
	}
}

// Correct is Publish of locales that are published already, with a public
// note saying what was corrected. ErrLocaleMissing names a locale that is
// not published (it needs publishing, not correcting); p is then left as
// it was.
func Correct(p *eventsv1.Publication, id string, rels []Release, note string, change *articlev1.Change) error {
	for _, r := range rels {
		if p.Locales[r.Locale] == nil {
			return missing(id, r.Locale, "; publish it instead of correcting it")
		}
	}
	Publish(p, id, rels, change)
	c := &eventsv1.Correction{Note: strings.TrimSpace(note), Change: change}
	for _, r := range rels {
		p.Locales[r.Locale].Correction = c
	}
	return nil
}

// TakeDown removes locales from p, recording each as taken down at change
// with the reason (its path then answers 410 Gone) and dropping the old
// paths that redirected to it. It returns the locales that left, whose
// cached pages are to be forgotten. ErrLocaleMissing names a locale that
// is not published.
func TakeDown(p *eventsv1.Publication, locales []string, reason string, change *articlev1.Change) ([]*eventsv1.PublishedLocale, error) {
	var gone []*eventsv1.PublishedLocale
	for _, l := range locales {
		pl := p.Locales[l]
		if pl == nil {
			return nil, missing(p.GetArticleId(), l, "")
		}
		if p.TakenDown == nil {
			p.TakenDown = map[string]*eventsv1.TakenDown{}
		}
		p.TakenDown[l] = &eventsv1.TakenDown{Locale: l, Path: pl.Path, Title: pl.Title, Reason: strings.TrimSpace(reason), Change: change}
		for old, to := range p.Moved {
			if to == l {
				delete(p.Moved, old)
			}
		}
		delete(p.Locales, l)
		gone = append(gone, pl)
	}
	return gone, nil
}

// Clear removes every published locale of a purged article and returns
// them; none means there is nothing left to take down.
func Clear(p *eventsv1.Publication) []*eventsv1.PublishedLocale {
	var gone []*eventsv1.PublishedLocale
	for _, l := range slices.Sorted(maps.Keys(p.Locales)) {
		gone = append(gone, p.Locales[l])
	}
	p.Locales = nil
	return gone
}

// Published lists the locales p publishes, in the order the site lists
// them: every page links each of them.
func Published(p *eventsv1.Publication) []string {
	var out []string
	for _, l := range siteconfig.Locales {
		if _, ok := p.Locales[l]; ok {
			out = append(out, l)
		}
	}
	return out
}
