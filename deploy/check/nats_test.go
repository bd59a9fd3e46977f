package check

import (
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/nats-io/nats-server/v2/conf"
	"sigs.k8s.io/yaml"
)

// The NATS chart's values hold the users of deploy/nats/auth.conf, with
// the same permissions and passwords from the same variables, and take
// each variable from the Secret tandem-nats.
func TestNATSChartValuesHaveTheUsersOfAuthConf(t *testing.T) {
	vars := []string{"TANDEM_NATS_PASSWORD", "DRAFTING_NATS_PASSWORD", "REVIEW_NATS_PASSWORD", "PUBLISHING_NATS_PASSWORD", "SITE_NATS_PASSWORD", "WEBHOOKS_NATS_PASSWORD", "MEDIA_NATS_PASSWORD"}
	for _, v := range vars {
		t.Setenv(v, "pw-"+v)
	}
	parsed, err := conf.ParseFile("../nats/auth.conf")
	if err != nil {
		t.Fatal(err)
	}
	want := natsUsers(t, parsed["authorization"].(map[string]any)["users"].([]any))

	b, err := os.ReadFile("../k8s/nats/values.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var values struct {
		Config struct {
			Cluster struct {
				Enabled  bool `json:"enabled"`
				Replicas int  `json:"replicas"`
			} `json:"cluster"`
			JetStream struct {
				Enabled bool `json:"enabled"`
			} `json:"jetstream"`
			Merge struct {
				Authorization struct {
					Users []any `json:"users"`
				} `json:"authorization"`
			} `json:"merge"`
		} `json:"config"`
		Container struct {
			Env map[string]struct {
				ValueFrom struct {
					SecretKeyRef struct{ Name, Key string } `json:"secretKeyRef"`
				} `json:"valueFrom"`
			} `json:"env"`
		} `json:"container"`
	}
	if err := yaml.Unmarshal(b, &values); err != nil {
		t.Fatal(err)
	}
	if c := values.Config; !c.Cluster.Enabled || c.Cluster.Replicas != 3 || !c.JetStream.Enabled {
		t.Errorf("values: cluster %+v, JetStream %v; want a JetStream cluster of three", c.Cluster, c.JetStream.Enabled)
	}
	// The chart writes "<< $VAR >>" as the bare variable $VAR; resolve it
	// as the server would.
	users := values.Config.Merge.Authorization.Users
	for _, u := range users {
		m := u.(map[string]any)
		pw, _ := m["password"].(string)
		v, ok := strings.CutPrefix(strings.TrimSuffix(pw, " >>"), "<< $")
		if !ok || !slices.Contains(vars, v) {
			t.Errorf("user %v: password %q, want << $<USER>_NATS_PASSWORD >>", m["user"], pw)
		}
		if m["permissions"] == nil {
			delete(m, "permissions")
		}
	}
	got := natsUsers(t, users)
	if !maps.Equal(got, want) {
		for name := range want {
			if got[name] != want[name] {
				t.Errorf("user %s: values.yaml allows\n%s\nauth.conf allows\n%s", name, got[name], want[name])
			}
		}
		for name := range got {
			if _, ok := want[name]; !ok {
				t.Errorf("values.yaml has user %s, auth.conf does not", name)
			}
		}
	}
	for _, v := range vars {
		ref := values.Container.Env[v].ValueFrom.SecretKeyRef
		if ref.Name != "tandem-nats" || ref.Key == "" {
			t.Errorf("the NATS container takes %s from %+v, want the Secret tandem-nats", v, ref)
		}
	}
}
