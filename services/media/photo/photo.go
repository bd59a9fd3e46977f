// Package photo is the media library's rules: what an upload must be (its
// type read from its content, its size and its pixel count checked before
// it is decoded), how it is made safe to publish (oriented, re-encoded,
// which drops EXIF and GPS data), the variants made of it, and the texts
// that go with it. It knows nothing of gRPC or NATS.
package photo

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	_ "image/gif" // decoded: GIF uploads (first frame)
	"image/jpeg"
	"image/png"
	"net/http"
	"slices"
	"unicode/utf8"

	"github.com/disintegration/imaging"
	_ "golang.org/x/image/webp" // decoded: WebP uploads

	"github.com/tandemnews/tandem/pkg/field"
)

// Limits of an upload (docs/limits.md).
const (
	// MaxBytes is the largest file accepted: 3 MiB, so that an upload
	// with its texts fits in one gRPC message (pkg/rpc.MaxMessageBytes).
	MaxBytes = 3 << 20
	// MaxPixels is the largest image accepted, read from its header
	// before anything is decoded: 40 megapixels. A decompression bomb (a
	// small file that would decode to gigabytes) is refused here.
	MaxPixels = 40_000_000
	// MaxSide is the longest side accepted, in pixels.
	MaxSide = 12_000
	// MinSide is the shortest side accepted.
	MinSide = 16
	// MaxWidth is the width of the stored original: larger images are
	// scaled down to it.
	MaxWidth = 2048
	// JPEGQuality is the quality of every JPEG written.
	JPEGQuality = 82
	// MaxAltRunes bounds an alternative text; MaxCreditRunes a credit.
	MaxAltRunes    = 1000
	MaxCreditRunes = 100
	// MaxFileNameRunes bounds the file name kept for people.
	MaxFileNameRunes = 200
)

// Widths are the variant widths made of every image narrower variants
// than the original are made at; the original is the last variant.
var Widths = []int{320, 640, 1024, 1600}

// Locales are the locales a text may be given in.
var Locales = []string{"zh-CN", "en"}

// Errors.
var (
	// ErrNotFound: no media item has the id.
	ErrNotFound = errors.New("no such media item")
)

// accepted maps a sniffed content type to whether it can be decoded.
var accepted = map[string]bool{"image/jpeg": true, "image/png": true, "image/gif": true, "image/webp": true}

// Variant is one stored size of an image.
type Variant struct {
	Width, Height int
	Data          []byte
}

// Photo is an upload made ready to store: the original (the largest
// variant, last) and its narrower variants, all in one format.
type Photo struct {
	// ID is the hex SHA-256 of the original's bytes.
	ID          string
	ContentType string
	Ext         string
	Width       int
	Height      int
	// Variants ascending by width; the last is the original.
	Variants []Variant
}

// Process checks an upload and makes it ready to store. Problems are
// *field.Error on path (the request field carrying the bytes).
func Process(path string, data []byte) (*Photo, error) {
	if len(data) == 0 {
		return nil, field.Invalid(path, "is required: the image file's bytes")
	}
	if len(data) > MaxBytes {
		return nil, field.Invalid(path, "is %d bytes; an image may be at most %d bytes (3 MiB)", len(data), MaxBytes)
	}
	sniffed := http.DetectContentType(data)
	if !accepted[sniffed] {
		return nil, field.Invalid(path, "is %s by its content; an image must be JPEG, PNG, WebP or GIF", sniffed)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, field.Invalid(path, "is not a readable %s: %v", sniffed, err)
	}
	if cfg.Width < MinSide || cfg.Height < MinSide {
		return nil, field.Invalid(path, "is %d×%d pixels; each side must be at least %d", cfg.Width, cfg.Height, MinSide)
	}
	if cfg.Width > MaxSide || cfg.Height > MaxSide || cfg.Width*cfg.Height > MaxPixels {
		return nil, field.Invalid(path, "is %d×%d pixels; an image may have at most %d pixels and %d on a side", cfg.Width, cfg.Height, MaxPixels, MaxSide)
	}
	img, err := imaging.Decode(bytes.NewReader(data), imaging.AutoOrientation(true))
	if err != nil {
		return nil, field.Invalid(path, "is not a readable %s: %v", sniffed, err)
	}
	p := &Photo{ContentType: "image/jpeg", Ext: "jpg"}
	if sniffed == "image/png" || sniffed == "image/gif" {
		if !opaque(img) {
			p.ContentType, p.Ext = "image/png", "png"
		}
	}
	b := img.Bounds()
	if b.Dx() > MaxWidth {
		img = imaging.Resize(img, MaxWidth, 0, imaging.Lanczos)
		b = img.Bounds()
	}
	p.Width, p.Height = b.Dx(), b.Dy()
	for _, w := range Widths {
		if w >= p.Width {
			break
		}
		v, err := p.encode(imaging.Resize(img, w, 0, imaging.Lanczos))
		if err != nil {
			return nil, err
		}
		p.Variants = append(p.Variants, v)
	}
	orig, err := p.encode(img)
	if err != nil {
		return nil, err
	}
	p.Variants = append(p.Variants, orig)
	sum := sha256.Sum256(orig.Data)
	p.ID = hex.EncodeToString(sum[:])
	return p, nil
}

// encode writes img in p's format. A JPEG is written on white, so a
// transparent GIF or PNG made JPEG has no black holes (opaque ones only
// are made JPEG; see Process).
func (p *Photo) encode(img image.Image) (Variant, error) {
	var buf bytes.Buffer
	var err error
	b := img.Bounds()
	if p.Ext == "png" {
		err = (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, img)
	} else {
		rgba := image.NewRGBA(b)
		draw.Draw(rgba, b, &image.Uniform{color.White}, image.Point{}, draw.Src)
		draw.Draw(rgba, b, img, b.Min, draw.Over)
		err = jpeg.Encode(&buf, rgba, &jpeg.Options{Quality: JPEGQuality})
	}
	if err != nil {
		return Variant{}, fmt.Errorf("photo: encode: %w", err)
	}
	return Variant{Width: b.Dx(), Height: b.Dy(), Data: buf.Bytes()}, nil
}

// opaque reports whether no pixel of img is transparent.
func opaque(img image.Image) bool {
	if o, ok := img.(interface{ Opaque() bool }); ok {
		return o.Opaque()
	}
	return false
}

// Texts are what a media item says in each locale.
type Texts struct {
	Alt    map[string]string
	Credit map[string]string
}

// Check adds a violation for each unknown locale and each text that is
// not one line of plain text within its limit.
func (t Texts) Check(v *field.Violations) {
	check := func(name string, m map[string]string, limit int) {
		for _, loc := range sortedKeys(m) {
			path := fmt.Sprintf("%s[%q]", name, loc)
			if !slices.Contains(Locales, loc) {
				v.Add(path, "names the locale %q; texts are given in zh-CN or en", loc)
				continue
			}
			s := m[loc]
			field.Line.Check(v, path, s)
			if n := utf8.RuneCountInString(s); n > limit {
				v.Add(path, "is %d characters; at most %d", n, limit)
			}
		}
	}
	check("alt", t.Alt, MaxAltRunes)
	check("credit", t.Credit, MaxCreditRunes)
}

// CheckRequired is Check, and a violation for each locale without an
// alternative text: a photo is described in both languages before any
// page can show it.
func (t Texts) CheckRequired(v *field.Violations) {
	t.Check(v)
	for _, l := range MissingAlt(t.Alt) {
		v.Add(fmt.Sprintf("alt[%q]", l), "is required: what the photo shows, in %s, for readers who cannot see it", map[string]string{"zh-CN": "Chinese", "en": "English"}[l])
	}
}

// Clean returns t without blank texts.
func (t Texts) Clean() Texts {
	out := Texts{Alt: map[string]string{}, Credit: map[string]string{}}
	for k, s := range t.Alt {
		if !field.Blank(s) {
			out.Alt[k] = s
		}
	}
	for k, s := range t.Credit {
		if !field.Blank(s) {
			out.Credit[k] = s
		}
	}
	return out
}

// MissingAlt lists the locales of Locales without an alternative text.
func MissingAlt(alt map[string]string) []string {
	var out []string
	for _, l := range Locales {
		if field.Blank(alt[l]) {
			out = append(out, l)
		}
	}
	return out
}

// ValidID reports whether id has the form of a media id: 64 lowercase
// hex digits.
func ValidID(id string) bool {
	if len(id) != 64 {
		return false
	}
	for _, c := range id {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// ObjectName is the name of one variant in the library's bucket.
func ObjectName(id string, width int, ext string) string {
	return fmt.Sprintf("%s/%d.%s", id, width, ext)
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// FileNameProblem says what is wrong with a file name kept for people,
// or "".
func FileNameProblem(s string) string {
	if p := field.Line.Problem(s); p != "" {
		return p
	}
	if n := utf8.RuneCountInString(s); n > MaxFileNameRunes {
		return fmt.Sprintf("is %d characters; at most %d", n, MaxFileNameRunes)
	}
	return ""
}
