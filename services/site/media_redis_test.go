package site

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/tandemnews/tandem/pkg/cache"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
)

// imageHarness is a site on the real Redis showing one image, 640 pixels
// wide, that a live English story lists and the public bucket holds.
type imageHarness struct {
	*harness
	pages *cache.Pages
	obs   jetstream.ObjectStore
	st    story
	name  string
	data  []byte
}

func newImageHarness(t *testing.T) *imageHarness {
	t.Helper()
	h := &imageHarness{harness: newHarness(t)}
	h.pages = h.useRedis()
	h.run()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	obs, err := h.bus.JetStream().CreateObjectStore(ctx, jetstream.ObjectStoreConfig{Bucket: PublicMediaBucket(h.bus.Config())})
	if err != nil {
		t.Fatal(err)
	}
	h.obs = obs
	id := strings.Repeat("cd", 32)
	h.name = id + "-640.jpg"
	h.data = make([]byte, 200<<10) // several chunks of the object store
	_, _ = rand.Read(h.data)
	if _, err := obs.PutBytes(ctx, h.name, h.data); err != nil {
		t.Fatal(err)
	}
	h.st = news("en", "photo", 1)
	h.st.images = []*eventsv1.PublishedImage{{Media: id, ContentType: "image/jpeg", Ext: "jpg", Width: 640, Height: 427, Widths: []int32{640}, Alt: "A photo"}}
	h.put("A1", h.st)
	return h
}

// fetch asks for the image and returns the answer's code and body.
func (h *imageHarness) fetch() (int, []byte) {
	res := h.get("/media/" + h.name)
	return res.Code, res.Body.Bytes()
}

// forget empties the replica's own cache of images, as a restart or an
// eviction would (what it learned of the digests stays).
func (h *imageHarness) forget() { h.site.imgs.lru = newPageLRU(DefaultImageLRUBytes) }

// cutBucket makes the public bucket unreachable: the site's handle on it
// goes through a connection that is closed.
func (h *imageHarness) cutBucket() {
	h.t.Helper()
	nc, err := nats.Connect(h.bus.JetStream().Conn().ConnectedUrl())
	if err != nil {
		h.t.Fatal(err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		h.t.Fatal(err)
	}
	obs, err := js.ObjectStore(context.Background(), PublicMediaBucket(h.bus.Config()))
	if err != nil {
		h.t.Fatal(err)
	}
	nc.Close()
	h.site.imgs.mu.Lock()
	h.site.imgs.obs = obs
	h.site.imgs.mu.Unlock()
}

// inRedis is what Redis holds for the image once the replica's
// background copy of it has landed (it waits up to 5 s for the image's
// own bytes, then returns what is there).
func (h *imageHarness) inRedis() []byte {
	h.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		b, err := h.pages.Get(context.Background(), h.pages.MediaKey(h.name))
		if err != nil && !errors.Is(err, cache.ErrMiss) {
			h.t.Fatalf("redis: %v", err)
		}
		if bytes.Equal(b, h.data) || time.Now().After(deadline) {
			return b
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (h *imageHarness) putRedis(b []byte) {
	h.t.Helper()
	if err := h.pages.PutMedia(context.Background(), h.name, b); err != nil {
		h.t.Fatal(err)
	}
}

func TestImageIsServedFromRedisWhileTheBucketIsUnreachable(t *testing.T) {
	h := newImageHarness(t)
	if code, b := h.fetch(); code != http.StatusOK || !bytes.Equal(b, h.data) {
		t.Fatalf("first read: %d, %d bytes", code, len(b))
	}
	if !bytes.Equal(h.inRedis(), h.data) {
		t.Fatal("the image read from the bucket was not written to Redis")
	}
	h.forget()
	h.cutBucket()
	if code, b := h.fetch(); code != http.StatusOK || !bytes.Equal(b, h.data) {
		t.Fatalf("with the bucket unreachable: %d, %d bytes; want the image from Redis", code, len(b))
	}
	// Without Redis's copy, the image is unavailable: it did come from
	// Redis, not from a bucket still answering.
	h.forget()
	h.rdb.Del(context.Background(), h.pages.MediaKey(h.name))
	if code, _ := h.fetch(); code != http.StatusServiceUnavailable {
		t.Fatalf("with neither Redis nor the bucket: %d, want 503", code)
	}
}

func TestWrongImageBytesInRedisAreNeverServed(t *testing.T) {
	h := newImageHarness(t)
	wrong := bytes.Clone(h.data)
	wrong[len(wrong)/2] ^= 1
	// Before the replica knows the image, and after.
	for _, known := range []bool{false, true} {
		h.forget()
		h.putRedis(wrong)
		if code, b := h.fetch(); code != http.StatusOK || !bytes.Equal(b, h.data) {
			t.Fatalf("known %v: %d, %d bytes (wrong ones: %v); want the bucket's", known, code, len(b), bytes.Equal(b, wrong))
		}
		if !bytes.Equal(h.inRedis(), h.data) {
			t.Errorf("known %v: Redis still holds the wrong bytes after the bucket was read", known)
		}
	}
	// With the bucket unreachable, wrong bytes are still not served.
	h.forget()
	h.putRedis(wrong)
	h.cutBucket()
	if code, b := h.fetch(); code != http.StatusServiceUnavailable || bytes.Equal(b, wrong) {
		t.Fatalf("wrong bytes in Redis, bucket unreachable: %d; want 503", code)
	}
}

func TestATakenDownImageStaysGoneWhateverRedisHolds(t *testing.T) {
	h := newImageHarness(t)
	if code, _ := h.fetch(); code != http.StatusOK {
		t.Fatalf("live: %d", code)
	}
	h.publish("A1", func(p *eventsv1.Publication) { takeDown(p, "en") })
	h.putRedis(h.data) // whatever a replica wrote before
	for range 2 {
		if code, b := h.fetch(); code != http.StatusNotFound || bytes.Equal(b, h.data) {
			t.Fatalf("taken down: %d; want 404", code)
		}
		h.forget()
	}
	// An image no page ever showed, planted in Redis, is not served either.
	other := strings.Repeat("ef", 32) + "-640.jpg"
	if err := h.pages.PutMedia(context.Background(), other, h.data); err != nil {
		t.Fatal(err)
	}
	if res := h.get("/media/" + other); res.Code != http.StatusNotFound {
		t.Fatalf("an image no page shows: %d; want 404", res.Code)
	}
}
