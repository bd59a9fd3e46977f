package desk

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed assets/*.js assets/*.css
var assetFS embed.FS

// asset is one embedded file, served under a name carrying its content
// hash ("desk.3f2a9c1b0e.css"), so it can be cached for good: a changed
// file is a new name.
type asset struct {
	body []byte
	typ  string
}

var (
	assetsByName  = map[string]*asset{} // hashed name -> file
	assetsHashed  = map[string]string{} // plain name -> hashed name
	assetsModTime = time.Unix(0, 0)
)

func init() {
	entries, err := fs.ReadDir(assetFS, "assets")
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		b, err := assetFS.ReadFile("assets/" + e.Name())
		if err != nil {
			panic(err)
		}
		sum := sha256.Sum256(b)
		ext := path.Ext(e.Name())
		hashed := strings.TrimSuffix(e.Name(), ext) + "." + hex.EncodeToString(sum[:5]) + ext
		assetsByName[hashed] = &asset{body: b, typ: mime.TypeByExtension(ext)}
		assetsHashed[e.Name()] = hashed
	}
}

// assetURL is the address of the embedded file name; it panics on a name
// that is not embedded, which the template tests catch.
func assetURL(name string) string {
	h, ok := assetsHashed[name]
	if !ok {
		panic("desk: no asset " + name)
	}
	return "/assets/" + h
}

// serveAsset serves an embedded file by its hashed name, cached for a
// year as immutable.
func serveAsset(w http.ResponseWriter, r *http.Request) {
	a, ok := assetsByName[r.PathValue("name")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", a.typ)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	http.ServeContent(w, r, "", assetsModTime, bytes.NewReader(a.body))
}
