package main

import (
	"context"
	"fmt"
	"os"
	"slices"

	"github.com/spf13/cobra"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/tandemnews/tandem/pkg/markdown"
	"github.com/tandemnews/tandem/pkg/rpc"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	"github.com/tandemnews/tandem/services/drafting/draft"
)

// draftCmd holds the editors' verbs. Those that write a draft are here;
// those that only read one are in draft_read.go.
func draftCmd() *cobra.Command {
	s := &session{}
	cmd := &cobra.Command{Use: "draft", Short: "Write, revise, compare and submit drafts (editors)"}
	s.bind(cmd)
	show, diff, submit := &articleOptions{session: s}, &draftDiffOptions{session: s}, &draftSubmitOptions{change{session: s}}
	cmd.AddCommand(draftCreateCmd(s), draftEditCmd(s), draftExportCmd(s), draftHistoryCmd(s), draftListCmd(s), draftWithdrawCmd(s), draftPurgeCmd(s),
		verb(&cobra.Command{Use: "show ID", Short: "Show a draft"}, show, runDraftShow, &show.ID),
		verb(&cobra.Command{Use: "diff ID REV1 REV2", Short: "Show what changed between two revisions"}, diff, runDraftDiff, &diff.ID, &diff.From, &diff.To),
		submit.bind("the revision you read", verb(&cobra.Command{Use: "submit ID", Short: "Submit a draft for translation review and publishing"}, submit, runDraftSubmit, &submit.ID)))
	return cmd
}

// localeFiles are the --zh and --en Markdown files of a command.
type localeFiles struct{ zh, en string }

func (f *localeFiles) bind(cmd *cobra.Command) *cobra.Command {
	cmd.Flags().StringVar(&f.zh, "zh", "", "the Chinese Markdown file")
	cmd.Flags().StringVar(&f.en, "en", "", "the English Markdown file")
	return cmd
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

// readArticle reads the files as an article, for the draft id (empty for
// a new one). When the files have problems, what was read (less its
// blocks, which the files' problems name) is checked by the service
// without storing anything, so that the files' problems, the article's
// and the site's (an unknown section, a slug taken) come back at once.
// A service that cannot check it leaves the article's own rules to be
// checked here.
func readArticle(ctx context.Context, c *client, files map[string][]byte, src, id string) (*articlev1.Article, error) {
	var v rpc.Violations
	a := markdown.Read(files, src, &v.Violations)
	if v.Len() == 0 {
		return a, nil
	}
	if a != nil {
		rest := proto.Clone(a).(*articlev1.Article)
		for _, c := range rest.Locales {
			c.Blocks = nil
		}
		rest.Id = id
		var err error
		if id == "" {
			_, err = c.Drafting.CreateDraft(ctx, &draftingv1.CreateDraftRequest{Article: rest, ValidateOnly: true}, c.as)
		} else {
			_, err = c.Drafting.UpdateDraft(ctx, &draftingv1.UpdateDraftRequest{Article: rest, ValidateOnly: true}, c.as)
		}
		if !addViolations(&v, err) {
			draft.Validate(rest, "article", &v.Violations)
		}
	}
	return nil, describe(v.Err())
}

// addViolations adds the field violations of a validate-only answer to v
// and reports whether the service checked the article at all.
func addViolations(v *rpc.Violations, err error) bool {
	st, ok := status.FromError(err)
	if err == nil {
		return true
	}
	if !ok || st.Code() != codes.InvalidArgument {
		return false
	}
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, f := range br.FieldViolations {
				v.Add(f.Field, "%s", f.Description)
			}
		}
	}
	return true
}

// draftCreateOptions are the inputs of tandem draft create.
type draftCreateOptions struct {
	*session
	Files localeFiles
}

func draftCreateCmd(s *session) *cobra.Command {
	opts := &draftCreateOptions{session: s}
	return opts.Files.bind(verb(&cobra.Command{
		Use:   "create --zh FILE.zh.md [--en FILE.en.md]",
		Short: "Create a draft from Markdown files (front matter, then the body)",
	}, opts, runDraftCreate))
}

// runDraftCreate reads the files and makes a draft of them.
func runDraftCreate(ctx context.Context, opts *draftCreateOptions) error {
	files, err := opts.Files.read()
	if err != nil {
		return err
	}
	return opts.call(ctx, func(ctx context.Context, c *client) error {
		a, err := readArticle(ctx, c, files, "zh-CN", "")
		if err != nil {
			return err
		}
		res, err := c.Drafting.CreateDraft(ctx, &draftingv1.CreateDraftRequest{Article: a}, c.as)
		return opts.report(err, "created draft %s at revision %d\n", res.GetDraft().GetArticle().GetId(), res.GetDraft().GetRevision())
	})
}

// draftEditOptions are the inputs of tandem draft edit.
type draftEditOptions struct {
	*session
	ID       string
	Files    localeFiles
	Revision uint64 // 0: the current one
}

func draftEditCmd(s *session) *cobra.Command {
	opts := &draftEditOptions{session: s}
	cmd := opts.Files.bind(verb(&cobra.Command{
		Use:   "edit ID [--zh FILE.zh.md] [--en FILE.en.md]",
		Short: "Replace the locales given with the files; the others stay as they are",
	}, opts, runDraftEdit, &opts.ID))
	cmd.Flags().Uint64Var(&opts.Revision, "revision", 0, "the revision your files start from (default: the current one; give it to be warned of others' changes)")
	return cmd
}

// runDraftEdit replaces the locales of the files given and keeps the
// others.
func runDraftEdit(ctx context.Context, opts *draftEditOptions) error {
	files, err := opts.Files.read()
	if err != nil {
		return err
	}
	return opts.call(ctx, func(ctx context.Context, c *client) error {
		cur, err := c.Drafting.GetDraft(ctx, &draftingv1.GetDraftRequest{Id: opts.ID}, c.as)
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
		a, err := readArticle(ctx, c, files, src, d.Article.Id)
		if err != nil {
			return err
		}
		a.Id = d.Article.Id
		rev := opts.Revision
		if rev == 0 {
			rev = d.Revision
		}
		// The mask names only what the files give, so that an edit of
		// the other locales since rev is kept, not a conflict.
		res, err := c.Drafting.UpdateDraft(ctx, &draftingv1.UpdateDraftRequest{Article: a, ExpectedRevision: rev, UpdateMask: editMask(opts.Files, src)}, c.as)
		if err == nil && res.Draft.Revision == d.Revision {
			return opts.report(err, "no change: draft %s stays at revision %d\n", opts.ID, d.Revision)
		}
		return opts.report(err, "saved draft %s as revision %d\n", opts.ID, res.GetDraft().GetRevision())
	})
}

// editMask names the locales of the files given, and the fields shared
// by every locale when the source locale's file is one of them.
func editMask(f localeFiles, src string) *fieldmaskpb.FieldMask {
	m := &fieldmaskpb.FieldMask{}
	for l, p := range map[string]string{"zh-CN": f.zh, "en": f.en} {
		if p == "" {
			continue
		}
		m.Paths = append(m.Paths, "locales."+l)
		if l == src {
			m.Paths = append(m.Paths, "date", "section", "slug")
		}
	}
	slices.Sort(m.Paths)
	return m
}

// draftRevision reads the draft's current revision.
func draftRevision(ctx context.Context, c *client, id string) (uint64, error) {
	res, err := c.Drafting.GetDraft(ctx, &draftingv1.GetDraftRequest{Id: id}, c.as)
	return res.GetDraft().GetRevision(), err
}

// draftSubmitOptions are the inputs of tandem draft submit.
type draftSubmitOptions struct{ change }

// runDraftSubmit hands the draft to the translators.
func runDraftSubmit(ctx context.Context, opts *draftSubmitOptions) error {
	return opts.apply(ctx, draftRevision, func(ctx context.Context, c *client, rev uint64) error {
		res, err := c.Drafting.SubmitDraft(ctx, &draftingv1.SubmitDraftRequest{Id: opts.ID, ExpectedRevision: rev}, c.as)
		if err == nil && res.Draft.Revision == rev {
			// Nothing written: the draft has not changed since its last submit.
			return opts.report(err, "nothing new to submit: revision %d is already submitted\n", res.Draft.SubmittedRevision)
		}
		return opts.report(err, "submitted draft %s at revision %d\n", opts.ID, res.GetDraft().GetSubmittedRevision())
	})
}

// draftWithdrawOptions are the inputs of tandem draft withdraw.
type draftWithdrawOptions struct {
	change
	Reason string
}

func draftWithdrawCmd(s *session) *cobra.Command {
	opts := &draftWithdrawOptions{change: change{session: s}}
	cmd := opts.bind("the revision you read", verb(&cobra.Command{
		Use:   "withdraw ID --reason TEXT",
		Short: "Take an article out of the flow and off the lists (edit it to bring it back)",
	}, opts, runDraftWithdraw, &opts.ID))
	cmd.Flags().StringVar(&opts.Reason, "reason", "", "why, for the history")
	return cmd
}

// runDraftWithdraw takes the article out of the flow.
func runDraftWithdraw(ctx context.Context, opts *draftWithdrawOptions) error {
	return opts.apply(ctx, draftRevision, func(ctx context.Context, c *client, rev uint64) error {
		res, err := c.Drafting.WithdrawDraft(ctx, &draftingv1.WithdrawDraftRequest{Id: opts.ID, ExpectedRevision: rev, Reason: opts.Reason}, c.as)
		return opts.report(err, "withdrew draft %s (revision %d)\n", opts.ID, res.GetDraft().GetRevision())
	})
}

// draftPurgeOptions are the inputs of tandem draft purge.
type draftPurgeOptions struct {
	*session
	ID, Reason string
}

func draftPurgeCmd(s *session) *cobra.Command {
	opts := &draftPurgeOptions{session: s}
	cmd := verb(&cobra.Command{
		Use:   "purge ID --reason TEXT",
		Short: "Erase an article everywhere: drafts, translation, public pages (admins; legal removal)",
	}, opts, runDraftPurge, &opts.ID)
	cmd.Flags().StringVar(&opts.Reason, "reason", "", "why (kept in the tombstone); required")
	return cmd
}

// runDraftPurge erases the article, leaving a tombstone.
func runDraftPurge(ctx context.Context, opts *draftPurgeOptions) error {
	return opts.call(ctx, func(ctx context.Context, c *client) error {
		res, err := c.Drafting.PurgeArticle(ctx, &draftingv1.PurgeArticleRequest{Id: opts.ID, Reason: opts.Reason}, c.as)
		return opts.report(err, "purged %s; only a tombstone (revision %d) remains\n", opts.ID, res.GetRevision())
	})
}
