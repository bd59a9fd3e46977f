package job

import (
	"slices"
	"strings"
	"testing"

	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
	"github.com/tandemnews/tandem/services/review/qa"
)

// checksOf lists the findings of segment id as "check severity", with
// "dismissed" for a dismissed one.
func checksOf(j *reviewv1.Job, id string) []string {
	var out []string
	for _, f := range Find(j, id).GetFindings() {
		s := f.Check + " " + strings.ToLower(strings.TrimPrefix(f.Severity.String(), "SEVERITY_"))
		if f.Dismissed {
			s += " dismissed"
		}
		out = append(out, s)
	}
	return out
}

func TestCheckComparesTranslationsOfTheSameSource(t *testing.T) {
	j := paragraphs([]string{"欢迎。", "欢迎。", "欢迎。", "再见。"}, []string{"Welcome.", "Welcome.", "All welcome.", "Bye."})
	if got := checksOf(j, "b1.1"); !slices.Equal(got, []string{"inconsistent warning"}) {
		t.Errorf("b1.1: %v", got)
	}
	if got := checksOf(j, "b3.1"); !slices.Equal(got, []string{"inconsistent warning"}) {
		t.Errorf("b3.1: %v", got)
	}
	if got := checksOf(j, "b4.1"); got != nil {
		t.Errorf("b4.1: %v", got)
	}
	// The memory's translations count as well.
	Check(j, Checks{Checker: &qa.Checker{}, Memory: memo{exact: map[string][]string{"再见。": {"Goodbye."}}}})
	if got := checksOf(j, "b4.1"); !slices.Equal(got, []string{"inconsistent warning"}) || !strings.Contains(Find(j, "b4.1").Findings[0].Message, "Goodbye.") {
		t.Errorf("b4.1 with the memory: %v", Find(j, "b4.1").Findings)
	}
}

func TestCheckReportsAStaleSourceFirst(t *testing.T) {
	j := paragraphs([]string{"座位共300个。"}, []string{"It has 280 seats."})
	s := Find(j, "b1.1")
	s.State, s.PreviousSource = needsReview, "座位共280个。"
	Check(j, checks)
	if got := checksOf(j, "b1.1"); !slices.Equal(got, []string{"source-changed error", "numbers error"}) {
		t.Fatalf("findings %v", got)
	}
	if m := s.Findings[0].Message; m != `the source changed since this target was written (it was "座位共280个。"); check the target and save it` {
		t.Errorf("message %q", m)
	}
	if sp := s.Findings[1].Spans; len(sp) == 0 || sp[0].End <= sp[0].Start {
		t.Errorf("spans %v", sp)
	}
}

func TestDismissalsHoldForTheirCheckAndText(t *testing.T) {
	j := paragraphs([]string{"座位共280个。"}, nil)
	s := Find(j, "b1.1")
	s.Target = " It has  28 seats."
	s.Dismissals = []*reviewv1.Dismissal{
		{Check: qa.CheckDoubleSpace, TextHash: textHash(s)},
		{Check: qa.CheckNumbers, TextHash: "made on another text"},
	}
	Check(j, checks)
	if got := checksOf(j, "b1.1"); !slices.Equal(got, []string{"numbers error", "edge-space warning", "double-space warning dismissed"}) {
		t.Errorf("findings %v", got)
	}
	if errs := OpenErrors(j); !slices.Equal(errs, []string{"b1.1: numbers"}) {
		t.Errorf("open errors %v", errs)
	}
	list, errs, warnings := Findings(j)
	if len(list) != 1 || list[0].SegmentId != "b1.1" || len(list[0].Findings) != 3 || errs != 1 || warnings != 1 {
		t.Errorf("findings %v, %d errors, %d warnings", list, errs, warnings)
	}
	pruneDismissals(s)
	if len(s.Dismissals) != 1 || s.Dismissals[0].Check != qa.CheckDoubleSpace {
		t.Errorf("dismissals after pruning %v", s.Dismissals)
	}
	s.Target = "changed"
	pruneDismissals(s)
	if len(s.Dismissals) != 0 {
		t.Errorf("a dismissal outlived its text: %v", s.Dismissals)
	}
}

func TestFindingsCountWhatIsOpen(t *testing.T) {
	j := paragraphs([]string{"欢迎。", "再见。"}, []string{"Welcome.", "Bye."})
	if list, errs, warnings := Findings(j); list != nil || errs != 0 || warnings != 0 {
		t.Errorf("a clean job: %v %d %d", list, errs, warnings)
	}
	Find(j, "b2.1").Findings = []*reviewv1.Finding{
		{Check: "a", Severity: reviewv1.Severity_SEVERITY_ERROR, Dismissed: true},
		{Check: "b", Severity: reviewv1.Severity_SEVERITY_INFO},
		{Check: "c", Severity: reviewv1.Severity_SEVERITY_WARNING},
		{Check: "d", Severity: reviewv1.Severity_SEVERITY_ERROR},
	}
	if list, errs, warnings := Findings(j); len(list) != 1 || list[0].SegmentId != "b2.1" || errs != 1 || warnings != 1 {
		t.Errorf("findings %v, %d errors, %d warnings", list, errs, warnings)
	}
	if errs := OpenErrors(j); !slices.Equal(errs, []string{"b2.1: d"}) {
		t.Errorf("open errors %v", errs)
	}
}

func TestDismissalSurvivesASourceChangeElsewhereInTheBlock(t *testing.T) {
	// Two Chinese sentences, one English: the block is one segment.
	zh := []string{"图书馆周一开放。座位共280个。"}
	en := []string{"The Library opens on Monday with  28 seats."}
	cur := &reviewv1.Job{}
	Supersede(cur, Open(draft(3, zh, en), "ed", opened), checks)
	claimedBy(cur, wang)
	for _, check := range []string{qa.CheckDoubleSpace, qa.CheckNumbers} {
		if _, err := Dismiss(cur, Dismissal{Segment: "b1.1", Check: check, Reason: "as the office writes it"}, wang, checks); err != nil {
			t.Fatal(err)
		}
	}
	if got := checksOf(cur, "b1.1"); !slices.Equal(got, []string{"numbers error dismissed", "double-space warning dismissed"}) {
		t.Fatalf("findings before %v", got)
	}
	// The first sentence changes; the double space and the target do not,
	// but the numbers finding now names another number.
	next := Open(draft(5, []string{"图书馆下周一开放。座位共300个。"}, en), "ed", opened)
	Supersede(cur, next, checks)
	want := []string{"source-changed error", "numbers error", "double-space warning dismissed"}
	if got := checksOf(cur, "b1.1"); !slices.Equal(got, want) {
		t.Errorf("after the source changed %v, want %v", got, want)
	}
	// Saving the same target keeps the dismissal that still applies.
	if _, err := Save(cur, Edit{Segment: "b1.1", Target: en[0]}, wang, checks); err != nil {
		t.Fatal(err)
	}
	if got := checksOf(cur, "b1.1"); !slices.Equal(got, want[1:]) {
		t.Errorf("after saving %v, want %v", got, want[1:])
	}
	// A new target ends them all.
	if _, err := Save(cur, Edit{Segment: "b1.1", Target: "The Library opens next Monday with  300 seats."}, wang, checks); err != nil {
		t.Fatal(err)
	}
	if got := checksOf(cur, "b1.1"); !slices.Equal(got, []string{"double-space warning"}) || len(Find(cur, "b1.1").Dismissals) != 0 {
		t.Errorf("after a new target %v, dismissals %v", got, Find(cur, "b1.1").Dismissals)
	}
}
