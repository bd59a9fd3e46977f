package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tandemnews/tandem/pkg/markdown"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
)

// draftExportOptions are the inputs of tandem draft export.
type draftExportOptions struct {
	*session
	ID, Locale string
	Revision   uint64 // 0: the current one
}

func draftExportCmd(s *session) *cobra.Command {
	opts := &draftExportOptions{session: s}
	cmd := verb(&cobra.Command{Use: "export ID --locale zh-CN|en", Short: "Print one locale of a draft as Markdown, ready to edit"}, opts, runDraftExport, &opts.ID)
	cmd.Flags().StringVar(&opts.Locale, "locale", "zh-CN", "zh-CN or en")
	cmd.Flags().Uint64Var(&opts.Revision, "revision", 0, "an earlier revision (default: the current one)")
	return cmd
}

// runDraftExport prints one locale of the draft as Markdown.
func runDraftExport(ctx context.Context, opts *draftExportOptions) error {
	return opts.call(ctx, func(ctx context.Context, c *client) error {
		var d *draftingv1.Draft
		if opts.Revision == 0 {
			res, err := c.Drafting.GetDraft(ctx, &draftingv1.GetDraftRequest{Id: opts.ID}, c.as)
			if err != nil {
				return err
			}
			d = res.Draft
		} else {
			res, err := c.Drafting.GetDraftRevision(ctx, &draftingv1.GetDraftRevisionRequest{Id: opts.ID, Revision: opts.Revision}, c.as)
			if err != nil {
				return err
			}
			d = res.Draft
		}
		out, err := markdown.Export(d.Article, opts.Locale)
		if err != nil {
			return err
		}
		_, err = opts.out.Write(out)
		return err
	})
}

// runDraftShow prints the draft's state and each locale's blocks.
func runDraftShow(ctx context.Context, opts *articleOptions) error {
	return opts.call(ctx, func(ctx context.Context, c *client) error {
		res, err := c.Drafting.GetDraft(ctx, &draftingv1.GetDraftRequest{Id: opts.ID}, c.as)
		if err != nil {
			return err
		}
		d := res.Draft
		fmt.Fprintf(opts.out, "draft %s  revision %d  %s", d.Article.Id, d.Revision, strings.TrimPrefix(d.Status.String(), "DRAFT_STATUS_"))
		if d.SubmittedRevision > 0 {
			fmt.Fprintf(opts.out, " (submitted revision %d)", d.SubmittedRevision)
		}
		fmt.Fprintf(opts.out, "\nsection %s  date %s  slug %s\n", strings.Join(d.Article.Section, "/"), d.Article.Date, d.Article.Slug)
		printLocales(opts.out, d.Article.Locales)
		return nil
	})
}

func printLocales(w io.Writer, locales map[string]*articlev1.LocalizedContent) {
	var tags []string
	for t := range locales {
		tags = append(tags, t)
	}
	sort.Strings(tags)
	for _, t := range tags {
		c := locales[t]
		fmt.Fprintf(w, "\n[%s] %s\n", t, c.Title)
		for _, b := range c.Blocks {
			fmt.Fprintf(w, "  %s\n", blockLine(b))
		}
	}
}

func blockLine(b *articlev1.Block) string {
	switch k := b.Kind.(type) {
	case *articlev1.Block_Paragraph:
		return k.Paragraph.Text
	case *articlev1.Block_Heading:
		return strings.Repeat("#", int(k.Heading.Level)) + " " + k.Heading.Text
	case *articlev1.Block_Figure:
		return "[figure " + k.Figure.File + "] " + k.Figure.Caption
	case *articlev1.Block_Quote:
		return "> " + k.Quote.Text
	case *articlev1.Block_List:
		return "- " + strings.Join(k.List.Items, "\n  - ")
	}
	return ""
}

// draftHistoryOptions are the inputs of tandem draft history.
type draftHistoryOptions struct {
	*session
	ID    string
	Limit int32
}

func draftHistoryCmd(s *session) *cobra.Command {
	opts := &draftHistoryOptions{session: s}
	cmd := verb(&cobra.Command{Use: "history ID", Short: "List a draft's revisions, newest first"}, opts, runDraftHistory, &opts.ID)
	cmd.Flags().Int32Var(&opts.Limit, "limit", 20, "how many revisions (at most 100)")
	return cmd
}

// runDraftHistory lists the draft's revisions, newest first.
func runDraftHistory(ctx context.Context, opts *draftHistoryOptions) error {
	return opts.call(ctx, func(ctx context.Context, c *client) error {
		res, err := c.Drafting.GetDraftHistory(ctx, &draftingv1.GetDraftHistoryRequest{Id: opts.ID, PageSize: opts.Limit}, c.as)
		if err != nil {
			return err
		}
		w := table(opts.out)
		fmt.Fprintln(w, "REVISION\tWHEN\tWHO\tWHAT")
		for _, e := range res.Entries {
			fmt.Fprintf(w, "%d\t%s\t%s\t%s\n", e.Revision, e.Time.AsTime().Local().Format("2006-01-02 15:04"), e.Actor.GetUserId(), e.Summary)
		}
		return w.Flush()
	})
}

// draftDiffOptions are the inputs of tandem draft diff.
type draftDiffOptions struct {
	*session
	ID, From, To string
}

// runDraftDiff prints what changed between two revisions.
func runDraftDiff(ctx context.Context, opts *draftDiffOptions) error {
	var from, to uint64
	if _, err := fmt.Sscan(opts.From, &from); err != nil {
		return fmt.Errorf("REV1 %q is not a revision number", opts.From)
	}
	if _, err := fmt.Sscan(opts.To, &to); err != nil {
		return fmt.Errorf("REV2 %q is not a revision number", opts.To)
	}
	return opts.call(ctx, func(ctx context.Context, c *client) error {
		res, err := c.Drafting.DiffRevisions(ctx, &draftingv1.DiffRevisionsRequest{Id: opts.ID, FromRevision: from, ToRevision: to}, c.as)
		if err != nil {
			return err
		}
		printDiff(opts.out, res)
		return nil
	})
}

// printDiff shows a diff with [-deleted-] and {+inserted+} marks.
func printDiff(w io.Writer, d *draftingv1.DiffRevisionsResponse) {
	if len(d.Fields) == 0 && len(d.Blocks) == 0 {
		fmt.Fprintln(w, "no differences")
		return
	}
	for _, f := range d.Fields {
		fmt.Fprintf(w, "%s: %s\n", f.Field, marked(f.Diff))
	}
	for _, b := range d.Blocks {
		var what []string
		for _, x := range []struct {
			on   bool
			name string
		}{{b.Added, "added"}, {b.Removed, "removed"}, {b.Moved, fmt.Sprintf("moved from %d", b.FromIndex+1)}, {b.Changed, "changed"}} {
			if x.on {
				what = append(what, x.name)
			}
		}
		at := b.ToIndex + 1
		if b.Removed {
			at = b.FromIndex + 1
		}
		fmt.Fprintf(w, "[%s] block %d (%s): %s\n  %s\n", b.Locale, at, b.BlockId, strings.Join(what, ", "), strings.ReplaceAll(marked(b.Diff), "\n", "\n  "))
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

// draftListOptions are the inputs of tandem draft list.
type draftListOptions struct {
	*session
	Status, Section, Author, Missing, Query string
	Limit                                   int32
}

func draftListCmd(s *session) *cobra.Command {
	opts := &draftListOptions{session: s}
	cmd := verb(&cobra.Command{Use: "list", Short: "List articles and where each is, newest change first"}, opts, runDraftList)
	f := cmd.Flags()
	f.StringVar(&opts.Status, "status", "", "only these statuses, comma-separated (draft, submitted, in-review, changes-requested, approved, published, withdrawn)")
	f.StringVar(&opts.Section, "section", "", "only this section and those under it, e.g. news-events")
	f.StringVar(&opts.Author, "author", "", "only articles by an author whose name contains this")
	f.StringVar(&opts.Missing, "missing", "", "only articles without this locale, e.g. en")
	f.StringVar(&opts.Query, "query", "", "only titles containing this, in either language")
	f.Int32Var(&opts.Limit, "limit", 50, "how many (at most 100)")
	return cmd
}

// runDraftList lists the articles that pass the filters, newest change
// first.
func runDraftList(ctx context.Context, opts *draftListOptions) error {
	req := &draftingv1.ListDraftsRequest{Section: opts.Section, Author: opts.Author, MissingLocale: opts.Missing, Query: opts.Query, PageSize: opts.Limit}
	for _, st := range strings.Split(opts.Status, ",") {
		if st = strings.TrimSpace(st); st == "" {
			continue
		}
		n, ok := draftingv1.ArticleStatus_value["ARTICLE_STATUS_"+strings.ToUpper(strings.ReplaceAll(st, "-", "_"))]
		if !ok {
			return fmt.Errorf("--status %q: one of draft, submitted, in-review, changes-requested, approved, published, withdrawn", st)
		}
		req.Statuses = append(req.Statuses, draftingv1.ArticleStatus(n))
	}
	return opts.call(ctx, func(ctx context.Context, c *client) error {
		res, err := c.Drafting.ListDrafts(ctx, req, c.as)
		if err != nil {
			return err
		}
		w := table(opts.out)
		fmt.Fprintln(w, "ID\tSTATUS\tREV\tUPDATED\tSECTION\tTITLE")
		for _, d := range res.Drafts {
			title := d.Titles["zh-CN"]
			if en := d.Titles["en"]; en != "" {
				title += " / " + en
			}
			status := strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(d.Status.String(), "ARTICLE_STATUS_"), "_", "-"))
			switch {
			case d.Status == draftingv1.ArticleStatus_ARTICLE_STATUS_PUBLISHED:
				status += " (" + strings.Join(d.PublishedLocales, ", ") + ")"
			case len(d.PublishedLocales) > 0:
				// Work on a newer revision; an older one is public.
				status += " (" + strings.Join(d.PublishedLocales, ", ") + " public)"
			}
			fmt.Fprintf(w, "%s\t%s\t%d\t%s\t%s\t%s\n", d.Id, status, d.Revision, d.Updated.GetTime().AsTime().Local().Format("2006-01-02 15:04"), strings.Join(d.Section, "/"), title)
		}
		if res.NextPageToken != "" {
			fmt.Fprintln(w, "(more: raise --limit or narrow the filters)")
		}
		return w.Flush()
	})
}
