package site

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
	"sync"
)

// The headers every response carries, whatever it is: the browser may
// not guess a content type, may not frame the site, and sends other
// sites only the origin of a page. Each is one shared slice, assigned as
// is, so the read path allocates nothing for them.
var (
	cspNone   = []string{"default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"}
	nosniff   = []string{"nosniff"}
	referrer  = []string{"strict-origin-when-cross-origin"}
	varyGzip  = []string{"Accept-Encoding"}
	cspHeader = "Content-Security-Policy"
)

// secure sets the headers every response carries. A page of HTML gets
// its own policy from pageCSP when it is written.
func secure(h http.Header) {
	h[cspHeader] = cspNone
	h["X-Content-Type-Options"] = nosniff
	h["Referrer-Policy"] = referrer
}

// cspPage is the policy of an HTML page, before its style hashes: no
// script runs (the JSON-LD block is data, which script-src does not
// govern), images come from the site itself, and only the page's own
// <style> elements apply. connect-src 'self' lets tools that fetch on
// the page's behalf read the site's own files (a crawler's audit reads
// /robots.txt so); with no script on the page, nothing else connects.
// form-action 'self' lets the headers' search forms submit, to the site
// alone (which only reads).
const cspPage = "default-src 'none'; img-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; style-src"

// policies remembers the policy of each set of <style> elements seen: the
// pages of one template share one, so the read path computes nothing.
var policies = struct {
	sync.RWMutex
	m map[string][]string
}{m: map[string][]string{}}

// maxPolicies bounds policies; past it the map starts afresh.
const maxPolicies = 64

// pageCSP sets the Content-Security-Policy of an HTML page: cspPage with
// the hash of each <style> element in the page's head. Styles in the body
// (which holds what writers wrote) are not allowed, nor are style
// attributes.
func pageCSP(h http.Header, html []byte) {
	styles := headStyles(html)
	policies.RLock()
	v, ok := policies.m[string(styles)]
	policies.RUnlock()
	if !ok {
		v = []string{cspPage + styleHashes(styles)}
		policies.Lock()
		if len(policies.m) >= maxPolicies {
			clear(policies.m)
		}
		policies.m[string(styles)] = v
		policies.Unlock()
	}
	h[cspHeader] = v
}

// headStyles returns the span of the head holding its <style> elements,
// from the first to the end of the last (nil when there is none).
func headStyles(html []byte) []byte {
	end := bytes.Index(html, []byte("</head>"))
	if end < 0 {
		return nil
	}
	head := html[:end]
	first := bytes.Index(head, []byte("<style>"))
	last := bytes.LastIndex(head, []byte("</style>"))
	if first < 0 || last < first {
		return nil
	}
	return head[first : last+len("</style>")]
}

// styleHashes is " 'sha256-…'" for the content of each <style> element in
// span, or " 'none'" when there is none.
func styleHashes(span []byte) string {
	var b strings.Builder
	for {
		start := bytes.Index(span, []byte("<style>"))
		if start < 0 {
			break
		}
		span = span[start+len("<style>"):]
		end := bytes.Index(span, []byte("</style>"))
		if end < 0 {
			break
		}
		sum := sha256.Sum256(span[:end])
		b.WriteString(" 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'")
		span = span[end+len("</style>"):]
	}
	if b.Len() == 0 {
		return " 'none'"
	}
	return b.String()
}
