package site

import (
	"strings"
	"testing"

	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
)

// TestImagesAreServedWhileALivePageShowsThem pins the site's rule for
// /media/: an image is known while at least one live page lists it, at
// the widths and extension it lists, and at no other address.
func TestImagesAreServedWhileALivePageShowsThem(t *testing.T) {
	id := strings.Repeat("ab", 32)
	img := &eventsv1.PublishedImage{Media: id, ContentType: "image/jpeg", Ext: "jpg", Width: 900, Height: 600, Widths: []int32{320, 640, 900}}
	pub := func(article string, imgs ...*eventsv1.PublishedImage) *eventsv1.Publication {
		return &eventsv1.Publication{ArticleId: article, Locales: map[string]*eventsv1.PublishedLocale{"en": {Locale: "en", Images: imgs}}}
	}
	sh := newShown()
	known := func(name string) bool { _, _, ok := sh.lookup(name); return ok }
	name := id + "-640.jpg"
	if known(name) {
		t.Fatal("an image no page shows is known")
	}
	sh.apply(pub("A", img))
	sh.apply(pub("B", img))
	for _, n := range []string{id + "-320.jpg", name, id + "-900.jpg"} {
		if !known(n) {
			t.Errorf("%s is not known while two pages show it", n)
		}
	}
	for _, n := range []string{id + "-641.jpg", id + "-0640.jpg", id + "-640.png", id + ".jpg", id + "-640", "x-640.jpg", id + "-640.jpg.jpg"} {
		if known(n) {
			t.Errorf("%s is known", n)
		}
	}
	sh.apply(pub("A")) // A taken down: B still shows it
	if !known(name) {
		t.Error("the image went with one of the two pages showing it")
	}
	sh.apply(&eventsv1.Publication{ArticleId: "B"}) // B purged
	if known(name) {
		t.Error("the image is still known after the last page showing it went")
	}
	if len(sh.images) != 0 || len(sh.by) != 0 || len(sh.of) != 0 {
		t.Errorf("the site still holds %d images, %d users, %d articles", len(sh.images), len(sh.by), len(sh.of))
	}
}
