package check

import (
	"encoding/json"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/tandemnews/tandem/pkg/metrics"
)

// builtin are the series Prometheus makes itself for each scrape.
var builtin = []string{"up", "scrape_duration_seconds", "scrape_samples_scraped"}

var promql = parser.NewParser(parser.Options{})

// metricNames are the metric names an expression selects.
func metricNames(t *testing.T, expr string) []string {
	t.Helper()
	e, err := promql.ParseExpr(expr)
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	var names []string
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok {
			names = append(names, vs.Name)
		}
		return nil
	})
	return names
}

// exported says whether a Tandem process exports series of that name: a
// metric's own name, or a histogram's _bucket, _sum or _count.
func exported(names []string, name string) bool {
	if slices.Contains(builtin, name) || slices.Contains(names, name) {
		return true
	}
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		if base, ok := strings.CutSuffix(name, suffix); ok && slices.Contains(names, base) {
			return true
		}
	}
	return false
}

func TestAlertRulesParseAndNameOnlyExportedMetrics(t *testing.T) {
	groups, errs := rulefmt.ParseFile("../prometheus/tandem.rules.yaml", false, model.UTF8Validation, promql, slog.New(slog.DiscardHandler))
	for _, err := range errs {
		t.Error(err)
	}
	if groups == nil {
		t.FailNow()
	}
	names := metrics.Names()
	alerts := map[string]bool{}
	for _, g := range groups.Groups {
		for _, r := range g.Rules {
			alerts[r.Alert] = true
			if r.Annotations["summary"] == "" {
				t.Errorf("alert %s has no summary", r.Alert)
			}
			if sev := r.Labels["severity"]; sev != "page" && sev != "ticket" {
				t.Errorf("alert %s: severity %q, want page or ticket", r.Alert, sev)
			}
			for _, n := range metricNames(t, r.Expr) {
				if !exported(names, n) {
					t.Errorf("alert %s uses %s, which Tandem does not export", r.Alert, n)
				}
			}
		}
	}
	for _, want := range []string{"TandemConsumerStuck", "TandemSiteBehindStream", "TandemRedisDown", "TandemGRPCErrorRatio", "TandemSiteErrorRatio", "TandemDown"} {
		if !alerts[want] {
			t.Errorf("no alert %s", want)
		}
	}
}

func TestDashboardNamesOnlyExportedMetrics(t *testing.T) {
	b, err := os.ReadFile("../grafana/tandem.json")
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Title  string `json:"title"`
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Panels) == 0 {
		t.Fatal("the dashboard has no panels")
	}
	names := metrics.Names()
	used := map[string]bool{}
	for _, p := range d.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, q := range p.Targets {
			for _, n := range metricNames(t, q.Expr) {
				used[n] = true
				if !exported(names, n) {
					t.Errorf("panel %q uses %s, which Tandem does not export", p.Title, n)
				}
			}
		}
	}
	// Every metric of Tandem's own is on the dashboard.
	for _, n := range names {
		if !strings.HasPrefix(n, "tandem_") {
			continue
		}
		if !used[n] && !used[n+"_bucket"] && !used[n+"_count"] && !used[n+"_sum"] {
			t.Errorf("the dashboard shows no %s", n)
		}
	}
}
