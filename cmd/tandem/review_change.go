package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

// jobRead is the help of --revision on the verbs that change a job.
const jobRead = "the job revision you read"

// reviewChangeCmds are the verbs that change a job at the revision the
// translator read (--revision, or the current one).
func reviewChangeCmds(s *session) []*cobra.Command {
	return []*cobra.Command{reviewClaimCmd(s, false), reviewClaimCmd(s, true), reviewAssignCmd(s), reviewEditCmd(s),
		reviewRequestChangesCmd(s), reviewApproveCmd(s)}
}

// jobRevision reads the job's current revision.
func jobRevision(ctx context.Context, c *client, id string) (uint64, error) {
	res, err := c.Review.GetJob(ctx, &reviewv1.GetJobRequest{ArticleId: id}, c.as)
	return res.GetJob().GetRevision(), err
}

// reviewClaimOptions are the inputs of tandem review claim and unclaim.
type reviewClaimOptions struct {
	change
	Unclaim bool // give the job back instead
}

func reviewClaimCmd(s *session, unclaim bool) *cobra.Command {
	opts := &reviewClaimOptions{change: change{session: s}, Unclaim: unclaim}
	use, short := "claim ARTICLE", "Make a job yours"
	if unclaim {
		use, short = "unclaim ARTICLE", "Give a job back"
	}
	return opts.bind(jobRead, verb(&cobra.Command{Use: use, Short: short}, opts, runReviewClaim, &opts.ID))
}

// runReviewClaim makes the job the caller's, or gives it back.
func runReviewClaim(ctx context.Context, opts *reviewClaimOptions) error {
	return opts.apply(ctx, jobRevision, func(ctx context.Context, c *client, rev uint64) error {
		if opts.Unclaim {
			res, err := c.Review.UnclaimJob(ctx, &reviewv1.UnclaimJobRequest{ArticleId: opts.ID, ExpectedRevision: rev}, c.as)
			return opts.report(err, "unclaimed %s (job revision %d)\n", opts.ID, res.GetJob().GetRevision())
		}
		res, err := c.Review.ClaimJob(ctx, &reviewv1.ClaimJobRequest{ArticleId: opts.ID, ExpectedRevision: rev}, c.as)
		return opts.report(err, "claimed %s (job revision %d)\n", opts.ID, res.GetJob().GetRevision())
	})
}

// reviewAssignOptions are the inputs of tandem review assign.
type reviewAssignOptions struct {
	change
	Assignee, Name string
}

func reviewAssignCmd(s *session) *cobra.Command {
	opts := &reviewAssignOptions{change: change{session: s}}
	cmd := opts.bind(jobRead, verb(&cobra.Command{
		Use:   "assign ARTICLE USER",
		Short: "Assign a job to a translator; an empty USER unassigns it (admins)",
	}, opts, runReviewAssign, &opts.ID, &opts.Assignee))
	cmd.Flags().StringVar(&opts.Name, "name", "", "the translator's display name")
	return cmd
}

// runReviewAssign gives the job to a translator, or to nobody.
func runReviewAssign(ctx context.Context, opts *reviewAssignOptions) error {
	return opts.apply(ctx, jobRevision, func(ctx context.Context, c *client, rev uint64) error {
		res, err := c.Review.AssignJob(ctx, &reviewv1.AssignJobRequest{ArticleId: opts.ID, ExpectedRevision: rev, Assignee: opts.Assignee, AssigneeName: opts.Name}, c.as)
		return opts.report(err, "%s is assigned to %s (job revision %d)\n", opts.ID, or(res.GetJob().GetAssignee().GetUserId(), "nobody"), res.GetJob().GetRevision())
	})
}

// reviewEditOptions are the inputs of tandem review edit.
type reviewEditOptions struct {
	change
	Segment, Text string // Text "-" is read from standard input
	State         string
}

func reviewEditCmd(s *session) *cobra.Command {
	opts := &reviewEditOptions{change: change{session: s}}
	cmd := opts.bind(jobRead, verb(&cobra.Command{
		Use:   "edit ARTICLE SEGMENT TEXT",
		Short: "Save a segment's English (TEXT - reads it from standard input) and show its findings",
	}, opts, runReviewEdit, &opts.ID, &opts.Segment, &opts.Text))
	cmd.Flags().StringVar(&opts.State, "state", "translated", "the segment's state: translated, reviewed or final")
	return cmd
}

// runReviewEdit saves the segment's English and prints its findings.
func runReviewEdit(ctx context.Context, opts *reviewEditOptions) error {
	text := opts.Text
	if text == "-" {
		b, err := io.ReadAll(io.LimitReader(opts.in, 1<<20))
		if err != nil {
			return err
		}
		text = strings.TrimRight(string(b), "\n")
	}
	st, ok := reviewv1.SegmentState_value["SEGMENT_STATE_"+strings.ToUpper(opts.State)]
	if !ok || opts.State == "needs_review" || opts.State == "needs-review" {
		return fmt.Errorf("--state %q: one of initial, translated, reviewed, final", opts.State)
	}
	return opts.apply(ctx, jobRevision, func(ctx context.Context, c *client, rev uint64) error {
		res, err := c.Review.UpdateSegment(ctx, &reviewv1.UpdateSegmentRequest{
			ArticleId: opts.ID, SegmentId: opts.Segment, ExpectedRevision: rev, Target: text, State: reviewv1.SegmentState(st),
		}, c.as)
		if err != nil {
			return err
		}
		fmt.Fprintf(opts.out, "saved %s (job revision %d)\n", opts.Segment, res.Job.Revision)
		printFindings(opts.out, "  ", res.Findings)
		return nil
	})
}

// reviewRequestChangesOptions are the inputs of tandem review
// request-changes.
type reviewRequestChangesOptions struct {
	change
	Comment string
}

func reviewRequestChangesCmd(s *session) *cobra.Command {
	opts := &reviewRequestChangesOptions{change: change{session: s}}
	cmd := opts.bind(jobRead, verb(&cobra.Command{Use: "request-changes ARTICLE --comment TEXT", Short: "Send a job back to the editor"}, opts, runReviewRequestChanges, &opts.ID))
	cmd.Flags().StringVar(&opts.Comment, "comment", "", "what the editor should change (required)")
	return cmd
}

// runReviewRequestChanges sends the job back to the editor.
func runReviewRequestChanges(ctx context.Context, opts *reviewRequestChangesOptions) error {
	return opts.apply(ctx, jobRevision, func(ctx context.Context, c *client, rev uint64) error {
		res, err := c.Review.RequestChanges(ctx, &reviewv1.RequestChangesRequest{ArticleId: opts.ID, ExpectedRevision: rev, Comment: opts.Comment}, c.as)
		return opts.report(err, "sent %s back to the editor (job revision %d)\n", opts.ID, res.GetJob().GetRevision())
	})
}

// reviewApproveOptions are the inputs of tandem review approve.
type reviewApproveOptions struct {
	change
	OverrideReason string
}

func reviewApproveCmd(s *session) *cobra.Command {
	opts := &reviewApproveOptions{change: change{session: s}}
	cmd := opts.bind(jobRead, verb(&cobra.Command{Use: "approve ARTICLE", Short: "Approve the English of an article"}, opts, runReviewApprove, &opts.ID))
	cmd.Flags().StringVar(&opts.OverrideReason, "override-reason", "", "approve despite error findings, for this reason (recorded in the approval)")
	return cmd
}

// runReviewApprove approves the English, naming any findings the approval
// overrode.
func runReviewApprove(ctx context.Context, opts *reviewApproveOptions) error {
	return opts.apply(ctx, jobRevision, func(ctx context.Context, c *client, rev uint64) error {
		res, err := c.Review.ApproveJob(ctx, &reviewv1.ApproveJobRequest{ArticleId: opts.ID, ExpectedRevision: rev, OverrideReason: opts.OverrideReason}, c.as)
		if err != nil {
			return err
		}
		fmt.Fprintf(opts.out, "approved the English of %s (job revision %d)\n", opts.ID, res.Job.Revision)
		if len(res.Job.Overridden) > 0 {
			fmt.Fprintf(opts.out, "overridden: %s\n", strings.Join(res.Job.Overridden, ", "))
		}
		return nil
	})
}
