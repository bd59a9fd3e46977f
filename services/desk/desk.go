// Package desk is the browser desk: the web application where editors,
// translators and publishers do their work. It is a backend for the
// frontend: every page is rendered on the server (html/template, with
// htmx swapping parts of pages), and every read and write is a gRPC call
// to the services made as the signed-in person, with their session token.
// The desk has no store, no key and no write path of its own; the
// services decide what each person may do, and the desk only leaves out
// of each screen what their roles would refuse.
//
// http.go routes requests and holds the middleware (sessions, cross-site
// refusal, headers); signin.go the sign-in and sign-out; render.go the
// templates and errors.go the sentences people read instead of status
// codes; assets.go serves the embedded files under content-hashed names.
// label holds the desk's words in Chinese and English.
package desk

import (
	"cmp"
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/tandemnews/tandem/internal/client"
	"github.com/tandemnews/tandem/pkg/siteconfig"
)

// Options configures the desk.
type Options struct {
	// Client calls the services: drafting, review, publishing and the
	// session service.
	Client *client.Client
	// Site names the sections; default siteconfig.Default().
	Site *siteconfig.Config
	// Secure marks the session cookie Secure: set it when the desk is
	// reached over HTTPS (a request arriving over TLS is treated so
	// anyway).
	Secure bool
	// SignInFailures is how many failed sign-ins one client address may
	// make in a burst, after which one more is allowed each
	// SignInRefill; defaults 10 and 30 seconds.
	SignInFailures int
	SignInRefill   time.Duration
	Logger         *slog.Logger
}

// Desk is the desk's HTTP handler.
type Desk struct {
	svc  *client.Client
	site *siteconfig.Config
	// stopping is closed when Run ends: the live streams end with it,
	// so that the server can shut down.
	stopping chan struct{}
	secure   bool
	limits   *addressLimits
	pages    *pages
	handler  http.Handler
	log      *slog.Logger
}

// New returns the desk.
func New(o Options) (*Desk, error) {
	log := cmp.Or(o.Logger, slog.Default()).With("service", "desk")
	p, err := parsePages()
	if err != nil {
		return nil, err
	}
	d := &Desk{
		svc:      o.Client,
		site:     cmp.Or(o.Site, siteconfig.Default()),
		stopping: make(chan struct{}),
		secure:   o.Secure,
		limits:   newAddressLimits(cmp.Or(o.SignInFailures, 10), cmp.Or(o.SignInRefill, 30*time.Second)),
		pages:    p,
		log:      log,
	}
	d.handler = d.routes()
	return d, nil
}

// ServeHTTP implements http.Handler.
func (d *Desk) ServeHTTP(w http.ResponseWriter, r *http.Request) { d.handler.ServeHTTP(w, r) }

// Run keeps the desk's background work going until ctx is done: the
// forgetting of old sign-in failures. When it returns, the live streams
// of the pages end.
func (d *Desk) Run(ctx context.Context) error {
	defer close(d.stopping)
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			d.limits.prune()
		}
	}
}
