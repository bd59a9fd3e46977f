package main

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"

	"github.com/nats-io/nats.go"
	"github.com/spf13/cobra"

	"github.com/tandemnews/tandem/internal/stack"
	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/events"
)

// serveOptions are the inputs of tandem serve: the settings and the
// services to run.
type serveOptions struct {
	settings
	Services []string
}

func serveCmd() *cobra.Command {
	opts := &serveOptions{}
	return settingsCmd(&cobra.Command{
		Use:   "serve drafting|review|publishing|media|site|webhooks|desk ...",
		Short: "Run one or more services against NATS_URL and REDIS_URL",
		Long: `serve runs the named services. drafting, review and publishing share one
gRPC server (--grpc-addr), which also signs people in for the desk; the
site serves --http-addr, the desk --desk-addr. The desk alone needs no
NATS or Redis: it calls the services at --services-addr.`,
		Args:      cobra.MatchAll(cobra.MinimumNArgs(1), cobra.OnlyValidArgs),
		ValidArgs: stack.Services,
	}, &opts.settings, func(ctx context.Context, args []string) error {
		opts.Services = args
		return runServe(ctx, opts)
	})
}

// runServe runs the services until ctx is done.
func runServe(ctx context.Context, opts *serveOptions) error {
	c, services := &opts.config, opts.Services
	log := c.logger()
	stopTracing, err := startTracing(ctx, log, "tandem-"+strings.Join(services, "-"))
	if err != nil {
		return err
	}
	defer stopTracing()
	if c.NATSURL == "" {
		c.NATSURL = "nats://127.0.0.1:4222"
	}
	// The site and webhooks only read PUBLIC: they neither create the
	// streams nor need credentials for anything else (webhooks has its
	// own bucket besides).
	publicOnly := !slices.ContainsFunc(services, func(s string) bool { return s != "site" && s != "webhooks" })
	var inbox []nats.Option
	if len(services) == 1 {
		// One service, one NATS user, allowed its own reply subjects only.
		inbox = append(inbox, nats.CustomInboxPrefix(events.InboxPrefix(services[0])))
	}
	// The desk alone calls the services and nothing else.
	var bus *events.Bus
	if deskOnly := len(services) == 1 && services[0] == "desk"; !deskOnly {
		b, closeBus, err := c.openBus(ctx, c.NATSURL, "tandem-"+strings.Join(services, "-"), publicOnly, inbox...)
		if err != nil {
			return err
		}
		defer closeBus()
		bus = b
	}
	sc, fb, err := c.siteSettings()
	if err != nil {
		return err
	}
	cfg := stack.Config{Services: services, Bus: bus, Site: sc, PublishingAddr: c.PublishingAddr, Rate: c.Rate, Burst: c.Burst, SiteFallback: fb, Logger: log}
	grpcServices := slices.ContainsFunc(services, func(s string) bool { return s != "site" && s != "desk" })
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
	if err := c.useGRPCTLS(&cfg, slices.Contains(services, "publishing")); err != nil {
		return err
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
	if slices.Contains(services, "desk") {
		if !grpcServices && c.Desk.Calls == "" {
			return fmt.Errorf("--services-addr (TANDEM_SERVICES_ADDR) is required when the desk runs without the gRPC services")
		}
		if cfg.Desk, err = net.Listen("tcp", c.Desk.Addr); err != nil {
			return err
		}
		cfg.DeskCalls, cfg.DeskSecure, cfg.SessionIdle = c.Desk.Calls, c.Desk.Secure, c.Desk.SessionIdle
	}
	c.serveMetrics(ctx, log)
	st, err := stack.Start(ctx, cfg)
	if err != nil {
		return err
	}
	log.Info("serving", "services", services, "grpc", c.GRPCAddr, "http", c.HTTPAddr, "nats", redactURL(c.NATSURL))
	return st.Wait()
}
