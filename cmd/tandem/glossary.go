package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

func glossaryFormat(s string) (reviewv1.GlossaryFormat, error) {
	switch strings.ToLower(s) {
	case "tsv", "":
		return reviewv1.GlossaryFormat_GLOSSARY_FORMAT_TSV, nil
	case "csv":
		return reviewv1.GlossaryFormat_GLOSSARY_FORMAT_CSV, nil
	}
	return 0, fmt.Errorf("--format %q: tsv or csv", s)
}

// glossaryCmd holds the glossary verbs: list, import and export (admins
// import).
func glossaryCmd() *cobra.Command {
	s := &session{}
	cmd := &cobra.Command{Use: "glossary", Short: "List, import and export the terminology glossary"}
	s.bind(cmd)
	list := &glossaryListOptions{session: s}
	cmd.AddCommand(verb(&cobra.Command{Use: "list", Short: "List the glossary's terms"}, list, runGlossaryList))
	cmd.AddCommand(glossaryImportCmd(s), glossaryExportCmd(s))
	return cmd
}

// glossaryListOptions are the inputs of tandem glossary list.
type glossaryListOptions struct{ *session }

// runGlossaryList lists the terms with their flags and notes.
func runGlossaryList(ctx context.Context, opts *glossaryListOptions) error {
	return opts.call(ctx, func(ctx context.Context, c *client) error {
		res, err := c.Review.ListTerms(ctx, &reviewv1.ListTermsRequest{}, c.as)
		if err != nil {
			return err
		}
		w := table(opts.out)
		fmt.Fprintln(w, "SOURCE\tENGLISH\tFLAGS\tNOTE")
		for _, term := range res.Terms {
			var flags []string
			if term.CaseSensitive {
				flags = append(flags, "case")
			}
			if term.Forbidden {
				flags = append(flags, "forbidden")
			}
			switch term.Name {
			case reviewv1.NameKind_NAME_KIND_PERSON:
				flags = append(flags, "person")
			case reviewv1.NameKind_NAME_KIND_ORGANISATION:
				flags = append(flags, "organisation")
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", or(term.Source, "*"), strings.Join(term.Targets, " | "), or(strings.Join(flags, ","), "-"), term.Note)
		}
		fmt.Fprintf(w, "%d term(s)\n", len(res.Terms))
		return w.Flush()
	})
}

// glossaryImportOptions are the inputs of tandem glossary import.
type glossaryImportOptions struct {
	*session
	File, Format string // Format "": from the file name, else tsv
}

func glossaryImportCmd(s *session) *cobra.Command {
	opts := &glossaryImportOptions{session: s}
	cmd := verb(&cobra.Command{
		Use:   "import FILE",
		Short: "Add or replace terms from a TSV or CSV file with a header line (zh, en, note, ...)",
	}, opts, runGlossaryImport, &opts.File)
	cmd.Flags().StringVar(&opts.Format, "format", "", "tsv or csv (default: from the file name, else tsv)")
	return cmd
}

// runGlossaryImport adds or replaces the file's terms and counts them.
func runGlossaryImport(ctx context.Context, opts *glossaryImportOptions) error {
	f, err := glossaryFormat(opts.Format)
	if err != nil {
		return err
	}
	if opts.Format == "" && strings.HasSuffix(strings.ToLower(opts.File), ".csv") {
		f = reviewv1.GlossaryFormat_GLOSSARY_FORMAT_CSV
	}
	data, err := os.ReadFile(opts.File)
	if err != nil {
		return err
	}
	return opts.call(ctx, func(ctx context.Context, c *client) error {
		res, err := c.Review.ImportGlossary(ctx, &reviewv1.ImportGlossaryRequest{Data: data, Format: f}, c.as)
		return opts.report(err, "%d added, %d changed, %d unchanged\n", res.GetAdded(), res.GetChanged(), res.GetUnchanged())
	})
}

// glossaryExportOptions are the inputs of tandem glossary export.
type glossaryExportOptions struct {
	*session
	Format, Output string
}

func glossaryExportCmd(s *session) *cobra.Command {
	opts := &glossaryExportOptions{session: s}
	cmd := verb(&cobra.Command{Use: "export [-o FILE]", Short: "Write the glossary as TSV or CSV"}, opts, runGlossaryExport)
	cmd.Flags().StringVar(&opts.Format, "format", "tsv", "tsv or csv")
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "", "write to this file instead of standard output")
	return cmd
}

// runGlossaryExport writes the glossary to the output file or standard
// output.
func runGlossaryExport(ctx context.Context, opts *glossaryExportOptions) error {
	f, err := glossaryFormat(opts.Format)
	if err != nil {
		return err
	}
	return opts.call(ctx, func(ctx context.Context, c *client) error {
		res, err := c.Review.ExportGlossary(ctx, &reviewv1.ExportGlossaryRequest{Format: f}, c.as)
		if err != nil {
			return err
		}
		return writeOut(opts.out, opts.Output, res.Data)
	})
}
