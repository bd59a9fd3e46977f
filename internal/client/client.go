// Package client is a gRPC client of Tandem's services: one
// connection, a client per service, the caller's token per call, and the
// whole flow from draft to publication that the demo articles and the
// system tests walk.
package client

import (
	"context"
	"fmt"
	"slices"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/rpc"
	"github.com/tandemnews/tandem/pkg/siteconfig"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	authv1 "github.com/tandemnews/tandem/proto/tandem/auth/v1"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	mediav1 "github.com/tandemnews/tandem/proto/tandem/media/v1"
	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
	webhooksv1 "github.com/tandemnews/tandem/proto/tandem/webhooks/v1"
)

// Client talks to the gRPC services: one connection, a client per
// service, the caller's token per call.
type Client struct {
	Conn       *grpc.ClientConn
	Drafting   draftingv1.DraftingServiceClient
	Review     reviewv1.ReviewServiceClient
	Publishing publishingv1.PublishingServiceClient
	Webhooks   webhooksv1.WebhooksServiceClient
	Media      mediav1.MediaServiceClient
	Sessions   authv1.SessionServiceClient
}

// Dial connects to the gRPC server at addr, in plaintext.
func Dial(addr string) (*Client, error) { return DialWith(addr, insecure.NewCredentials()) }

// DialWith connects to the gRPC server at addr with the transport
// credentials (TLS).
func DialWith(addr string, creds credentials.TransportCredentials) (*Client, error) {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(creds),
		grpc.WithStatsHandler(otelgrpc.NewClientHandler()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(rpc.MaxMessageBytes)))
	if err != nil {
		return nil, err
	}
	return &Client{
		Conn:       conn,
		Drafting:   draftingv1.NewDraftingServiceClient(conn),
		Review:     reviewv1.NewReviewServiceClient(conn),
		Publishing: publishingv1.NewPublishingServiceClient(conn),
		Webhooks:   webhooksv1.NewWebhooksServiceClient(conn),
		Media:      mediav1.NewMediaServiceClient(conn),
		Sessions:   authv1.NewSessionServiceClient(conn),
	}, nil
}

// Close closes the connection.
func (c *Client) Close() { c.Conn.Close() }

// Token is the call option that sends a bearer token.
func Token(t string) grpc.CallOption { return grpc.PerRPCCredentials(auth.Credentials(t)) }

// Walk creates, submits, approves and publishes one article in every
// locale, each step as the role whose job it is.
func (c *Client) Walk(ctx context.Context, a *articlev1.Article, tokens map[auth.Role]string) (*eventsv1.Publication, error) {
	id, err := c.Approve(ctx, a, tokens)
	if err != nil {
		return nil, err
	}
	res, err := c.Publishing.PublishArticle(ctx, &publishingv1.PublishArticleRequest{ArticleId: id, Locales: siteconfig.Locales}, Token(tokens[auth.Publisher]))
	if err != nil {
		return nil, err
	}
	return res.Publication, nil
}

// Approve creates, submits and approves an article, ready to publish, and
// returns its id.
func (c *Client) Approve(ctx context.Context, a *articlev1.Article, tokens map[auth.Role]string) (string, error) {
	editor, translator := Token(tokens[auth.Editor]), Token(tokens[auth.Translator])
	created, err := c.Drafting.CreateDraft(ctx, &draftingv1.CreateDraftRequest{Article: a}, editor)
	if err != nil {
		return "", err
	}
	d := created.Draft
	id := d.Article.Id
	if _, err := c.Drafting.SubmitDraft(ctx, &draftingv1.SubmitDraftRequest{Id: id, ExpectedRevision: d.Revision}, editor); err != nil {
		return "", err
	}
	job, err := c.openedJob(ctx, id, translator)
	if err != nil {
		return "", err
	}
	if _, err := c.Review.ApproveJob(ctx, &reviewv1.ApproveJobRequest{ArticleId: id, ExpectedRevision: job.Revision}, translator); err != nil {
		return "", err
	}
	return id, nil
}

// openedJob waits for review to open the job of a submitted article: it
// does so on the drafting event, a moment after the submission. It waits
// on the list of open jobs, which answers without an error while the job
// is not there yet (a GetJob would fail with NotFound, and each such call
// is logged by the server), then reads the job.
func (c *Client) openedJob(ctx context.Context, id string, translator grpc.CallOption) (*reviewv1.Job, error) {
	const patience = 15 * time.Second
	deadline := time.Now().Add(patience)
	open := &reviewv1.ListJobsRequest{Status: reviewv1.JobStatus_JOB_STATUS_OPEN, PageSize: 500}
	for {
		res, err := c.Review.ListJobs(ctx, open, translator)
		if err != nil {
			return nil, err
		}
		if slices.ContainsFunc(res.Jobs, func(j *reviewv1.JobSummary) bool { return j.ArticleId == id }) {
			got, err := c.Review.GetJob(ctx, &reviewv1.GetJobRequest{ArticleId: id}, translator)
			if err != nil {
				return nil, err
			}
			return got.Job, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("the translation job of %s did not open within %v", id, patience)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
