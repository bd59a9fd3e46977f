package review

import (
	"context"
	"slices"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tandemnews/tandem/pkg/testkit"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

func TestGlossaryTermsDriveTheChecksAndSurviveARestart(t *testing.T) {
	srv := testkit.StartNATS(t)
	bus := testkit.Bus(t, srv.URL())
	s := New(bus, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Run(ctx)
	<-s.Ready
	imp, err := s.ImportGlossary(lead, &reviewv1.ImportGlossaryRequest{Data: []byte("zh\ten\tnote\n图书馆\tLibrary\t\n校长\tPresident\tvariants: university President\n")})
	if err != nil || imp.Added != 2 {
		t.Fatalf("import: %v %v", imp, err)
	}
	if _, err := s.ImportGlossary(lead, &reviewv1.ImportGlossaryRequest{Data: []byte("zh\ten\n图书馆\t\n")}); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("bad import: %v", err)
	}
	if _, err := s.PutTerm(lead, &reviewv1.PutTermRequest{Term: &reviewv1.Term{Source: "图书馆", Targets: []string{"Library"}}}); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("adding an existing term without its revision: %v", err)
	}
	j := open(t, s, submitArticle(t, bus, "G1", false, []string{"图书馆开放。"}, []string{"The reading room opens."}))
	if f := seg(j, "b1.1").Findings; len(f) != 1 || f[0].Check != "glossary-missing" {
		t.Fatalf("findings with the glossary: %v", f)
	}
	if _, err := s.DeleteTerm(lead, &reviewv1.DeleteTermRequest{Source: "图书馆"}); err != nil {
		t.Fatal(err)
	}
	// A new replica reads the glossary from the stream.
	s2 := New(bus, nil)
	go s2.Run(ctx)
	<-s2.Ready
	list, err := s2.ListTerms(wang, &reviewv1.ListTermsRequest{})
	if err != nil || len(list.Terms) != 1 || list.Terms[0].Source != "校长" || !slices.Equal(list.Terms[0].Targets, []string{"President", "university President"}) {
		t.Fatalf("terms on a new replica: %v %v", list, err)
	}
	out, err := s2.ExportGlossary(wang, &reviewv1.ExportGlossaryRequest{Format: reviewv1.GlossaryFormat_GLOSSARY_FORMAT_CSV})
	if err != nil || !strings.Contains(string(out.Data), "校长,President | university President") {
		t.Fatalf("export: %q %v", out.GetData(), err)
	}
	jobs, err := s2.ListJobs(wang, &reviewv1.ListJobsRequest{})
	if err != nil || len(jobs.Jobs) != 1 || jobs.Jobs[0].ArticleId != "G1" {
		t.Fatalf("jobs on a new replica: %v %v", jobs, err)
	}
}
