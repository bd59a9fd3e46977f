package metrics

import (
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// The desk's HTTP requests (the site has its own, by kind of page).
var (
	// DeskRequests counts the desk's answers by method and code.
	DeskRequests = factory.NewCounterVec(prometheus.CounterOpts{
		Name: "tandem_desk_requests_total",
		Help: "Requests the desk answered, by method and status code.",
	}, []string{"method", "code"})
	// DeskSeconds is how long the desk took to answer, by method.
	DeskSeconds = factory.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "tandem_desk_request_seconds",
		Help:    "Time the desk took to answer a request (its calls to the gRPC services included), by method.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"method"})
)

// Desk counts and times the requests h answers, in
// tandem_desk_requests_total and tandem_desk_request_seconds. A stream of
// live updates (an EventSource, Accept: text/event-stream) is counted but
// not timed: it lasts as long as the page is open.
func Desk(h http.Handler) http.Handler {
	counted := promhttp.InstrumentHandlerCounter(DeskRequests, h)
	timed := promhttp.InstrumentHandlerCounter(DeskRequests, promhttp.InstrumentHandlerDuration(DeskSeconds, h))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.Header.Get("Accept"), "text/event-stream") {
			counted.ServeHTTP(w, r)
			return
		}
		timed.ServeHTTP(w, r)
	})
}
