package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/tandemnews/tandem/internal/stack"

	"github.com/spf13/cobra"

	"github.com/tandemnews/tandem/pkg/auth"
)

func serveCmd() *cobra.Command {
	var c config
	cmd := &cobra.Command{
		Use:       "serve drafting|review|publishing|site ...",
		Short:     "Run one or more services against NATS_URL and REDIS_URL",
		Args:      cobra.MatchAll(cobra.MinimumNArgs(1), cobra.OnlyValidArgs),
		ValidArgs: stack.Services,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runServe(ctx, &c, args)
		},
	}
	c.bind(cmd.Flags())
	return cmd
}

func runServe(ctx context.Context, c *config, services []string) error {
	log := c.logger()
	if c.NATSURL == "" {
		c.NATSURL = "nats://127.0.0.1:4222"
	}
	// The site alone only reads PUBLIC: it neither creates streams nor
	// needs credentials for anything else.
	siteOnly := len(services) == 1 && services[0] == "site"
	bus, closeBus, err := c.openBus(ctx, c.NATSURL, "tandem-"+strings.Join(services, "-"), siteOnly)
	if err != nil {
		return err
	}
	defer closeBus()
	sc, err := c.site()
	if err != nil {
		return err
	}
	fb, err := c.fallback()
	if err != nil {
		return err
	}
	cfg := stack.Config{Services: services, Bus: bus, Site: sc, PublishingAddr: c.PublishingAddr, Rate: c.Rate, Burst: c.Burst, SiteFallback: fb, Logger: log}
	grpcServices := slices.ContainsFunc(services, func(s string) bool { return s != "site" })
	if grpcServices {
		if c.AuthFile == "" {
			return fmt.Errorf("--auth-file (TANDEM_AUTH_FILE) is required: the users, roles and hashed tokens")
		}
		if cfg.Auth, err = auth.Load(c.AuthFile); err != nil {
			return err
		}
		if cfg.GRPC, err = net.Listen("tcp", c.GRPCAddr); err != nil {
			return err
		}
	}
	if slices.Contains(services, "publishing") || slices.Contains(services, "site") {
		if cfg.Pages, err = c.redisPages(ctx, log, false); err != nil {
			return err
		}
	}
	if slices.Contains(services, "site") {
		if cfg.HTTP, err = net.Listen("tcp", c.HTTPAddr); err != nil {
			return err
		}
		if !slices.Contains(services, "publishing") && c.PublishingAddr == "" {
			return fmt.Errorf("--publishing-addr (TANDEM_PUBLISHING_ADDR) is required when the site runs without publishing")
		}
	}
	c.serveMetrics(ctx, log)
	st, err := stack.Start(ctx, cfg)
	if err != nil {
		return err
	}
	log.Info("serving", "services", services, "grpc", c.GRPCAddr, "http", c.HTTPAddr, "nats", redactURL(c.NATSURL))
	return st.Wait()
}
