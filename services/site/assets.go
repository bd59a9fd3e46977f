package site

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/tandemnews/tandem/pkg/siteconfig"
)

//go:embed assets
var assetFS embed.FS

// cacheAsset is for the site's own files, which change only with a
// release of the site.
const cacheAsset = "public, max-age=86400"

// asset is one of the site's own files.
type asset struct {
	body        []byte
	ctype, etag string
}

// assets are the files every page links: the icon (and /favicon.ico,
// which browsers ask for whatever a page says) and the publisher's logo.
var assets = map[string]asset{
	siteconfig.IconPath: load("assets/favicon.svg", "image/svg+xml"),
	"/favicon.ico":      load("assets/favicon.ico", "image/x-icon"),
	siteconfig.LogoPath: load("assets/logo.png", "image/png"),
}

func load(name, ctype string) asset {
	b, err := assetFS.ReadFile(name)
	if err != nil {
		panic("site: " + err.Error()) // embedded: cannot be missing
	}
	sum := sha256.Sum256(b)
	return asset{body: b, ctype: ctype, etag: `"` + hex.EncodeToString(sum[:6]) + `"`}
}

// serveAsset writes one of the site's own files.
func serveAsset(w http.ResponseWriter, r *http.Request, a asset) {
	h := w.Header()
	h.Set("Content-Type", a.ctype)
	h.Set("Cache-Control", cacheAsset)
	serveBytes(w, r, a.body, a.etag, time.Time{})
}
