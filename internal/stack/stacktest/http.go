package stacktest

import (
	"io"
	"net/http"
	"testing"
	"time"
)

// Get waits until the site serves path, then returns the page; any answer
// but 404 and a 200 of text/html fails the test.
func (e *Env) Get(t *testing.T, path string) string {
	t.Helper()
	var body string
	Eventually(t, "GET "+path, func() bool {
		res, err := http.Get(e.SiteURL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode == http.StatusNotFound {
			return false
		}
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, res.StatusCode, b)
		}
		if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Fatalf("GET %s: Content-Type %q", path, ct)
		}
		body = string(b)
		return true
	})
	return body
}

// Fetch GETs url once and returns the status code and body.
func Fetch(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// Eventually polls ok until it holds, for up to 15 seconds: events reach
// the other services a moment after the call that caused them returns.
func Eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	EventuallyWithin(t, what, 15*time.Second, ok)
}

// EventuallyWithin is Eventually with a deadline of d.
func EventuallyWithin(t *testing.T, what string, d time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
