package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

// reviewCmd holds the translators' verbs: the job, its segments side by
// side with their findings (here), and the changes made at the job
// revision the translator read (review_change.go).
func reviewCmd() *cobra.Command {
	s := &session{}
	cmd := &cobra.Command{Use: "review", Short: "Review translations segment by segment (translators)"}
	s.bind(cmd)
	show, check, comment, imp := &articleOptions{session: s}, &articleOptions{session: s}, &reviewCommentOptions{session: s}, &reviewImportOptions{session: s}
	cmd.AddCommand(reviewListCmd(s), reviewDismissCmd(s), reviewExportCmd(s),
		verb(&cobra.Command{Use: "show ARTICLE", Short: "Show a job: each segment's source and target side by side, with its findings"}, show, runReviewShow, &show.ID),
		verb(&cobra.Command{Use: "check ARTICLE", Short: "Run every check on a job and list the findings"}, check, runReviewCheck, &check.ID),
		verb(&cobra.Command{Use: "comment ARTICLE SEGMENT TEXT", Short: "Add a comment to a segment's thread"}, comment, runReviewComment, &comment.Article, &comment.Segment, &comment.Text),
		verb(&cobra.Command{
			Use:   "import-xliff ARTICLE FILE",
			Short: "Apply a translated XLIFF file; segments changed in Tandem since the export are reported, not overwritten",
		}, imp, runReviewImport, &imp.Article, &imp.File))
	cmd.AddCommand(reviewChangeCmds(s)...)
	return cmd
}

// reviewListOptions are the inputs of tandem review list.
type reviewListOptions struct {
	*session
	Status string
	Mine   bool
}

func reviewListCmd(s *session) *cobra.Command {
	opts := &reviewListOptions{session: s}
	cmd := verb(&cobra.Command{Use: "list", Short: "List translation jobs, newest first"}, opts, runReviewList)
	cmd.Flags().StringVar(&opts.Status, "status", "", "only jobs in this status: open, approved, changes-requested")
	cmd.Flags().BoolVar(&opts.Mine, "mine", false, "only jobs assigned to you")
	return cmd
}

// runReviewList lists the jobs, newest first.
func runReviewList(ctx context.Context, opts *reviewListOptions) error {
	return opts.call(ctx, func(ctx context.Context, c *client) error {
		req := &reviewv1.ListJobsRequest{PageSize: 500}
		if opts.Status != "" {
			st, ok := jobStatus(opts.Status)
			if !ok {
				return fmt.Errorf("--status %q: one of open, approved, changes-requested", opts.Status)
			}
			req.Status = st
		}
		if opts.Mine {
			req.Assignee = "me"
		}
		res, err := c.Review.ListJobs(ctx, req, c.as)
		if err != nil {
			return err
		}
		w := table(opts.out)
		fmt.Fprintln(w, "ARTICLE\tSTATUS\tTODO\tASSIGNEE\tTITLE")
		for _, j := range res.Jobs {
			fmt.Fprintf(w, "%s\t%s\t%d/%d\t%s\t%s\n", j.ArticleId, statusWord(j.Status), j.Todo, j.Segments, or(j.GetAssignee().GetUserId(), "-"), j.Title)
		}
		return w.Flush()
	})
}

// runReviewShow prints the job, source beside target.
func runReviewShow(ctx context.Context, opts *articleOptions) error {
	return opts.call(ctx, func(ctx context.Context, c *client) error {
		res, err := c.Review.GetJob(ctx, &reviewv1.GetJobRequest{ArticleId: opts.ID}, c.as)
		if err != nil {
			return err
		}
		printJob(opts.out, res.Job)
		return nil
	})
}

// runReviewCheck lists every open finding of the job, by segment.
func runReviewCheck(ctx context.Context, opts *articleOptions) error {
	return opts.call(ctx, func(ctx context.Context, c *client) error {
		res, err := c.Review.CheckJob(ctx, &reviewv1.CheckJobRequest{ArticleId: opts.ID}, c.as)
		if err != nil {
			return err
		}
		for _, sf := range res.Segments {
			fmt.Fprintf(opts.out, "%s\n", sf.SegmentId)
			printFindings(opts.out, "  ", sf.Findings)
		}
		fmt.Fprintf(opts.out, "%d error(s), %d warning(s) open (job revision %d)\n", res.Errors, res.Warnings, res.Revision)
		return nil
	})
}

// reviewCommentOptions are the inputs of tandem review comment.
type reviewCommentOptions struct {
	*session
	Article, Segment, Text string
}

// runReviewComment adds a comment to the segment's thread.
func runReviewComment(ctx context.Context, opts *reviewCommentOptions) error {
	return opts.call(ctx, func(ctx context.Context, c *client) error {
		res, err := c.Review.CommentSegment(ctx, &reviewv1.CommentSegmentRequest{ArticleId: opts.Article, SegmentId: opts.Segment, Text: opts.Text}, c.as)
		return opts.report(err, "commented on %s (job revision %d)\n", opts.Segment, res.GetJob().GetRevision())
	})
}

// reviewDismissOptions are the inputs of tandem review dismiss.
type reviewDismissOptions struct {
	*session
	Article, Segment, Check, Reason string
}

func reviewDismissCmd(s *session) *cobra.Command {
	opts := &reviewDismissOptions{session: s}
	cmd := verb(&cobra.Command{
		Use:   "dismiss ARTICLE SEGMENT CHECK --reason TEXT",
		Short: "Dismiss a check's finding on a segment until the segment changes",
	}, opts, runReviewDismiss, &opts.Article, &opts.Segment, &opts.Check)
	cmd.Flags().StringVar(&opts.Reason, "reason", "", "why the finding does not apply (required)")
	return cmd
}

// runReviewDismiss dismisses one check's finding on a segment.
func runReviewDismiss(ctx context.Context, opts *reviewDismissOptions) error {
	return opts.call(ctx, func(ctx context.Context, c *client) error {
		res, err := c.Review.DismissFinding(ctx, &reviewv1.DismissFindingRequest{ArticleId: opts.Article, SegmentId: opts.Segment, Check: opts.Check, Reason: opts.Reason}, c.as)
		return opts.report(err, "dismissed %s on %s (job revision %d)\n", opts.Check, opts.Segment, res.GetJob().GetRevision())
	})
}

// reviewExportOptions are the inputs of tandem review export-xliff.
type reviewExportOptions struct {
	*session
	Article, Output, Version, Targets, TMX string
}

func reviewExportCmd(s *session) *cobra.Command {
	opts := &reviewExportOptions{session: s}
	cmd := verb(&cobra.Command{Use: "export-xliff ARTICLE [-o FILE] [--version 1.2 [--targets source [--tmx FILE]]]", Short: "Write a job as an XLIFF file for a CAT tool (2.1, or 1.2 for translate-toolkit, and with --targets source for OmegaT)"}, opts, runReviewExport, &opts.Article)
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "", "write to this file instead of standard output")
	cmd.Flags().StringVar(&opts.Version, "version", "2.1", "XLIFF version: 2.1, or 1.2 for tools that read no XLIFF 2")
	cmd.Flags().StringVar(&opts.Targets, "targets", "job", "what the targets of a 1.2 file hold: job (the English), or source (copies of the sources, for OmegaT; the English goes in a TMX)")
	cmd.Flags().StringVar(&opts.TMX, "tmx", "", "with --targets source, write the job's English as TMX to this file (default: the output file's name with .tmx; none on standard output)")
	return cmd
}

// runReviewExport writes the job as XLIFF, and with targets source its
// English as TMX beside it.
func runReviewExport(ctx context.Context, opts *reviewExportOptions) error {
	return opts.call(ctx, func(ctx context.Context, c *client) error {
		res, err := c.Review.ExportXliff(ctx, &reviewv1.ExportXliffRequest{ArticleId: opts.Article, Version: opts.Version, Targets: opts.Targets}, c.as)
		if err != nil {
			return err
		}
		if err := writeOut(opts.out, opts.Output, res.Xliff); err != nil {
			return err
		}
		tmx := opts.TMX
		if tmx == "" && opts.Output != "" {
			tmx = strings.TrimSuffix(opts.Output, filepath.Ext(opts.Output)) + ".tmx"
		}
		if res.Tmx == nil || tmx == "" {
			return nil
		}
		if tmx == opts.Output {
			return fmt.Errorf("the TMX would overwrite the XLIFF file %s; name it with --tmx", tmx)
		}
		return os.WriteFile(tmx, res.Tmx, 0o644)
	})
}

// reviewImportOptions are the inputs of tandem review import-xliff.
type reviewImportOptions struct {
	*session
	Article, File string
}

// runReviewImport applies a translated XLIFF file and reports the
// segments it did not overwrite.
func runReviewImport(ctx context.Context, opts *reviewImportOptions) error {
	data, err := os.ReadFile(opts.File)
	if err != nil {
		return err
	}
	return opts.call(ctx, func(ctx context.Context, c *client) error {
		res, err := c.Review.ImportXliff(ctx, &reviewv1.ImportXliffRequest{ArticleId: opts.Article, Xliff: data}, c.as)
		if err != nil {
			return err
		}
		fmt.Fprintf(opts.out, "applied %d segment(s) (job revision %d)\n", res.Applied, res.Job.Revision)
		for _, c := range res.Conflicts {
			fmt.Fprintf(opts.out, "  conflict %s: %s\n", c.SegmentId, c.Reason)
		}
		return nil
	})
}
