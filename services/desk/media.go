package desk

import (
	"io"
	"net/http"
	"path/filepath"

	"github.com/tandemnews/tandem/internal/client"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	mediav1 "github.com/tandemnews/tandem/proto/tandem/media/v1"
)

// maxUploadBytes bounds an upload form: the media library's 3 MiB file
// limit and room for the texts. A larger file gets the library's own
// refusal, read from its first bytes past the limit.
const maxUploadBytes = 3<<20 + 64<<10

// mediaPage is the photo library: the upload form, and every item with
// the line a figure names it by.
type mediaPage struct {
	Items []*eventsv1.MediaItem
	Next  string
	// Added is the item just uploaded.
	Added *eventsv1.MediaItem
	// Form keeps what was typed when an upload is refused.
	AltZh, AltEn, Credit string
	Errors               map[string]string
}

// media shows the library, newest first.
func (d *Desk) media(w http.ResponseWriter, v *visit) {
	d.mediaScreen(w, v, &mediaPage{}, http.StatusOK, "")
}

func (d *Desk) mediaScreen(w http.ResponseWriter, v *visit, p *mediaPage, status int, banner string) {
	ctx, cancel := v.ctx()
	defer cancel()
	res, err := d.svc.Media.ListMedia(ctx, &mediav1.ListMediaRequest{PageSize: 50, PageToken: v.r.URL.Query().Get("page")}, client.Token(v.token))
	if err != nil {
		d.render(w, httpStatus(err), "problem", "layout", withBanner(v.view("title.problem", nil), sentence(v.lang, err)))
		return
	}
	p.Items, p.Next = res.GetItems(), res.GetNextPageToken()
	view := v.view("title.media", p)
	view.Banner = banner
	if p.Added != nil {
		view.Notice = v.lang.T("media.added")
	}
	d.render(w, status, "media", "layout", view)
}

// uploadMedia takes the upload form: a file and its texts.
func (d *Desk) uploadMedia(w http.ResponseWriter, v *visit) {
	r := v.r
	r.Body = http.MaxBytesReader(w, r.Body, maxUploadBytes)
	p := &mediaPage{AltZh: r.FormValue("alt_zh"), AltEn: r.FormValue("alt_en"), Credit: r.FormValue("credit")}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		p.Errors = map[string]string{"file": v.lang.T("media.file_missing")}
		d.mediaScreen(w, v, p, http.StatusBadRequest, "")
		return
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		p.Errors = map[string]string{"file": v.lang.T("media.file_missing")}
		d.mediaScreen(w, v, p, http.StatusBadRequest, "")
		return
	}
	req := &mediav1.UploadMediaRequest{Data: data, FileName: filepath.Base(hdr.Filename), Alt: map[string]string{}, Credit: map[string]string{}}
	put := func(m map[string]string, k, s string) {
		if s != "" {
			m[k] = s
		}
	}
	put(req.Alt, "zh-CN", p.AltZh)
	put(req.Alt, "en", p.AltEn)
	put(req.Credit, "zh-CN", p.Credit)
	put(req.Credit, "en", p.Credit)
	ctx, cancel := v.ctx()
	defer cancel()
	res, err := d.svc.Media.UploadMedia(ctx, req, client.Token(v.token))
	if err != nil {
		p.Errors = mediaErrors(err)
		d.mediaScreen(w, v, p, httpStatus(err), sentence(v.lang, err))
		return
	}
	d.mediaScreen(w, v, &mediaPage{Added: res.GetItem()}, http.StatusOK, "")
}

// mediaErrors puts each refused field of an upload beside its input.
func mediaErrors(err error) map[string]string {
	out := map[string]string{}
	for field, msg := range violations(err) {
		switch field {
		case "data":
			out["file"] = msg
		case `alt["zh-CN"]`:
			out["alt_zh"] = msg
		case `alt["en"]`:
			out["alt_en"] = msg
		case `credit["zh-CN"]`, `credit["en"]`:
			out["credit"] = msg
		}
	}
	return out
}
