package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	tclient "github.com/tandemnews/tandem/internal/client"

	"github.com/spf13/cobra"
	"google.golang.org/grpc"
)

// client talks to Tandem's gRPC services as one caller.
type client struct {
	*tclient.Client
	// as signs each call of a verb in as its caller; a client of dial
	// alone sends no token until it is given one.
	as grpc.CallOption
}

func dial(addr string) (*client, error) {
	c, err := tclient.Dial(addr)
	if err != nil {
		return nil, err
	}
	return &client{Client: c, as: grpc.EmptyCallOption{}}, nil
}

func token(t string) grpc.CallOption { return tclient.Token(t) }

// session is what every client verb needs: where Tandem is, the caller's
// token, where to print, and where to read text given as "-".
type session struct {
	addr, token string
	in          io.Reader
	out         io.Writer
}

// bind registers --addr and --token on cmd and its verbs, and has each
// verb use its command's input and output.
func (s *session) bind(cmd *cobra.Command) {
	cmd.PersistentFlags().StringVar(&s.addr, "addr", env("TANDEM_ADDR", "127.0.0.1:7070"), "Tandem gRPC address (TANDEM_ADDR)")
	cmd.PersistentFlags().StringVar(&s.token, "token", env("TANDEM_TOKEN", ""), "your bearer token (TANDEM_TOKEN)")
	cmd.PersistentPreRun = func(cmd *cobra.Command, _ []string) { s.in, s.out = cmd.InOrStdin(), cmd.OutOrStdout() }
}

// call dials, calls fn with a client signed in as the caller and a
// context that carries a time limit, and turns gRPC errors into
// sentences.
func (s *session) call(ctx context.Context, fn func(ctx context.Context, c *client) error) error {
	if s.token == "" {
		return errors.New("no token: set TANDEM_TOKEN (tandem dev prints one per role) or pass --token")
	}
	c, err := dial(s.addr)
	if err != nil {
		return err
	}
	defer c.Close()
	c.as = token(s.token)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return describe(fn(ctx, c))
}

// report prints what a verb did, once its call has succeeded. The
// arguments are read before the error is, so they come from nil-safe
// getters.
func (s *session) report(err error, format string, a ...any) error {
	if err != nil {
		return err
	}
	fmt.Fprintf(s.out, format, a...)
	return nil
}

// verb completes the command of one verb: cobra fills the flags bound to
// opts, the positional arguments go to args in order, and run does the
// work. Without Args of its own the command takes exactly len(args).
func verb[O any](cmd *cobra.Command, opts O, run func(context.Context, O) error, args ...*string) *cobra.Command {
	switch {
	case cmd.Args != nil:
	case len(args) == 0:
		cmd.Args = cobra.NoArgs
	default:
		cmd.Args = cobra.ExactArgs(len(args))
	}
	cmd.RunE = func(cmd *cobra.Command, values []string) error {
		for i, a := range args {
			*a = values[i]
		}
		return run(cmd.Context(), opts)
	}
	return cmd
}

// articleOptions are the inputs of a verb that reads one article and
// takes nothing else.
type articleOptions struct {
	*session
	ID string
}

// change is what every verb that changes a draft or a job at the revision
// its caller read shares.
type change struct {
	*session
	ID       string // the article
	Revision uint64 // the revision read; 0: the current one
}

// bind registers --revision; read says whose revision it is.
func (o *change) bind(read string, cmd *cobra.Command) *cobra.Command {
	cmd.Flags().Uint64Var(&o.Revision, "revision", 0, read+" (default: the current one)")
	return cmd
}

// apply calls fn with the revision to act on: the one given with
// --revision, or else the one current reads.
func (o *change) apply(ctx context.Context, current func(ctx context.Context, c *client, id string) (uint64, error), fn func(ctx context.Context, c *client, rev uint64) error) error {
	return o.call(ctx, func(ctx context.Context, c *client) error {
		rev := o.Revision
		if rev == 0 {
			var err error
			if rev, err = current(ctx, c, o.ID); err != nil {
				return err
			}
		}
		return fn(ctx, c, rev)
	})
}
