package publishing

import (
	"fmt"
	"strings"

	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
)

// Image sizes on an article page.
const (
	// srcWidth is the variant a browser without srcset loads: the widest
	// at most this wide.
	srcWidth = 1024
	// figureSizes says how wide a figure shows: the text column (46rem
	// less its padding) on a wide screen, the screen less the padding on
	// a narrow one.
	figureSizes = "(min-width: 46rem) 43rem, calc(100vw - 3rem)"
)

// picture is how a page shows one figure's image.
type picture struct {
	// OK is false when the figure has no image to show (a preview, or a
	// figure written before the media library without a file).
	OK                      bool
	Src, Srcset, Sizes, Alt string
	Credit                  string
	Width, Height           int32
	Lazy                    bool
	FileOnly                bool
}

// Picture is what the template shows of figure f: its image with every
// variant in srcset, its size (so the page does not shift as it loads),
// lazy loading for every image but the lead one, and the credit (the
// figure's own, else the library's in the page's language).
func (d pageData) Picture(f *articlev1.Figure) picture {
	img := d.images[f.GetMedia()]
	if img == nil {
		if f.GetFile() != "" && f.GetMedia() == "" {
			// Not the library's: only the site serves it, at its own address.
			return picture{OK: true, FileOnly: true, Src: siteMedia + f.GetFile(), Alt: f.GetAlt(), Credit: f.GetCredit()}
		}
		return picture{Credit: f.GetCredit()}
	}
	set := make([]string, len(img.Widths))
	for i, w := range img.Widths {
		set[i] = fmt.Sprintf("%s%s-%d.%s %dw", d.Media, img.Media, w, img.Ext, w)
	}
	p := picture{
		OK: true, Src: d.Media + variant(img, srcWidth), Srcset: strings.Join(set, ", "), Sizes: figureSizes,
		Alt: img.Alt, Credit: img.Credit, Width: img.Width, Height: img.Height, Lazy: img.Media != d.lead,
	}
	if f.GetAlt() != "" {
		p.Alt = f.GetAlt()
	}
	if f.GetCredit() != "" {
		p.Credit = f.GetCredit()
	}
	return p
}

// variant is the file name of img's widest variant at most max wide (its
// narrowest when none is).
func variant(img *eventsv1.PublishedImage, max int32) string {
	w := img.Width
	if len(img.Widths) > 0 {
		w = img.Widths[0]
		for _, x := range img.Widths {
			if x <= max {
				w = x
			}
		}
	}
	return fmt.Sprintf("%s-%d.%s", img.Media, w, img.Ext)
}
