package site

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"

	"github.com/tandemnews/tandem/pkg/siteconfig"
)

var statusTemplate = template.Must(template.New("status").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{.Title}} - {{.Site}}</title>
<style>main{max-width:40rem;margin:3rem auto;font-family:system-ui,sans-serif}</style></head>
<body><main><h1>{{.Title}}</h1><p>{{.Text}}</p><p><a href="{{.Home}}">{{.HomeLabel}}</a></p></main></body></html>
`))

// status writes a page that says, in the reader's language, why there is
// no article here.
func (s *Site) status(w http.ResponseWriter, locale string, code int, title, text map[string]string, cacheControl string) {
	var page bytes.Buffer
	_ = statusTemplate.Execute(&page, map[string]string{
		"Lang": locale, "Site": s.o.Site.Name[locale], "Title": title[locale], "Text": text[locale],
		"Home": siteconfig.HomePath(locale), "HomeLabel": map[string]string{"zh-CN": "返回首页", "en": "Back to the front page"}[locale],
	})
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", cacheControl)
	h["Vary"] = varyGzip
	pageCSP(h, page.Bytes())
	w.WriteHeader(code)
	_, _ = w.Write(page.Bytes())
}

func (s *Site) notFound(w http.ResponseWriter, locale string) {
	s.status(w, locale, http.StatusNotFound,
		map[string]string{"zh-CN": "页面不存在", "en": "Page not found"},
		map[string]string{"zh-CN": "您访问的页面不存在。", "en": "There is no page at this address."}, cacheNotFound)
}

func (s *Site) goneAnswer(w http.ResponseWriter, locale string) {
	s.status(w, locale, http.StatusGone,
		map[string]string{"zh-CN": "文章已撤下", "en": "Article removed"},
		map[string]string{"zh-CN": "这篇文章已被撤下。", "en": "This article has been removed."}, cacheGone)
}

// health answers /readyz (and /healthz, its older name): 200 once the
// index has caught up with the PUBLIC stream, and 503 until then, so a
// load balancer sends no reader to a replica that would answer 404 for
// pages that exist. A replica that loses NATS afterwards stays ready: it
// serves what it knows, and catches up when NATS returns. /livez answers
// 200 whenever the process can answer at all.
func (s *Site) health(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", cacheNever)
	select {
	case <-s.ready:
		fmt.Fprintln(w, "ok")
	default:
		http.Error(w, "catching up with the PUBLIC stream", http.StatusServiceUnavailable)
	}
}
