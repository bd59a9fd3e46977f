package publication

import (
	"slices"

	"github.com/tandemnews/tandem/pkg/field"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
)

// MediaLocales are the languages a published image needs alternative
// text in.
var MediaLocales = []string{"zh-CN", "en"}

// MediaIDs lists the media items the figures of c name, in reading
// order, each once.
func MediaIDs(c *articlev1.LocalizedContent) []string {
	var out []string
	for _, b := range c.GetBlocks() {
		if m := b.GetFigure().GetMedia(); m != "" && !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out
}

// Images is what the page of locale shows of the library, in reading
// order (the lead image first): items holds the library's record of
// each media id c names. A figure whose item is missing or lacks its
// alternative text in either language is refused.
func Images(article, locale string, c *articlev1.LocalizedContent, items map[string]*eventsv1.MediaItem) ([]*eventsv1.PublishedImage, error) {
	var out []*eventsv1.PublishedImage
	for _, id := range MediaIDs(c) {
		it := items[id]
		if it == nil || it.Deleted {
			return nil, MediaMissing(article, locale, id)
		}
		var missing []string
		for _, l := range MediaLocales {
			if field.Blank(it.Alt[l]) {
				missing = append(missing, l)
			}
		}
		if len(missing) > 0 {
			return nil, MediaAltMissing(article, locale, id, missing)
		}
		out = append(out, &eventsv1.PublishedImage{
			Media: id, ContentType: it.ContentType, Ext: it.Ext,
			Width: it.Width, Height: it.Height, Widths: slices.Clone(it.Widths),
			Alt: it.Alt[locale], Credit: it.Credit[locale],
		})
	}
	return out, nil
}
