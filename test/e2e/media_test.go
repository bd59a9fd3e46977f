package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"math/rand/v2"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"

	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/testkit"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	mediav1 "github.com/tandemnews/tandem/proto/tandem/media/v1"
	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
	"github.com/tandemnews/tandem/services/media"
)

// withPhoto is the sample article with its figures naming media item id
// in both languages.
func withPhoto(id string) *articlev1.Article {
	a := stacktest.SampleArticle()
	for _, lc := range a.Locales {
		for _, b := range lc.Blocks {
			if f := b.GetFigure(); f != nil {
				f.File, f.Media = "", id
			}
		}
	}
	return a
}

// upload adds a photo with texts in both languages.
func upload(t *testing.T, ctx context.Context, e *stacktest.Env, cl *stacktest.Client, data []byte) *eventsv1.MediaItem {
	t.Helper()
	res, err := cl.Media.UploadMedia(ctx, &mediav1.UploadMediaRequest{
		Data: data, FileName: "IMG_2041.JPG",
		Alt:    map[string]string{"zh-CN": "夜间自习空间里的学生", "en": "Students in the night study space"},
		Credit: map[string]string{"zh-CN": "图书馆 摄", "en": "University Library"},
	}, e.As(auth.Editor))
	if err != nil {
		t.Fatal(err)
	}
	return res.Item
}

// fetchImage GETs a media address with the given request headers.
func fetchImage(t *testing.T, url string, h map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for k, v := range h {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

// TestPhotoFromUploadToPage uploads a phone photo, uses it in an article,
// and follows it to the reader: private while the story is embargoed,
// served at every width once it is published (decoded, at the stated
// size, without its EXIF and GPS data, cached for good, in ranges), and
// gone again when the story is taken down.
func TestPhotoFromUploadToPage(t *testing.T) {
	e := stacktest.Start(t, testkit.StartNATS(t).URL())
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cl := e.Client(t)

	// Orientation 6: stored 1400×900, shown 900×1400.
	photo := testkit.Photo(t, 1400, 900, 6)
	item := upload(t, ctx, e, cl, photo)
	if item.Width != 900 || item.Height != 1400 || fmt.Sprint(item.Widths) != "[320 640 900]" || item.ContentType != "image/jpeg" {
		t.Fatalf("stored %d×%d %s at widths %v, want 900×1400 image/jpeg at [320 640 900]", item.Width, item.Height, item.ContentType, item.Widths)
	}
	if again := upload(t, ctx, e, cl, photo); again.Id != item.Id {
		t.Fatalf("the same photo twice made two items: %s and %s", item.Id, again.Id)
	}
	_, err := cl.Media.UploadMedia(ctx, &mediav1.UploadMediaRequest{Data: photo, Alt: map[string]string{"zh-CN": "x", "en": "x"}}, e.As(auth.Translator))
	stacktest.WantCode(t, "upload as translator", err, codes.PermissionDenied)
	got, err := cl.Media.GetMedia(ctx, &mediav1.GetMediaRequest{Id: item.Id}, e.As(auth.Translator))
	if err != nil || got.Item.Alt["en"] != "Students in the night study space" {
		t.Fatalf("get as translator: %v %v", got, err)
	}
	list, err := cl.Media.ListMedia(ctx, &mediav1.ListMediaRequest{}, e.As(auth.Editor))
	if err != nil || len(list.Items) != 1 || list.Items[0].Id != item.Id {
		t.Fatalf("the library lists %v (%v), want the one photo", list, err)
	}

	// Approved but not published: the photo stays private.
	id, err := cl.Approve(ctx, withPhoto(item.Id), e.Tokens)
	if err != nil {
		t.Fatal(err)
	}
	urls := make([]string, len(item.Widths))
	for i, w := range item.Widths {
		urls[i] = fmt.Sprintf("%s/media/%s-%d.jpg", e.SiteURL, item.Id, w)
	}
	for _, u := range urls {
		if code, _ := stacktest.Fetch(t, u); code != http.StatusNotFound {
			t.Fatalf("embargoed photo %s answers %d, want 404", u, code)
		}
	}

	res, err := cl.Publishing.PublishArticle(ctx, &publishingv1.PublishArticleRequest{ArticleId: id, Locales: []string{"zh-CN", "en"}}, e.As(auth.Publisher))
	if err != nil {
		t.Fatal(err)
	}
	en := res.Publication.Locales["en"]
	if len(en.Images) != 1 || en.Images[0].Media != item.Id || en.Images[0].Alt != "Students in the night study space" || en.Images[0].Credit != "University Library" {
		t.Fatalf("the English page lists images %v", en.Images)
	}
	page := e.Get(t, en.Path)
	for _, want := range []string{
		`srcset="/media/` + item.Id + `-320.jpg 320w, /media/` + item.Id + `-640.jpg 640w, /media/` + item.Id + `-900.jpg 900w"`,
		`width="900" height="1400" alt="Students in the night study space"`,
		`<meta property="og:image" content="` + e.SiteURL + `/media/` + item.Id + `-900.jpg">`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if strings.Contains(page, `loading="lazy"`) {
		t.Error("the lead image is loaded lazily")
	}
	if n := strings.Count(page, "Students studying in the night study space"); n != 1 {
		t.Errorf("the caption shows %d times, want once", n)
	}
	// Every variant the page lists, decoded at its stated size.
	for _, src := range regexp.MustCompile(`/media/[0-9a-f]{64}-\d+\.jpg`).FindAllString(page, -1) {
		var w int
		fmt.Sscanf(src[len("/media/")+65:], "%d", &w)
		r, body := fetchImage(t, e.SiteURL+src, nil)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", src, r.StatusCode)
		}
		if ct, cc := r.Header.Get("Content-Type"), r.Header.Get("Cache-Control"); ct != "image/jpeg" || cc != "public, max-age=31536000, immutable" || r.Header.Get("ETag") == "" {
			t.Errorf("GET %s: Content-Type %q, Cache-Control %q, ETag %q", src, ct, cc, r.Header.Get("ETag"))
		}
		img, _, err := image.Decode(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("GET %s: %v", src, err)
		}
		if b := img.Bounds(); b.Dx() != w || b.Dy() != w*1400/900 && b.Dy() != w*1400/900+1 {
			t.Errorf("%s is %d×%d", src, b.Dx(), b.Dy())
		}
		if bytes.Contains(body, []byte("Exif")) || bytes.Contains(body, []byte(testkit.GPSMarker)) {
			t.Errorf("%s still carries the photo's EXIF data", src)
		}
		if r, _ := fetchImage(t, e.SiteURL+src, map[string]string{"If-None-Match": r.Header.Get("ETag")}); r.StatusCode != http.StatusNotModified {
			t.Errorf("GET %s with its ETag: %d, want 304", src, r.StatusCode)
		}
		if r, part := fetchImage(t, e.SiteURL+src, map[string]string{"Range": "bytes=0-99"}); r.StatusCode != http.StatusPartialContent || !bytes.Equal(part, body[:100]) {
			t.Errorf("GET %s bytes 0-99: %d, %d bytes", src, r.StatusCode, len(part))
		}
	}
	if code, _ := stacktest.Fetch(t, fmt.Sprintf("%s/media/%s-1000.jpg", e.SiteURL, item.Id)); code != http.StatusNotFound {
		t.Errorf("a width the photo was not made at answers %d, want 404", code)
	}
	if code, feed := stacktest.Fetch(t, e.SiteURL+"/en/feed.xml"); code != http.StatusOK || !strings.Contains(feed, "Library Opens a Night Study Space") {
		t.Errorf("the feed: %d %s", code, feed)
	}

	// Taken down in both languages: the photo leaves with the story.
	if _, err := cl.Publishing.UnpublishArticle(ctx, &publishingv1.UnpublishArticleRequest{ArticleId: id, Locales: []string{"zh-CN", "en"}, Reason: "embargo broken"}, e.As(auth.Publisher)); err != nil {
		t.Fatal(err)
	}
	for _, u := range urls {
		stacktest.Eventually(t, "the site stops serving "+u, func() bool { code, _ := stacktest.Fetch(t, u); return code == http.StatusNotFound })
	}
}

// TestBadUploadsAndFiguresAreRefused: each bad upload is INVALID_ARGUMENT
// naming the field, a draft may not name a photo the library does not
// hold, and nothing is stored.
func TestBadUploadsAndFiguresAreRefused(t *testing.T) {
	e := stacktest.Start(t, testkit.StartNATS(t).URL())
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cl := e.Client(t)
	both := map[string]string{"zh-CN": "校门", "en": "The main gate"}
	good := testkit.Photo(t, 400, 300, 0)
	for _, c := range []struct {
		name  string
		req   *mediav1.UploadMediaRequest
		field string
	}{
		{"wrong type", &mediav1.UploadMediaRequest{Data: []byte("%PDF-1.7 not a photo"), Alt: both}, "data"},
		{"decompression bomb", &mediav1.UploadMediaRequest{Data: testkit.PNGBomb(30000, 30000), Alt: both}, "data"},
		{"oversize", &mediav1.UploadMediaRequest{Data: append(bytes.Clone(good), make([]byte, 3<<20)...), Alt: both}, "data"},
		{"no English alt text", &mediav1.UploadMediaRequest{Data: good, Alt: map[string]string{"zh-CN": "校门"}}, `alt["en"]`},
		{"no alt text at all", &mediav1.UploadMediaRequest{Data: good}, `alt["zh-CN"]`},
	} {
		_, err := cl.Media.UploadMedia(ctx, c.req, e.As(auth.Editor))
		st := stacktest.WantCode(t, c.name, err, codes.InvalidArgument)
		if !stacktest.HasViolation(st, c.field) {
			t.Errorf("%s: %v does not name %s", c.name, st.Details(), c.field)
		}
	}
	if list, err := cl.Media.ListMedia(ctx, &mediav1.ListMediaRequest{}, e.As(auth.Editor)); err != nil || len(list.Items) != 0 {
		t.Fatalf("after refused uploads the library holds %v (%v)", list, err)
	}

	unknown := strings.Repeat("ab", 32)
	_, err := cl.Drafting.CreateDraft(ctx, &draftingv1.CreateDraftRequest{Article: withPhoto(unknown)}, e.As(auth.Editor))
	st := stacktest.WantCode(t, "a figure naming no library item", err, codes.InvalidArgument)
	if !stacktest.HasViolation(st, `article.locales["en"].blocks[1].figure.media`) || !stacktest.HasViolation(st, `article.locales["zh-CN"].blocks[1].figure.media`) {
		t.Errorf("the refusal names %v", st.Details())
	}
}

// TestPurgeRemovesMediaNoOtherArticleUses: purging an article removes
// the photos only it used, and keeps the one another article shows.
func TestPurgeRemovesMediaNoOtherArticleUses(t *testing.T) {
	e := stacktest.Start(t, testkit.StartNATS(t).URL())
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cl := e.Client(t)
	shared := upload(t, ctx, e, cl, testkit.Photo(t, 500, 400, 0))
	own := upload(t, ctx, e, cl, testkit.Photo(t, 600, 400, 0))

	if _, err := cl.Walk(ctx, withPhoto(shared.Id), e.Tokens); err != nil {
		t.Fatal(err)
	}
	b := withPhoto(shared.Id)
	b.Slug = "library-photos-second-story"
	for loc, caption := range map[string]string{"zh-CN": "第二张照片", "en": "The second photo"} {
		lc := b.Locales[loc]
		lc.Blocks = append(lc.Blocks, &articlev1.Block{Kind: &articlev1.Block_Figure{Figure: &articlev1.Figure{Media: own.Id, Caption: caption}}})
	}
	pubB, err := cl.Walk(ctx, b, e.Tokens)
	if err != nil {
		t.Fatal(err)
	}
	ownURL := fmt.Sprintf("%s/media/%s-%d.jpg", e.SiteURL, own.Id, own.Width)
	stacktest.Eventually(t, "the second story's own photo is served", func() bool { code, _ := stacktest.Fetch(t, ownURL); return code == http.StatusOK })

	if _, err := cl.Drafting.PurgeArticle(ctx, &draftingv1.PurgeArticleRequest{Id: pubB.ArticleId, Reason: "consent withdrawn"}, e.As(auth.Admin)); err != nil {
		t.Fatal(err)
	}
	stacktest.Eventually(t, "the library forgets the purged story's own photo", func() bool {
		_, err := cl.Media.GetMedia(ctx, &mediav1.GetMediaRequest{Id: own.Id}, e.As(auth.Editor))
		return err != nil
	})
	_, err = cl.Media.GetMedia(ctx, &mediav1.GetMediaRequest{Id: own.Id}, e.As(auth.Editor))
	stacktest.WantCode(t, "get the removed photo", err, codes.NotFound)
	if _, err := cl.Media.GetMedia(ctx, &mediav1.GetMediaRequest{Id: shared.Id}, e.As(auth.Editor)); err != nil {
		t.Fatalf("the photo another story shows was removed: %v", err)
	}
	stacktest.Eventually(t, "the site stops serving the removed photo", func() bool { code, _ := stacktest.Fetch(t, ownURL); return code == http.StatusNotFound })
	if code, _ := stacktest.Fetch(t, fmt.Sprintf("%s/media/%s-%d.jpg", e.SiteURL, shared.Id, shared.Width)); code != http.StatusOK {
		t.Errorf("the shared photo answers %d after the purge, want 200", code)
	}
	obs, err := e.Bus.JetStream().ObjectStore(ctx, e.Bus.Config().EditorialStream+"_MEDIA")
	if err != nil {
		t.Fatal(err)
	}
	stacktest.Eventually(t, "the removed photo's variants leave the library's bucket", func() bool {
		_, err := obs.GetInfo(ctx, fmt.Sprintf("%s/%d.jpg", own.Id, own.Width))
		return err != nil
	})
}

// readContent reads one variant through GetMediaContent: its first
// message, and every chunk's bytes joined.
func readContent(ctx context.Context, cl *stacktest.Client, req *mediav1.GetMediaContentRequest, as grpc.CallOption) (*mediav1.GetMediaContentResponse, []byte, int, error) {
	stream, err := cl.Media.GetMediaContent(ctx, req, as)
	if err != nil {
		return nil, nil, 0, err
	}
	var first *mediav1.GetMediaContentResponse
	var data []byte
	n := 0
	for {
		m, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return first, data, n, nil
		}
		if err != nil {
			return nil, nil, n, err
		}
		if first == nil {
			first = m
		} else if m.ContentType != "" || m.Size != 0 {
			return nil, nil, n, fmt.Errorf("chunk %d repeats the header: %v", n, m)
		}
		if len(m.Data) > media.ContentChunk {
			return nil, nil, n, fmt.Errorf("chunk %d holds %d bytes", n, len(m.Data))
		}
		data = append(data, m.Data...)
		n++
	}
}

// noise is a JPEG of random pixels: it compresses badly, so its
// variants are large.
func noise(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewPCG(1, 2))
	for i := range img.Pix {
		img.Pix[i] = byte(r.Uint32())
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 75}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestMediaContentIsForTheNewsroomOnly: every newsroom role reads a
// private photo's bytes, whole and in bounded chunks; nobody without a
// valid token does; a width the item lacks and an unknown item are
// refused.
func TestMediaContentIsForTheNewsroomOnly(t *testing.T) {
	e := stacktest.Start(t, testkit.StartNATS(t).URL())
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cl := e.Client(t)
	item := upload(t, ctx, e, cl, noise(t, 1200, 900))
	last := len(item.Sizes) - 1
	if item.Widths[last] != 1200 || item.Sizes[last] <= media.ContentChunk {
		t.Fatalf("the sample is not large enough to need chunks: %v %v", item.Widths, item.Sizes)
	}
	for _, r := range auth.Roles {
		first, data, chunks, err := readContent(ctx, cl, &mediav1.GetMediaContentRequest{Id: item.Id, Width: 1200}, e.As(r))
		if err != nil {
			t.Fatalf("%s: %v", r, err)
		}
		if first.ContentType != "image/jpeg" || first.Width != 1200 || first.Size != item.Sizes[last] || int64(len(data)) != item.Sizes[last] || chunks < 2 {
			t.Fatalf("%s read %s %dpx %d bytes stated, %d read in %d chunks; the item says %d", r, first.ContentType, first.Width, first.Size, len(data), chunks, item.Sizes[last])
		}
		img, err := jpeg.Decode(bytes.NewReader(data))
		if err != nil || img.Bounds().Dx() != 1200 || img.Bounds().Dy() != 900 {
			t.Fatalf("%s: the bytes do not decode to the original: %v", r, err)
		}
	}
	// Width 0 is the thumbnail: the narrowest variant.
	if first, data, _, err := readContent(ctx, cl, &mediav1.GetMediaContentRequest{Id: item.Id}, e.As(auth.Translator)); err != nil || first.Width != 320 || int64(len(data)) != item.Sizes[0] {
		t.Fatalf("the thumbnail: %v %v", first, err)
	}
	for who, as := range map[string]grpc.CallOption{"no token": grpc.EmptyCallOption{}, "unknown token": stacktest.BadToken()} {
		_, data, _, err := readContent(ctx, cl, &mediav1.GetMediaContentRequest{Id: item.Id}, as)
		stacktest.WantCode(t, who, err, codes.Unauthenticated)
		if len(data) > 0 {
			t.Errorf("%s read %d bytes", who, len(data))
		}
	}
	_, _, _, err := readContent(ctx, cl, &mediav1.GetMediaContentRequest{Id: item.Id, Width: 777}, e.As(auth.Editor))
	if st := stacktest.WantCode(t, "a width the item lacks", err, codes.InvalidArgument); !stacktest.HasViolation(st, "width") {
		t.Errorf("the refusal names %v", st.Details())
	}
	_, _, _, err = readContent(ctx, cl, &mediav1.GetMediaContentRequest{Id: strings.Repeat("ab", 32)}, e.As(auth.Editor))
	stacktest.WantCode(t, "an unknown item", err, codes.NotFound)
}

// TestAPreviewShowsTheLibrarysImages: publishing's preview of an unstored
// article renders each figure whose item the library holds as the
// published page will (every variant in srcset, its size, its
// alternative text in the page's language), and a figure whose item is
// unknown with its caption alone.
func TestAPreviewShowsTheLibrarysImages(t *testing.T) {
	e := stacktest.Start(t, testkit.StartNATS(t).URL())
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cl := e.Client(t)
	item := upload(t, ctx, e, cl, testkit.Photo(t, 1200, 800, 0))
	for l, alt := range map[string]string{"zh-CN": "夜间自习空间里的学生", "en": "Students in the night study space"} {
		res, err := cl.Publishing.PreviewArticle(ctx, &publishingv1.PreviewArticleRequest{Article: withPhoto(item.Id), Locale: l}, e.As(auth.Translator))
		if err != nil {
			t.Fatal(err)
		}
		page := string(res.Html)
		for _, want := range []string{`src="/media/` + item.Id + `-1024.jpg"`, `/media/` + item.Id + `-320.jpg 320w`, `/media/` + item.Id + `-1200.jpg 1200w`, `width="1200" height="800"`, `alt="` + alt + `"`} {
			if !strings.Contains(page, want) {
				t.Fatalf("the %s preview lacks %s:\n%s", l, want, page)
			}
		}
	}
	res, err := cl.Publishing.PreviewArticle(ctx, &publishingv1.PreviewArticleRequest{Article: withPhoto(strings.Repeat("ab", 32)), Locale: "en"}, e.As(auth.Editor))
	if err != nil {
		t.Fatal(err)
	}
	_, body, _ := strings.Cut(string(res.Html), "<main>") // the header shows the logo
	if page := string(res.Html); strings.Contains(body, "<img") || !strings.Contains(page, "<figcaption>") {
		t.Fatalf("a figure naming no item:\n%s", page)
	}
}
