package check

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

// objects are the Kubernetes objects an overlay builds, decoded.
type objects struct {
	deployments map[string]*appsv1.Deployment
	services    map[string]*corev1.Service
	pdbs        map[string]*policyv1.PodDisruptionBudget
	hpas        map[string]*autoscalingv2.HorizontalPodAutoscaler
	ingresses   map[string]*networkingv1.Ingress
	secrets     map[string]*corev1.Secret
	configMaps  map[string]*corev1.ConfigMap
	namespaces  []string
}

// copyTree copies deploy/k8s into a temporary folder, with the secret
// files an operator writes, which are never committed.
func copyTree(t *testing.T) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "k8s")
	err := filepath.WalkDir("../k8s", func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel("../k8s", p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	secrets := filepath.Join(dst, "base", "secrets")
	os.WriteFile(filepath.Join(secrets, "auth.json"), []byte(`{"users": []}`), 0o600)
	os.WriteFile(filepath.Join(secrets, "nats.env"), []byte("tandem=a\ndrafting=b\nreview=c\npublishing=d\nsite=e\nwebhooks=f\n"), 0o600)
	return dst
}

// build runs kustomize on an overlay and decodes every object strictly
// into its Kubernetes type: an unknown or misspelt field fails.
func build(t *testing.T, dir string) objects {
	t.Helper()
	m, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		t.Fatalf("kustomize build %s: %v", dir, err)
	}
	o := objects{deployments: map[string]*appsv1.Deployment{}, services: map[string]*corev1.Service{},
		pdbs: map[string]*policyv1.PodDisruptionBudget{}, hpas: map[string]*autoscalingv2.HorizontalPodAutoscaler{},
		ingresses: map[string]*networkingv1.Ingress{}, secrets: map[string]*corev1.Secret{}, configMaps: map[string]*corev1.ConfigMap{}}
	for _, r := range m.Resources() {
		b, err := r.AsYAML()
		if err != nil {
			t.Fatal(err)
		}
		name, kind := r.GetName(), r.GetKind()
		var into any
		switch kind {
		case "Deployment":
			v := &appsv1.Deployment{}
			o.deployments[name], into = v, v
		case "Service":
			v := &corev1.Service{}
			o.services[name], into = v, v
		case "PodDisruptionBudget":
			v := &policyv1.PodDisruptionBudget{}
			o.pdbs[name], into = v, v
		case "HorizontalPodAutoscaler":
			v := &autoscalingv2.HorizontalPodAutoscaler{}
			o.hpas[name], into = v, v
		case "Ingress":
			v := &networkingv1.Ingress{}
			o.ingresses[name], into = v, v
		case "Secret":
			v := &corev1.Secret{}
			o.secrets[name], into = v, v
		case "ConfigMap":
			v := &corev1.ConfigMap{}
			o.configMaps[name], into = v, v
		case "Namespace":
			o.namespaces = append(o.namespaces, name)
			into = &corev1.Namespace{}
		default:
			t.Errorf("%s %s: a kind this test does not know; add it", kind, name)
			continue
		}
		if err := yaml.UnmarshalStrict(b, into); err != nil {
			t.Errorf("%s %s: %v", kind, name, err)
		}
	}
	return o
}

// protoServices are the gRPC services of proto/, by full name.
func protoServices(t *testing.T) []string {
	t.Helper()
	var names []string
	pkgRe, svcRe := regexp.MustCompile(`(?m)^package ([\w.]+);`), regexp.MustCompile(`(?m)^service (\w+) \{`)
	err := filepath.WalkDir("../../proto", func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".proto") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		pkg := pkgRe.FindSubmatch(b)
		for _, s := range svcRe.FindAllSubmatch(b, -1) {
			names = append(names, string(pkg[1])+"."+string(s[1]))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(names) == 0 {
		t.Fatal("no gRPC service found in proto/")
	}
	return names
}

// codeSettings are the environment variables and flags the command line
// reads (cmd/tandem), so that a deployment cannot set one that does not
// exist.
func codeSettings(t *testing.T) (env, flags []string) {
	t.Helper()
	files, _ := filepath.Glob("../../cmd/tandem/*.go")
	envRe := regexp.MustCompile(`env(?:Number(?:\[\w+\])?)?\((?:&c\.bad, )?"([A-Z_]+)"|"(NATS_\w+|REDIS_\w+|TANDEM_\w+|OTEL_\w+)"`)
	flagRe := regexp.MustCompile(`fs\.\w+Var\([^,]+, "([a-z-]+)"`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range envRe.FindAllSubmatch(b, -1) {
			env = append(env, string(m[1])+string(m[2]))
		}
		for _, m := range flagRe.FindAllSubmatch(b, -1) {
			flags = append(flags, string(m[1]))
		}
	}
	return env, flags
}

func TestKubernetesOverlaysBuildIntoValidObjects(t *testing.T) {
	root := copyTree(t)
	services := protoServices(t)
	env, flags := codeSettings(t)
	for _, overlay := range []string{"small", "large"} {
		t.Run(overlay, func(t *testing.T) {
			o := build(t, filepath.Join(root, "overlays", overlay))
			if !slices.Equal(o.namespaces, []string{"tandem"}) {
				t.Errorf("namespaces %v, want tandem", o.namespaces)
			}
			for _, want := range []string{"drafting", "review", "publishing", "webhooks", "site", "desk", "grpc", "redis"} {
				d := o.deployments[want]
				if d == nil {
					t.Errorf("no Deployment %s", want)
					continue
				}
				if o.services[want] == nil {
					t.Errorf("no Service %s", want)
				}
				for _, c := range d.Spec.Template.Spec.Containers {
					if c.ReadinessProbe == nil || c.LivenessProbe == nil {
						t.Errorf("%s/%s lacks a readiness or liveness probe", want, c.Name)
					}
					if c.Resources.Requests.Cpu().IsZero() || c.Resources.Requests.Memory().IsZero() {
						t.Errorf("%s/%s requests no CPU or memory", want, c.Name)
					}
					if strings.HasPrefix(c.Image, "tandem") || c.Image == "" {
						t.Errorf("%s/%s: image %q, want the overlay's", want, c.Name, c.Image)
					}
					checkSettings(t, want, c, env, flags)
					for _, e := range c.Env {
						if r := e.ValueFrom; r != nil && r.SecretKeyRef != nil && o.secrets[r.SecretKeyRef.Name] == nil {
							t.Errorf("%s takes %s from Secret %s, which the overlay does not make", want, e.Name, r.SecretKeyRef.Name)
						}
						if r := e.ValueFrom; r != nil && r.ConfigMapKeyRef != nil && o.configMaps[r.ConfigMapKeyRef.Name] == nil {
							t.Errorf("%s takes %s from ConfigMap %s, which the overlay does not make", want, e.Name, r.ConfigMapKeyRef.Name)
						}
					}
				}
				for _, v := range d.Spec.Template.Spec.Volumes {
					if v.Secret != nil && o.secrets[v.Secret.SecretName] == nil {
						t.Errorf("%s mounts Secret %s, which the overlay does not make", want, v.Secret.SecretName)
					}
					if v.ConfigMap != nil && o.configMaps[v.ConfigMap.Name] == nil {
						t.Errorf("%s mounts ConfigMap %s, which the overlay does not make", want, v.ConfigMap.Name)
					}
				}
			}
			for name, svc := range o.services {
				d := o.deployments[name]
				if d == nil {
					t.Errorf("Service %s has no Deployment of its name", name)
					continue
				}
				for k, v := range svc.Spec.Selector {
					if d.Spec.Template.Labels[k] != v {
						t.Errorf("Service %s selects %s=%s, which its pods lack", name, k, v)
					}
				}
				for _, sp := range svc.Spec.Ports {
					found := false
					for _, c := range d.Spec.Template.Spec.Containers {
						for _, cp := range c.Ports {
							found = found || cp.Name == sp.TargetPort.String() || cp.ContainerPort == sp.TargetPort.IntVal
						}
					}
					if !found {
						t.Errorf("Service %s sends port %s to %s, which no container of its pods has", name, sp.Name, sp.TargetPort.String())
					}
				}
			}
			for name, p := range o.pdbs {
				d := o.deployments[name]
				if d == nil {
					t.Errorf("PodDisruptionBudget %s has no Deployment of its name", name)
					continue
				}
				if *d.Spec.Replicas < 2 && (o.hpas[name] == nil || *o.hpas[name].Spec.MinReplicas < 2) {
					t.Errorf("PodDisruptionBudget %s guards %d replica: it would block every node drain", name, *d.Spec.Replicas)
				}
				for k, v := range p.Spec.Selector.MatchLabels {
					if d.Spec.Template.Labels[k] != v {
						t.Errorf("PodDisruptionBudget %s selects %s=%s, which its pods lack", name, k, v)
					}
				}
			}
			if o.pdbs["site"] == nil {
				t.Error("no PodDisruptionBudget for the site")
			}
			if h := o.hpas["site"]; h == nil || h.Spec.ScaleTargetRef.Name != "site" || h.Spec.ScaleTargetRef.Kind != "Deployment" {
				t.Error("no HorizontalPodAutoscaler scaling the site's Deployment")
			}
			for _, s := range []string{"tandem-auth", "tandem-nats"} {
				found := false
				for name := range o.secrets {
					found = found || name == s || strings.HasPrefix(name, s+"-")
				}
				if !found {
					t.Errorf("no Secret %s", s)
				}
			}
			routed := map[string]string{}
			for _, ing := range o.ingresses {
				for _, r := range ing.Spec.Rules {
					for _, p := range r.HTTP.Paths {
						if o.services[p.Backend.Service.Name] == nil {
							t.Errorf("Ingress %s sends %s to Service %s, which does not exist", ing.Name, p.Path, p.Backend.Service.Name)
						}
						routed[p.Path] = p.Backend.Service.Name
					}
				}
			}
			if g := o.ingresses["grpc"]; g == nil || g.Annotations["nginx.ingress.kubernetes.io/backend-protocol"] != "GRPC" {
				t.Error("no Ingress grpc speaking gRPC to the services")
			}
			for _, s := range services {
				if routed["/"+s+"/"] == "" {
					t.Errorf("the Ingress routes no path to %s", s)
				}
			}
		})
	}
}

// checkSettings fails on an environment variable or a flag of a Tandem
// container that the code does not read.
func checkSettings(t *testing.T, deployment string, c corev1.Container, env, flags []string) {
	t.Helper()
	if c.Args == nil || c.Args[0] != "serve" {
		return
	}
	for _, e := range c.Env {
		if e.Name != "NATS_PASSWORD" && !slices.Contains(env, e.Name) {
			t.Errorf("%s sets %s, which Tandem does not read", deployment, e.Name)
		}
	}
	for _, a := range c.Args {
		if f, ok := strings.CutPrefix(a, "--"); ok && !slices.Contains(flags, f) {
			t.Errorf("%s passes --%s, which tandem serve does not have", deployment, f)
		}
	}
}

// natsUsers are the users of a NATS authorization block, each with its
// publish and subscribe lists, as one comparable string.
func natsUsers(t *testing.T, users []any) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, u := range users {
		m := u.(map[string]any)
		out[m["user"].(string)] = fmt.Sprint(m["permissions"])
	}
	return out
}
