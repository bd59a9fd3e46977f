package index

import (
	"slices"
	"strings"
	"time"
)

// Latest returns a page of the newest articles of a locale (in a section
// and its subsections when section is not empty), newest first
// publication of the locale first, then by article id; and how many
// there are in all. The story date does not order them: a story dated
// last year and published today is news today.
func (ix *Index) Latest(locale string, section []string, offset, limit int) ([]*Page, int) {
	want := offset + limit
	if want > maxTop || limit <= 0 {
		return ix.sorted(locale, section, offset, limit)
	}
	// The first pages of a listing (the front page, a section's block)
	// keep only the newest they show, not the whole archive sorted.
	top := make([]*Page, 0, want+1)
	total := 0
	ix.mu.RLock()
	for _, pg := range ix.all {
		if pg.Locale != locale || !InSection(pg.Section, section) {
			continue
		}
		total++
		if len(top) == want && !newer(pg, top[want-1]) {
			continue
		}
		i, _ := slices.BinarySearchFunc(top, pg, order)
		top = slices.Insert(top, i, pg)
		if len(top) > want {
			top = top[:want]
		}
	}
	ix.mu.RUnlock()
	if offset >= len(top) {
		return nil, total
	}
	return top[offset:], total
}

// maxTop is the deepest a listing page may reach and still keep only its
// newest articles while it scans; past it, Latest sorts them all.
const maxTop = 256

// sorted is Latest by sorting every article the listing holds.
func (ix *Index) sorted(locale string, section []string, offset, limit int) ([]*Page, int) {
	ix.mu.RLock()
	var pages []*Page
	for _, pg := range ix.all {
		if pg.Locale == locale && InSection(pg.Section, section) {
			pages = append(pages, pg)
		}
	}
	ix.mu.RUnlock()
	slices.SortFunc(pages, order)
	total := len(pages)
	if offset >= total {
		return nil, total
	}
	return pages[offset:min(total, offset+max(limit, 0))], total
}

// order is the order of the listings: newest first publication first,
// then by article id.
func order(a, b *Page) int {
	if c := b.First.Compare(a.First); c != 0 {
		return c
	}
	return strings.Compare(a.Article, b.Article)
}

// newer reports whether a lists before b.
func newer(a, b *Page) bool { return order(a, b) < 0 }

// Count is how many articles Latest would find, without sorting them.
func (ix *Index) Count(locale string, section []string) int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	n := 0
	for _, pg := range ix.all {
		if pg.Locale == locale && InSection(pg.Section, section) {
			n++
		}
	}
	return n
}

// InSection reports whether a page's section is section or lies under it.
func InSection(page, section []string) bool {
	return len(page) >= len(section) && slices.Equal(page[:len(section)], section)
}

// Articles returns the live pages of every article with at least one,
// by locale, ordered by article id: the sitemap's entries. The maps are
// the index's own; Apply replaces them and never changes them, so they
// may be read without a lock, and must not be written.
func (ix *Index) Articles() []map[string]*Page {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	ids := make([]string, 0, len(ix.byArt))
	for id := range ix.byArt {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := make([]map[string]*Page, 0, len(ids))
	for _, id := range ids {
		if a := ix.byArt[id]; len(a.pages) > 0 {
			out = append(out, a.pages)
		}
	}
	return out
}

// LastChange is the newest publication time of any live page, zero when
// none is live.
func (ix *Index) LastChange() time.Time {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	var t time.Time
	for _, pg := range ix.all {
		if pg.Published.After(t) {
			t = pg.Published
		}
	}
	return t
}

// Page is the live page of an article in a locale, nil when there is none.
func (ix *Index) Page(article, locale string) *Page {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if a := ix.byArt[article]; a != nil {
		return a.pages[locale]
	}
	return nil
}
