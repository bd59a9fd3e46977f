package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"google.golang.org/grpc"

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

// The glossary verbs: list, import and export (admins import).
func glossaryCmd() *cobra.Command {
	var s session
	cmd := &cobra.Command{Use: "glossary", Short: "List, import and export the terminology glossary"}
	s.bind(cmd)
	var format, outFile string
	cmd.AddCommand(&cobra.Command{
		Use:   "list",
		Short: "List the glossary's terms",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return s.run(cmd, func(ctx context.Context, c *client, t grpc.CallOption) error {
				res, err := c.review.ListTerms(ctx, &reviewv1.ListTermsRequest{}, t)
				if err != nil {
					return err
				}
				w := tabwriter.NewWriter(s.out, 0, 4, 2, ' ', 0)
				fmt.Fprintln(w, "SOURCE\tENGLISH\tFLAGS\tNOTE")
				for _, term := range res.Terms {
					var flags []string
					if term.CaseSensitive {
						flags = append(flags, "case")
					}
					if term.Forbidden {
						flags = append(flags, "forbidden")
					}
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", or(term.Source, "*"), strings.Join(term.Targets, " | "), or(strings.Join(flags, ","), "-"), term.Note)
				}
				fmt.Fprintf(w, "%d term(s)\n", len(res.Terms))
				return w.Flush()
			})
		},
	})
	imp := &cobra.Command{
		Use:   "import FILE",
		Short: "Add or replace terms from a TSV or CSV file with a header line (zh, en, note, ...)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := glossaryFormat(format)
			if err != nil {
				return err
			}
			if format == "" && strings.HasSuffix(strings.ToLower(args[0]), ".csv") {
				f = reviewv1.GlossaryFormat_GLOSSARY_FORMAT_CSV
			}
			data, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			return s.run(cmd, func(ctx context.Context, c *client, t grpc.CallOption) error {
				res, err := c.review.ImportGlossary(ctx, &reviewv1.ImportGlossaryRequest{Data: data, Format: f}, t)
				if err != nil {
					return err
				}
				fmt.Fprintf(s.out, "%d added, %d changed, %d unchanged\n", res.Added, res.Changed, res.Unchanged)
				return nil
			})
		},
	}
	imp.Flags().StringVar(&format, "format", "", "tsv or csv (default: from the file name, else tsv)")
	cmd.AddCommand(imp)
	exp := &cobra.Command{
		Use:   "export [-o FILE]",
		Short: "Write the glossary as TSV or CSV",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f, err := glossaryFormat(format)
			if err != nil {
				return err
			}
			return s.run(cmd, func(ctx context.Context, c *client, t grpc.CallOption) error {
				res, err := c.review.ExportGlossary(ctx, &reviewv1.ExportGlossaryRequest{Format: f}, t)
				if err != nil {
					return err
				}
				return writeOut(s.out, outFile, res.Data)
			})
		},
	}
	exp.Flags().StringVar(&format, "format", "tsv", "tsv or csv")
	exp.Flags().StringVarP(&outFile, "output", "o", "", "write to this file instead of standard output")
	cmd.AddCommand(exp)
	return cmd
}

// The translation memory verbs: search, import and export TMX.
func tmCmd() *cobra.Command {
	var s session
	cmd := &cobra.Command{Use: "tm", Short: "Search, import and export the translation memory"}
	s.bind(cmd)
	var minScore, limit int
	search := &cobra.Command{
		Use:   "search TEXT",
		Short: "Look a source text up: exact and fuzzy matches with their scores",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return s.run(cmd, func(ctx context.Context, c *client, t grpc.CallOption) error {
				res, err := c.review.SearchMemory(ctx, &reviewv1.SearchMemoryRequest{Text: args[0], MinScore: int32(minScore), Limit: int32(limit)}, t)
				if err != nil {
					return err
				}
				for _, m := range res.Matches {
					fmt.Fprintf(s.out, "%3d%%  %s\n      %s\n", m.Score, m.Unit.Source, m.Unit.Target)
					if m.Unit.ArticleId != "" {
						fmt.Fprintf(s.out, "      (%s, %s)\n", m.Unit.ArticleId, or(m.Unit.Translator, "?"))
					}
				}
				fmt.Fprintf(s.out, "%d match(es) among %d unit(s)\n", len(res.Matches), res.Size)
				return nil
			})
		},
	}
	search.Flags().IntVar(&minScore, "min", 75, "lowest score, 50 to 100")
	search.Flags().IntVar(&limit, "limit", 10, "at most this many matches")
	cmd.AddCommand(search)
	cmd.AddCommand(&cobra.Command{
		Use:   "import FILE.tmx",
		Short: "Add the Chinese-English units of a TMX 1.4b file (admins)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			return s.run(cmd, func(ctx context.Context, c *client, t grpc.CallOption) error {
				res, err := c.review.ImportMemory(ctx, &reviewv1.ImportMemoryRequest{Tmx: data}, t)
				if err != nil {
					return err
				}
				fmt.Fprintf(s.out, "%d added, %d already in memory, %d skipped (not Chinese and English)\n", res.Added, res.Duplicates, res.Skipped)
				return nil
			})
		},
	})
	var outFile string
	exp := &cobra.Command{
		Use:   "export [-o FILE]",
		Short: "Write the whole memory as TMX 1.4b",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return s.run(cmd, func(ctx context.Context, c *client, t grpc.CallOption) error {
				res, err := c.review.ExportMemory(ctx, &reviewv1.ExportMemoryRequest{}, t)
				if err != nil {
					return err
				}
				return writeOut(s.out, outFile, res.Tmx)
			})
		},
	}
	exp.Flags().StringVarP(&outFile, "output", "o", "", "write to this file instead of standard output")
	cmd.AddCommand(exp)
	return cmd
}
