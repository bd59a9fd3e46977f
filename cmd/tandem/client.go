package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/rpc"
	"github.com/tandemnews/tandem/pkg/siteconfig"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

// client talks to Tandem's gRPC services.
type client struct {
	conn       *grpc.ClientConn
	drafting   draftingv1.DraftingServiceClient
	review     reviewv1.ReviewServiceClient
	publishing publishingv1.PublishingServiceClient
}

func dial(addr string) (*client, error) {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(rpc.MaxMessageBytes)))
	if err != nil {
		return nil, err
	}
	return &client{
		conn:       conn,
		drafting:   draftingv1.NewDraftingServiceClient(conn),
		review:     reviewv1.NewReviewServiceClient(conn),
		publishing: publishingv1.NewPublishingServiceClient(conn),
	}, nil
}

func (c *client) close() { c.conn.Close() }

func token(t string) grpc.CallOption { return grpc.PerRPCCredentials(auth.Credentials(t)) }

// session is what every client verb needs: a connection, the caller's
// token, and where to print.
type session struct {
	addr, token string
	out         io.Writer
}

func (s *session) bind(cmd *cobra.Command) {
	cmd.PersistentFlags().StringVar(&s.addr, "addr", env("TANDEM_ADDR", "127.0.0.1:7070"), "Tandem gRPC address (TANDEM_ADDR)")
	cmd.PersistentFlags().StringVar(&s.token, "token", env("TANDEM_TOKEN", ""), "your bearer token (TANDEM_TOKEN)")
}

// run dials, calls fn with a context that carries a time limit, and turns
// gRPC errors into sentences.
func (s *session) run(cmd *cobra.Command, fn func(ctx context.Context, c *client, auth grpc.CallOption) error) error {
	if s.token == "" {
		return errors.New("no token: set TANDEM_TOKEN (tandem dev prints one per role) or pass --token")
	}
	s.out = cmd.OutOrStdout()
	c, err := dial(s.addr)
	if err != nil {
		return err
	}
	defer c.close()
	ctx, cancel := context.WithTimeout(cmd.Context(), 30*time.Second)
	defer cancel()
	return describe(fn(ctx, c, token(s.token)))
}

// describe turns a gRPC status into plain sentences, naming each field.
func describe(err error) error {
	st, ok := status.FromError(err)
	if err == nil || !ok {
		return err
	}
	var b strings.Builder
	switch st.Code() {
	case codes.InvalidArgument:
		b.WriteString("the request was not accepted:")
	case codes.Unauthenticated:
		b.WriteString("not signed in: " + st.Message() + " (check TANDEM_TOKEN)")
	case codes.PermissionDenied:
		b.WriteString("not allowed: " + st.Message())
	case codes.NotFound:
		b.WriteString(st.Message())
	case codes.Aborted:
		b.WriteString("someone else changed it first: " + st.Message())
	case codes.FailedPrecondition:
		b.WriteString("not possible yet: " + st.Message())
	case codes.Unavailable:
		b.WriteString("Tandem is not reachable (" + st.Message() + "); is `tandem dev` running?")
	default:
		b.WriteString(st.Code().String() + ": " + st.Message())
	}
	for _, d := range st.Details() {
		switch d := d.(type) {
		case *errdetails.BadRequest:
			for _, v := range d.FieldViolations {
				fmt.Fprintf(&b, "\n  - %s %s", v.Field, v.Description)
			}
		case *errdetails.ErrorInfo:
			fmt.Fprintf(&b, "\n  (reason %s)", d.Reason)
		}
	}
	return errors.New(b.String())
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

func publishCmd() *cobra.Command {
	var s session
	var locales []string
	var at string
	cmd := &cobra.Command{
		Use:   "publish ARTICLE [--at TIME]",
		Short: "Publish locales of an article to the public site, now or at a time (publishers)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var when time.Time
			if at != "" {
				t, err := time.Parse(time.RFC3339, at)
				if err != nil {
					return fmt.Errorf("--at %q: write it as 2026-12-01T09:00:00+08:00", at)
				}
				when = t
			}
			return s.run(cmd, func(ctx context.Context, c *client, t grpc.CallOption) error {
				if !when.IsZero() {
					res, err := c.publishing.SchedulePublish(ctx, &publishingv1.SchedulePublishRequest{ArticleId: args[0], Locales: locales, At: timestamppb.New(when)}, t)
					if err != nil {
						return err
					}
					fmt.Fprintf(s.out, "scheduled %s for %s (schedule %s; cancel with tandem schedules cancel %s %s)\n",
						strings.Join(locales, ", "), when.Format(time.RFC3339), res.Schedule.Id, args[0], res.Schedule.Id)
					return nil
				}
				res, err := c.publishing.PublishArticle(ctx, &publishingv1.PublishArticleRequest{ArticleId: args[0], Locales: locales}, t)
				if err != nil {
					return err
				}
				site := env("TANDEM_SITE_URL", "http://localhost:8080")
				for _, l := range siteconfig.Locales {
					if pl := res.Publication.Locales[l]; pl != nil {
						fmt.Fprintf(s.out, "%-6s %s%s\n", l, strings.TrimRight(site, "/"), pl.Path)
					}
				}
				return nil
			})
		},
	}
	s.bind(cmd)
	cmd.Flags().StringSliceVar(&locales, "locale", siteconfig.Locales, "locales to publish (repeat or separate with commas)")
	cmd.Flags().StringVar(&at, "at", "", "publish at this time (RFC 3339, e.g. 2026-12-01T09:00:00+08:00) instead of now")
	return cmd
}

// schedulesCmd lists and cancels planned publications.
func schedulesCmd() *cobra.Command {
	var s session
	cmd := &cobra.Command{
		Use:   "schedules ARTICLE",
		Short: "List an article's planned publications (publishers, editors)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return s.run(cmd, func(ctx context.Context, c *client, t grpc.CallOption) error {
				res, err := c.publishing.ListSchedules(ctx, &publishingv1.ListSchedulesRequest{ArticleId: args[0]}, t)
				if err != nil {
					return err
				}
				for _, x := range res.Schedules {
					fmt.Fprintf(s.out, "%s  %s  %-9s %s %s\n", x.Id, x.At.AsTime().Local().Format(time.RFC3339),
						strings.ToLower(strings.TrimPrefix(x.Status.String(), "SCHEDULE_STATUS_")), strings.Join(x.Locales, ","), x.Reason)
				}
				return nil
			})
		},
	}
	s.bind(cmd)
	cmd.AddCommand(&cobra.Command{
		Use:   "cancel ARTICLE SCHEDULE",
		Short: "Cancel a planned publication",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return s.run(cmd, func(ctx context.Context, c *client, t grpc.CallOption) error {
				if _, err := c.publishing.CancelSchedule(ctx, &publishingv1.CancelScheduleRequest{ArticleId: args[0], ScheduleId: args[1]}, t); err != nil {
					return err
				}
				fmt.Fprintf(s.out, "cancelled %s\n", args[1])
				return nil
			})
		},
	})
	return cmd
}

// correctCmd republishes locales with a public correction note.
func correctCmd() *cobra.Command {
	var s session
	var locales []string
	var note string
	cmd := &cobra.Command{
		Use:   "correct ARTICLE --note TEXT",
		Short: "Republish an article's current text with a public correction note (publishers)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return s.run(cmd, func(ctx context.Context, c *client, t grpc.CallOption) error {
				res, err := c.publishing.CorrectArticle(ctx, &publishingv1.CorrectArticleRequest{ArticleId: args[0], Locales: locales, Note: note}, t)
				if err != nil {
					return err
				}
				for _, l := range locales {
					if pl := res.Publication.Locales[l]; pl != nil {
						fmt.Fprintf(s.out, "corrected %-6s %s\n", l, pl.Path)
					}
				}
				return nil
			})
		},
	}
	s.bind(cmd)
	cmd.Flags().StringSliceVar(&locales, "locale", siteconfig.Locales, "locales to correct")
	cmd.Flags().StringVar(&note, "note", "", "the correction readers see (required)")
	return cmd
}

// unpublishCmd takes locales down.
func unpublishCmd() *cobra.Command {
	var s session
	var locales []string
	var reason string
	cmd := &cobra.Command{
		Use:   "unpublish ARTICLE --locale en --reason TEXT",
		Short: "Take locales of an article off the site; their addresses answer 410 Gone (publishers)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return s.run(cmd, func(ctx context.Context, c *client, t grpc.CallOption) error {
				res, err := c.publishing.UnpublishArticle(ctx, &publishingv1.UnpublishArticleRequest{ArticleId: args[0], Locales: locales, Reason: reason}, t)
				if err != nil {
					return err
				}
				for _, l := range locales {
					if td := res.Publication.TakenDown[l]; td != nil {
						fmt.Fprintf(s.out, "took down %-6s %s\n", l, td.Path)
					}
				}
				return nil
			})
		},
	}
	s.bind(cmd)
	cmd.Flags().StringSliceVar(&locales, "locale", nil, "locales to take down (required)")
	cmd.Flags().StringVar(&reason, "reason", "", "why, for the newsroom's record (required)")
	return cmd
}
