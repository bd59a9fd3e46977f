package index

import (
	"slices"
	"strings"
	"time"
)

// Latest returns a page of the newest articles of a locale (in a section
// and its subsections when section is not empty), newest story date
// first, then newest first publication, then by article id; and how many
// there are in all.
func (ix *Index) Latest(locale string, section []string, offset, limit int) ([]*Page, int) {
	ix.mu.RLock()
	var pages []*Page
	for _, pg := range ix.all {
		if pg.Locale == locale && InSection(pg.Section, section) {
			pages = append(pages, pg)
		}
	}
	ix.mu.RUnlock()
	total := len(pages)
	if offset >= total || limit <= 0 {
		return nil, total
	}
	keep := min(total, offset+limit)
	if keep < total/8 {
		// The first pages of a large archive: keep the newest keep
		// pages in a heap instead of sorting them all.
		pages = newest(pages, keep)
	}
	slices.SortFunc(pages, newerFirst)
	return pages[offset:keep], total
}

// newerFirst orders pages newest story date first, then newest first
// publication, then by article id.
func newerFirst(a, b *Page) int {
	if c := strings.Compare(b.Date, a.Date); c != 0 {
		return c
	}
	if c := b.First.Compare(a.First); c != 0 {
		return c
	}
	return strings.Compare(a.Article, b.Article)
}

// newest is the k newest of pages (in no order), chosen with a heap of
// k whose top is the oldest kept.
func newest(pages []*Page, k int) []*Page {
	h := slices.Clone(pages[:k])
	older := func(i, j int) bool { return newerFirst(h[i], h[j]) > 0 }
	down := func(i int) {
		for {
			l := 2*i + 1
			if l >= len(h) {
				return
			}
			m := l
			if r := l + 1; r < len(h) && older(r, l) {
				m = r
			}
			if !older(m, i) {
				return
			}
			h[i], h[m] = h[m], h[i]
			i = m
		}
	}
	for i := k/2 - 1; i >= 0; i-- {
		down(i)
	}
	for _, pg := range pages[k:] {
		if newerFirst(pg, h[0]) < 0 {
			h[0] = pg
			down(0)
		}
	}
	return h
}

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
