package siteconfig

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"net/http"
	"time"
)

//go:embed assets
var assetFS embed.FS

// Asset is one of the site's own files, which every rendered page links:
// the site serves them to readers, and the desk to the people who
// preview a page before it is public.
type Asset struct {
	Body        []byte
	ContentType string
	// ETag is a strong validator made from the content.
	ETag string
}

// Assets are the files every page links, by path: the icon (and
// /favicon.ico, which browsers ask for whatever a page says) and the
// publisher's logo.
var Assets = map[string]Asset{
	IconPath:       load("assets/favicon.svg", "image/svg+xml"),
	"/favicon.ico": load("assets/favicon.ico", "image/x-icon"),
	LogoPath:       load("assets/logo.png", "image/png"),
}

func load(name, ctype string) Asset {
	b, err := assetFS.ReadFile(name)
	if err != nil {
		panic("siteconfig: " + err.Error()) // embedded: cannot be missing
	}
	sum := sha256.Sum256(b)
	return Asset{Body: b, ContentType: ctype, ETag: `"` + hex.EncodeToString(sum[:6]) + `"`}
}

// CacheAsset is the caching of the site's own files, which change only
// with a release.
const CacheAsset = "public, max-age=86400"

// ServeHTTP writes the file with its type, caching and validator; a
// matching If-None-Match gets 304.
func (a Asset) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", a.ContentType)
	h.Set("Cache-Control", CacheAsset)
	h.Set("ETag", a.ETag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.Body))
}
