package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"google.golang.org/grpc"

	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

// Translators' verbs: the job, its segments side by side with their
// findings, and the outcomes.
func reviewCmd() *cobra.Command {
	var s session
	cmd := &cobra.Command{Use: "review", Short: "Review translations segment by segment (translators)"}
	s.bind(cmd)
	job := func(ctx context.Context, c *client, t grpc.CallOption, id string) (*reviewv1.Job, error) {
		res, err := c.review.GetJob(ctx, &reviewv1.GetJobRequest{ArticleId: id}, t)
		return res.GetJob(), err
	}
	// pinned returns the revision the user gave, or the current one.
	pinned := func(ctx context.Context, c *client, t grpc.CallOption, id string, rev uint64) (uint64, error) {
		if rev != 0 {
			return rev, nil
		}
		j, err := job(ctx, c, t, id)
		return j.GetRevision(), err
	}
	var rev uint64
	revFlag := func(c *cobra.Command) *cobra.Command {
		c.Flags().Uint64Var(&rev, "revision", 0, "the job revision you read (default: the current one)")
		return c
	}
	// verb is a command that changes a job at the revision the user read
	// (--revision, or the current one) and prints what it did.
	type action func(ctx context.Context, c *client, t grpc.CallOption, args []string, rev uint64) (string, error)
	verb := func(use, short string, nargs int, act action) *cobra.Command {
		return revFlag(&cobra.Command{
			Use: use, Short: short, Args: cobra.ExactArgs(nargs),
			RunE: func(cmd *cobra.Command, args []string) error {
				return s.run(cmd, func(ctx context.Context, c *client, t grpc.CallOption) error {
					r, err := pinned(ctx, c, t, args[0], rev)
					if err != nil {
						return err
					}
					msg, err := act(ctx, c, t, args, r)
					if err != nil {
						return err
					}
					fmt.Fprintln(s.out, msg)
					return nil
				})
			},
		})
	}

	var listStatus string
	var mine bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List translation jobs, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return s.run(cmd, func(ctx context.Context, c *client, t grpc.CallOption) error {
				req := &reviewv1.ListJobsRequest{PageSize: 500}
				if listStatus != "" {
					v, ok := reviewv1.JobStatus_value["JOB_STATUS_"+strings.ToUpper(strings.ReplaceAll(listStatus, "-", "_"))]
					if !ok {
						return fmt.Errorf("--status %q: one of open, approved, changes-requested", listStatus)
					}
					req.Status = reviewv1.JobStatus(v)
				}
				if mine {
					req.Assignee = "me"
				}
				res, err := c.review.ListJobs(ctx, req, t)
				if err != nil {
					return err
				}
				w := tabwriter.NewWriter(s.out, 0, 4, 2, ' ', 0)
				fmt.Fprintln(w, "ARTICLE\tSTATUS\tTODO\tASSIGNEE\tTITLE")
				for _, j := range res.Jobs {
					fmt.Fprintf(w, "%s\t%s\t%d/%d\t%s\t%s\n", j.ArticleId, statusWord(j.Status), j.Todo, j.Segments, or(j.GetAssignee().GetUserId(), "-"), j.Title)
				}
				return w.Flush()
			})
		},
	}
	list.Flags().StringVar(&listStatus, "status", "", "only jobs in this status: open, approved, changes-requested")
	list.Flags().BoolVar(&mine, "mine", false, "only jobs assigned to you")
	cmd.AddCommand(list)

	cmd.AddCommand(&cobra.Command{
		Use:   "show ARTICLE",
		Short: "Show a job: each segment's source and target side by side, with its findings",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return s.run(cmd, func(ctx context.Context, c *client, t grpc.CallOption) error {
				j, err := job(ctx, c, t, args[0])
				if err != nil {
					return err
				}
				printJob(s.out, j)
				return nil
			})
		},
	})

	cmd.AddCommand(verb("claim ARTICLE", "Make a job yours", 1, func(ctx context.Context, c *client, t grpc.CallOption, args []string, r uint64) (string, error) {
		res, err := c.review.ClaimJob(ctx, &reviewv1.ClaimJobRequest{ArticleId: args[0], ExpectedRevision: r}, t)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("claimed %s (job revision %d)", args[0], res.Job.Revision), nil
	}))
	cmd.AddCommand(verb("unclaim ARTICLE", "Give a job back", 1, func(ctx context.Context, c *client, t grpc.CallOption, args []string, r uint64) (string, error) {
		res, err := c.review.UnclaimJob(ctx, &reviewv1.UnclaimJobRequest{ArticleId: args[0], ExpectedRevision: r}, t)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("unclaimed %s (job revision %d)", args[0], res.Job.Revision), nil
	}))
	var assigneeName string
	assign := verb("assign ARTICLE USER", "Assign a job to a translator; an empty USER unassigns it (admins)", 2, func(ctx context.Context, c *client, t grpc.CallOption, args []string, r uint64) (string, error) {
		res, err := c.review.AssignJob(ctx, &reviewv1.AssignJobRequest{ArticleId: args[0], ExpectedRevision: r, Assignee: args[1], AssigneeName: assigneeName}, t)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s is assigned to %s (job revision %d)", args[0], or(res.Job.GetAssignee().GetUserId(), "nobody"), res.Job.Revision), nil
	})
	assign.Flags().StringVar(&assigneeName, "name", "", "the translator's display name")
	cmd.AddCommand(assign)

	var state string
	edit := revFlag(&cobra.Command{
		Use:   "edit ARTICLE SEGMENT TEXT",
		Short: "Save a segment's English (TEXT - reads it from standard input) and show its findings",
		Args:  cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			text := args[2]
			if text == "-" {
				b, err := io.ReadAll(io.LimitReader(cmd.InOrStdin(), 1<<20))
				if err != nil {
					return err
				}
				text = strings.TrimRight(string(b), "\n")
			}
			st, ok := reviewv1.SegmentState_value["SEGMENT_STATE_"+strings.ToUpper(state)]
			if !ok || state == "needs_review" || state == "needs-review" {
				return fmt.Errorf("--state %q: one of initial, translated, reviewed, final", state)
			}
			return s.run(cmd, func(ctx context.Context, c *client, t grpc.CallOption) error {
				r, err := pinned(ctx, c, t, args[0], rev)
				if err != nil {
					return err
				}
				res, err := c.review.UpdateSegment(ctx, &reviewv1.UpdateSegmentRequest{
					ArticleId: args[0], SegmentId: args[1], ExpectedRevision: r, Target: text, State: reviewv1.SegmentState(st),
				}, t)
				if err != nil {
					return err
				}
				fmt.Fprintf(s.out, "saved %s (job revision %d)\n", args[1], res.Job.Revision)
				printFindings(s.out, "  ", res.Findings)
				return nil
			})
		},
	})
	edit.Flags().StringVar(&state, "state", "translated", "the segment's state: translated, reviewed or final")
	cmd.AddCommand(edit)

	cmd.AddCommand(&cobra.Command{
		Use:   "check ARTICLE",
		Short: "Run every check on a job and list the findings",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return s.run(cmd, func(ctx context.Context, c *client, t grpc.CallOption) error {
				res, err := c.review.CheckJob(ctx, &reviewv1.CheckJobRequest{ArticleId: args[0]}, t)
				if err != nil {
					return err
				}
				for _, sf := range res.Segments {
					fmt.Fprintf(s.out, "%s\n", sf.SegmentId)
					printFindings(s.out, "  ", sf.Findings)
				}
				fmt.Fprintf(s.out, "%d error(s), %d warning(s) open (job revision %d)\n", res.Errors, res.Warnings, res.Revision)
				return nil
			})
		},
	})

	cmd.AddCommand(&cobra.Command{
		Use:   "comment ARTICLE SEGMENT TEXT",
		Short: "Add a comment to a segment's thread",
		Args:  cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			return s.run(cmd, func(ctx context.Context, c *client, t grpc.CallOption) error {
				res, err := c.review.CommentSegment(ctx, &reviewv1.CommentSegmentRequest{ArticleId: args[0], SegmentId: args[1], Text: args[2]}, t)
				if err != nil {
					return err
				}
				fmt.Fprintf(s.out, "commented on %s (job revision %d)\n", args[1], res.Job.Revision)
				return nil
			})
		},
	})

	var reason string
	dismiss := &cobra.Command{
		Use:   "dismiss ARTICLE SEGMENT CHECK --reason TEXT",
		Short: "Dismiss a check's finding on a segment until the segment changes",
		Args:  cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			return s.run(cmd, func(ctx context.Context, c *client, t grpc.CallOption) error {
				res, err := c.review.DismissFinding(ctx, &reviewv1.DismissFindingRequest{ArticleId: args[0], SegmentId: args[1], Check: args[2], Reason: reason}, t)
				if err != nil {
					return err
				}
				fmt.Fprintf(s.out, "dismissed %s on %s (job revision %d)\n", args[2], args[1], res.Job.Revision)
				return nil
			})
		},
	}
	dismiss.Flags().StringVar(&reason, "reason", "", "why the finding does not apply (required)")
	cmd.AddCommand(dismiss)

	var comment string
	changes := verb("request-changes ARTICLE --comment TEXT", "Send a job back to the editor", 1, func(ctx context.Context, c *client, t grpc.CallOption, args []string, r uint64) (string, error) {
		res, err := c.review.RequestChanges(ctx, &reviewv1.RequestChangesRequest{ArticleId: args[0], ExpectedRevision: r, Comment: comment}, t)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("sent %s back to the editor (job revision %d)", args[0], res.Job.Revision), nil
	})
	changes.Flags().StringVar(&comment, "comment", "", "what the editor should change (required)")
	cmd.AddCommand(changes)

	var override string
	approve := verb("approve ARTICLE", "Approve the English of an article", 1, func(ctx context.Context, c *client, t grpc.CallOption, args []string, r uint64) (string, error) {
		res, err := c.review.ApproveJob(ctx, &reviewv1.ApproveJobRequest{ArticleId: args[0], ExpectedRevision: r, OverrideReason: override}, t)
		if err != nil {
			return "", err
		}
		msg := fmt.Sprintf("approved the English of %s (job revision %d)", args[0], res.Job.Revision)
		if len(res.Job.Overridden) > 0 {
			msg += "\noverridden: " + strings.Join(res.Job.Overridden, ", ")
		}
		return msg, nil
	})
	approve.Flags().StringVar(&override, "override-reason", "", "approve despite error findings, for this reason (recorded in the approval)")
	cmd.AddCommand(approve)

	var outFile string
	export := &cobra.Command{
		Use:   "export-xliff ARTICLE [-o FILE]",
		Short: "Write a job as an XLIFF 2.1 file for a CAT tool",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return s.run(cmd, func(ctx context.Context, c *client, t grpc.CallOption) error {
				res, err := c.review.ExportXliff(ctx, &reviewv1.ExportXliffRequest{ArticleId: args[0]}, t)
				if err != nil {
					return err
				}
				return writeOut(s.out, outFile, res.Xliff)
			})
		},
	}
	export.Flags().StringVarP(&outFile, "output", "o", "", "write to this file instead of standard output")
	cmd.AddCommand(export)

	cmd.AddCommand(&cobra.Command{
		Use:   "import-xliff ARTICLE FILE",
		Short: "Apply a translated XLIFF file; segments changed in Tandem since the export are reported, not overwritten",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := os.ReadFile(args[1])
			if err != nil {
				return err
			}
			return s.run(cmd, func(ctx context.Context, c *client, t grpc.CallOption) error {
				res, err := c.review.ImportXliff(ctx, &reviewv1.ImportXliffRequest{ArticleId: args[0], Xliff: data}, t)
				if err != nil {
					return err
				}
				fmt.Fprintf(s.out, "applied %d segment(s) (job revision %d)\n", res.Applied, res.Job.Revision)
				for _, c := range res.Conflicts {
					fmt.Fprintf(s.out, "  conflict %s: %s\n", c.SegmentId, c.Reason)
				}
				return nil
			})
		},
	})
	return cmd
}

func writeOut(stdout io.Writer, file string, data []byte) error {
	if file == "" {
		_, err := stdout.Write(data)
		return err
	}
	return os.WriteFile(file, data, 0o644)
}

func or(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

func statusWord(st reviewv1.JobStatus) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(st.String(), "JOB_STATUS_"), "_", "-"))
}

func stateWord(st reviewv1.SegmentState) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(st.String(), "SEGMENT_STATE_"), "_", "-"))
}

// printJob shows a job's segments, the source beside the target, with
// their state and findings.
func printJob(w io.Writer, j *reviewv1.Job) {
	fmt.Fprintf(w, "job for %s  revision %d  %s  source revision %d", j.ArticleId, j.Revision, statusWord(j.Status), j.SourceRevision)
	if a := j.GetAssignee().GetUserId(); a != "" {
		fmt.Fprintf(w, "  assigned to %s", a)
	}
	fmt.Fprintln(w)
	if j.ChangesRequested != nil {
		fmt.Fprintf(w, "changes requested by %s: %s\n", j.ChangesRequested.GetBy().GetActor().GetUserId(), j.ChangesRequested.Text)
	}
	const col = 36
	for _, u := range j.Units {
		fmt.Fprintf(w, "\n[%s] %s\n", u.Id, u.Kind)
		for _, s := range u.Segments {
			left, right := wrap(s.Source, col/2), wrap(s.Target, col)
			fmt.Fprintf(w, "  %-8s %-12s", s.Id, stateWord(s.State))
			for i := 0; i < max(len(left), len(right)); i++ {
				if i > 0 {
					fmt.Fprintf(w, "  %-8s %-12s", "", "")
				}
				l, r := at(left, i), at(right, i)
				fmt.Fprintf(w, "%s%s | %s\n", l, strings.Repeat(" ", max(0, col-width(l))), r)
			}
			if s.PreviousSource != "" {
				fmt.Fprintf(w, "  %21s was: %s\n", "", s.PreviousSource)
			}
			for _, m := range s.Suggestions {
				fmt.Fprintf(w, "  %21s memory %d%%: %s\n", "", m.Score, m.Unit.GetTarget())
			}
			for _, c := range s.Comments {
				fmt.Fprintf(w, "  %21s %s: %s\n", "", c.GetBy().GetActor().GetUserId(), c.Text)
			}
			printFindings(w, strings.Repeat(" ", 24), s.Findings)
		}
	}
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return ""
}

// width is how many terminal columns s takes: Chinese characters two.
func width(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x1100 && (r <= 0x115f || (r >= 0x2e80 && r <= 0xa4cf) || (r >= 0xac00 && r <= 0xd7a3) || (r >= 0xf900 && r <= 0xfaff) || (r >= 0xff00 && r <= 0xff60)) {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// wrap cuts s into lines of at most cols columns, at spaces where there
// are any.
func wrap(s string, cols int) []string {
	var out []string
	for s != "" {
		if width(s) <= cols {
			out = append(out, s)
			break
		}
		cut, w := 0, 0
		lastSpace := -1
		for i, r := range s {
			rw := width(string(r))
			if w+rw > cols {
				break
			}
			w += rw
			cut = i + utf8.RuneLen(r)
			if r == ' ' {
				lastSpace = i
			}
		}
		if lastSpace > 0 {
			cut = lastSpace
		}
		out = append(out, strings.TrimSpace(s[:cut]))
		s = strings.TrimSpace(s[cut:])
	}
	return out
}

func printFindings(w io.Writer, indent string, fs []*reviewv1.Finding) {
	for _, f := range fs {
		sev := strings.ToLower(strings.TrimPrefix(f.Severity.String(), "SEVERITY_"))
		mark := "!"
		if f.Dismissed {
			mark, sev = "~", sev+", dismissed"
		}
		fmt.Fprintf(w, "%s%s %s (%s): %s\n", indent, mark, f.Check, sev, f.Message)
	}
}
