package job

import (
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

func TestFitLeavesOutTheHeaviestSuggestionsFirst(t *testing.T) {
	match := func(n int) *reviewv1.MemoryMatch {
		return &reviewv1.MemoryMatch{Unit: &reviewv1.MemoryUnit{Source: strings.Repeat("图", n), Target: strings.Repeat("x", n)}}
	}
	heavy := &reviewv1.Segment{Id: "b1.1", Source: "一", Suggestions: []*reviewv1.MemoryMatch{match(4000), match(4000)}}
	light := &reviewv1.Segment{Id: "b2.1", Source: "二", Suggestions: []*reviewv1.MemoryMatch{match(10)}}
	j := &reviewv1.Job{Units: []*reviewv1.Unit{{Id: "b1", Segments: []*reviewv1.Segment{heavy}}, {Id: "b2", Segments: []*reviewv1.Segment{light}}}}
	size := func(j *reviewv1.Job) int { return proto.Size(j) }
	before := size(j)
	if !Fit(j, size, before) || len(heavy.Suggestions) != 2 {
		t.Fatal("a job that fits lost suggestions")
	}
	if !Fit(j, size, before-1000) || heavy.Suggestions != nil || len(light.Suggestions) != 1 {
		t.Errorf("fitting: heavy %d, light %d suggestions; want only the heavy ones left out", len(heavy.Suggestions), len(light.Suggestions))
	}
	if Fit(j, size, 10) {
		t.Error("a job larger than max without any suggestion reported that it fits")
	}
}
