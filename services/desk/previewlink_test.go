package desk_test

import (
	"bytes"
	"context"
	"image"
	_ "image/jpeg"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/siteconfig"
	"github.com/tandemnews/tandem/pkg/testkit"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	mediav1 "github.com/tandemnews/tandem/proto/tandem/media/v1"
	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
)

// linkImage finds the image addresses of a page: each src, and each
// address of a srcset.
var linkImage = regexp.MustCompile(`(?:src="|srcset="|, )(/[^" ,]+)`)

// TestAPreviewLinkShowsItsPhotosSignedOutAndNoOthers: the page of a
// preview link loads its figures' photos under the link's own address,
// and the desk serves them to a visitor with no session, privately
// cached no longer than the link lives; with the same link, a photo of
// another article is refused, and once the link has expired so are its
// own photos.
func TestAPreviewLinkShowsItsPhotosSignedOutAndNoOthers(t *testing.T) {
	d := startDesk(t)
	cl := d.Client(t)
	ctx := context.Background()
	upload := func(w, h int) string {
		up, err := cl.Media.UploadMedia(ctx, &mediav1.UploadMediaRequest{
			Data: testkit.Photo(t, w, h, 0), FileName: "photo.jpg",
			Alt: map[string]string{"zh-CN": "校门", "en": "The main gate"},
		}, d.As(auth.Editor))
		if err != nil {
			t.Fatal(err)
		}
		return up.Item.Id
	}
	ours, theirs := upload(1200, 800), upload(1000, 700)
	art, err := cl.Approve(ctx, withFigure(ours), d.Tokens)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.Drafting.CreateDraft(ctx, &draftingv1.CreateDraftRequest{Article: withFigure(theirs)}, d.As(auth.Editor)); err != nil {
		t.Fatal(err)
	}
	link, err := cl.Publishing.CreatePreviewLink(ctx, &publishingv1.CreatePreviewLinkRequest{ArticleId: art, Expires: timestamppb.New(time.Now().Add(time.Hour))}, d.As(auth.Publisher))
	if err != nil {
		t.Fatal(err)
	}
	base := "/preview/" + link.Token + "/media/"

	// Signed out: every image address of both pages is under the link's
	// own, and each is a photo that decodes.
	var addrs []string
	for _, l := range []string{"zh-CN", "en"} {
		res, page := getWith(t, d.DeskURL+"/preview/"+link.Token+"/"+l, nil, nil)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("the link's %s page: %d", l, res.StatusCode)
		}
		found := 0
		// The figures, in <main>: the header's icon is the site's own.
		body := page
		if i := bytes.Index(body, []byte("<main")); i >= 0 {
			body = body[i:]
		}
		if i := bytes.Index(body, []byte("</main>")); i >= 0 {
			body = body[:i]
		}
		for _, m := range linkImage.FindAllSubmatch(body, -1) {
			a := string(m[1])
			if !strings.HasPrefix(a, base+ours+"-") {
				t.Fatalf("the link's %s page shows an image at %s, not under %s", l, a, base)
			}
			found++
			if !slices.Contains(addrs, a) {
				addrs = append(addrs, a)
			}
		}
		if found == 0 {
			t.Fatalf("the link's %s page shows no image:\n%s", l, page)
		}
		// The header's icon and the logo are the site's own files, which
		// the desk serves to anybody as the site does.
		for _, a := range []string{siteconfig.IconPath, siteconfig.LogoPath} {
			if !bytes.Contains(page, []byte(`"`+a+`"`)) && a == siteconfig.IconPath {
				t.Fatalf("the link's %s page does not link the icon %s", l, a)
			}
			res, _ := getWith(t, d.DeskURL+a, nil, nil)
			if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != siteconfig.Assets[a].ContentType {
				t.Fatalf("%s signed out: %d %s", a, res.StatusCode, res.Header.Get("Content-Type"))
			}
		}
	}
	if len(addrs) < 2 {
		t.Fatalf("the link's pages show only %v: no srcset", addrs)
	}
	for _, a := range addrs {
		res, data := getWith(t, d.DeskURL+a, nil, nil)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/jpeg" {
			t.Fatalf("signed out, %s: %d %s", a, res.StatusCode, res.Header.Get("Content-Type"))
		}
		img, format, err := image.Decode(bytes.NewReader(data))
		want, _ := strconv.Atoi(strings.TrimSuffix(a[strings.LastIndex(a, "-")+1:], ".jpg"))
		if err != nil || format != "jpeg" || img.Bounds().Dx() != want {
			t.Fatalf("%s does not decode to a %d-pixel JPEG: %v %v", a, want, format, err)
		}
		cc := res.Header.Get("Cache-Control")
		age, err := strconv.Atoi(strings.TrimPrefix(cc, "private, max-age="))
		if err != nil || age > 3600 || age < 3000 {
			t.Fatalf("%s is cached as %q: not private for at most the link's hour", a, cc)
		}
	}
	// A browser with no session shows them.
	out, stop := chromedp.NewContext(d.browser(t, 1280, "en-US"), chromedp.WithNewBrowserContext())
	defer stop()
	run(t, out, "opening the link signed out", chromedp.Navigate(d.DeskURL+"/preview/"+link.Token), chromedp.WaitVisible(chromedp.CSS(`#linked-zh`)))
	for _, sel := range []string{"#linked-zh", "#linked-en"} {
		shown := `(() => { const d = document.querySelector("` + sel + `").contentDocument; const i = d && d.querySelector("figure img"); return !!i && i.complete && i.naturalWidth > 0 && i.currentSrc.includes("` + base + ours + `-"); })()`
		if _, err := chromedp.Run(out, chromedp.Poll[bool](shown, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
			t.Fatalf("the link's page %s shows no photo: %v", sel, err)
		}
	}

	// The same link does not show a photo of another article, nor its
	// own photo at a width it lacks, nor with its token altered.
	for _, a := range []string{base + theirs + "-320.jpg", base + theirs + "-1000.jpg", base + ours + "-777.jpg", base + ours + "-320.png"} {
		if res, data := getWith(t, d.DeskURL+a, nil, nil); res.StatusCode != http.StatusNotFound || bytes.HasPrefix(data, []byte{0xff, 0xd8}) {
			t.Fatalf("%s answered %d %s", a, res.StatusCode, res.Header.Get("Content-Type"))
		}
	}
	p, sig, _ := strings.Cut(link.Token, ".")
	flip := "A"
	if sig[0] == 'A' {
		flip = "B"
	}
	altered := "/preview/" + p + "." + flip + sig[1:] + "/media/" + ours + "-320.jpg"
	if res, _ := getWith(t, d.DeskURL+altered, nil, nil); res.StatusCode != http.StatusNotFound {
		t.Fatalf("an altered link's photo: %d", res.StatusCode)
	}

	// An expired link refuses its photos as its pages: 410.
	short, err := cl.Publishing.CreatePreviewLink(ctx, &publishingv1.CreatePreviewLinkRequest{ArticleId: art, Expires: timestamppb.New(time.Now().Add(2 * time.Second))}, d.As(auth.Publisher))
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Until(short.Expires.AsTime()) + 100*time.Millisecond)
	for _, a := range addrs {
		a = strings.Replace(a, link.Token, short.Token, 1)
		if res, data := getWith(t, d.DeskURL+a, nil, nil); res.StatusCode != http.StatusGone || bytes.HasPrefix(data, []byte{0xff, 0xd8}) || strings.Contains(res.Header.Get("Cache-Control"), "max-age") {
			t.Fatalf("an expired link's %s: %d %q", a, res.StatusCode, res.Header.Get("Cache-Control"))
		}
	}
}
