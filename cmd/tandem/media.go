package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	mediav1 "github.com/tandemnews/tandem/proto/tandem/media/v1"
)

// mediaCmd holds the media library's verbs: add, list, show and alt.
func mediaCmd() *cobra.Command {
	s := &session{}
	cmd := &cobra.Command{Use: "media", Short: "Upload photos to the media library and list them (editors, publishers)"}
	s.bind(cmd)
	list := &mediaListOptions{session: s}
	show := &mediaShowOptions{session: s}
	cmd.AddCommand(
		mediaAddCmd(s),
		verb(&cobra.Command{Use: "list", Short: "List the library, newest first"}, list, runMediaList),
		verb(&cobra.Command{Use: "show ID", Short: "Show one item: its sizes, texts and addresses"}, show, runMediaShow, &show.ID),
		mediaAltCmd(s),
	)
	return cmd
}

// mediaTexts are the texts flags of add and alt.
type mediaTexts struct {
	AltZH, AltEN, Credit, CreditZH, CreditEN string
}

func (t *mediaTexts) bind(cmd *cobra.Command) {
	cmd.Flags().StringVar(&t.AltZH, "alt-zh", "", "alternative text in Chinese: what the photo shows, for readers who cannot see it")
	cmd.Flags().StringVar(&t.AltEN, "alt-en", "", "alternative text in English")
	cmd.Flags().StringVar(&t.Credit, "credit", "", "photographer or source, in both languages")
	cmd.Flags().StringVar(&t.CreditZH, "credit-zh", "", "credit in Chinese, when it differs")
	cmd.Flags().StringVar(&t.CreditEN, "credit-en", "", "credit in English, when it differs")
}

// maps returns the texts given, by locale.
func (t *mediaTexts) maps() (alt, credit map[string]string) {
	alt, credit = map[string]string{}, map[string]string{}
	put := func(m map[string]string, loc, v string) {
		if v != "" {
			m[loc] = v
		}
	}
	put(alt, "zh-CN", t.AltZH)
	put(alt, "en", t.AltEN)
	put(credit, "zh-CN", or(t.CreditZH, t.Credit))
	put(credit, "en", or(t.CreditEN, t.Credit))
	return alt, credit
}

// mediaAddOptions are the inputs of tandem media add.
type mediaAddOptions struct {
	*session
	File string
	mediaTexts
}

func mediaAddCmd(s *session) *cobra.Command {
	opts := &mediaAddOptions{session: s}
	cmd := verb(&cobra.Command{
		Use:   "add FILE --alt-zh TEXT --alt-en TEXT [--credit NAME]",
		Short: "Upload a photo (JPEG, PNG, WebP or GIF); prints its id for figures",
	}, opts, runMediaAdd, &opts.File)
	opts.mediaTexts.bind(cmd)
	return cmd
}

// runMediaAdd uploads the file and prints the id a figure names it by.
func runMediaAdd(ctx context.Context, opts *mediaAddOptions) error {
	data, err := os.ReadFile(opts.File)
	if err != nil {
		return err
	}
	alt, credit := opts.maps()
	return opts.call(ctx, func(ctx context.Context, c *client) error {
		res, err := c.Media.UploadMedia(ctx, &mediav1.UploadMediaRequest{Data: data, FileName: filepath.Base(opts.File), Alt: alt, Credit: credit}, c.as)
		if err != nil {
			return err
		}
		it := res.Item
		verb := "added"
		if res.Existed {
			verb = "already in the library:"
		}
		fmt.Fprintf(opts.out, "%s %s (%s, %d×%d, widths %s)\n", verb, it.Id, it.ContentType, it.Width, it.Height, widths(it))
		fmt.Fprintf(opts.out, "in a figure: ![caption](media:%s)\n", it.Id)
		return nil
	})
}

func widths(it *eventsv1.MediaItem) string {
	ws := make([]string, len(it.Widths))
	for i, w := range it.Widths {
		ws[i] = fmt.Sprint(w)
	}
	return strings.Join(ws, ", ")
}

// mediaListOptions are the inputs of tandem media list.
type mediaListOptions struct{ *session }

// runMediaList prints a line per item, every page.
func runMediaList(ctx context.Context, opts *mediaListOptions) error {
	return opts.call(ctx, func(ctx context.Context, c *client) error {
		w := table(opts.out)
		fmt.Fprintln(w, "ID\tSIZE\tTYPE\tADDED\tBY\tALT (EN)")
		n, tok := 0, ""
		for {
			res, err := c.Media.ListMedia(ctx, &mediav1.ListMediaRequest{PageSize: 100, PageToken: tok}, c.as)
			if err != nil {
				return err
			}
			for _, it := range res.Items {
				n++
				fmt.Fprintf(w, "%s\t%d×%d\t%s\t%s\t%s\t%s\n", it.Id, it.Width, it.Height, it.Ext,
					it.GetCreated().GetTime().AsTime().Format("2006-01-02 15:04"), it.GetCreated().GetActor().GetUserId(), or(it.Alt["en"], "-"))
			}
			if tok = res.NextPageToken; tok == "" {
				break
			}
		}
		fmt.Fprintf(w, "%d item(s)\n", n)
		return w.Flush()
	})
}

// mediaShowOptions are the inputs of tandem media show.
type mediaShowOptions struct {
	*session
	ID string
}

// runMediaShow prints one item.
func runMediaShow(ctx context.Context, opts *mediaShowOptions) error {
	return opts.call(ctx, func(ctx context.Context, c *client) error {
		res, err := c.Media.GetMedia(ctx, &mediav1.GetMediaRequest{Id: opts.ID}, c.as)
		if err != nil {
			return err
		}
		printMedia(opts.out, res.Item)
		return nil
	})
}

func printMedia(out io.Writer, it *eventsv1.MediaItem) {
	w := table(out)
	fmt.Fprintf(w, "id\t%s\n", it.Id)
	fmt.Fprintf(w, "file\t%s\n", or(it.FileName, "-"))
	fmt.Fprintf(w, "type\t%s\n", it.ContentType)
	fmt.Fprintf(w, "size\t%d×%d\n", it.Width, it.Height)
	for i, wd := range it.Widths {
		var size int64
		if i < len(it.Sizes) {
			size = it.Sizes[i]
		}
		fmt.Fprintf(w, "variant\t/media/%s-%d.%s (%d bytes; served once a published page shows it)\n", it.Id, wd, it.Ext, size)
	}
	fmt.Fprintf(w, "alt zh-CN\t%s\n", or(it.Alt["zh-CN"], "- (needed to publish)"))
	fmt.Fprintf(w, "alt en\t%s\n", or(it.Alt["en"], "- (needed to publish)"))
	fmt.Fprintf(w, "credit zh-CN\t%s\n", or(it.Credit["zh-CN"], "-"))
	fmt.Fprintf(w, "credit en\t%s\n", or(it.Credit["en"], "-"))
	fmt.Fprintf(w, "added\t%s by %s\n", it.GetCreated().GetTime().AsTime().Format("2006-01-02 15:04 MST"), it.GetCreated().GetActor().GetUserId())
	fmt.Fprintf(w, "revision\t%d\n", it.Revision)
	w.Flush()
}

// mediaAltOptions are the inputs of tandem media alt.
type mediaAltOptions struct {
	*session
	ID string
	mediaTexts
}

func mediaAltCmd(s *session) *cobra.Command {
	opts := &mediaAltOptions{session: s}
	cmd := verb(&cobra.Command{
		Use:   "alt ID [--alt-zh TEXT] [--alt-en TEXT] [--credit NAME]",
		Short: "Change an item's alternative texts or credits (those not given stay)",
	}, opts, runMediaAlt, &opts.ID)
	opts.mediaTexts.bind(cmd)
	return cmd
}

// runMediaAlt replaces the texts given and keeps the others, at the
// revision read.
func runMediaAlt(ctx context.Context, opts *mediaAltOptions) error {
	alt, credit := opts.maps()
	return opts.call(ctx, func(ctx context.Context, c *client) error {
		cur, err := c.Media.GetMedia(ctx, &mediav1.GetMediaRequest{Id: opts.ID}, c.as)
		if err != nil {
			return err
		}
		it := cur.Item
		req := &mediav1.UpdateMediaTextsRequest{Id: it.Id, Revision: it.Revision, Alt: map[string]string{}, Credit: map[string]string{}}
		for k, v := range it.Alt {
			req.Alt[k] = v
		}
		for k, v := range it.Credit {
			req.Credit[k] = v
		}
		for k, v := range alt {
			req.Alt[k] = v
		}
		for k, v := range credit {
			req.Credit[k] = v
		}
		res, err := c.Media.UpdateMediaTexts(ctx, req, c.as)
		if err != nil {
			return err
		}
		printMedia(opts.out, res.Item)
		return nil
	})
}
