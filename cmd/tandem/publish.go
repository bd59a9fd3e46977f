package main

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/tandemnews/tandem/pkg/siteconfig"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
)

// The publishers' verbs: publish now or later, list and cancel what is
// planned, correct, and take down.

// publishOptions are the inputs of tandem publish.
type publishOptions struct {
	*session
	Article string
	Locales []string
	At      string // RFC 3339; empty publishes now
}

func publishCmd() *cobra.Command {
	opts := &publishOptions{session: &session{}}
	cmd := verb(&cobra.Command{
		Use:   "publish ARTICLE [--at TIME]",
		Short: "Publish locales of an article to the public site, now or at a time (publishers)",
	}, opts, runPublish, &opts.Article)
	opts.bind(cmd)
	cmd.Flags().StringSliceVar(&opts.Locales, "locale", siteconfig.Locales, "locales to publish (repeat or separate with commas)")
	cmd.Flags().StringVar(&opts.At, "at", "", "publish at this time (RFC 3339, e.g. 2026-12-01T09:00:00+08:00) instead of now")
	return cmd
}

// runPublish publishes the locales now and prints their public
// addresses, or plans their publication at the time given.
func runPublish(ctx context.Context, opts *publishOptions) error {
	var when time.Time
	if opts.At != "" {
		t, err := time.Parse(time.RFC3339, opts.At)
		if err != nil {
			return fmt.Errorf("--at %q: write it as 2026-12-01T09:00:00+08:00", opts.At)
		}
		when = t
	}
	return opts.call(ctx, func(ctx context.Context, c *client) error {
		if !when.IsZero() {
			res, err := c.Publishing.SchedulePublish(ctx, &publishingv1.SchedulePublishRequest{ArticleId: opts.Article, Locales: opts.Locales, At: timestamppb.New(when)}, c.as)
			return opts.report(err, "scheduled %s for %s (schedule %s; cancel with tandem schedules cancel %s %s)\n",
				strings.Join(opts.Locales, ", "), when.Format(time.RFC3339), res.GetSchedule().GetId(), opts.Article, res.GetSchedule().GetId())
		}
		res, err := c.Publishing.PublishArticle(ctx, &publishingv1.PublishArticleRequest{ArticleId: opts.Article, Locales: opts.Locales}, c.as)
		if err != nil {
			return err
		}
		// Only the locales this call released: the record holds the
		// ones published before as well.
		for _, l := range opts.Locales {
			if pl := res.Publication.Locales[l]; pl != nil {
				fmt.Fprintf(opts.out, "%-6s %s\n", l, address(pl))
			}
		}
		return nil
	})
}

// address is where a published locale can be read: the absolute URL the
// server gives, which only it knows (the site may run anywhere), or the
// path alone for a record written before the server gave one.
func address(pl *eventsv1.PublishedLocale) string {
	return cmp.Or(pl.GetUrl(), pl.GetPath())
}

// schedulesOptions are the inputs of tandem schedules.
type schedulesOptions struct {
	*session
	Article string
}

// schedulesCmd lists and cancels planned publications.
func schedulesCmd() *cobra.Command {
	opts := &schedulesOptions{session: &session{}}
	cmd := verb(&cobra.Command{Use: "schedules ARTICLE", Short: "List an article's planned publications (publishers, editors)"}, opts, runSchedules, &opts.Article)
	opts.bind(cmd)
	cancel := &scheduleCancelOptions{session: opts.session}
	cmd.AddCommand(verb(&cobra.Command{Use: "cancel ARTICLE SCHEDULE", Short: "Cancel a planned publication"}, cancel, runScheduleCancel, &cancel.Article, &cancel.Schedule))
	return cmd
}

// runSchedules lists the article's planned publications.
func runSchedules(ctx context.Context, opts *schedulesOptions) error {
	return opts.call(ctx, func(ctx context.Context, c *client) error {
		res, err := c.Publishing.ListSchedules(ctx, &publishingv1.ListSchedulesRequest{ArticleId: opts.Article}, c.as)
		if err != nil {
			return err
		}
		if len(res.Schedules) == 0 {
			fmt.Fprintf(opts.out, "no schedules for %s\n", opts.Article)
		}
		for _, x := range res.Schedules {
			fmt.Fprintf(opts.out, "%s  %s  %-9s %s %s\n", x.Id, x.At.AsTime().Local().Format(time.RFC3339),
				strings.ToLower(strings.TrimPrefix(x.Status.String(), "SCHEDULE_STATUS_")), strings.Join(x.Locales, ","), x.Reason)
		}
		return nil
	})
}

// scheduleCancelOptions are the inputs of tandem schedules cancel.
type scheduleCancelOptions struct {
	*session
	Article, Schedule string
}

// runScheduleCancel cancels one planned publication.
func runScheduleCancel(ctx context.Context, opts *scheduleCancelOptions) error {
	return opts.call(ctx, func(ctx context.Context, c *client) error {
		_, err := c.Publishing.CancelSchedule(ctx, &publishingv1.CancelScheduleRequest{ArticleId: opts.Article, ScheduleId: opts.Schedule}, c.as)
		return opts.report(err, "cancelled %s\n", opts.Schedule)
	})
}

// correctOptions are the inputs of tandem correct.
type correctOptions struct {
	*session
	Article string
	Locales []string
	Note    string
}

// correctCmd republishes locales with a public correction note.
func correctCmd() *cobra.Command {
	opts := &correctOptions{session: &session{}}
	cmd := verb(&cobra.Command{
		Use:   "correct ARTICLE --note TEXT",
		Short: "Republish an article's current text with a public correction note (publishers)",
	}, opts, runCorrect, &opts.Article)
	opts.bind(cmd)
	cmd.Flags().StringSliceVar(&opts.Locales, "locale", siteconfig.Locales, "locales to correct")
	cmd.Flags().StringVar(&opts.Note, "note", "", "the correction readers see (required)")
	return cmd
}

// runCorrect republishes the locales with the note and prints their
// paths.
func runCorrect(ctx context.Context, opts *correctOptions) error {
	return opts.call(ctx, func(ctx context.Context, c *client) error {
		res, err := c.Publishing.CorrectArticle(ctx, &publishingv1.CorrectArticleRequest{ArticleId: opts.Article, Locales: opts.Locales, Note: opts.Note}, c.as)
		if err != nil {
			return err
		}
		for _, l := range opts.Locales {
			if pl := res.Publication.Locales[l]; pl != nil {
				fmt.Fprintf(opts.out, "corrected %-6s %s\n", l, pl.Path)
			}
		}
		return nil
	})
}

// unpublishOptions are the inputs of tandem unpublish.
type unpublishOptions struct {
	*session
	Article string
	Locales []string
	Reason  string
}

// unpublishCmd takes locales down.
func unpublishCmd() *cobra.Command {
	opts := &unpublishOptions{session: &session{}}
	cmd := verb(&cobra.Command{
		Use:   "unpublish ARTICLE --locale en --reason TEXT",
		Short: "Take locales of an article off the site; their addresses answer 410 Gone (publishers)",
	}, opts, runUnpublish, &opts.Article)
	opts.bind(cmd)
	cmd.Flags().StringSliceVar(&opts.Locales, "locale", nil, "locales to take down (required)")
	cmd.Flags().StringVar(&opts.Reason, "reason", "", "why, for the newsroom's record (required)")
	return cmd
}

// runUnpublish takes the locales down and prints the paths that now
// answer 410 Gone.
func runUnpublish(ctx context.Context, opts *unpublishOptions) error {
	return opts.call(ctx, func(ctx context.Context, c *client) error {
		res, err := c.Publishing.UnpublishArticle(ctx, &publishingv1.UnpublishArticleRequest{ArticleId: opts.Article, Locales: opts.Locales, Reason: opts.Reason}, c.as)
		if err != nil {
			return err
		}
		for _, l := range opts.Locales {
			if td := res.Publication.TakenDown[l]; td != nil {
				fmt.Fprintf(opts.out, "took down %-6s %s\n", l, td.Path)
			}
		}
		return nil
	})
}
