package desk

import (
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tandemnews/tandem/internal/client"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	mediav1 "github.com/tandemnews/tandem/proto/tandem/media/v1"
	"github.com/tandemnews/tandem/services/desk/label"
)

// maxUploadBytes bounds an upload form: the media library's 3 MiB file
// limit and room for the texts. A larger form is refused at once, with
// a sentence at the file field.
const maxUploadBytes = 3<<20 + 64<<10

// mediaPage is the photo library: the upload form, and every item with
// the line a figure names it by.
type mediaPage struct {
	Items []photoView
	Next  string
	// Added is the item just uploaded.
	Added *eventsv1.MediaItem
	// Form keeps what was typed when an upload is refused.
	AltZh, AltEn, Credit string
	Errors               map[string]string
}

// photoView is a library item as a page shows it, with its thumbnail:
// the narrowest variant, at its own size.
type photoView struct {
	*eventsv1.MediaItem
	Thumb          string
	ThumbW, ThumbH int32
}

func photoViews(items []*eventsv1.MediaItem) []photoView {
	out := make([]photoView, 0, len(items))
	for _, it := range items {
		pv := photoView{MediaItem: it}
		if len(it.Widths) > 0 && it.Width > 0 {
			w := it.Widths[0]
			pv.Thumb = "/media/" + it.Id + "-" + strconv.Itoa(int(w)) + "." + it.Ext
			pv.ThumbW, pv.ThumbH = w, int32(int64(it.Height)*int64(w)/int64(it.Width))
		}
		out = append(out, pv)
	}
	return out
}

// pickerPage is the editor's photo picker for the body of one language:
// the newest photos, each a button that puts its figure line in the body.
type pickerPage struct {
	Key, Tag string
	// Caption is the caption put in the line, in the body's language,
	// selected once inserted so that typing replaces it.
	Caption string
	Items   []photoView
	More    bool
}

// pickerSize is how many photos the picker offers; the library page
// lists the others.
const pickerSize = 48

// mediaPicker is the picker's list, loaded when the editor opens it
// (htmx): /media/picker?for=zh|en.
func (d *Desk) mediaPicker(w http.ResponseWriter, v *visit) {
	key := v.r.URL.Query().Get("for")
	tag := ""
	for _, l := range editLocales {
		if l.Key == key {
			tag = l.Tag
		}
	}
	if tag == "" {
		http.NotFound(w, v.r)
		return
	}
	ctx, cancel := v.ctx()
	defer cancel()
	p := &pickerPage{Key: key, Tag: tag, Caption: label.Lang(key).T("media.caption")}
	res, err := d.svc.Media.ListMedia(ctx, &mediav1.ListMediaRequest{PageSize: pickerSize}, client.Token(v.token))
	view := v.view("title.media", p)
	if err != nil {
		view.Banner = sentence(v.lang, err)
	} else {
		p.Items, p.More = photoViews(res.GetItems()), res.GetNextPageToken() != ""
	}
	d.render(w, http.StatusOK, "media", "picker", view)
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
	p.Items, p.Next = photoViews(res.GetItems()), res.GetNextPageToken()
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
	if err := r.ParseMultipartForm(maxUploadBytes); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			// The form cannot be read past the limit, texts included.
			d.mediaScreen(w, v, &mediaPage{Errors: map[string]string{"file": v.lang.T("media.file_too_large")}}, http.StatusRequestEntityTooLarge, "")
			return
		}
	}
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

// mediaMaxAge is how long a browser keeps a photo it was shown: a
// variant's address names its content (the id is its SHA-256), so it
// never changes; private, as the library is the newsroom's.
const mediaMaxAge = 7 * 24 * 3600

// mediaFileName is a variant's address under /media/, the site's own:
// <id>-<width>.<ext>, so that a preview publishing rendered loads its
// images from the desk as it is.
var mediaFileName = regexp.MustCompile(`^([0-9a-f]{64})-([0-9]{1,5})\.(jpg|png)$`)

// mediaFile serves /media/<id>-<width>.<ext> to the signed-in: the bytes
// the media library sends the person's own session, passed on as they
// come. The ETag is the address itself, so a browser asking again gets
// 304 without a call.
func (d *Desk) mediaFile(w http.ResponseWriter, v *visit) {
	m := mediaFileName.FindStringSubmatch(v.r.PathValue("file"))
	if m == nil {
		http.NotFound(w, v.r)
		return
	}
	width, _ := strconv.Atoi(m[2])
	tag := `"` + m[1] + "-" + m[2] + "." + m[3] + `"`
	h := w.Header()
	h.Set("Cache-Control", "private, max-age="+strconv.Itoa(mediaMaxAge))
	h.Set("ETag", tag)
	if match := v.r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, tag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	ctx, cancel := v.ctx()
	defer cancel()
	stream, err := d.svc.Media.GetMediaContent(ctx, &mediav1.GetMediaContentRequest{Id: m[1], Width: int32(width)}, client.Token(v.token))
	var first *mediav1.GetMediaContentResponse
	if err == nil {
		first, err = stream.Recv()
	}
	if err != nil {
		h.Set("Cache-Control", "no-store")
		h.Del("ETag")
		code := httpStatus(err)
		if status.Code(err) == codes.InvalidArgument {
			code = http.StatusNotFound // a width the item lacks
		}
		http.Error(w, sentence(v.lang, err), code)
		return
	}
	if photoExt[first.GetContentType()] != m[3] {
		h.Set("Cache-Control", "no-store")
		h.Del("ETag")
		http.NotFound(w, v.r)
		return
	}
	d.passPhoto(w, first.GetContentType(), first.GetSize(), first.GetData(), m[1], func() ([]byte, error) {
		chunk, err := stream.Recv()
		return chunk.GetData(), err
	})
}

// passPhoto sends a photo's bytes as they come: the first chunk, then
// each next one until it returns io.EOF.
func (d *Desk) passPhoto(w http.ResponseWriter, contentType string, size int64, first []byte, media string, next func() ([]byte, error)) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.FormatInt(size, 10))
	if _, err := w.Write(first); err != nil {
		return
	}
	for {
		data, err := next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			// The headers are sent: cutting the answer short is all that
			// is left, and the browser sees a broken image, not a wrong one.
			d.log.Warn("photo cut short", "media", media, "err", err)
			panic(http.ErrAbortHandler)
		}
		if _, err := w.Write(data); err != nil {
			return
		}
	}
}

// photoExt is the extension of a variant's address for its type.
var photoExt = map[string]string{"image/jpeg": "jpg", "image/png": "png"}
