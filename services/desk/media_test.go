package desk_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/tandemnews/tandem/pkg/testkit"
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
