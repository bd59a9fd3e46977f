// Package stack wires Tandem's services together the one way they run:
// `tandem dev`, `tandem serve` and the system tests under test/ all start
// them through Start.
package stack

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/tandemnews/tandem/internal/client"
	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/cache"
	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/metrics"
	"github.com/tandemnews/tandem/pkg/rpc"
	"github.com/tandemnews/tandem/pkg/siteconfig"
	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
	"github.com/tandemnews/tandem/services/desk"
	"github.com/tandemnews/tandem/services/drafting"
	"github.com/tandemnews/tandem/services/media"
	"github.com/tandemnews/tandem/services/publishing"
	"github.com/tandemnews/tandem/services/review"
	"github.com/tandemnews/tandem/services/session"
	"github.com/tandemnews/tandem/services/site"
	"github.com/tandemnews/tandem/services/webhooks"
)

// Services are the services one process can run.
var Services = []string{"drafting", "review", "publishing", "media", "site", "webhooks", "desk"}

// Config says which services to run and on what.
type Config struct {
	Services []string
	Bus      *events.Bus
	Auth     *auth.Store
	Pages    *cache.Pages // nil: no Redis
	Site     *siteconfig.Config
	// GRPC serves drafting, review and publishing; nil when none of them
	// runs here.
	GRPC net.Listener
	// HTTP serves the site; nil when the site does not run here.
	HTTP net.Listener
	// PublishingAddr is where the site asks for pages on a miss; default
	// the GRPC listener's address.
	PublishingAddr string
	// GRPCTLS, when set, serves gRPC over TLS only (see rpc.Options).
	GRPCTLS *tls.Config
	// PublishingCreds are the transport credentials the site dials
	// publishing with, and the desk the services; nil dials in plaintext.
	PublishingCreds credentials.TransportCredentials
	// Desk serves the browser desk; nil when the desk does not run here.
	Desk net.Listener
	// DeskCalls is the gRPC address the desk calls; default the GRPC
	// listener's address.
	DeskCalls string
	// DeskSecure marks the desk's session cookie Secure (HTTPS in front).
	DeskSecure bool
	// SessionIdle ends a sign-in session unused this long; default
	// session.DefaultIdleTimeout.
	SessionIdle time.Duration
	// Rate and Burst limit each caller's requests (see rpc.Options).
	Rate  float64
	Burst int
	// SiteLRUBytes bounds the site's in-process cache; default
	// site.DefaultLRUBytes.
	SiteLRUBytes int64
	// SiteFallback is what an English URL shows when only the Chinese
	// page exists.
	SiteFallback site.Fallback
	// Webhooks configures the webhooks service (retry schedule, timeout).
	Webhooks webhooks.Options
	Logger   *slog.Logger
}

// GRPCService is what drafting, review and publishing have in common.
type GRPCService interface {
	Register(grpc.ServiceRegistrar)
	Policy() auth.Policy
	Run(ctx context.Context) error
}

// Stack is a running set of services.
type Stack struct {
	// Site is the public site, when it runs here.
	Site *site.Site
	// Webhooks is the webhooks service, when it runs here.
	Webhooks *webhooks.Service
	// Media is the media library, when it runs here.
	Media *media.Service
	group *errgroup.Group
}

// Start starts the services and returns at once; Wait returns when ctx is
// done and everything has stopped, or when something failed.
func Start(ctx context.Context, c Config) (*Stack, error) {
	log := c.Logger
	if log == nil {
		log = slog.Default()
	}
	for _, n := range c.Services {
		if !slices.Contains(Services, n) {
			return nil, fmt.Errorf("unknown service %q (one of %v)", n, Services)
		}
	}
	has := func(n string) bool { return slices.Contains(c.Services, n) }
	g, ctx := errgroup.WithContext(ctx)
	st := &Stack{group: g}

	var svcs []GRPCService
	if has("drafting") {
		svcs = append(svcs, drafting.New(c.Bus, drafting.Options{Site: c.Site, Logger: log}))
	}
	if has("review") {
		svcs = append(svcs, review.New(c.Bus, log))
	}
	if has("publishing") {
		svcs = append(svcs, publishing.New(c.Bus, publishing.Options{Pages: c.Pages, Site: c.Site, Logger: log}))
	}
	if has("media") {
		st.Media = media.New(c.Bus, media.Options{Logger: log})
		svcs = append(svcs, st.Media)
	}
	if has("webhooks") {
		o := c.Webhooks
		if o.Logger == nil {
			o.Logger = log
		}
		st.Webhooks = webhooks.New(c.Bus, o)
		svcs = append(svcs, st.Webhooks)
	}
	if has("drafting") || has("review") || has("publishing") || has("media") {
		// Every gRPC server of the newsroom's services signs people in
		// and accepts their sessions (webhooks alone reads PUBLIC only).
		sess := session.New(c.Bus, c.Auth, session.Options{IdleTimeout: c.SessionIdle, Logger: log})
		c.Auth.UseSessions(sess.Sessions())
		svcs = append(svcs, sess)
	}
	if len(svcs) > 0 {
		if c.GRPC == nil {
			return nil, errors.New("a gRPC listener is needed for drafting, review, publishing, media and webhooks")
		}
		policy := auth.Policy{}
		for _, s := range svcs {
			for m, r := range s.Policy() {
				policy[m] = r
			}
		}
		srv := rpc.New(rpc.Options{Logger: log, Auth: c.Auth, Policy: policy, Rate: c.Rate, Burst: c.Burst, TLS: c.GRPCTLS})
		for _, s := range svcs {
			s.Register(srv)
			g.Go(func() error { return s.Run(ctx) })
		}
		g.Go(func() error {
			c.Auth.Watch(ctx, 5*time.Second, func(err error) { log.Error("token file not reloaded; the previous users stay in force", "err", err) })
			return nil
		})
		g.Go(func() error { reportNATS(ctx, c.Bus.JetStream().Conn(), srv.Health, log); return nil })
		metrics.WatchConsumers(durableConsumers(c.Bus))
		g.Go(func() error { return srv.Serve(ctx, c.GRPC, 10*time.Second) })
	}

	if has("site") {
		if c.HTTP == nil {
			return nil, errors.New("an HTTP listener is needed for the site")
		}
		addr := c.PublishingAddr
		if addr == "" && c.GRPC != nil {
			addr = c.GRPC.Addr().String()
		}
		if addr == "" {
			return nil, errors.New("the site needs the publishing service's address")
		}
		creds := c.PublishingCreds
		if creds == nil {
			creds = insecure.NewCredentials()
		}
		conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(creds),
			grpc.WithStatsHandler(otelgrpc.NewClientHandler()),
			grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(rpc.MaxMessageBytes)))
		if err != nil {
			return nil, fmt.Errorf("publishing client: %w", err)
		}
		st.Site = site.New(c.Bus, site.Options{Pages: c.Pages, Publishing: publishingv1.NewPublishingServiceClient(conn), Site: c.Site, LRUBytes: c.SiteLRUBytes, Fallback: c.SiteFallback, Logger: log})
		hs := &http.Server{
			Handler:           otelhttp.NewHandler(st.Site, "site", public),
			ReadHeaderTimeout: 5 * time.Second,
			ReadTimeout:       10 * time.Second,
			WriteTimeout:      30 * time.Second,
			IdleTimeout:       2 * time.Minute,
			MaxHeaderBytes:    32 << 10,
		}
		g.Go(func() error { defer conn.Close(); return st.Site.Run(ctx) })
		g.Go(func() error {
			err := hs.Serve(c.HTTP)
			if errors.Is(err, http.ErrServerClosed) {
				return nil
			}
			return err
		})
		g.Go(func() error {
			<-ctx.Done()
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			return hs.Shutdown(sctx)
		})
	}
	if has("desk") {
		if err := startDesk(ctx, g, c, log); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// startDesk serves the desk on c.Desk, calling the services at
// c.DeskCalls.
func startDesk(ctx context.Context, g *errgroup.Group, c Config, log *slog.Logger) error {
	if c.Desk == nil {
		return errors.New("an HTTP listener is needed for the desk")
	}
	addr := c.DeskCalls
	if addr == "" && c.GRPC != nil {
		addr = c.GRPC.Addr().String()
	}
	if addr == "" {
		return errors.New("the desk needs the address of the gRPC services")
	}
	creds := c.PublishingCreds
	if creds == nil {
		creds = insecure.NewCredentials()
	}
	cl, err := client.DialWith(addr, creds)
	if err != nil {
		return fmt.Errorf("desk client: %w", err)
	}
	d, err := desk.New(desk.Options{Client: cl, Site: c.Site, Secure: c.DeskSecure, Logger: log})
	if err != nil {
		cl.Close()
		return err
	}
	g.Go(func() error { defer cl.Close(); return d.Run(ctx) })
	serveHTTP(ctx, g, c.Desk, otelhttp.NewHandler(metrics.Desk(d), "desk", public))
	return nil
}

// public marks the site and the desk as facing the internet: a request's
// own traceparent starts no trace of ours, it is only linked to.
var public = otelhttp.WithPublicEndpointFn(func(*http.Request) bool { return true })

// serveHTTP serves h on l until ctx is done, then shuts down gracefully.
func serveHTTP(ctx context.Context, g *errgroup.Group, l net.Listener, h http.Handler) {
	hs := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    32 << 10,
	}
	g.Go(func() error {
		err := hs.Serve(l)
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	})
	g.Go(func() error {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return hs.Shutdown(sctx)
	})
}

// Wait blocks until every service has stopped.
func (s *Stack) Wait() error { return s.group.Wait() }
