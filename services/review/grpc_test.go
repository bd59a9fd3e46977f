package review

import (
	"fmt"
	"maps"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/rpc"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
	"github.com/tandemnews/tandem/services/review/job"
	"github.com/tandemnews/tandem/services/review/qa"
)

// TestDomainErrorsKeepTheirCodesReasonsAndMetadata pins what a client
// gets for each rule a job's change breaks.
func TestDomainErrorsKeepTheirCodesReasonsAndMetadata(t *testing.T) {
	by := job.By{Actor: &articlev1.Actor{UserId: "zhao"}, Time: time.Now()}
	checks := job.Checks{Checker: &qa.Checker{}}
	openJob := func(assignee, target string) *reviewv1.Job {
		j := &reviewv1.Job{ArticleId: "E1", Status: reviewv1.JobStatus_JOB_STATUS_OPEN, SourceLocale: "zh-CN", TargetLocale: "en",
			Source: &articlev1.LocalizedContent{Title: "标题"},
			Units:  []*reviewv1.Unit{{Id: "title", Segments: []*reviewv1.Segment{{Id: "title.1", Field: "title", Source: "面积12000平方米", Target: target}}}}}
		if assignee != "" {
			j.Assignee = &articlev1.Actor{UserId: assignee}
		}
		return j
	}
	approved := openJob("", "")
	approved.Status = reviewv1.JobStatus_JOB_STATUS_APPROVED
	cases := []struct {
		name   string
		err    error
		code   codes.Code
		reason string
		msg    string
		md     map[string]string
	}{
		{"not open", second(job.Claim(approved, by)), codes.FailedPrecondition, "JOB_NOT_OPEN",
			"the job is approved, not open", map[string]string{"status": "JOB_STATUS_APPROVED"}},
		{"claimed", second(job.Claim(openJob("wang", ""), by)), codes.FailedPrecondition, "JOB_CLAIMED",
			"the job is claimed by wang; ask a lead to reassign it", map[string]string{"assignee": "wang"}},
		{"findings", second(job.Approve(openJob("", "1,200 square meters"), job.Approval{}, by, checks)), codes.FailedPrecondition, "FINDINGS_BLOCK_APPROVAL",
			"1 error finding(s) block approval (title.1: numbers); fix or dismiss them, or approve with an override reason", map[string]string{"errors": "1"}},
		{"incomplete", second(job.Approve(openJob("", "Area"), job.Approval{OverrideReason: "checked"}, by, checks)), codes.FailedPrecondition, "TRANSLATION_INCOMPLETE",
			"the English has no title or no body yet; it cannot be approved", map[string]string{}},
		{"no segment", second(job.Save(openJob("", ""), job.Edit{Segment: "b9.1"}, by, checks)), codes.InvalidArgument, "",
			`invalid request: segment_id: "b9.1" is not a segment of this job`, nil},
		{"no job", fmt.Errorf("get: %w", events.ErrNotFound), codes.NotFound, "", "translation job for E1 not found", nil},
	}
	for _, c := range cases {
		st := status.Convert(jobStatus(c.err, "E1"))
		if st.Code() != c.code || st.Message() != c.msg {
			t.Errorf("%s: %v %q, want %v %q", c.name, st.Code(), st.Message(), c.code, c.msg)
		}
		var info *errdetails.ErrorInfo
		for _, d := range st.Details() {
			if e, ok := d.(*errdetails.ErrorInfo); ok {
				info = e
			}
		}
		switch {
		case c.reason == "" && info != nil:
			t.Errorf("%s: unexpected ErrorInfo %v", c.name, info)
		case c.reason != "" && (info == nil || info.Reason != c.reason || info.Domain != rpc.ErrorDomain || !maps.Equal(info.Metadata, c.md)):
			t.Errorf("%s: ErrorInfo %v, want reason %s metadata %v", c.name, info, c.reason, c.md)
		}
	}
}

func second(_ string, err error) error { return err }
