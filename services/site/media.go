package site

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/nats-io/nats.go/jetstream"
	"golang.org/x/sync/singleflight"

	"github.com/tandemnews/tandem/pkg/cache"
	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/metrics"
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

// imageStore reads images from the in-process LRU, then Redis, then the
// public bucket, collapsing concurrent misses. Redis is shared and never
// an authority: what it holds is served only when its SHA-256 is the
// digest the object store records for the object (read with the
// object's info, a single small message, and remembered), so a replica
// that has learned an image's digest serves it from Redis while the
// bucket is slow or unreachable. Redis calls follow the page tiers'
// budget and stall rules (tiers.redisUp, redisFailed).
type imageStore struct {
	bus   *events.Bus
	lru   *pageLRU
	tiers *tiers // its Redis, and when Redis is left alone
	group singleflight.Group
	mu    sync.Mutex
	obs   jetstream.ObjectStore
	// digests are the SHA-256s the object store records, by object name.
	digests *lru.Cache[string, [sha256.Size]byte]
}

// Images' time limits and bounds.
const (
	// imageInfoBudget bounds the read of an image's info (its digest)
	// when it is not known yet.
	imageInfoBudget = time.Second
	// imageDigests bounds the digests a replica remembers (about 100
	// bytes each).
	imageDigests = 1 << 16
)

func newImageStore(bus *events.Bus, t *tiers) *imageStore {
	d, _ := lru.New[string, [sha256.Size]byte](imageDigests) // a positive size cannot fail
	return &imageStore{bus: bus, lru: newPageLRU(DefaultImageLRUBytes), tiers: t, digests: d}
}

var errNoImage = errors.New("site: image not in the public bucket")

func (st *imageStore) get(ctx context.Context, name string) ([]byte, error) {
	if b, ok := st.lru.Get(name); ok {
		return b, nil
	}
	v, err, _ := st.group.Do(name, func() (any, error) {
		// The read serves every reader waiting on this image, so it must
		// not end when the first of them hangs up.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), imageBudget)
		defer cancel()
		if b, ok := st.fromRedis(ctx, name); ok {
			st.lru.Add(name, b)
			return b, nil
		}
		obs, err := st.bucket(ctx)
		if err != nil {
			return nil, err
		}
		// The object store checks what it returns against its digest.
		b, err := obs.GetBytes(ctx, name)
		if errors.Is(err, jetstream.ErrObjectNotFound) {
			return nil, errNoImage
		}
		if err != nil {
			return nil, err
		}
		metrics.ImageReads.WithLabelValues("bucket").Inc()
		st.digests.Add(name, sha256.Sum256(b))
		st.lru.Add(name, b)
		// In the background: no reader waits for the copy, and a slow
		// write of a large image is not taken for Redis being down.
		go st.toRedis(context.WithoutCancel(ctx), name, b)
		return b, nil
	})
	if err != nil {
		return nil, err
	}
	return v.([]byte), nil
}

// fromRedis returns the image under name from Redis when its SHA-256 is
// the object store's digest for it.
func (st *imageStore) fromRedis(ctx context.Context, name string) ([]byte, bool) {
	t := st.tiers
	if !t.redisUp() {
		return nil, false
	}
	want, ok := st.digest(ctx, name)
	if !ok {
		return nil, false
	}
	rctx, cancel := context.WithTimeout(ctx, redisBudget)
	defer cancel()
	b, err := t.redis.Get(rctx, t.redis.MediaKey(name))
	if err != nil {
		if !errors.Is(err, cache.ErrMiss) {
			t.redisFailed(err)
		}
		return nil, false
	}
	if sha256.Sum256(b) != want {
		metrics.SiteRedisMismatches.Inc()
		st.tiers.log.Warn("redis holds an image that is not the stored one; reading the bucket", "object", name)
		return nil, false
	}
	metrics.ImageReads.WithLabelValues("redis").Inc()
	return b, true
}

// toRedis writes an image read from the bucket into Redis, for the
// replicas that have not read it yet.
func (st *imageStore) toRedis(ctx context.Context, name string, b []byte) {
	t := st.tiers
	if !t.redisUp() {
		return
	}
	rctx, cancel := context.WithTimeout(ctx, imageWriteBudget)
	defer cancel()
	if err := t.redis.PutMedia(rctx, name, b); err != nil {
		t.log.Debug("image not copied to redis", "object", name, "err", err)
	}
}

// imageWriteBudget bounds the background copy of an image into Redis;
// it runs after the reader has its answer, so it may take longer than
// a read, and a failure only means the next replica reads the bucket.
const imageWriteBudget = time.Second

// digest is the SHA-256 the object store records for the object name,
// remembered, or read with its info within imageInfoBudget.
func (st *imageStore) digest(ctx context.Context, name string) ([sha256.Size]byte, bool) {
	if d, ok := st.digests.Get(name); ok {
		return d, true
	}
	ictx, cancel := context.WithTimeout(ctx, imageInfoBudget)
	defer cancel()
	obs, err := st.bucket(ictx)
	if err != nil {
		return [sha256.Size]byte{}, false
	}
	info, err := obs.GetInfo(ictx, name)
	if err != nil {
		return [sha256.Size]byte{}, false
	}
	d, ok := parseDigest(info.Digest)
	if ok {
		st.digests.Add(name, d)
	}
	return d, ok
}

// parseDigest reads an object store digest, "SHA-256=" and the sum in
// URL-safe base64.
func parseDigest(s string) ([sha256.Size]byte, bool) {
	var d [sha256.Size]byte
	v, ok := strings.CutPrefix(s, "SHA-256=")
	if !ok {
		return d, false
	}
	b, err := base64.URLEncoding.DecodeString(v)
	if err != nil || len(b) != sha256.Size {
		return d, false
	}
	copy(d[:], b)
	return d, true
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
