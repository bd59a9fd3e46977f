// Package index is what the site knows is public: which address serves
// which page version, which former addresses moved (301) and which were
// taken down (410), and the articles its listings, feeds and sitemap show.
//
// It is built from the publications on the PUBLIC stream alone, one
// article's whole public state at a time, and does no I/O: the site
// follows the stream and feeds it; caches and handlers only ask it.
package index

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
)

// Page is one public article page: one locale of one article, at the
// version its last publication rendered.
type Page struct {
	Article, Locale, Path string
	Title, Date           string
	Section               []string
	Description           string
	// Hash is the hex SHA-256 of the rendered HTML.
	Hash string
	// Version names the rendered HTML: {source revision}-{ShortHash(Hash)}.
	Version string
	// Key names the version in the site's caches: {locale}:{article}:{version}.
	Key string
	// Published is when this version was published.
	Published time.Time
	// First is when the locale was first published: the order of the
	// listings and feeds.
	First time.Time

	slot int // where the page is in Index.all
	// Lead is the page's first image, for listings and feeds; nil when
	// the page shows none.
	Lead *Image
}

// Image is what a listing needs of a page's lead image to lay out its
// responsive thumbnail: /media/<Media>-<width>.<Ext> for each of Widths.
type Image struct {
	Media, Ext, Alt string
	Width, Height   int32
	// Widths of the variants, ascending; the last is Width.
	Widths []int32
}

// URL is the address of the variant of the image at width w.
func (im *Image) URL(w int32) string {
	return "/media/" + im.Media + "-" + strconv.Itoa(int(w)) + "." + im.Ext
}

// leadImage is the first image of a published locale, or nil.
func leadImage(pl *eventsv1.PublishedLocale) *Image {
	imgs := pl.GetImages()
	if len(imgs) == 0 || imgs[0].GetMedia() == "" || imgs[0].GetWidth() <= 0 || imgs[0].GetHeight() <= 0 {
		return nil
	}
	im := imgs[0]
	widths := slices.Clone(im.GetWidths())
	if len(widths) == 0 || widths[len(widths)-1] != im.GetWidth() {
		widths = append(widths, im.GetWidth())
	}
	return &Image{Media: im.GetMedia(), Ext: im.GetExt(), Alt: im.GetAlt(), Width: im.GetWidth(), Height: im.GetHeight(), Widths: widths}
}

// Modified is when the page last changed for readers.
func (p *Page) Modified() time.Time { return p.Published }

// ShortHash is the first 12 hex digits of a content hash: enough to tell
// versions apart in keys and validators.
func ShortHash(hash string) string { return hash[:min(len(hash), 12)] }

// Version is the version of a published locale's rendered page.
func Version(pl *eventsv1.PublishedLocale) string {
	return fmt.Sprintf("%d-%s", pl.GetSourceRevision(), ShortHash(pl.GetContentHash()))
}

// Key is the cache key of a page version.
func Key(locale, article, version string) string { return locale + ":" + article + ":" + version }

// Status is what an address is.
type Status int

// The statuses of an address.
const (
	// Unknown: the index has no page there (not yet, or never).
	Unknown Status = iota
	// Live: a page is published there.
	Live
	// Moved: the article's page is now at another address.
	Moved
	// Gone: the page there was taken down.
	Gone
)

// Lookup is what Resolve finds at an address.
type Lookup struct {
	Status Status
	// Page is the page a Live address serves.
	Page *Page
	// To is where a Moved address now points.
	To string
}

// article is what the index knows of one article: its live pages, the
// paths taken down and the former paths.
type article struct {
	pages map[string]*Page  // locale → page
	gone  map[string]string // path → locale
	moved map[string]string // former path → locale of the page that answers
}

// Index is safe for concurrent use: one writer applies publications while
// any number of readers look addresses up.
//
// An address may be recorded by several articles at once: one article's
// former address, taken down, is another's new one, and records written
// before publishing claimed addresses may even hold two live pages at
// one path. Each record is kept per article, so applying one article
// never erases what another says of a shared address, and Resolve
// decides between them by the records alone, never by the order they
// were applied in: every replica answers the same.
type Index struct {
	mu     sync.RWMutex
	byPath map[string][]*Page // path → the live pages there (normally one)
	byArt  map[string]*article
	gone   map[string]map[string]bool // path → articles that took a page there down
	moved  map[string]map[string]bool // former path → articles that moved from it
	// all holds every live page, in no order: listings, feeds and the
	// sitemap's dates go through one slice instead of 100,000 maps.
	all []*Page
	seq uint64
	// changed is the newest publication or takedown time applied.
	changed time.Time
}

// New returns an empty index.
func New() *Index {
	return &Index{
		byPath: map[string][]*Page{},
		byArt:  map[string]*article{},
		gone:   map[string]map[string]bool{},
		moved:  map[string]map[string]bool{},
	}
}

// winner is the page an address shared by several live pages serves: the
// one first published there, then the lowest article id.
func winner(pages []*Page) *Page {
	var w *Page
	for _, pg := range pages {
		if w == nil || pg.First.Before(w.First) || (pg.First.Equal(w.First) && pg.Article < w.Article) {
			w = pg
		}
	}
	return w
}

func addTo(m map[string]map[string]bool, path, id string) {
	if m[path] == nil {
		m[path] = map[string]bool{}
	}
	m[path][id] = true
}

func removeFrom(m map[string]map[string]bool, path, id string) {
	delete(m[path], id)
	if len(m[path]) == 0 {
		delete(m, path)
	}
}

// pageOf is the page of one published locale.
func pageOf(id, locale string, pl *eventsv1.PublishedLocale) *Page {
	key := Key(locale, id, Version(pl))
	pg := &Page{
		Article: id, Locale: locale, Path: pl.GetPath(),
		Title: pl.GetTitle(), Date: pl.GetDate(), Section: pl.GetSection(),
		Description: pl.GetDescription(), Hash: pl.GetContentHash(),
		// The version is the tail of the key, sharing its bytes: an
		// archive of 100,000 articles keeps one copy.
		Version: key[len(locale)+len(id)+2:], Key: key,
		Published: pl.GetPublished().GetTime().AsTime(),
		First:     pl.GetFirstPublished().GetTime().AsTime(),
	}
	if pl.GetFirstPublished() == nil {
		pg.First = pg.Published
	}
	pg.Lead = leadImage(pl)
	return pg
}

// Apply takes in the public state of one article, read from the PUBLIC
// stream at sequence seq, in place of what the index knew of it. It is
// idempotent: the state is whole, so applying it twice changes nothing.
// It returns the keys of the page versions the article no longer serves
// (older versions and pages taken down), for the caches to drop.
func (ix *Index) Apply(p *eventsv1.Publication, seq uint64) (stale []string) {
	id := p.GetArticleId()
	// Maps are made only when there is something to put in them: an
	// archive of 100,000 articles, most never moved nor taken down,
	// would otherwise keep 200,000 empty ones.
	next := &article{}
	for l, pl := range p.GetLocales() {
		if next.pages == nil {
			next.pages = make(map[string]*Page, len(p.GetLocales()))
		}
		next.pages[l] = pageOf(id, l, pl)
	}
	changed := time.Time{}
	for _, pg := range next.pages {
		changed = later(changed, pg.Published)
	}
	for l, td := range p.GetTakenDown() {
		if next.gone == nil {
			next.gone = map[string]string{}
		}
		next.gone[td.GetPath()] = l
		if c := td.GetChange(); c != nil {
			changed = later(changed, c.GetTime().AsTime())
		}
	}
	for path, l := range p.GetMoved() {
		if next.moved == nil {
			next.moved = map[string]string{}
		}
		next.moved[path] = l
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if old := ix.byArt[id]; old != nil {
		for l, pg := range old.pages {
			ix.byPath[pg.Path] = slices.DeleteFunc(ix.byPath[pg.Path], func(x *Page) bool { return x == pg })
			if len(ix.byPath[pg.Path]) == 0 {
				delete(ix.byPath, pg.Path)
			}
			if n := next.pages[l]; n == nil || n.Key != pg.Key {
				stale = append(stale, pg.Key)
			}
			ix.unlist(pg)
		}
		for path := range old.gone {
			removeFrom(ix.gone, path, id)
		}
		for path := range old.moved {
			removeFrom(ix.moved, path, id)
		}
	}
	for _, pg := range next.pages {
		ix.byPath[pg.Path] = append(ix.byPath[pg.Path], pg)
		pg.slot = len(ix.all)
		ix.all = append(ix.all, pg)
	}
	for path := range next.gone {
		addTo(ix.gone, path, id)
	}
	for path := range next.moved {
		addTo(ix.moved, path, id)
	}
	if len(next.pages)+len(next.gone)+len(next.moved) == 0 {
		delete(ix.byArt, id) // purged: nothing remains
	} else {
		ix.byArt[id] = next
	}
	ix.seq = max(ix.seq, seq)
	ix.changed = later(ix.changed, changed)
	return stale
}

// unlist takes pg out of all, moving the last page into its slot.
func (ix *Index) unlist(pg *Page) {
	last := ix.all[len(ix.all)-1]
	ix.all[pg.slot] = last
	last.slot = pg.slot
	ix.all[len(ix.all)-1] = nil
	ix.all = ix.all[:len(ix.all)-1]
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// Changed is the newest publication or takedown the index has applied,
// zero before the first: when anything public last changed.
func (ix *Index) Changed() time.Time {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.changed
}

// Seq is the PUBLIC stream sequence of the newest event applied: the
// version of everything the index lists.
func (ix *Index) Seq() uint64 {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.seq
}

// Resolve says what the address path is. A live page wins (of several,
// the first published there); a former address moves only while the
// page it moved to is live (of several articles, the lowest id's); an
// address any article took down is gone; any other is unknown.
func (ix *Index) Resolve(path string) Lookup {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if pg := winner(ix.byPath[path]); pg != nil {
		return Lookup{Status: Live, Page: pg}
	}
	for _, id := range slices.Sorted(maps.Keys(ix.moved[path])) {
		if a := ix.byArt[id]; a != nil {
			if cur := a.pages[a.moved[path]]; cur != nil {
				return Lookup{Status: Moved, To: cur.Path}
			}
		}
	}
	if len(ix.gone[path]) > 0 {
		return Lookup{Status: Gone}
	}
	return Lookup{}
}
