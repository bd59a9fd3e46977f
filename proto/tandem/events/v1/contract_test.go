package eventsv1_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// contract reads the event types (string constants starting "tandem.")
// and subject kinds (constants named Kind...) from contract.go itself,
// so a constant added there is checked without being listed anywhere
// else.
func contract(t *testing.T) (types, kinds []string) {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "contract.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			for i, name := range vs.Names {
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					continue
				}
				v, _ := strconv.Unquote(lit.Value)
				switch {
				case strings.HasPrefix(v, "tandem."):
					types = append(types, v)
				case strings.HasPrefix(name.Name, "Kind"):
					kinds = append(kinds, v)
				}
			}
		}
	}
	if len(types) < 20 || len(kinds) < 6 {
		t.Fatalf("contract.go holds %d types and %d kinds; the parse went wrong", len(types), len(kinds))
	}
	return types, kinds
}

// asyncTypes are the ce-type values each message of an AsyncAPI document
// declares, and the addresses of its channels.
func asyncTypes(t *testing.T, doc []byte) (types, addresses []string) {
	t.Helper()
	var d struct {
		Channels   map[string]struct{ Address string }
		Components struct {
			Messages map[string]struct {
				Headers struct {
					AllOf []struct {
						Properties map[string]struct{ Enum []string }
					} `yaml:"allOf"`
				}
			}
		}
	}
	if err := yaml.Unmarshal(doc, &d); err != nil {
		t.Fatalf("asyncapi.yaml: %v", err)
	}
	for _, m := range d.Components.Messages {
		for _, a := range m.Headers.AllOf {
			types = append(types, a.Properties["ce-type"].Enum...)
		}
	}
	for _, c := range d.Channels {
		addresses = append(addresses, c.Address)
	}
	return types, addresses
}

// undocumented lists what the code names and the documents do not: each
// type must have its row in events.md and its place in a message of
// asyncapi.yaml, each kind a channel in both; and asyncapi.yaml must
// declare no type the code does not have.
func undocumented(t *testing.T, types, kinds []string, eventsMD string, asyncapi []byte) []string {
	var out []string
	declared, addresses := asyncTypes(t, asyncapi)
	for _, typ := range types {
		if !strings.Contains(eventsMD, "| `"+typ+"` |") {
			out = append(out, typ+" has no row in docs/events.md")
		}
		if !slices.Contains(declared, typ) {
			out = append(out, typ+" is in no message of docs/asyncapi.yaml")
		}
	}
	for _, typ := range declared {
		if !slices.Contains(types, typ) {
			out = append(out, "docs/asyncapi.yaml declares "+typ+", which the code does not have")
		}
	}
	for _, k := range kinds {
		if !slices.ContainsFunc(addresses, func(a string) bool { return strings.Contains(a, "."+k+".{") }) {
			out = append(out, "subject kind "+k+" has no channel in docs/asyncapi.yaml")
		}
		if !strings.Contains(eventsMD, "."+k+".<") {
			out = append(out, "subject kind "+k+" is not in docs/events.md")
		}
	}
	return out
}

func docs(t *testing.T) (string, []byte) {
	t.Helper()
	root := filepath.Join("..", "..", "..", "..", "docs")
	md, err := os.ReadFile(filepath.Join(root, "events.md"))
	if err != nil {
		t.Fatal(err)
	}
	api, err := os.ReadFile(filepath.Join(root, "asyncapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return string(md), api
}

// TestEveryEventTypeIsDocumented fails when an event type or subject kind
// exists in contract.go but not in docs/events.md and docs/asyncapi.yaml.
func TestEveryEventTypeIsDocumented(t *testing.T) {
	types, kinds := contract(t)
	md, api := docs(t)
	for _, p := range undocumented(t, types, kinds, md, api) {
		t.Error(p)
	}
}

// TestTheContractCheckCatchesAMissingType removes one type from each
// document and expects the check to name it.
func TestTheContractCheckCatchesAMissingType(t *testing.T) {
	types, kinds := contract(t)
	md, api := docs(t)
	const gone = "tandem.schedule.failed"
	lessMD := strings.ReplaceAll(md, "| `"+gone+"` |", "| `removed` |")
	lessAPI := strings.ReplaceAll(string(api), ", "+gone+"]", "]")
	got := undocumented(t, types, kinds, lessMD, []byte(lessAPI))
	want := []string{gone + " has no row in docs/events.md", gone + " is in no message of docs/asyncapi.yaml"}
	if !slices.Equal(got, want) {
		t.Errorf("with %s removed the check reports %q, want %q", gone, got, want)
	}
	extra := append(slices.Clone(types), "tandem.article.archived")
	if got := undocumented(t, extra, kinds, md, api); len(got) != 2 {
		t.Errorf("a type only the code has: the check reports %q, want it named twice", got)
	}
}
