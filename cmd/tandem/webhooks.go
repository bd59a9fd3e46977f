package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	webhooksv1 "github.com/tandemnews/tandem/proto/tandem/webhooks/v1"
)

// webhooksCmd holds the admins' webhook verbs: add, list, remove,
// rotate-secret, dead-letters and redeliver.
func webhooksCmd() *cobra.Command {
	s := &session{}
	cmd := &cobra.Command{Use: "webhooks", Short: "Send the public events to HTTP endpoints, signed (admins)"}
	s.bind(cmd)
	list := &webhooksListOptions{session: s}
	remove := &webhookOptions{session: s}
	dead := &webhookOptions{session: s}
	cmd.AddCommand(
		webhooksAddCmd(s),
		verb(&cobra.Command{Use: "list", Short: "List the endpoints, their event types and dead letters"}, list, runWebhooksList),
		verb(&cobra.Command{Use: "remove ENDPOINT", Short: "Stop delivering to an endpoint and forget it"}, remove, runWebhooksRemove, &remove.ID),
		webhooksRotateCmd(s),
		verb(&cobra.Command{Use: "dead-letters ENDPOINT", Short: "List the deliveries that failed on their last try"}, dead, runWebhooksDead, &dead.ID),
		webhooksRedeliverCmd(s),
	)
	return cmd
}

// webhookOptions are the inputs of a verb about one endpoint.
type webhookOptions struct {
	*session
	ID string
}

// webhooksAddOptions are the inputs of tandem webhooks add.
type webhooksAddOptions struct {
	*session
	URL          string
	Types        []string
	AllowPrivate bool
	Description  string
}

func webhooksAddCmd(s *session) *cobra.Command {
	opts := &webhooksAddOptions{session: s}
	cmd := verb(&cobra.Command{
		Use:   "add URL [--type TYPE]...",
		Short: "Register an endpoint; prints its signing secret once",
	}, opts, runWebhooksAdd, &opts.URL)
	cmd.Flags().StringSliceVar(&opts.Types, "type", nil, "event types to send (tandem.article.published, .corrected, .unpublished); default all")
	cmd.Flags().BoolVar(&opts.AllowPrivate, "allow-private-address", false, "allow a loopback, link-local or private address (recorded with your name)")
	cmd.Flags().StringVar(&opts.Description, "description", "", "what the endpoint is for")
	return cmd
}

// runWebhooksAdd registers the endpoint and prints its id and secret.
func runWebhooksAdd(ctx context.Context, opts *webhooksAddOptions) error {
	return opts.call(ctx, func(ctx context.Context, c *client) error {
		res, err := c.Webhooks.AddEndpoint(ctx, &webhooksv1.AddEndpointRequest{Url: opts.URL, EventTypes: opts.Types, AllowPrivateAddress: opts.AllowPrivate, Description: opts.Description}, c.as)
		if err != nil {
			return err
		}
		ep := res.Endpoint
		return opts.report(nil, "added endpoint %s for %s (%s)\nsigning secret, shown this once: %s\n",
			ep.Id, ep.Url, typesOf(ep), ep.Secrets[0].Secret)
	})
}

func typesOf(ep *webhooksv1.Endpoint) string {
	if len(ep.GetEventTypes()) == 0 {
		return "every public event"
	}
	return strings.Join(ep.GetEventTypes(), ", ")
}

// webhooksListOptions are the inputs of tandem webhooks list.
type webhooksListOptions struct{ *session }

// runWebhooksList prints a line per endpoint.
func runWebhooksList(ctx context.Context, opts *webhooksListOptions) error {
	return opts.call(ctx, func(ctx context.Context, c *client) error {
		res, err := c.Webhooks.ListEndpoints(ctx, &webhooksv1.ListEndpointsRequest{}, c.as)
		if err != nil {
			return err
		}
		w := table(opts.out)
		fmt.Fprintln(w, "ENDPOINT\tURL\tEVENTS\tSECRETS\tDEAD\tNOTE")
		for _, ep := range res.Endpoints {
			note := ep.Description
			if ep.AllowPrivateAddress {
				note = strings.TrimSpace(note + " (private address allowed by " + ep.GetCreated().GetActor().GetUserId() + ")")
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%d\t%s\n", ep.Id, ep.Url, typesOf(ep), len(ep.Secrets), res.DeadLetters[ep.Id], or(note, "-"))
		}
		fmt.Fprintf(w, "%d endpoint(s)\n", len(res.Endpoints))
		return w.Flush()
	})
}

// runWebhooksRemove removes the endpoint.
func runWebhooksRemove(ctx context.Context, opts *webhookOptions) error {
	return opts.call(ctx, func(ctx context.Context, c *client) error {
		_, err := c.Webhooks.RemoveEndpoint(ctx, &webhooksv1.RemoveEndpointRequest{Id: opts.ID}, c.as)
		return opts.report(err, "removed endpoint %s\n", opts.ID)
	})
}

// webhooksRotateOptions are the inputs of tandem webhooks rotate-secret.
type webhooksRotateOptions struct {
	*session
	ID      string
	Overlap time.Duration
}

func webhooksRotateCmd(s *session) *cobra.Command {
	opts := &webhooksRotateOptions{session: s}
	cmd := verb(&cobra.Command{
		Use:   "rotate-secret ENDPOINT [--overlap 24h]",
		Short: "Make a new signing secret; the old one signs beside it until the overlap ends",
	}, opts, runWebhooksRotate, &opts.ID)
	cmd.Flags().DurationVar(&opts.Overlap, "overlap", 24*time.Hour, "how long the old secret goes on signing (at most 168h)")
	return cmd
}

// runWebhooksRotate prints the new secret and until when the old one
// signs.
func runWebhooksRotate(ctx context.Context, opts *webhooksRotateOptions) error {
	if opts.Overlap < time.Second {
		return fmt.Errorf("--overlap %s: at least 1s, so receivers have time to take the new secret", opts.Overlap)
	}
	return opts.call(ctx, func(ctx context.Context, c *client) error {
		res, err := c.Webhooks.RotateSecret(ctx, &webhooksv1.RotateSecretRequest{Id: opts.ID, OverlapSeconds: uint32(min(opts.Overlap/time.Second, 1<<31))}, c.as)
		if err != nil {
			return err
		}
		secrets := res.Endpoint.Secrets
		fmt.Fprintf(opts.out, "new signing secret for %s, shown this once: %s\n", opts.ID, secrets[0].Secret)
		if len(secrets) > 1 {
			fmt.Fprintf(opts.out, "the previous secret signs beside it until %s\n", secrets[1].Expires.AsTime().Format(time.RFC3339))
		}
		return nil
	})
}

// runWebhooksDead lists the endpoint's dead letters.
func runWebhooksDead(ctx context.Context, opts *webhookOptions) error {
	return opts.call(ctx, func(ctx context.Context, c *client) error {
		res, err := c.Webhooks.ListDeadLetters(ctx, &webhooksv1.ListDeadLettersRequest{EndpointId: opts.ID}, c.as)
		if err != nil {
			return err
		}
		w := table(opts.out)
		fmt.Fprintln(w, "WEBHOOK-ID\tTYPE\tARTICLE\tREVISION\tTRIES\tFAILED\tREASON")
		for _, d := range res.DeadLetters {
			fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%d\t%s\t%s\n", d.WebhookId, d.EventType, d.ArticleId, d.Revision, d.Attempts, d.Failed.AsTime().Format(time.RFC3339), d.Reason)
		}
		fmt.Fprintf(w, "%d dead letter(s)\n", len(res.DeadLetters))
		return w.Flush()
	})
}

// webhooksRedeliverOptions are the inputs of tandem webhooks redeliver.
type webhooksRedeliverOptions struct {
	*session
	ID  string
	IDs []string
}

func webhooksRedeliverCmd(s *session) *cobra.Command {
	opts := &webhooksRedeliverOptions{session: s}
	cmd := &cobra.Command{
		Use:   "redeliver ENDPOINT [WEBHOOK-ID ...]",
		Short: "Send dead letters again, once each (all of the endpoint's without ids)",
		Args:  cobra.MinimumNArgs(1),
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		opts.ID, opts.IDs = args[0], args[1:]
		return runWebhooksRedeliver(cmd.Context(), opts)
	}
	return cmd
}

// runWebhooksRedeliver sends the dead letters again and says how each
// went; it fails when any is still failing.
func runWebhooksRedeliver(ctx context.Context, opts *webhooksRedeliverOptions) error {
	return opts.call(ctx, func(ctx context.Context, c *client) error {
		res, err := c.Webhooks.Redeliver(ctx, &webhooksv1.RedeliverRequest{EndpointId: opts.ID, WebhookIds: opts.IDs}, c.as)
		if err != nil {
			return err
		}
		for _, id := range res.Delivered {
			fmt.Fprintf(opts.out, "delivered %s\n", id)
		}
		for _, d := range res.Failed {
			fmt.Fprintf(opts.out, "still failing %s: %s\n", d.WebhookId, d.Reason)
		}
		fmt.Fprintf(opts.out, "%d delivered, %d still failing\n", len(res.Delivered), len(res.Failed))
		if len(res.Failed) > 0 {
			return fmt.Errorf("%d dead letter(s) still failing; `tandem webhooks dead-letters %s` lists them", len(res.Failed), opts.ID)
		}
		return nil
	})
}
