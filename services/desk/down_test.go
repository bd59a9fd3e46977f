package desk_test

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/tandemnews/tandem/internal/client"
	deskpkg "github.com/tandemnews/tandem/services/desk"
)

// TestWhenTheServicesAreDownTheDeskSaysSo runs a desk whose services do
// not answer: its pages still come, each saying in a sentence what is
// wrong, never a status code.
func TestWhenTheServicesAreDownTheDeskSaysSo(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing answers there now
	cl, err := client.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	d, err := deskpkg.New(deskpkg.Options{Client: cl})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(d)
	defer srv.Close()
	get := func(res *http.Response, err error) (int, string) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	// It stays live and ready: taken out of the load balancer it could
	// not even say that the services are down.
	for _, probe := range []string{"/livez", "/readyz", "/healthz"} {
		if code, _ := get(httpClient().Get(srv.URL + probe)); code != http.StatusOK {
			t.Errorf("%s with the services down: %d, want 200", probe, code)
		}
	}
	const down = "A service is not answering right now."
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/", nil)
	req.Header.Set("Accept-Language", "en")
	req.AddCookie(&http.Cookie{Name: "tandem_session", Value: "tdm_some-session"})
	code, body := get(httpClient().Do(req))
	if code != http.StatusServiceUnavailable || !strings.Contains(body, down) {
		t.Fatalf("the list with the services down: %d\n%s", code, body)
	}
	form := url.Values{"username": {"ed"}, "password": {"some password"}}
	req, _ = http.NewRequest(http.MethodPost, srv.URL+"/signin", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", "en")
	code, body = get(httpClient().Do(req))
	if code != http.StatusServiceUnavailable || !strings.Contains(body, down) || strings.Contains(body, "Unavailable") {
		t.Fatalf("signing in with the services down: %d\n%s", code, body)
	}
}
