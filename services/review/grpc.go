package review

import (
	"context"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/field"
	"github.com/tandemnews/tandem/pkg/rpc"
	errorsv1 "github.com/tandemnews/tandem/proto/tandem/errors/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
	"github.com/tandemnews/tandem/services/review/job"
)

// domainErrors maps the rules a job's change can break to what the caller
// gets. The field problems among them (an unknown segment, a full thread,
// no such finding) reach the caller as InvalidArgument with their field
// violation, before this table is consulted.
var domainErrors = rpc.Errors{
	{Err: job.ErrNotOpen, Code: codes.FailedPrecondition, Reason: errorsv1.ErrorReason_ERROR_REASON_JOB_NOT_OPEN},
	{Err: job.ErrClaimed, Code: codes.FailedPrecondition, Reason: errorsv1.ErrorReason_ERROR_REASON_JOB_CLAIMED},
	{Err: job.ErrFindingsBlockApproval, Code: codes.FailedPrecondition, Reason: errorsv1.ErrorReason_ERROR_REASON_FINDINGS_BLOCK_APPROVAL},
	{Err: job.ErrIncomplete, Code: codes.FailedPrecondition, Reason: errorsv1.ErrorReason_ERROR_REASON_TRANSLATION_INCOMPLETE},
}

// jobStatus is the status of an error met on the job of article id.
func jobStatus(err error, id string) error {
	return domainErrors.Status(err, "translation job for "+id)
}

// by is the caller, making a change now.
func (s *Service) by(ctx context.Context) job.By {
	u, _ := auth.FromContext(ctx)
	return job.By{Actor: auth.Actor(ctx), Time: s.now(), Admin: u.Has(auth.Admin)}
}

// needArticle checks the article id and, when pinned, the revision.
func needArticle(id string, rev uint64, pinned bool) *rpc.Violations {
	var v rpc.Violations
	if strings.TrimSpace(id) == "" {
		v.Add("article_id", "is required")
	}
	if pinned && rev == 0 {
		v.Add("expected_revision", "is required: the job revision you read")
	}
	return &v
}

// validator is the input of a job change: it says what is wrong with it.
type validator interface{ Validate(*field.Violations) }

// request names the job a change is for.
type request interface{ GetArticleId() string }

// pinned is a request decided on the job revision the caller read: it
// must name that revision, and the change applies to it or fails.
type pinned interface{ GetExpectedRevision() uint64 }

// edit checks req and in (nil when the change takes no input), reporting
// every problem at once, then applies change, a function of package job,
// with the caller and the checks as they are now, and writes the job.
func (s *Service) edit(ctx context.Context, req request, in validator, change func(*reviewv1.Job, job.By, job.Checks) (string, error)) (*reviewv1.Job, error) {
	var rev uint64
	p, isPinned := req.(pinned)
	if isPinned {
		rev = p.GetExpectedRevision()
	}
	v := needArticle(req.GetArticleId(), rev, isPinned)
	if in != nil {
		in.Validate(&v.Violations)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	by, checks := s.by(ctx), s.checks()
	return s.update(ctx, req.GetArticleId(), rev, func(j *reviewv1.Job) (string, error) { return change(j, by, checks) })
}

// get reads the job of article id.
func (s *Service) get(ctx context.Context, id string) (*reviewv1.Job, error) {
	if err := needArticle(id, 0, false).Err(); err != nil {
		return nil, err
	}
	j, err := s.jobs.Get(ctx, id)
	if err != nil {
		return nil, jobStatus(err, id)
	}
	return j, nil
}

// update applies change, a function of package job, to the job at
// expected (0: the latest, retried on a conflict), writes the event type
// it returns (none when empty) with the assembled English, and updates
// this replica's list.
func (s *Service) update(ctx context.Context, id string, expected uint64, change func(*reviewv1.Job) (string, error)) (*reviewv1.Job, error) {
	actor := auth.Actor(ctx).GetUserId()
	j, err := s.jobs.Update(ctx, id, expected, func(j *reviewv1.Job) (events.Change, error) {
		typ, err := change(j)
		if err != nil || typ == "" {
			return events.Change{}, err
		}
		j.Target = job.Assemble(j)
		// The English must fit in a publication beside the Chinese.
		if n, limit := proto.Size(j.Target), eventsv1.ArticleLimit(s.bus.Editorial.MaxPayload()); n > limit {
			return events.Change{}, rpc.InvalidField("target", "the English would be %d bytes; a translation may be at most %d, as an article may: shorten it", n, limit)
		}
		return events.Change{Type: typ, Actor: actor}, nil
	})
	if err != nil {
		return nil, jobStatus(err, id)
	}
	s.list.put(j)
	return j, nil
}

// fileProblems is InvalidArgument with each problem of an imported file
// (err, or each error it joins) as a violation of path.
func fileProblems(path string, err error) error {
	list := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		list = j.Unwrap()
	}
	var v rpc.Violations
	for _, e := range list {
		v.Add(path, "%s", e.Error())
	}
	return v.Err()
}
