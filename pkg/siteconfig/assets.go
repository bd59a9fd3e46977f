package siteconfig

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
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
