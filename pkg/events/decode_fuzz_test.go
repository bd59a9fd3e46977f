package events

import (
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"google.golang.org/protobuf/proto"

	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
)

// FuzzDecode feeds the decoder arbitrary headers and payloads: it never
// panics, and everything it refuses is ErrInvalidEvent (so a consumer
// terminates it instead of retrying forever).
func FuzzDecode(f *testing.F) {
	good, _ := proto.Marshal(&eventsv1.DraftEvent{Draft: &draftingv1.Draft{Article: &articlev1.Article{Id: "A", Locales: map[string]*articlev1.LocalizedContent{"zh-CN": {Title: "标题"}}}}})
	f.Add("1.0", "id-1", eventsv1.DraftUpdated, "/tandem/drafting", time.Now().Format(time.RFC3339Nano), contentTypeData, "type.googleapis.com/tandem.events.v1.DraftEvent", good)
	f.Add("1.0", "id-2", eventsv1.ArticlePublished, "/x", "2024-01-01T00:00:00Z", contentTypeData, "type.googleapis.com/tandem.events.v1.ArticleEvent", []byte{0x0a, 0x02, 0x0a, 0x00})
	f.Add("0.3", "", "", "", "yesterday", "text/plain", "type.googleapis.com/no.Such", []byte{0xff})
	f.Fuzz(func(t *testing.T, spec, id, typ, source, tm, ct, schema string, data []byte) {
		h := nats.Header{}
		h.Set(HeaderSpecVersion, spec)
		h.Set(HeaderID, id)
		h.Set(HeaderType, typ)
		h.Set(HeaderSource, source)
		h.Set(HeaderTime, tm)
		h.Set(HeaderDataContentType, ct)
		h.Set(HeaderDataSchema, schema)
		ev, err := decode("s", 1, time.Now(), h, data)
		if err != nil {
			if !errors.Is(err, ErrInvalidEvent) {
				t.Fatalf("refusal is not ErrInvalidEvent: %v", err)
			}
			return
		}
		if ev.Data == nil || ev.ID == "" || ev.Type == "" {
			t.Fatalf("accepted an event without id, type or data: %+v", ev)
		}
	})
}
