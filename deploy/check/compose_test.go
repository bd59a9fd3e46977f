package check

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

type composeFile struct {
	Services map[string]struct {
		Image       string            `json:"image"`
		Command     []string          `json:"command"`
		Environment map[string]string `json:"environment"`
		Ports       []string          `json:"ports"`
		Volumes     []string          `json:"volumes"`
		Healthcheck struct {
			Test []string `json:"test"`
		} `json:"healthcheck"`
	} `json:"services"`
}

func TestComposeServicesAreCheckedAndUseOnlyRealSettings(t *testing.T) {
	b, err := os.ReadFile("../compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var c composeFile
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	env, flags := codeSettings(t)
	for _, want := range []string{"drafting", "review", "publishing", "site", "webhooks", "desk", "grpc", "prometheus", "redis", "nats-1", "nats-2", "nats-3"} {
		if _, ok := c.Services[want]; !ok {
			t.Errorf("compose has no service %s", want)
		}
	}
	for name, s := range c.Services {
		if len(s.Healthcheck.Test) < 2 {
			t.Errorf("service %s has no health check", name)
		}
		if len(s.Command) == 0 || s.Command[0] != "serve" {
			continue
		}
		for k := range s.Environment {
			if !slices.Contains(env, k) {
				t.Errorf("service %s sets %s, which Tandem does not read", name, k)
			}
		}
		for _, a := range s.Command {
			if f, ok := strings.CutPrefix(a, "--"); ok && !slices.Contains(flags, f) {
				t.Errorf("service %s passes --%s, which tandem serve does not have", name, f)
			}
		}
		if s.Environment["TANDEM_METRICS_ADDR"] != "0.0.0.0:9464" {
			t.Errorf("service %s: metrics on %q, which Prometheus cannot reach; want 0.0.0.0:9464", name, s.Environment["TANDEM_METRICS_ADDR"])
		}
		for _, p := range s.Ports {
			if strings.HasSuffix(p, ":7070") {
				t.Errorf("service %s publishes gRPC itself (%s): only the router does", name, p)
			}
		}
		if h := s.Healthcheck.Test; len(h) < 3 || h[1] != "/usr/local/bin/tandem" || h[2] != "health" {
			t.Errorf("service %s: health check %v, want tandem health", name, h)
		}
	}
	if !slices.Contains(c.Services["grpc"].Ports, "${TANDEM_GRPC_BIND:-127.0.0.1}:7070:7070") {
		t.Errorf("the router publishes %v, want 7070 on TANDEM_GRPC_BIND (127.0.0.1 by default)", c.Services["grpc"].Ports)
	}

	// Prometheus scrapes every Tandem service of the file.
	var prom struct {
		RuleFiles     []string `json:"rule_files"`
		ScrapeConfigs []struct {
			StaticConfigs []struct {
				Targets []string `json:"targets"`
			} `json:"static_configs"`
		} `json:"scrape_configs"`
	}
	b, err = os.ReadFile("../prometheus/prometheus.yml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &prom); err != nil {
		t.Fatal(err)
	}
	var targets []string
	for _, sc := range prom.ScrapeConfigs {
		for _, st := range sc.StaticConfigs {
			targets = append(targets, st.Targets...)
		}
	}
	for name, s := range c.Services {
		if len(s.Command) > 0 && s.Command[0] == "serve" && !slices.Contains(targets, name+":9464") {
			t.Errorf("Prometheus does not scrape %s", name)
		}
	}
	for _, r := range prom.RuleFiles {
		if !slices.ContainsFunc(c.Services["prometheus"].Volumes, func(v string) bool { return strings.Contains(v, ":"+r+":") }) {
			t.Errorf("Prometheus loads %s, which compose does not mount", r)
		}
	}
}

func TestGRPCRouterRoutesEveryService(t *testing.T) {
	services := protoServices(t)
	for _, file := range []string{"../k8s/base/envoy.yaml", "../envoy-tls.yaml"} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var cfg struct {
			StaticResources struct {
				Listeners []struct {
					FilterChains []struct {
						Filters []struct {
							TypedConfig struct {
								RouteConfig struct {
									VirtualHosts []struct {
										Routes []struct {
											Match struct{ Prefix string }  `json:"match"`
											Route struct{ Cluster string } `json:"route"`
										} `json:"routes"`
									} `json:"virtual_hosts"`
								} `json:"route_config"`
							} `json:"typed_config"`
						} `json:"filters"`
					} `json:"filter_chains"`
				} `json:"listeners"`
				Clusters []struct {
					Name string `json:"name"`
				} `json:"clusters"`
			} `json:"static_resources"`
		}
		if err := yaml.Unmarshal(b, &cfg); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		routes := map[string]string{}
		for _, l := range cfg.StaticResources.Listeners {
			for _, fc := range l.FilterChains {
				for _, f := range fc.Filters {
					for _, vh := range f.TypedConfig.RouteConfig.VirtualHosts {
						for _, r := range vh.Routes {
							routes[r.Match.Prefix] = r.Route.Cluster
						}
					}
				}
			}
		}
		var clusters []string
		for _, cl := range cfg.StaticResources.Clusters {
			clusters = append(clusters, cl.Name)
		}
		for _, s := range services {
			cl := routes["/"+s+"/"]
			if cl == "" {
				t.Errorf("%s routes no call of %s", filepath.Base(file), s)
			} else if !slices.Contains(clusters, cl) {
				t.Errorf("%s sends %s to %s, which it does not define", filepath.Base(file), s, cl)
			}
		}
	}
}

func TestDockerignoreKeepsWhatTheBuildNeeds(t *testing.T) {
	b, err := os.ReadFile("../../.dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		for _, needed := range []string{"go.mod", "go.sum", "cmd", "pkg", "services", "proto", "internal"} {
			if line == needed || line == needed+"/" || line == "/"+needed {
				t.Errorf(".dockerignore leaves out %s, which the build needs", needed)
			}
		}
	}
}
