package desk_test

import (
	"bytes"
	"context"
	"image"
	_ "image/jpeg"
	"io"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/testkit"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	mediav1 "github.com/tandemnews/tandem/proto/tandem/media/v1"
)

// postPhoto sends the desk's upload form with the session cookie c.
func postPhoto(t *testing.T, base string, c *http.Cookie, data []byte, fields map[string]string) (int, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "IMG_0001.JPG")
	fw.Write(data)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, base+"/media", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.AddCookie(c)
	res, err := httpClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// TestAnEditorUploadsAPhotoAndGetsTheLineThatShowsIt: the desk's photo
// library takes an upload with its texts, answers with the figure line
// to put in the body, lists it for everyone, and puts a refusal beside
// the field it concerns.
func TestAnEditorUploadsAPhotoAndGetsTheLineThatShowsIt(t *testing.T) {
	d := startDesk(t)
	_, ed := signInHTTP(t, d.DeskURL, "ed", password)
	_, tr := signInHTTP(t, d.DeskURL, "tr", password)
	if ed == nil || tr == nil {
		t.Fatal("no session cookie")
	}
	photo := testkit.Photo(t, 800, 600, 0)

	code, page := postPhoto(t, d.DeskURL, ed, photo, map[string]string{"alt_zh": "校门"})
	if code != http.StatusBadRequest || !regexp.MustCompile(`id="alt_en-error">[^<]*required`).MatchString(page) || !strings.Contains(page, `value="校门"`) {
		t.Fatalf("an upload without English alt text: %d\n%s", code, page)
	}
	// A file past the form's limit gets the size refusal at the file
	// field, not "choose a file".
	code, page = postPhoto(t, d.DeskURL, ed, bytes.Repeat([]byte{0xff}, 4<<20), map[string]string{"alt_zh": "校门", "alt_en": "The main gate"})
	if code != http.StatusRequestEntityTooLarge || !strings.Contains(page, `id="file-error">`) || !strings.Contains(page, "3 MiB") {
		t.Fatalf("an upload over the limit: %d\n%s", code, page)
	}
	code, page = postPhoto(t, d.DeskURL, ed, photo, map[string]string{"alt_zh": "校门", "alt_en": "The main gate", "credit": "Photo office"})
	m := regexp.MustCompile(`<pre class="snippet" id="added-snippet">!\[[^\]]*\]\(media:([0-9a-f]{64})\)</pre>`).FindStringSubmatch(page)
	if code != http.StatusOK || m == nil {
		t.Fatalf("the upload answered %d\n%s", code, page)
	}

	req, _ := http.NewRequest(http.MethodGet, d.DeskURL+"/media", nil)
	req.Header.Set("Accept-Language", "en")
	req.AddCookie(tr)
	res, err := httpClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	list := string(b)
	if res.StatusCode != http.StatusOK || !strings.Contains(list, "media:"+m[1]) || !strings.Contains(list, "The main gate") || !strings.Contains(list, "800×600") {
		t.Fatalf("the library as the translator sees it: %d\n%s", res.StatusCode, list)
	}
	if strings.Contains(list, `id="upload"`) {
		t.Error("the translator is offered the upload form")
	}
}

// getWith GETs url with the session cookie c (none when nil) and the
// headers h.
func getWith(t *testing.T, url string, c *http.Cookie, h map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if c != nil {
		req.AddCookie(c)
	}
	for k, v := range h {
		req.Header.Set(k, v)
	}
	res, err := httpClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

// withFigure is the sample article with its figures naming media item id.
func withFigure(id string) *articlev1.Article {
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

// imageAddress finds the first image address in a page.
var imageAddress = regexp.MustCompile(`<img[^>]* src="(/media/[0-9a-f]{64}-[0-9]+\.jpg)"`)

// TestAnEditorPicksAPhotoFromThumbnailsAndThePreviewsShowIt: the
// library shows thumbnails the desk serves from the private library; in
// the editor, the picker (opened and used with the keyboard) puts the
// photo's figure line into the body at the cursor, and the live preview
// shows the image; the publisher's previews show it too. The desk serves
// a photo only to the signed-in, privately cached.
func TestAnEditorPicksAPhotoFromThumbnailsAndThePreviewsShowIt(t *testing.T) {
	d := startDesk(t)
	cl := d.Client(t)
	ctx := context.Background()
	up, err := cl.Media.UploadMedia(ctx, &mediav1.UploadMediaRequest{
		Data: testkit.Photo(t, 1200, 800, 0), FileName: "gate.jpg",
		Alt: map[string]string{"zh-CN": "校门", "en": "The main gate"},
	}, d.As(auth.Editor))
	if err != nil {
		t.Fatal(err)
	}
	id := up.Item.Id

	b := d.browser(t, 1280, "en-US")
	d.signIn(t, b, auth.Editor)
	// The library's thumbnail is loaded and decoded by the browser.
	run(t, b, "the library", chromedp.Navigate(d.DeskURL+"/media"), chromedp.WaitVisible(chromedp.CSS(`#library img.thumb`)))
	thumb := `(() => { const i = document.querySelector("#library img.thumb"); return !!i && i.complete && i.naturalWidth === 320 && i.src.includes("` + id + `-320.jpg"); })()`
	if _, err := chromedp.Run(b, chromedp.Poll[bool](thumb, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("the library shows no thumbnail: %v", err)
	}

	// The editor: a paragraph, then the picker by keyboard.
	run(t, b, "the picker",
		chromedp.Navigate(d.DeskURL+"/articles/new"),
		fill(`#zh_body`, "第一段。\n\n第二段。"),
		chromedp.Evaluate[chromedp.Void](`(() => { const t = document.querySelector("#zh_body"); t.setSelectionRange(4, 4); })()`),
		chromedp.Focus(chromedp.CSS(`#zh_picker summary`)),
		chromedp.KeyEvent("\r"),
		chromedp.WaitVisible(chromedp.CSS(`#zh_picker .insert-photo`)),
	)
	inPicker := `(() => { const i = document.querySelector("#zh_picker .insert-photo img"); return !!i && i.complete && i.naturalWidth > 0; })()`
	if _, err := chromedp.Run(b, chromedp.Poll[bool](inPicker, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("the picker shows no thumbnail: %v", err)
	}
	if name := text(t, b, `#zh_picker .insert-photo`); !strings.Contains(name, "校门") {
		t.Fatalf("the picker's button reads %q", name)
	}
	axeCheck(t, b, "the editor with its picker open")
	run(t, b, "choosing the photo", chromedp.Focus(chromedp.CSS(`#zh_picker .insert-photo`)), chromedp.KeyEvent("\r"))
	body, err := chromedp.Run(b, chromedp.Value(chromedp.CSS(`#zh_body`)))
	if err != nil {
		t.Fatal(err)
	}
	if want := "第一段。\n\n![图片说明](media:" + id + ")\n\n第二段。"; body != want {
		t.Fatalf("the body after inserting is %q, want %q", body, want)
	}
	// The caption is selected, so typing replaces it.
	run(t, b, "typing the caption", chromedp.SendKeys(chromedp.CSS(`#zh_body`), "校门外"))
	if body, _ = chromedp.Run(b, chromedp.Value(chromedp.CSS(`#zh_body`))); !strings.Contains(body, "![校门外](media:"+id+")") {
		t.Fatalf("typing did not replace the caption: %q", body)
	}
	// The live preview, publishing's page, shows the image from the desk.
	shown := `(() => { const d = document.querySelector("#preview-zh").contentDocument; const i = d && d.querySelector("figure img"); return !!i && i.complete && i.naturalWidth > 0 && i.currentSrc.includes("/media/` + id + `-"); })()`
	if _, err := chromedp.Run(b, chromedp.Poll[bool](shown, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("the editor's preview shows no image: %v", err)
	}

	// The publisher's previews reference images the desk serves.
	art, err := cl.Approve(ctx, withFigure(id), d.Tokens)
	if err != nil {
		t.Fatal(err)
	}
	_, pub := signInHTTP(t, d.DeskURL, "pub", password)
	if pub == nil {
		t.Fatal("no session cookie")
	}
	var addr string
	for _, l := range []string{"zh-CN", "en"} {
		res, page := getWith(t, d.DeskURL+"/articles/"+art+"/publish/preview?locale="+l, pub, nil)
		m := imageAddress.FindSubmatch(page)
		if res.StatusCode != http.StatusOK || m == nil || !strings.Contains(string(m[1]), id) {
			t.Fatalf("the publisher's %s preview (%d) shows no image of the library:\n%s", l, res.StatusCode, page)
		}
		addr = string(m[1])
	}
	res, data := getWith(t, d.DeskURL+addr, pub, nil)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("%s: %d %s", addr, res.StatusCode, res.Header.Get("Content-Type"))
	}
	img, format, err := image.Decode(bytes.NewReader(data))
	if err != nil || format != "jpeg" || img.Bounds().Dx() != 1024 {
		t.Fatalf("%s does not decode to a 1024-pixel JPEG: %v %v", addr, format, err)
	}
	if cc, tag := res.Header.Get("Cache-Control"), res.Header.Get("ETag"); !strings.HasPrefix(cc, "private, max-age=") || tag == "" {
		t.Fatalf("%s is cached as %q with ETag %q", addr, cc, tag)
	} else if again, _ := getWith(t, d.DeskURL+addr, pub, map[string]string{"If-None-Match": tag}); again.StatusCode != http.StatusNotModified {
		t.Fatalf("asked again with its ETag: %d", again.StatusCode)
	}

	// Signed out, or for a width the photo lacks, there is no photo.
	if res, data := getWith(t, d.DeskURL+addr, nil, nil); res.StatusCode == http.StatusOK || res.Header.Get("Content-Type") == "image/jpeg" || bytes.HasPrefix(data, []byte{0xff, 0xd8}) {
		t.Fatalf("signed out, %s answered %d %s", addr, res.StatusCode, res.Header.Get("Content-Type"))
	}
	if res, _ := getWith(t, d.DeskURL+"/media/"+id+"-777.jpg", pub, nil); res.StatusCode != http.StatusNotFound {
		t.Fatalf("a width the photo lacks: %d", res.StatusCode)
	}
}
