package main

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

// tmCmd holds the translation memory verbs: search, import and export
// TMX.
func tmCmd() *cobra.Command {
	s := &session{}
	cmd := &cobra.Command{Use: "tm", Short: "Search, import and export the translation memory"}
	s.bind(cmd)
	imp := &tmImportOptions{session: s}
	cmd.AddCommand(tmSearchCmd(s), tmExportCmd(s),
		verb(&cobra.Command{Use: "import FILE.tmx", Short: "Add the Chinese-English units of a TMX 1.4b file (admins)"}, imp, runTMImport, &imp.File))
	return cmd
}

// tmSearchOptions are the inputs of tandem tm search.
type tmSearchOptions struct {
	*session
	Text            string
	MinScore, Limit int
}

func tmSearchCmd(s *session) *cobra.Command {
	opts := &tmSearchOptions{session: s}
	cmd := verb(&cobra.Command{Use: "search TEXT", Short: "Look a text up, Chinese among the sources or English among the translations: exact and fuzzy matches with their scores"}, opts, runTMSearch, &opts.Text)
	cmd.Flags().IntVar(&opts.MinScore, "min", 75, "lowest score, 50 to 100")
	cmd.Flags().IntVar(&opts.Limit, "limit", 10, "at most this many matches")
	return cmd
}

// runTMSearch prints the memory's matches for a source text, best first.
func runTMSearch(ctx context.Context, opts *tmSearchOptions) error {
	return opts.call(ctx, func(ctx context.Context, c *client) error {
		res, err := c.Review.SearchMemory(ctx, &reviewv1.SearchMemoryRequest{Text: opts.Text, MinScore: int32(opts.MinScore), Limit: int32(opts.Limit)}, c.as)
		if err != nil {
			return err
		}
		for _, m := range res.Matches {
			fmt.Fprintf(opts.out, "%3d%%  %s\n      %s\n", m.Score, m.Unit.Source, m.Unit.Target)
			if m.Unit.ArticleId != "" {
				fmt.Fprintf(opts.out, "      (%s, %s)\n", m.Unit.ArticleId, or(m.Unit.Translator, "?"))
			}
		}
		fmt.Fprintf(opts.out, "%d match(es) among %d unit(s)\n", len(res.Matches), res.Size)
		return nil
	})
}

// tmImportOptions are the inputs of tandem tm import.
type tmImportOptions struct {
	*session
	File string
}

// runTMImport adds the file's Chinese-English units and counts them.
func runTMImport(ctx context.Context, opts *tmImportOptions) error {
	data, err := os.ReadFile(opts.File)
	if err != nil {
		return err
	}
	return opts.call(ctx, func(ctx context.Context, c *client) error {
		res, err := c.Review.ImportMemory(ctx, &reviewv1.ImportMemoryRequest{Tmx: data}, c.as)
		return opts.report(err, "%d added, %d already in memory, %d skipped (not Chinese and English)\n", res.GetAdded(), res.GetDuplicates(), res.GetSkipped())
	})
}

// tmExportOptions are the inputs of tandem tm export.
type tmExportOptions struct {
	*session
	Output string
}

func tmExportCmd(s *session) *cobra.Command {
	opts := &tmExportOptions{session: s}
	cmd := verb(&cobra.Command{Use: "export [-o FILE]", Short: "Write the whole memory as TMX 1.4b"}, opts, runTMExport)
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "", "write to this file instead of standard output")
	return cmd
}

// runTMExport writes the memory to the output file or standard output.
func runTMExport(ctx context.Context, opts *tmExportOptions) error {
	return opts.call(ctx, func(ctx context.Context, c *client) error {
		res, err := c.Review.ExportMemory(ctx, &reviewv1.ExportMemoryRequest{}, c.as)
		if err != nil {
			return err
		}
		return writeOut(opts.out, opts.Output, res.Tmx)
	})
}
