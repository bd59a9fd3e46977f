package e2e

import (
	"context"
	"net/http"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/metrics"
	"github.com/tandemnews/tandem/pkg/testkit"
)

// gathered is every metric family the process reports now, by name.
func gathered(t *testing.T) map[string]*dto.MetricFamily {
	t.Helper()
	fams, err := metrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*dto.MetricFamily{}
	for _, f := range fams {
		out[f.GetName()] = f
	}
	return out
}

// TestMetricsShowConsumersAndHowLateTheSiteIs publishes an article and
// reads what an operator would alert on: each durable consumer's pending
// events, the delay from a publish to the site applying it, gRPC and HTTP
// latencies, and the build.
func TestMetricsShowConsumersLatenciesAndHowLateTheSiteIs(t *testing.T) {
	e := stacktest.Start(t, testkit.StartNATS(t).URL())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	before := gathered(t)["tandem_site_apply_delay_seconds"].GetMetric()
	var count uint64
	if len(before) > 0 {
		count = before[0].GetHistogram().GetSampleCount()
	}
	pub, err := e.Client(t).Walk(ctx, stacktest.SampleArticle(), e.Tokens)
	if err != nil {
		t.Fatal(err)
	}
	for _, pl := range pub.Locales {
		stacktest.Eventually(t, "site serves "+pl.Path, func() bool { code, _ := stacktest.Fetch(t, e.SiteURL+pl.Path); return code == http.StatusOK })
	}
	fams := gathered(t)
	consumers := map[string]bool{}
	for _, m := range fams["tandem_consumer_pending_events"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "consumer" {
				consumers[l.GetValue()] = true
			}
		}
	}
	for _, want := range []string{"review-drafts", "publishing-drafts", "publishing-pages"} {
		if !consumers[want] {
			t.Errorf("no pending figure for consumer %s (have %v)", want, consumers)
		}
	}
	for _, name := range []string{"tandem_consumer_ack_pending_events", "tandem_consumer_redelivered_events", "go_build_info", "tandem_site_response_seconds"} {
		if fams[name] == nil {
			t.Errorf("%s is not reported", name)
		}
	}
	// Every gRPC call is counted and timed, by method and code.
	timed := false
	for _, m := range fams["grpc_server_handling_seconds"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "grpc_method" && l.GetValue() == "PublishArticle" && m.GetHistogram().GetSampleCount() > 0 {
				timed = true
			}
		}
	}
	if !timed {
		t.Error("grpc_server_handling_seconds has no PublishArticle call")
	}
	h := fams["tandem_site_apply_delay_seconds"].GetMetric()
	if len(h) == 0 || h[0].GetHistogram().GetSampleCount() <= count {
		t.Errorf("the site's apply delay counted nothing for a publish: %v", h)
	}
}
