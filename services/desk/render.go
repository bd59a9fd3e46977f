package desk

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"strings"
	"sync"

	authv1 "github.com/tandemnews/tandem/proto/tandem/auth/v1"
	"github.com/tandemnews/tandem/services/desk/label"
)

//go:embed templates/*.html
var templateFS embed.FS

// pages are the parsed templates: one set per page, each the layout and
// the partials plus the page's own file.
type pages struct{ sets map[string]*template.Template }

var funcs = template.FuncMap{
	"asset": assetURL,
	"inc":   func(i int) int { return i + 1 },
	// cssid makes an id usable in an element id and a CSS selector
	// (segment ids have dots: "b1.2").
	"cssid": cssID,
	// segmentRows writes the rows of the side-by-side (segments.go).
	"segmentRows": segmentRows,
	// dict makes a map of pairs, for a template called with several
	// values.
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	},
}

func parsePages() (*pages, error) {
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	var common, own []string
	for _, f := range files {
		if strings.HasPrefix(path.Base(f), "_") {
			common = append(common, f)
		} else {
			own = append(own, f)
		}
	}
	base, err := template.New("").Funcs(funcs).ParseFS(templateFS, common...)
	if err != nil {
		return nil, err
	}
	p := &pages{sets: map[string]*template.Template{}}
	for _, f := range own {
		t, err := template.Must(base.Clone()).ParseFS(templateFS, f)
		if err != nil {
			return nil, err
		}
		p.sets[strings.TrimSuffix(path.Base(f), ".html")] = t
	}
	return p, nil
}

// view is what every template receives.
type view struct {
	Lang label.Lang
	// User is the signed-in person; nil on the sign-in page.
	User *authv1.User
	// Title is the page's title, a label key.
	Title string
	// Banner is a sentence shown above the page: what went wrong.
	Banner string
	// Notice is a sentence shown above the page: what went right.
	Notice string
	// Path is the page's own address, for the language switch to return
	// to.
	Path string
	// Data is the page's own.
	Data any
	// out is where render is writing the page, for segmentRows, which
	// writes its rows there itself.
	out *bytes.Buffer
}

// T is the label of key in the reader's language.
func (v *view) T(key string) string { return v.Lang.T(key) }

// Tf is the label of key with the arguments put in.
func (v *view) Tf(key string, args ...any) string { return fmt.Sprintf(v.Lang.T(key), args...) }

// Has reports whether the person holds role (admins hold every role).
func (v *view) Has(role string) bool {
	return v.User != nil && (slices.Contains(v.User.Roles, role) || slices.Contains(v.User.Roles, "admin"))
}

// renderBuffers hold pages while they are rendered, so that a large
// page (the side-by-side of a long job is over half a megabyte) does not
// grow a new buffer each time; maxPooledBuffer bounds what is kept.
var renderBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const maxPooledBuffer = 4 << 20

// render writes the page (the whole document) or, for an htmx request
// naming a fragment, only that template.
func (d *Desk) render(w http.ResponseWriter, status int, page, tmpl string, v *view) {
	set, ok := d.pages.sets[page]
	if !ok {
		d.log.Error("no such page", "page", page)
		http.Error(w, "no such page", http.StatusInternalServerError)
		return
	}
	buf := renderBuffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= maxPooledBuffer {
			buf.Reset()
			renderBuffers.Put(buf)
		}
	}()
	v.out = buf
	defer func() { v.out = nil }()
	if err := set.ExecuteTemplate(buf, tmpl, v); err != nil {
		d.log.Error("page not rendered", "page", page, "template", tmpl, "err", err)
		http.Error(w, v.T("error.render"), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// previewProblem is the preview frame when there is nothing to show.
var previewProblem = template.Must(template.New("").Parse(`<!doctype html><meta charset="utf-8"><p style="font-family:sans-serif;color:#a8071a;padding:1rem">{{.}}</p>`))

func cssID(s string) string { return cssIDReplacer.Replace(s) }

var cssIDReplacer = strings.NewReplacer(".", "_", "[", "_", "]", "_")
