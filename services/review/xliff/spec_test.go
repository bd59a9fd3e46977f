package xliff

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// No package ships the OASIS schemas here, so the rules of XLIFF 2.1 core
// and of its metadata module that Tandem's export touches are written out
// from the specification (XLIFF Version 2.1, OASIS Standard, 13 February
// 2018: 4.2 Core elements, 4.3 attributes, 5.5 Metadata module) and checked
// on the document Write makes.

type node struct {
	name     xml.Name
	attrs    map[string]string
	children []*node
	text     string
}

func parseTree(t *testing.T, data []byte) *node {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	var stack []*node
	var root *node
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &node{name: tok.Name, attrs: map[string]string{}}
			for _, a := range tok.Attr {
				key := a.Name.Local
				if a.Name.Space != "" && a.Name.Space != "xmlns" {
					key = a.Name.Space + " " + a.Name.Local
				}
				n.attrs[key] = a.Value
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(tok)
			}
		}
	}
	return root
}

// specProblems lists what in the document breaks a rule of XLIFF 2.1 core
// or the metadata module.
func specProblems(root *node) []string {
	var probs []string
	bad := func(format string, args ...any) { probs = append(probs, fmt.Sprintf(format, args...)) }
	core := func(n *node, local string) bool { return n.name.Space == NS && n.name.Local == local }
	mda := func(n *node, local string) bool { return n.name.Space == MetadataNS && n.name.Local == local }
	if !core(root, "xliff") {
		bad("the root is %v, not xliff of %s", root.name, NS)
		return probs
	}
	if root.attrs["version"] != "2.1" {
		bad("version %q", root.attrs["version"])
	}
	lang := regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)
	if !lang.MatchString(root.attrs["srcLang"]) {
		bad("srcLang %q is not a BCP 47 tag", root.attrs["srcLang"])
	}
	hasTarget := false
	fileIDs := map[string]bool{}
	// order checks that children come in the order of the given groups,
	// each matched by a predicate; other-namespace elements only where
	// allowed.
	order := func(where string, kids []*node, steps ...func(*node) bool) {
		i := 0
		for _, k := range kids {
			for i < len(steps) && !steps[i](k) {
				i++
			}
			if i == len(steps) {
				bad("%s: <%s> is out of place", where, k.name.Local)
				return
			}
		}
	}
	other := func(k *node) bool { return k.name.Space != NS }
	for _, f := range root.children {
		if !core(f, "file") {
			bad("xliff holds <%s>; only <file>", f.name.Local)
			continue
		}
		id := f.attrs["id"]
		if id == "" || fileIDs[id] {
			bad("file id %q is missing or repeated", id)
		}
		fileIDs[id] = true
		order("file", f.children,
			func(k *node) bool { return core(k, "skeleton") }, other,
			func(k *node) bool { return core(k, "notes") },
			func(k *node) bool { return core(k, "unit") || core(k, "group") })
		unitIDs := map[string]bool{}
		units := 0
		for _, u := range f.children {
			if core(u, "notes") {
				for _, n := range u.children {
					if !core(n, "note") {
						bad("notes hold <%s>", n.name.Local)
					}
				}
				if len(u.children) == 0 {
					bad("empty <notes>")
				}
			}
			if !core(u, "unit") {
				continue
			}
			units++
			uid := u.attrs["id"]
			if uid == "" || unitIDs[uid] {
				bad("unit id %q is missing or repeated", uid)
			}
			unitIDs[uid] = true
			order("unit "+uid, u.children, other,
				func(k *node) bool { return core(k, "notes") },
				func(k *node) bool { return core(k, "originalData") },
				func(k *node) bool { return core(k, "segment") || core(k, "ignorable") })
			segIDs := map[string]bool{}
			segs := 0
			for _, k := range u.children {
				switch {
				case mda(k, "metadata"):
					if len(k.children) == 0 {
						bad("unit %s: empty mda:metadata", uid)
					}
					for _, g := range k.children {
						if !mda(g, "metaGroup") {
							bad("unit %s: mda:metadata holds <%s>", uid, g.name.Local)
							continue
						}
						if a, ok := g.attrs["appliesTo"]; ok && !slices.Contains([]string{"source", "target", "ignorable"}, a) {
							bad("unit %s: appliesTo %q", uid, a)
						}
						if len(g.children) == 0 {
							bad("unit %s: empty metaGroup", uid)
						}
						for _, m := range g.children {
							if !mda(m, "meta") && !mda(m, "metaGroup") {
								bad("unit %s: metaGroup holds <%s>", uid, m.name.Local)
							}
							if mda(m, "meta") && (m.attrs["type"] == "" || len(m.children) > 0) {
								bad("unit %s: a meta needs a type and holds text only", uid)
							}
						}
					}
				case core(k, "segment"):
					segs++
					sid := k.attrs["id"]
					if sid != "" && segIDs[sid] {
						bad("unit %s: segment id %q repeated", uid, sid)
					}
					segIDs[sid] = true
					state, hasState := k.attrs["state"]
					if hasState && !slices.Contains(States, state) {
						bad("segment %s: state %q", sid, state)
					}
					if sub, ok := k.attrs["subState"]; ok {
						if !hasState {
							bad("segment %s: subState without state", sid)
						}
						if p, _, found := strings.Cut(sub, ":"); !found || p == "" || p == "xlf" {
							bad("segment %s: subState %q is not prefix:value", sid, sub)
						}
					}
					order("segment "+sid, k.children,
						func(c *node) bool { return core(c, "source") },
						func(c *node) bool { return core(c, "target") })
					if len(k.children) == 0 || !core(k.children[0], "source") {
						bad("segment %s has no source", sid)
					}
					for _, c := range k.children {
						codes(c, sid, u, &bad)
						if core(c, "target") {
							hasTarget = true
							if l, ok := c.attrs["http://www.w3.org/XML/1998/namespace lang"]; ok && l != root.attrs["trgLang"] {
								bad("segment %s: target xml:lang %q is not trgLang", sid, l)
							}
						}
					}
				}
			}
			if segs == 0 {
				bad("unit %s has no segment", uid)
			}
		}
		if units == 0 {
			bad("file %s has no unit", id)
		}
	}
	if hasTarget && root.attrs["trgLang"] == "" {
		bad("targets without trgLang")
	}
	return probs
}

func TestWriteFollowsTheXLIFF21CoreAndMetadataRules(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, goldenDoc()); err != nil {
		t.Fatal(err)
	}
	if probs := specProblems(parseTree(t, buf.Bytes())); len(probs) > 0 {
		t.Errorf("the export breaks XLIFF 2.1:\n%s", strings.Join(probs, "\n"))
	}
	// The rules find what breaks them.
	broken := strings.NewReplacer(`version="2.1"`, `version="2.2"`, `state="final"`, `state="done"`,
		`subState="tandem:needs-review"`, `subState="needs-review"`, `<file id="f1"`, `<file`).Replace(buf.String())
	broken = strings.Replace(broken, "<notes>\n        <note>wang", "<segment id=\"x\"><source>a</source></segment><notes>\n        <note>wang", 1)
	probs := specProblems(parseTree(t, []byte(broken)))
	for _, want := range []string{`version "2.2"`, `state "done"`, `subState "needs-review"`, `file id "" is missing`, `<notes> is out of place`} {
		if !slices.ContainsFunc(probs, func(p string) bool { return strings.Contains(p, want) }) {
			t.Errorf("the rules miss %s in %q", want, probs)
		}
	}
}

// codes checks the inline codes of a source or target: ids unique within
// it and apart from the unit's segments, and every data reference
// resolved in the unit's originalData.
func codes(content *node, sid string, unit *node, bad *func(string, ...any)) {
	data := map[string]bool{}
	segs := map[string]bool{}
	for _, k := range unit.children {
		if k.name.Space == NS && k.name.Local == "originalData" {
			for _, d := range k.children {
				data[d.attrs["id"]] = true
			}
		}
		if k.name.Space == NS && k.name.Local == "segment" {
			segs[k.attrs["id"]] = true
		}
	}
	seen := map[string]bool{}
	var walk func(n *node)
	walk = func(n *node) {
		for _, c := range n.children {
			switch c.name.Local {
			case "pc", "ph", "sc", "ec", "mrk", "sm", "em":
				id := c.attrs["id"]
				if id == "" || seen[id] || segs[id] {
					(*bad)("segment %s: inline code id %q is missing, repeated or a segment's", sid, id)
				}
				seen[id] = true
				for _, ref := range []string{"dataRef", "dataRefStart", "dataRefEnd"} {
					if v, ok := c.attrs[ref]; ok && !data[v] {
						(*bad)("segment %s: %s %q has no data", sid, ref, v)
					}
				}
			default:
				(*bad)("segment %s: <%s> inside %s", sid, c.name.Local, n.name.Local)
			}
			walk(c)
		}
	}
	walk(content)
}
