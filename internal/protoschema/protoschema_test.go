package protoschema

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
)

var update = flag.Bool("update", false, "rewrite docs/schemas")

// Payloads are the event payloads docs/asyncapi.yaml refers to.
var Payloads = []proto.Message{
	&eventsv1.DraftEvent{}, &eventsv1.ReviewEvent{}, &eventsv1.GlossaryEvent{},
	&eventsv1.MemoryEvent{}, &eventsv1.ScheduleEvent{}, &eventsv1.AddressEvent{}, &eventsv1.ArticleEvent{},
	&eventsv1.MediaEvent{},
}

func dir() string { return filepath.Join("..", "..", "docs", "schemas") }

// TestSchemasAreCurrent fails when a committed schema differs from what
// the protos make now; -update writes them.
func TestSchemasAreCurrent(t *testing.T) {
	for _, m := range Payloads {
		md := m.ProtoReflect().Descriptor()
		want, err := Schema(md)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir(), string(md.FullName())+".json")
		if *update {
			if err := os.MkdirAll(dir(), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is missing or stale (%v): run make generate and commit the result", path, err)
		}
	}
}

// TestSchemaDescribesTheJSONMapping checks the schema of ArticleEvent
// against what protojson makes of a real one, key by key.
func TestSchemaDescribesTheJSONMapping(t *testing.T) {
	ev := &eventsv1.ArticleEvent{ChangedLocales: []string{"en"}, Publication: &eventsv1.Publication{
		ArticleId: "A1", Revision: 7,
		Locales: map[string]*eventsv1.PublishedLocale{"en": {
			Locale: "en", Html: []byte("<p>x</p>"), SourceRevision: 3,
			Published: &articlev1.Change{Time: timestamppb.Now()},
		}},
	}}
	raw, err := protojson.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	b, _ := Schema(ev.ProtoReflect().Descriptor())
	var schema map[string]any
	if err := json.Unmarshal(b, &schema); err != nil {
		t.Fatal(err)
	}
	defs := schema["definitions"].(map[string]any)
	props := func(name string) map[string]any {
		return defs[name].(map[string]any)["properties"].(map[string]any)
	}
	pub := doc["publication"].(map[string]any)
	for key := range pub {
		if _, ok := props("tandem.events.v1.Publication")[key]; !ok {
			t.Errorf("protojson writes publication.%s; the schema does not know it", key)
		}
	}
	if typ := props("tandem.events.v1.Publication")["revision"].(map[string]any)["type"]; typ != "string" || pub["revision"] != "7" {
		t.Errorf("a uint64 is %v in the schema and %v in the JSON; want a string in both", typ, pub["revision"])
	}
	en := pub["locales"].(map[string]any)["en"].(map[string]any)
	for key := range en {
		if _, ok := props("tandem.events.v1.PublishedLocale")[key]; !ok {
			t.Errorf("protojson writes locales.en.%s; the schema does not know it", key)
		}
	}
	if f := props("tandem.article.v1.Change")["time"].(map[string]any)["format"]; f != "date-time" {
		t.Errorf("a Timestamp has format %v, want date-time", f)
	}
}
