package site

import (
	"net/http"
	"time"

	"github.com/tandemnews/tandem/pkg/siteconfig"
)

// cacheAsset is for the site's own files, which change only with a
// release of the site.
const cacheAsset = "public, max-age=86400"

// serveAsset writes one of the site's own files.
func serveAsset(w http.ResponseWriter, r *http.Request, a siteconfig.Asset) {
	h := w.Header()
	h.Set("Content-Type", a.ContentType)
	h.Set("Cache-Control", cacheAsset)
	serveBytes(w, r, a.Body, a.ETag, time.Time{})
}
