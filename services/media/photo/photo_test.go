package photo_test

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/png"
	"slices"
	"testing"

	"github.com/tandemnews/tandem/pkg/field"
	"github.com/tandemnews/tandem/pkg/testkit"
	"github.com/tandemnews/tandem/services/media/photo"
)

func TestProcessOrientsStripsAndResizes(t *testing.T) {
	// Orientation 6: the camera was turned; the stored image is rotated a
	// quarter turn clockwise, so 1200×700 shows as 700×1200.
	p, err := photo.Process("data", testkit.Photo(t, 1200, 700, 6))
	if err != nil {
		t.Fatal(err)
	}
	if p.Width != 700 || p.Height != 1200 || p.ContentType != "image/jpeg" || p.Ext != "jpg" {
		t.Fatalf("processed %d×%d %s .%s, want 700×1200 image/jpeg .jpg", p.Width, p.Height, p.ContentType, p.Ext)
	}
	var widths []int
	for _, v := range p.Variants {
		widths = append(widths, v.Width)
		img, _, err := image.Decode(bytes.NewReader(v.Data))
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() != v.Width || b.Dy() != v.Height || v.Height != v.Width*1200/700 && v.Height != v.Width*1200/700+1 {
			t.Errorf("variant says %d×%d, holds %d×%d", v.Width, v.Height, b.Dx(), b.Dy())
		}
		if bytes.Contains(v.Data, []byte("Exif")) || bytes.Contains(v.Data, []byte(testkit.GPSMarker)) {
			t.Errorf("variant %d kept the EXIF data", v.Width)
		}
	}
	if !slices.Equal(widths, []int{320, 640, 700}) {
		t.Errorf("widths %v, want [320 640 700]", widths)
	}
	// The dark corner was top left in the file; a quarter turn clockwise
	// puts it top right.
	img, _, _ := image.Decode(bytes.NewReader(p.Variants[len(p.Variants)-1].Data))
	if r, _, _, _ := img.At(p.Width-20, 20).RGBA(); r>>8 > 40 {
		t.Errorf("top right is not dark (r=%d): the orientation was not applied", r>>8)
	}
	again, _ := photo.Process("data", testkit.Photo(t, 1200, 700, 6))
	if again.ID != p.ID || !photo.ValidID(p.ID) {
		t.Errorf("the same upload twice made ids %s and %s", p.ID, again.ID)
	}
}

func TestProcessRefusesBadUploads(t *testing.T) {
	big := append(testkit.Photo(t, 64, 64, 0), make([]byte, photo.MaxBytes)...)
	for name, data := range map[string][]byte{
		"empty":     nil,
		"text":      []byte("<html>not an image</html>"),
		"bomb":      testkit.PNGBomb(20000, 20000),
		"oversize":  big,
		"truncated": testkit.Photo(t, 64, 64, 0)[:40],
	} {
		_, err := photo.Process("data", data)
		var fe *field.Error
		if !errors.As(err, &fe) || fe.Violations[0].Field != "data" {
			t.Errorf("%s: got %v, want a violation of data", name, err)
		}
	}
}

func TestProcessKeepsTransparencyAsPNG(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 400, 300))
	img.Set(10, 10, color.NRGBA{255, 0, 0, 128})
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	p, err := photo.Process("data", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if p.Ext != "png" || len(p.Variants) != 2 {
		t.Errorf("a transparent PNG became .%s with %d variants, want png with 2 (320, 400)", p.Ext, len(p.Variants))
	}
}

func TestTextsNeedBothAltTexts(t *testing.T) {
	var v field.Violations
	photo.Texts{Alt: map[string]string{"zh-CN": "校门", "fr": "x"}, Credit: map[string]string{"en": "a\nb"}}.CheckRequired(&v)
	want := []string{`alt["fr"]`, `credit["en"]`, `alt["en"]`}
	if got := v.Fields(); !slices.Equal(got, want) {
		t.Errorf("violations %q, want %q", got, want)
	}
}

// BenchmarkProcessPhoneJPEG is one upload of a 12-megapixel phone photo
// (4000×3000, turned by its EXIF): checked, oriented, scaled to 2048
// wide and re-encoded with its four variants.
func BenchmarkProcessPhoneJPEG(b *testing.B) {
	data := testkit.Photo(b, 4000, 3000, 6)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := photo.Process("data", data); err != nil {
			b.Fatal(err)
		}
	}
}
