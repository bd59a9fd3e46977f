package site

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// write sends body (or its gzip form, kept in the LRU under key) with an
// ETag and Last-Modified, or 304 when the client's copy is current.
func (s *Site) write(w http.ResponseWriter, r *http.Request, key string, body []byte, etag string, modified time.Time) {
	w.Header()["Vary"] = varyGzip
	if acceptsGzip(r) {
		gz, ok := s.tiers.lru.Get(key + gzSuffix)
		if !ok {
			gz = compress(body)
			s.tiers.lru.Add(key+gzSuffix, gz)
		}
		serveGzip(w, r, gz, etag, modified)
		return
	}
	serveBytes(w, r, body, etag, modified)
}

// serveGzip sends a gzip body, whose ETag differs from the plain one's:
// the two are different representations of the page.
func serveGzip(w http.ResponseWriter, r *http.Request, gz []byte, etag string, modified time.Time) {
	w.Header().Set("Content-Encoding", "gzip")
	serveBytes(w, r, gz, strings.TrimSuffix(etag, `"`)+`-gz"`, modified)
}

// serveBytes answers a GET or HEAD with body and its validators, or 304
// when the client's copy is current. It writes the cached bytes as they
// are: http.ServeContent would copy them through a 32 KiB buffer it
// allocates on every request, the largest cost of a cached page.
func serveBytes(w http.ResponseWriter, r *http.Request, body []byte, etag string, modified time.Time) {
	h := w.Header()
	h.Set("ETag", etag)
	if !modified.IsZero() {
		h.Set("Last-Modified", modified.UTC().Format(http.TimeFormat))
	}
	if notModified(r, etag, modified) {
		h.Del("Content-Type")
		h.Del("Content-Encoding")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// notModified applies RFC 9110's conditional GET: If-None-Match when
// present (weak comparison), otherwise If-Modified-Since.
func notModified(r *http.Request, etag string, modified time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, tag := range strings.Split(inm, ",") {
			tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
			if tag == "*" || tag == strings.TrimPrefix(etag, "W/") {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" && !modified.IsZero() {
		t, err := http.ParseTime(ims)
		return err == nil && !modified.Truncate(time.Second).After(t)
	}
	return false
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.TrimSpace(enc) == "gzip" && strings.TrimSpace(q) != "q=0" {
			return true
		}
	}
	return false
}

// compress gzips a body once, for every reader after: as small as it
// goes, but for bodies over a megabyte (sitemap parts), which take the
// fastest level instead of seconds.
func compress(b []byte) []byte {
	var buf bytes.Buffer
	level := gzip.BestCompression
	if len(b) > keepPlainBytes {
		level = gzip.BestSpeed
	}
	zw, _ := gzip.NewWriterLevel(&buf, level)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Bytes()
}

// hash64 is FNV-1a, for listing ETags.
func hash64(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}
