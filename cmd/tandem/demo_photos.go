package main

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/tandemnews/tandem/pkg/auth"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	mediav1 "github.com/tandemnews/tandem/proto/tandem/media/v1"
)

// The demo photos are drawn in Go (demo/photos/draw.go), with their
// texts in photos.json.
//
//go:embed demo/photos/*.jpg demo/photos/photos.json
var demoPhotos embed.FS

// demoPhotoTexts are what photos.json says of a photo.
type demoPhotoTexts struct {
	Alt    map[string]string `json:"alt"`
	Credit map[string]string `json:"credit"`
}

// uploadDemoPhotos puts the demo photos into the media library, as the
// development editor, and returns each one's id by file name.
func uploadDemoPhotos(ctx context.Context, cl *client, tokens map[auth.Role]string) (map[string]string, error) {
	raw, err := demoPhotos.ReadFile("demo/photos/photos.json")
	if err != nil {
		return nil, err
	}
	var texts map[string]demoPhotoTexts
	if err := json.Unmarshal(raw, &texts); err != nil {
		return nil, fmt.Errorf("demo/photos/photos.json: %w", err)
	}
	names := make([]string, 0, len(texts))
	for n := range texts {
		names = append(names, n)
	}
	sort.Strings(names)
	ids := map[string]string{}
	for _, name := range names {
		data, err := demoPhotos.ReadFile("demo/photos/" + name)
		if err != nil {
			return nil, err
		}
		t := texts[name]
		res, err := cl.Media.UploadMedia(ctx, &mediav1.UploadMediaRequest{Data: data, FileName: name, Alt: t.Alt, Credit: t.Credit}, token(tokens[auth.Editor]))
		if err != nil {
			return nil, fmt.Errorf("demo photo %s: %w", name, err)
		}
		ids[name] = res.Item.Id
	}
	return ids, nil
}

// useDemoPhotos makes each figure of a that names a demo photo by its
// file name name its library item instead.
func useDemoPhotos(a *articlev1.Article, ids map[string]string) {
	for _, lc := range a.GetLocales() {
		for _, b := range lc.GetBlocks() {
			if f := b.GetFigure(); f != nil && ids[f.File] != "" {
				f.Media, f.File = ids[f.File], ""
			}
		}
	}
}
