package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"google.golang.org/grpc"

	"github.com/tandemnews/tandem/pkg/markdown"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
)

// localeFiles are the --zh and --en Markdown files of a command.
type localeFiles struct{ zh, en string }

func (f *localeFiles) bind(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.zh, "zh", "", "the Chinese Markdown file")
	cmd.Flags().StringVar(&f.en, "en", "", "the English Markdown file")
}

// read returns the files given, by locale.
func (f *localeFiles) read() (map[string][]byte, error) {
	files := map[string][]byte{}
	for l, p := range map[string]string{"zh-CN": f.zh, "en": f.en} {
		if p == "" {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		files[l] = b
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("name a file: --zh FILE.zh.md and/or --en FILE.en.md")
	}
	return files, nil
}

func draftCmd() *cobra.Command {
	var s session
	cmd := &cobra.Command{Use: "draft", Short: "Write, revise, compare and submit drafts (editors)"}
	s.bind(cmd)

	var createFiles localeFiles
	create := &cobra.Command{
		Use:   "create --zh FILE.zh.md [--en FILE.en.md]",
		Short: "Create a draft from Markdown files (front matter, then the body)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			files, err := createFiles.read()
			if err != nil {
				return err
			}
			a, err := markdown.Article(files, "zh-CN")
			if err != nil {
				return describe(err)
			}
			return s.run(cmd, func(ctx context.Context, c *client, t grpc.CallOption) error {
				res, err := c.drafting.CreateDraft(ctx, &draftingv1.CreateDraftRequest{Article: a}, t)
				if err != nil {
					return err
				}
				fmt.Fprintf(s.out, "created draft %s at revision %d\n", res.Draft.Article.Id, res.Draft.Revision)
				return nil
			})
		},
	}
	createFiles.bind(create)
	cmd.AddCommand(create)

	var editFiles localeFiles
	var editRev uint64
	edit := &cobra.Command{
		Use:   "edit ID [--zh FILE.zh.md] [--en FILE.en.md]",
		Short: "Replace the locales given with the files; the others stay as they are",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			files, err := editFiles.read()
			if err != nil {
				return err
			}
			return s.run(cmd, func(ctx context.Context, c *client, t grpc.CallOption) error {
				cur, err := c.drafting.GetDraft(ctx, &draftingv1.GetDraftRequest{Id: args[0]}, t)
				if err != nil {
					return err
				}
				d := cur.Draft
				src := d.Article.SourceLocale
				if _, ok := files[src]; !ok {
					// The shared fields come from the source file; reuse it.
					if files[src], err = markdown.Export(d.Article, src); err != nil {
						return err
					}
				}
				a, err := markdown.Article(files, src)
				if err != nil {
					return err
				}
				a.Id = d.Article.Id
				for l, content := range d.Article.Locales {
					if _, given := a.Locales[l]; !given {
						a.Locales[l] = content
					}
				}
				rev := editRev
				if rev == 0 {
					rev = d.Revision
				}
				res, err := c.drafting.UpdateDraft(ctx, &draftingv1.UpdateDraftRequest{Article: a, ExpectedRevision: rev}, t)
				if err != nil {
					return err
				}
				fmt.Fprintf(s.out, "saved draft %s as revision %d\n", args[0], res.Draft.Revision)
				return nil
			})
		},
	}
	editFiles.bind(edit)
	edit.Flags().Uint64Var(&editRev, "revision", 0, "the revision your files start from (default: the current one; give it to be warned of others' changes)")
	cmd.AddCommand(edit)

	var exportLocale string
	var exportRev uint64
	export := &cobra.Command{
		Use:   "export ID --locale zh-CN|en",
		Short: "Print one locale of a draft as Markdown, ready to edit",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return s.run(cmd, func(ctx context.Context, c *client, t grpc.CallOption) error {
				var d *draftingv1.Draft
				if exportRev == 0 {
					res, err := c.drafting.GetDraft(ctx, &draftingv1.GetDraftRequest{Id: args[0]}, t)
					if err != nil {
						return err
					}
					d = res.Draft
				} else {
					res, err := c.drafting.GetDraftRevision(ctx, &draftingv1.GetDraftRevisionRequest{Id: args[0], Revision: exportRev}, t)
					if err != nil {
						return err
					}
					d = res.Draft
				}
				out, err := markdown.Export(d.Article, exportLocale)
				if err != nil {
					return err
				}
				_, err = s.out.Write(out)
				return err
			})
		},
	}
	export.Flags().StringVar(&exportLocale, "locale", "zh-CN", "zh-CN or en")
	export.Flags().Uint64Var(&exportRev, "revision", 0, "an earlier revision (default: the current one)")
	cmd.AddCommand(export)

	cmd.AddCommand(&cobra.Command{
		Use:   "show ID",
		Short: "Show a draft",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return s.run(cmd, func(ctx context.Context, c *client, t grpc.CallOption) error {
				res, err := c.drafting.GetDraft(ctx, &draftingv1.GetDraftRequest{Id: args[0]}, t)
				if err != nil {
					return err
				}
				d := res.Draft
				fmt.Fprintf(s.out, "draft %s  revision %d  %s", d.Article.Id, d.Revision, strings.TrimPrefix(d.Status.String(), "DRAFT_STATUS_"))
				if d.SubmittedRevision > 0 {
					fmt.Fprintf(s.out, " (submitted revision %d)", d.SubmittedRevision)
				}
				fmt.Fprintf(s.out, "\nsection %s  date %s  slug %s\n", strings.Join(d.Article.Section, "/"), d.Article.Date, d.Article.Slug)
				printLocales(s.out, d.Article.Locales)
				return nil
			})
		},
	})

	var pageSize int32
	cmd.AddCommand(func() *cobra.Command {
		h := &cobra.Command{
			Use:   "history ID",
			Short: "List a draft's revisions, newest first",
			Args:  cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				return s.run(cmd, func(ctx context.Context, c *client, t grpc.CallOption) error {
					res, err := c.drafting.GetDraftHistory(ctx, &draftingv1.GetDraftHistoryRequest{Id: args[0], PageSize: pageSize}, t)
					if err != nil {
						return err
					}
					w := tabwriter.NewWriter(s.out, 0, 4, 2, ' ', 0)
					fmt.Fprintln(w, "REVISION\tWHEN\tWHO\tWHAT")
					for _, e := range res.Entries {
						fmt.Fprintf(w, "%d\t%s\t%s\t%s\n", e.Revision, e.Time.AsTime().Local().Format("2006-01-02 15:04"), e.Actor.GetUserId(), e.Summary)
					}
					return w.Flush()
				})
			},
		}
		h.Flags().Int32Var(&pageSize, "limit", 20, "how many revisions (at most 100)")
		return h
	}())

	cmd.AddCommand(&cobra.Command{
		Use:   "diff ID REV1 REV2",
		Short: "Show what changed between two revisions",
		Args:  cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			var from, to uint64
			if _, err := fmt.Sscan(args[1], &from); err != nil {
				return fmt.Errorf("REV1 %q is not a revision number", args[1])
			}
			if _, err := fmt.Sscan(args[2], &to); err != nil {
				return fmt.Errorf("REV2 %q is not a revision number", args[2])
			}
			return s.run(cmd, func(ctx context.Context, c *client, t grpc.CallOption) error {
				res, err := c.drafting.DiffRevisions(ctx, &draftingv1.DiffRevisionsRequest{Id: args[0], FromRevision: from, ToRevision: to}, t)
				if err != nil {
					return err
				}
				printDiff(&s, res)
				return nil
			})
		},
	})

	var lf struct {
		status, section, author, missing, query string
		limit                                   int32
	}
	listCmd := &cobra.Command{
		Use:   "list",
		Short: "List articles and where each is, newest change first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			req := &draftingv1.ListDraftsRequest{Section: lf.section, Author: lf.author, MissingLocale: lf.missing, Query: lf.query, PageSize: lf.limit}
			for _, st := range strings.Split(lf.status, ",") {
				if st = strings.TrimSpace(st); st == "" {
					continue
				}
				n, ok := draftingv1.ArticleStatus_value["ARTICLE_STATUS_"+strings.ToUpper(strings.ReplaceAll(st, "-", "_"))]
				if !ok {
					return fmt.Errorf("--status %q: one of draft, submitted, in-review, changes-requested, approved, published, withdrawn", st)
				}
				req.Statuses = append(req.Statuses, draftingv1.ArticleStatus(n))
			}
			return s.run(cmd, func(ctx context.Context, c *client, t grpc.CallOption) error {
				res, err := c.drafting.ListDrafts(ctx, req, t)
				if err != nil {
					return err
				}
				w := tabwriter.NewWriter(s.out, 0, 4, 2, ' ', 0)
				fmt.Fprintln(w, "ID\tSTATUS\tREV\tUPDATED\tSECTION\tTITLE")
				for _, d := range res.Drafts {
					title := d.Titles["zh-CN"]
					if en := d.Titles["en"]; en != "" {
						title += " / " + en
					}
					status := strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(d.Status.String(), "ARTICLE_STATUS_"), "_", "-"))
					if len(d.PublishedLocales) > 0 {
						status += " (" + strings.Join(d.PublishedLocales, ", ") + ")"
					}
					fmt.Fprintf(w, "%s\t%s\t%d\t%s\t%s\t%s\n", d.Id, status, d.Revision, d.Updated.GetTime().AsTime().Local().Format("2006-01-02 15:04"), strings.Join(d.Section, "/"), title)
				}
				if res.NextPageToken != "" {
					fmt.Fprintln(w, "(more: raise --limit or narrow the filters)")
				}
				return w.Flush()
			})
		},
	}
	listCmd.Flags().StringVar(&lf.status, "status", "", "only these statuses, comma-separated (draft, submitted, in-review, changes-requested, approved, published, withdrawn)")
	listCmd.Flags().StringVar(&lf.section, "section", "", "only this section and those under it, e.g. news-events")
	listCmd.Flags().StringVar(&lf.author, "author", "", "only articles by an author whose name contains this")
	listCmd.Flags().StringVar(&lf.missing, "missing", "", "only articles without this locale, e.g. en")
	listCmd.Flags().StringVar(&lf.query, "query", "", "only titles containing this, in either language")
	listCmd.Flags().Int32Var(&lf.limit, "limit", 50, "how many (at most 100)")
	cmd.AddCommand(listCmd)

	var reason string
	var wrev uint64
	withdrawCmd := &cobra.Command{
		Use:   "withdraw ID --reason TEXT",
		Short: "Take an article out of the flow and off the lists (edit it to bring it back)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return s.run(cmd, func(ctx context.Context, c *client, t grpc.CallOption) error {
				rev, err := c.draftRevision(ctx, args[0], wrev, t)
				if err != nil {
					return err
				}
				res, err := c.drafting.WithdrawDraft(ctx, &draftingv1.WithdrawDraftRequest{Id: args[0], ExpectedRevision: rev, Reason: reason}, t)
				if err != nil {
					return err
				}
				fmt.Fprintf(s.out, "withdrew draft %s (revision %d)\n", args[0], res.Draft.Revision)
				return nil
			})
		},
	}
	withdrawCmd.Flags().StringVar(&reason, "reason", "", "why, for the history")
	withdrawCmd.Flags().Uint64Var(&wrev, "revision", 0, "the revision you read (default: the current one)")
	cmd.AddCommand(withdrawCmd)

	var purgeReason string
	purgeCmd := &cobra.Command{
		Use:   "purge ID --reason TEXT",
		Short: "Erase an article everywhere: drafts, translation, public pages (admins; legal removal)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return s.run(cmd, func(ctx context.Context, c *client, t grpc.CallOption) error {
				res, err := c.drafting.PurgeArticle(ctx, &draftingv1.PurgeArticleRequest{Id: args[0], Reason: purgeReason}, t)
				if err != nil {
					return err
				}
				fmt.Fprintf(s.out, "purged %s; only a tombstone (revision %d) remains\n", args[0], res.Revision)
				return nil
			})
		},
	}
	purgeCmd.Flags().StringVar(&purgeReason, "reason", "", "why (kept in the tombstone); required")
	cmd.AddCommand(purgeCmd)

	var rev uint64
	submit := &cobra.Command{
		Use:   "submit ID",
		Short: "Submit a draft for translation review and publishing",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return s.run(cmd, func(ctx context.Context, c *client, t grpc.CallOption) error {
				rev, err := c.draftRevision(ctx, args[0], rev, t)
				if err != nil {
					return err
				}
				res, err := c.drafting.SubmitDraft(ctx, &draftingv1.SubmitDraftRequest{Id: args[0], ExpectedRevision: rev}, t)
				if err != nil {
					return err
				}
				fmt.Fprintf(s.out, "submitted draft %s at revision %d\n", args[0], res.Draft.SubmittedRevision)
				return nil
			})
		},
	}
	submit.Flags().Uint64Var(&rev, "revision", 0, "the revision you read (default: the current one)")
	cmd.AddCommand(submit)
	return cmd
}

// printDiff shows a diff with [-deleted-] and {+inserted+} marks.
func printDiff(s *session, d *draftingv1.DiffRevisionsResponse) {
	if len(d.Fields) == 0 && len(d.Blocks) == 0 {
		fmt.Fprintln(s.out, "no differences")
		return
	}
	for _, f := range d.Fields {
		fmt.Fprintf(s.out, "%s: %s\n", f.Field, marked(f.Diff))
	}
	for _, b := range d.Blocks {
		var what []string
		for _, w := range []struct {
			on   bool
			name string
		}{{b.Added, "added"}, {b.Removed, "removed"}, {b.Moved, fmt.Sprintf("moved from %d", b.FromIndex+1)}, {b.Changed, "changed"}} {
			if w.on {
				what = append(what, w.name)
			}
		}
		at := b.ToIndex + 1
		if b.Removed {
			at = b.FromIndex + 1
		}
		fmt.Fprintf(s.out, "[%s] block %d (%s): %s\n  %s\n", b.Locale, at, b.BlockId, strings.Join(what, ", "), strings.ReplaceAll(marked(b.Diff), "\n", "\n  "))
	}
}

func marked(spans []*draftingv1.TextSpan) string {
	var sb strings.Builder
	for _, sp := range spans {
		switch sp.Op {
		case draftingv1.SpanOp_SPAN_OP_INSERT:
			sb.WriteString("{+" + sp.Text + "+}")
		case draftingv1.SpanOp_SPAN_OP_DELETE:
			sb.WriteString("[-" + sp.Text + "-]")
		default:
			sb.WriteString(sp.Text)
		}
	}
	return sb.String()
}

// draftRevision is the revision a verb acts on: the one the editor gave
// with --revision, or else the current one.
func (c *client) draftRevision(ctx context.Context, id string, given uint64, t grpc.CallOption) (uint64, error) {
	if given != 0 {
		return given, nil
	}
	cur, err := c.drafting.GetDraft(ctx, &draftingv1.GetDraftRequest{Id: id}, t)
	if err != nil {
		return 0, err
	}
	return cur.Draft.Revision, nil
}
