package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// healthTimeout bounds one health check: a probe that hangs is a failure.
const healthTimeout = 5 * time.Second

// healthCmd asks a Tandem process whether it is healthy. The image has no
// shell and no curl, so container health checks (deploy/compose.yaml)
// run this verb of the same binary.
func healthCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "health ADDR|URL",
		Short: "Exit 0 when the gRPC server at ADDR is SERVING, or URL answers 200",
		Long: `health asks the gRPC health service (grpc.health.v1, no token needed) at
ADDR, on a plaintext connection, and exits 0 when it says SERVING: the
server is up and has its NATS connection. Given an http:// URL instead
(the site's or the desk's /readyz), it exits 0 when the URL answers 200.
Anything else, or no answer within 5 seconds, exits 1 and says why.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := context.WithTimeout(cmd.Context(), healthTimeout)
			defer cancel()
			if err := checkHealth(ctx, args[0]); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), "healthy")
			return nil
		},
	}
}

func checkHealth(ctx context.Context, target string) error {
	if strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://") {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
		if err != nil {
			return err
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return fmt.Errorf("%s: %w", target, err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("%s answered %s", target, res.Status)
		}
		return nil
	}
	conn, err := grpc.NewClient(target, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	res, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
	if err != nil {
		return fmt.Errorf("health of %s: %w", target, err)
	}
	if res.Status != healthpb.HealthCheckResponse_SERVING {
		return fmt.Errorf("%s is %s", target, res.Status)
	}
	return nil
}
