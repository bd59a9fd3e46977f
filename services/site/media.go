package site

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"golang.org/x/sync/singleflight"

	"github.com/tandemnews/tandem/pkg/events"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
)

// Serving images.
const (
	// cacheImage: an image's address names its content (its SHA-256 and
	// width), so it never changes.
	cacheImage = "public, max-age=31536000, immutable"
	// DefaultImageLRUBytes bounds the replica's in-process cache of
	// images.
	DefaultImageLRUBytes = 32 << 20
	// imageBudget bounds the read of one image from the object store.
	imageBudget = 5 * time.Second
)

// PublicMediaBucket is the object store bucket publishing copies the
// images of live pages into, named after the public stream
// (PUBLIC_MEDIA by default); the site reads nothing else of the media.
func PublicMediaBucket(c events.Config) string { return c.PublicStream + "_MEDIA" }

// shown is which images live pages show, built from PUBLIC like the
// index: an image is served only while a live page lists it, so an
// embargoed story's photo stays private and a taken-down story's leaves
// with it.
type shown struct {
	mu     sync.RWMutex
	images map[string]*eventsv1.PublishedImage // media → how pages show it
	by     map[string]map[string]bool          // media → articles showing it
	of     map[string][]string                 // article → media it shows
}

func newShown() *shown {
	return &shown{images: map[string]*eventsv1.PublishedImage{}, by: map[string]map[string]bool{}, of: map[string][]string{}}
}

// apply records what the live locales of p show.
func (sh *shown) apply(p *eventsv1.Publication) {
	now := map[string]*eventsv1.PublishedImage{}
	for _, pl := range p.GetLocales() {
		for _, img := range pl.GetImages() {
			now[img.Media] = img
		}
	}
	sh.mu.Lock()
	defer sh.mu.Unlock()
	id := p.GetArticleId()
	for _, m := range sh.of[id] {
		if now[m] == nil {
			delete(sh.by[m], id)
			if len(sh.by[m]) == 0 {
				delete(sh.by, m)
				delete(sh.images, m)
			}
		}
	}
	list := make([]string, 0, len(now))
	for m, img := range now {
		list = append(list, m)
		if sh.by[m] == nil {
			sh.by[m] = map[string]bool{}
		}
		sh.by[m][id] = true
		sh.images[m] = img
	}
	if len(list) == 0 {
		delete(sh.of, id)
	} else {
		sh.of[id] = list
	}
}

// lookup returns the image a live page shows under the file name
// <media>-<width>.<ext>, if one does at that width.
func (sh *shown) lookup(name string) (*eventsv1.PublishedImage, int32, bool) {
	base, ext, ok := strings.Cut(name, ".")
	if !ok {
		return nil, 0, false
	}
	media, width, ok := strings.Cut(base, "-")
	if !ok {
		return nil, 0, false
	}
	w, err := strconv.ParseInt(width, 10, 32)
	if err != nil || strconv.FormatInt(w, 10) != width {
		return nil, 0, false
	}
	sh.mu.RLock()
	img := sh.images[media]
	sh.mu.RUnlock()
	if img == nil || img.Ext != ext {
		return nil, 0, false
	}
	for _, x := range img.Widths {
		if x == int32(w) {
			return img, x, true
		}
	}
	return nil, 0, false
}

// imageStore reads images from the public bucket through an LRU of the
// replica's own, collapsing concurrent misses.
type imageStore struct {
	bus   *events.Bus
	lru   *pageLRU
	group singleflight.Group
	mu    sync.Mutex
	obs   jetstream.ObjectStore
}

var errNoImage = errors.New("site: image not in the public bucket")

func (st *imageStore) get(ctx context.Context, name string) ([]byte, error) {
	if b, ok := st.lru.Get(name); ok {
		return b, nil
	}
	v, err, _ := st.group.Do(name, func() (any, error) {
		obs, err := st.bucket(ctx)
		if err != nil {
			return nil, err
		}
		ctx, cancel := context.WithTimeout(ctx, imageBudget)
		defer cancel()
		b, err := obs.GetBytes(ctx, name)
		if errors.Is(err, jetstream.ErrObjectNotFound) {
			return nil, errNoImage
		}
		if err != nil {
			return nil, err
		}
		st.lru.Add(name, b)
		return b, nil
	})
	if err != nil {
		return nil, err
	}
	return v.([]byte), nil
}

func (st *imageStore) bucket(ctx context.Context) (jetstream.ObjectStore, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.obs != nil {
		return st.obs, nil
	}
	obs, err := st.bus.JetStream().ObjectStore(ctx, PublicMediaBucket(st.bus.Config()))
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		return nil, errNoImage // no image was ever published
	}
	if err != nil {
		return nil, err
	}
	st.obs = obs
	return obs, nil
}

// image serves /media/<media>-<width>.<ext>: only an image a live page
// lists, at one of its widths, with immutable caching, an ETag, its
// content type, and range requests.
func (s *Site) image(w http.ResponseWriter, r *http.Request, name string) {
	img, width, ok := s.shown.lookup(name)
	if !ok {
		s.notFound(w, "zh-CN")
		return
	}
	b, err := s.imgs.get(r.Context(), name)
	if errors.Is(err, errNoImage) {
		s.notFound(w, "zh-CN")
		return
	}
	if err != nil {
		s.log.Warn("image unavailable", "media", img.Media, "width", width, "err", err)
		w.Header().Set("Cache-Control", cacheNever)
		http.Error(w, "image unavailable; try again shortly", http.StatusServiceUnavailable)
		return
	}
	h := w.Header()
	h.Set("Content-Type", img.ContentType)
	h.Set("Cache-Control", cacheImage)
	h.Set("ETag", `"`+img.Media+"-"+strconv.Itoa(int(width))+`"`)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(b))
}
