package main

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	tclient "github.com/tandemnews/tandem/internal/client"

	"github.com/spf13/cobra"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/tandemnews/tandem/pkg/rpc"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
	webhooksv1 "github.com/tandemnews/tandem/proto/tandem/webhooks/v1"
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

// dialTLS connects to addr over TLS verified with creds.
func dialTLS(addr string, creds credentials.TransportCredentials) (*client, error) {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(creds),
		grpc.WithStatsHandler(otelgrpc.NewClientHandler()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(rpc.MaxMessageBytes)))
	if err != nil {
		return nil, err
	}
	return &client{Client: &tclient.Client{
		Conn:       conn,
		Drafting:   draftingv1.NewDraftingServiceClient(conn),
		Review:     reviewv1.NewReviewServiceClient(conn),
		Publishing: publishingv1.NewPublishingServiceClient(conn),
		Webhooks:   webhooksv1.NewWebhooksServiceClient(conn),
	}, as: grpc.EmptyCallOption{}}, nil
}

// tlsCreds are the credentials of a TLS connection to Tandem's gRPC
// services: the server's certificate is verified against the CA in the
// PEM file caFile, or against the system's roots when caFile is empty.
func tlsCreds(caFile string) (credentials.TransportCredentials, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("--tls-ca: %w", err)
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--tls-ca %s: no PEM certificate in it", caFile)
		}
	}
	return credentials.NewTLS(cfg), nil
}

func token(t string) grpc.CallOption { return tclient.Token(t) }

// session is what every client verb needs: where Tandem is, the caller's
// token, where to print, and where to read text given as "-".
type session struct {
	addr, token string
	// tls dials with TLS, verified against the CA in tlsCA or, when it
	// is empty, the system's roots; a CA given turns TLS on.
	tls   bool
	tlsCA string
	// bad holds the environment values that did not parse: a verb
	// refuses to run on them.
	bad []error
	in  io.Reader
	out io.Writer
}

// bind registers --addr and --token on cmd and its verbs, and has each
// verb use its command's input and output.
func (s *session) bind(cmd *cobra.Command) {
	cmd.PersistentFlags().StringVar(&s.addr, "addr", env("TANDEM_ADDR", "127.0.0.1:7070"), "Tandem gRPC address (TANDEM_ADDR)")
	// The token's default is read when a verb runs, not shown in --help:
	// the help of a signed-in user prints no secret.
	cmd.PersistentFlags().StringVar(&s.token, "token", "", "your bearer token (default $TANDEM_TOKEN)")
	cmd.PersistentFlags().BoolVar(&s.tls, "tls", envBool(&s.bad, "TANDEM_TLS"), "connect with TLS, verified against the system's roots or --tls-ca (TANDEM_TLS=true)")
	cmd.PersistentFlags().StringVar(&s.tlsCA, "tls-ca", env("TANDEM_TLS_CA", ""), "PEM file of the CA that signed the gRPC server's certificate; turns TLS on (TANDEM_TLS_CA)")
	cmd.PersistentPreRun = func(cmd *cobra.Command, _ []string) {
		s.in, s.out = cmd.InOrStdin(), cmd.OutOrStdout()
		traceVerb(cmd.Context())
	}
}

// call dials, calls fn with a client signed in as the caller and a
// context that carries a time limit, and turns gRPC errors into
// sentences.
func (s *session) call(ctx context.Context, fn func(ctx context.Context, c *client) error) error {
	if err := errors.Join(s.bad...); err != nil {
		return err
	}
	tok := cmp.Or(s.token, os.Getenv("TANDEM_TOKEN"))
	if tok == "" {
		return errors.New("no token: set TANDEM_TOKEN (tandem dev prints one per role) or pass --token")
	}
	c, err := s.dial()
	if err != nil {
		return err
	}
	defer c.Close()
	c.as = token(tok)
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	return describeCall(s.addr, fn(ctx, c))
}

// envBool reads a true or false from the environment. Anything else is
// kept in bad, to be refused by name, and reads as false.
func envBool(bad *[]error, key string) bool {
	v := os.Getenv(key)
	if v == "" {
		return false
	}
	b, err := strconv.ParseBool(strings.TrimSpace(v))
	if err != nil {
		*bad = append(*bad, fmt.Errorf("%s=%q is not true or false", key, v))
	}
	return b
}

// dial connects to --addr, over TLS when --tls or --tls-ca asks for it.
func (s *session) dial() (*client, error) {
	if !s.tls && s.tlsCA == "" {
		return dial(s.addr)
	}
	creds, err := tlsCreds(s.tlsCA)
	if err != nil {
		return nil, err
	}
	return dialTLS(s.addr, creds)
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
