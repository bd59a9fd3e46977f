package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/redis/go-redis/v9"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tandemnews/tandem/pkg/cache"
	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/metrics"
	"github.com/tandemnews/tandem/pkg/rpc"
	"github.com/tandemnews/tandem/pkg/siteconfig"
	"github.com/tandemnews/tandem/pkg/telemetry"
	"github.com/tandemnews/tandem/services/site"
)

// config is every setting of a Tandem process. Each comes from a flag,
// falling back to an environment variable, falling back to a default that
// runs on a laptop.
type config struct {
	DataDir        string
	GRPCAddr       string
	HTTPAddr       string
	NATSURL        string
	NATSPort       int
	NATSCreds      string
	NATSCA         string
	NATSCert       string
	NATSKey        string
	RedisURL       string
	RedisCA        string
	RedisPrefix    string
	AuthFile       string
	SiteURL        string
	PublishingAddr string
	SiteConfig     string
	Fallback       string
	MetricsAddr    string
	Rate           float64
	Burst          int
	Streams        events.Config
	LogLevel       string
	LogFormat      string
	GRPCTLS        grpcTLS
	Desk           deskSettings
	// bad holds the environment values that did not parse, for check to
	// refuse.
	bad []error
}

func env(key, def string) string {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		return v
	}
	return def
}

// envNumber reads a number from the environment. One that does not parse
// leaves def in place and is kept in bad, for check to refuse by name:
// a setting given wrong must not run as its default.
func envNumber[N int | float64](bad *[]error, key string, def N) N {
	v := env(key, "")
	if v == "" {
		return def
	}
	var n N
	var err error
	want := "a whole number"
	switch p := any(&n).(type) {
	case *int:
		*p, err = strconv.Atoi(strings.TrimSpace(v))
	case *float64:
		*p, err = strconv.ParseFloat(strings.TrimSpace(v), 64)
		want = "a number"
	}
	if err != nil {
		*bad = append(*bad, fmt.Errorf("%s=%q is not %s", key, v, want))
		return def
	}
	return n
}

// check refuses settings that cannot be used, naming each: environment
// values that are not numbers, and numbers or names out of range. Flags
// that do not parse are refused before, by the flag parser.
func (c *config) check() error {
	errs := append([]error{}, c.bad...)
	if r := c.Streams.Replicas; r < 1 || r > 5 {
		errs = append(errs, fmt.Errorf("--stream-replicas (TANDEM_STREAM_REPLICAS) is %d: JetStream keeps 1 to 5 replicas", r))
	}
	if p := c.NATSPort; p < -1 || p > 65535 {
		errs = append(errs, fmt.Errorf("--nats-port (TANDEM_NATS_PORT) is %d: a port is 1 to 65535, or -1 for any free one", p))
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.LogLevel)); err != nil {
		errs = append(errs, fmt.Errorf("--log-level (TANDEM_LOG_LEVEL) is %q: debug, info, warn or error", c.LogLevel))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("--log-format (TANDEM_LOG_FORMAT) is %q: text or json", c.LogFormat))
	}
	return errors.Join(errs...)
}

// bind registers the flags on fs.
func (c *config) bind(fs *pflag.FlagSet) {
	d := events.DefaultConfig()
	fs.StringVar(&c.DataDir, "data", env("TANDEM_DATA", defaultDataDir), "folder for the embedded NATS store and development tokens (TANDEM_DATA)")
	fs.StringVar(&c.GRPCAddr, "grpc-addr", env("TANDEM_GRPC_ADDR", "127.0.0.1:7070"), "gRPC listen address (TANDEM_GRPC_ADDR)")
	fs.StringVar(&c.HTTPAddr, "http-addr", env("TANDEM_HTTP_ADDR", "127.0.0.1:8080"), "public site listen address (TANDEM_HTTP_ADDR)")
	fs.StringVar(&c.NATSURL, "nats-url", env("NATS_URL", ""), "external NATS server; empty runs one in-process under --data (NATS_URL)")
	fs.IntVar(&c.NATSPort, "nats-port", envNumber(&c.bad, "TANDEM_NATS_PORT", 4223), "client port of the in-process NATS server (TANDEM_NATS_PORT)")
	fs.StringVar(&c.NATSCreds, "nats-creds", env("NATS_CREDS", ""), "NATS credentials file (JWT and NKey seed) instead of a user and password in the URL (NATS_CREDS)")
	fs.StringVar(&c.NATSCA, "nats-ca", env("NATS_CA", ""), "PEM file of the CA that signed the NATS server's TLS certificate; default the system's roots (NATS_CA)")
	fs.StringVar(&c.NATSCert, "nats-cert", env("NATS_CERT", ""), "client certificate (PEM) when NATS requires mutual TLS; with --nats-key (NATS_CERT)")
	fs.StringVar(&c.NATSKey, "nats-key", env("NATS_KEY", ""), "client key (PEM) for --nats-cert (NATS_KEY)")
	fs.StringVar(&c.RedisURL, "redis-url", env("REDIS_URL", "redis://127.0.0.1:6379/0"), "Redis for the page cache; redis://user:password@host:port/db, rediss:// for TLS, ?addr=host:port&addr=... for a Cluster, ?master_name=NAME for Sentinel (REDIS_URL)")
	fs.StringVar(&c.RedisCA, "redis-ca", env("REDIS_CA", ""), "PEM file of the CA that signed Redis's TLS certificate; default the system's roots (REDIS_CA)")
	fs.StringVar(&c.RedisPrefix, "redis-prefix", env("TANDEM_REDIS_PREFIX", "tandem:"), "prefix of every Redis key (TANDEM_REDIS_PREFIX)")
	fs.StringVar(&c.AuthFile, "auth-file", env("TANDEM_AUTH_FILE", ""), "token file (hashed tokens, users, roles); dev default <data>/auth.json (TANDEM_AUTH_FILE)")
	fs.StringVar(&c.SiteURL, "site-url", env("TANDEM_SITE_URL", ""), "public origin of the site for canonical links; default http://<http-addr> (TANDEM_SITE_URL)")
	fs.StringVar(&c.SiteConfig, "site-config", env("TANDEM_SITE_CONFIG", ""), "site configuration (JSON: name, motto, address, sections); default the built-in demo university (TANDEM_SITE_CONFIG)")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", env("TANDEM_METRICS_ADDR", "127.0.0.1:9464"), "Prometheus metrics at http://<addr>/metrics; empty turns them off (TANDEM_METRICS_ADDR)")
	fs.StringVar(&c.Fallback, "english-fallback", env("TANDEM_ENGLISH_FALLBACK", "404"), "what an English address shows before the English is published: 404, or source (the Chinese page with a notice) (TANDEM_ENGLISH_FALLBACK)")
	fs.Float64Var(&c.Rate, "rate-limit", envNumber[float64](&c.bad, "TANDEM_RATE_LIMIT", rpc.DefaultRate), "gRPC requests per second per caller; negative turns the limit off (TANDEM_RATE_LIMIT)")
	fs.IntVar(&c.Burst, "rate-burst", envNumber(&c.bad, "TANDEM_RATE_BURST", rpc.DefaultBurst), "requests a caller may make at once above the rate (TANDEM_RATE_BURST)")
	fs.StringVar(&c.PublishingAddr, "publishing-addr", env("TANDEM_PUBLISHING_ADDR", ""), "publishing service address the site asks on a cache miss (TANDEM_PUBLISHING_ADDR)")
	fs.StringVar(&c.Streams.EditorialStream, "editorial-stream", env("TANDEM_EDITORIAL_STREAM", d.EditorialStream), "name of the internal stream (TANDEM_EDITORIAL_STREAM)")
	fs.StringVar(&c.Streams.EditorialPrefix, "editorial-prefix", env("TANDEM_EDITORIAL_PREFIX", d.EditorialPrefix), "subject prefix of the internal stream (TANDEM_EDITORIAL_PREFIX)")
	fs.StringVar(&c.Streams.PublicStream, "public-stream", env("TANDEM_PUBLIC_STREAM", d.PublicStream), "name of the public stream (TANDEM_PUBLIC_STREAM)")
	fs.StringVar(&c.Streams.PublicPrefix, "public-prefix", env("TANDEM_PUBLIC_PREFIX", d.PublicPrefix), "subject prefix of the public stream (TANDEM_PUBLIC_PREFIX)")
	fs.IntVar(&c.Streams.Replicas, "stream-replicas", envNumber(&c.bad, "TANDEM_STREAM_REPLICAS", 1), "stream replicas: 3 on a JetStream cluster (TANDEM_STREAM_REPLICAS)")
	fs.StringVar(&c.LogLevel, "log-level", env("TANDEM_LOG_LEVEL", "info"), "debug, info, warn or error (TANDEM_LOG_LEVEL)")
	fs.StringVar(&c.LogFormat, "log-format", env("TANDEM_LOG_FORMAT", "text"), "text, or json: one JSON object a line, for a log collector (TANDEM_LOG_FORMAT)")
	c.GRPCTLS.bind(fs, &c.bad)
	c.Desk.bind(fs, &c.bad)
}

func (c *config) logger() *slog.Logger {
	l := c.logTo(os.Stderr)
	slog.SetDefault(l)
	cache.RouteClientLogs(l)
	return l
}

// logTo is the logger of the settings, writing to w: text, or one JSON
// object a line with --log-format json.
func (c *config) logTo(w io.Writer) *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.LogLevel)); err != nil {
		lvl = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: lvl}
	if c.LogFormat == "json" {
		// A collector joins records to traces by trace_id and span_id.
		return slog.New(telemetry.LogHandler(slog.NewJSONHandler(w, opts)))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func (c *config) siteURL() string {
	if c.SiteURL != "" {
		return strings.TrimRight(c.SiteURL, "/")
	}
	host := c.HTTPAddr
	if strings.HasPrefix(host, "127.0.0.1:") {
		host = "localhost:" + strings.TrimPrefix(host, "127.0.0.1:")
	}
	return "http://" + host
}

// redisPages connects to Redis. When Redis does not answer at start, dev
// mode (fallback) returns nil, to run on the in-process cache alone, and
// says so once; a served service keeps the client, which reconnects by
// itself when Redis comes back.
func (c *config) redisPages(ctx context.Context, log *slog.Logger, fallback bool) (*cache.Pages, error) {
	rdb, err := c.redisClient()
	if err != nil {
		return nil, err
	}
	pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := rdb.Ping(pctx).Err(); err != nil {
		if !fallback {
			log.Warn("Redis does not answer yet; serving without it until it does", "redis_url", redactURL(c.RedisURL), "err", err)
			return cache.New(rdb, c.RedisPrefix), nil
		}
		rdb.Close()
		log.Warn("Redis does not answer; running with the in-process page cache alone", "redis_url", redactURL(c.RedisURL), "err", err)
		return nil, nil
	}
	return cache.New(rdb, c.RedisPrefix), nil
}

// serveMetrics serves /metrics until ctx is done; a metrics address that
// cannot be used is logged, not fatal.
func (c *config) serveMetrics(ctx context.Context, log *slog.Logger) {
	go func() {
		if err := metrics.Serve(ctx, c.MetricsAddr, log); err != nil {
			log.Warn("metrics not served", "addr", c.MetricsAddr, "err", err)
		}
	}()
}

// siteSettings are the site configuration and what an English address
// shows before the English is published.
func (c *config) siteSettings() (*siteconfig.Config, site.Fallback, error) {
	sc, err := c.site()
	if err != nil {
		return nil, 0, err
	}
	fb, err := c.fallback()
	return sc, fb, err
}

// fallback reads --english-fallback.
func (c *config) fallback() (site.Fallback, error) {
	switch c.Fallback {
	case "", "404":
		return site.FallbackNotFound, nil
	case "source":
		return site.FallbackSource, nil
	}
	return 0, fmt.Errorf("--english-fallback %q: 404 or source", c.Fallback)
}

// natsOptions are the credential and TLS options of the NATS connection,
// beyond what the URL carries (user:password@, token@, tls://).
func (c *config) natsOptions() []nats.Option {
	var opts []nats.Option
	if c.NATSCreds != "" {
		opts = append(opts, nats.UserCredentials(c.NATSCreds))
	}
	if c.NATSCA != "" {
		opts = append(opts, nats.RootCAs(c.NATSCA))
	}
	if c.NATSCert != "" || c.NATSKey != "" {
		opts = append(opts, nats.ClientCert(c.NATSCert, c.NATSKey))
	}
	return opts
}

// redisClient connects to the Redis of REDIS_URL (one server, a Cluster
// or Sentinel: see cache.Connect), with the time limits of every Redis
// call, trusting the CA of --redis-ca. Its commands' time and failures go
// to the metrics.
func (c *config) redisClient() (redis.UniversalClient, error) {
	var pool *x509.CertPool
	if c.RedisCA != "" {
		pem, err := os.ReadFile(c.RedisCA)
		if err != nil {
			return nil, fmt.Errorf("--redis-ca: %w", err)
		}
		pool = x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--redis-ca %s: no PEM certificate in it", c.RedisCA)
		}
	}
	rdb, err := cache.Connect(c.RedisURL, pool)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL %q: %w", redactURL(c.RedisURL), err)
	}
	metrics.InstrumentRedis(rdb)
	return rdb, nil
}

// redactURL hides the credentials of a URL (or of each URL of a
// comma-separated list) for logs and errors: the password, or a token
// given alone.
func redactURL(raw string) string {
	parts := strings.Split(raw, ",")
	for i, p := range parts {
		u, err := url.Parse(strings.TrimSpace(p))
		if err != nil {
			parts[i] = "(unparsable URL)"
			continue
		}
		if u.User != nil {
			if _, hasPassword := u.User.Password(); hasPassword {
				u.User = url.UserPassword(u.User.Username(), "xxxxx")
			} else {
				u.User = url.User("xxxxx")
			}
		}
		parts[i] = u.String()
	}
	return strings.Join(parts, ",")
}

// openBus connects to NATS at url and creates or updates the streams; with
// publicOnly it only attaches to PUBLIC for reading (the site), waiting for
// another service to create it. The returned func closes the connection.
func (c *config) openBus(ctx context.Context, url, name string, publicOnly bool, extra ...nats.Option) (*events.Bus, func(), error) {
	nc, err := c.connectNATS(ctx, url, name, extra...)
	if err != nil {
		return nil, nil, err
	}
	octx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	var bus *events.Bus
	if publicOnly {
		bus, err = events.OpenPublic(ctx, nc, c.Streams)
	} else {
		bus, err = events.Open(octx, nc, c.Streams)
	}
	if err != nil {
		nc.Close()
		return nil, nil, fmt.Errorf("open streams on %s: %w", redactURL(url), err)
	}
	return bus, nc.Close, nil
}

// connectNATS connects to NATS at url with the settings' credentials and
// waits, up to 15 seconds, for the connection (NATS may start after
// Tandem), saying why when it does not come up.
func (c *config) connectNATS(ctx context.Context, url, name string, extra ...nats.Option) (*nats.Conn, error) {
	// The last failed attempt, to say why the connection is not up.
	var attempt atomic.Value
	opts := append(c.natsOptions(), nats.ReconnectErrHandler(func(_ *nats.Conn, err error) {
		attempt.Store(err)
		slog.Warn("nats connection attempt failed", "url", redactURL(url), "err", err)
	}))
	opts = append(opts, extra...)
	nc, err := events.Connect(url, name, opts...)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*nats.Conn, error) {
		nc.Close()
		return nil, fmt.Errorf("open streams on %s: %w", redactURL(url), err)
	}
	octx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	for !nc.IsConnected() {
		select {
		case <-octx.Done():
			if last, ok := attempt.Load().(error); ok {
				return fail(fmt.Errorf("not connected: %w", last))
			}
			return fail(fmt.Errorf("not connected: %w", octx.Err()))
		case <-time.After(50 * time.Millisecond):
		}
	}
	return nc, nil
}

// site returns the site configuration: the file, or the built-in one, with
// the public origin from --site-url.
func (c *config) site() (*siteconfig.Config, error) {
	sc := siteconfig.Default()
	if c.SiteConfig != "" {
		var err error
		if sc, err = siteconfig.Load(c.SiteConfig); err != nil {
			return nil, err
		}
		if c.SiteURL == "" && sc.BaseURL != siteconfig.Default().BaseURL {
			return sc, nil
		}
	}
	sc.BaseURL = c.siteURL()
	return sc, nil
}

// settings are the inputs every verb that reads the settings shares
// (dev, serve, audit): the settings, and where to print.
type settings struct {
	config
	out io.Writer
}

// settingsCmd completes the command of a verb that reads the settings:
// cobra binds them to the flags, and run goes on until it is done or the
// process is told to stop.
func settingsCmd(cmd *cobra.Command, s *settings, run func(ctx context.Context, args []string) error) *cobra.Command {
	s.bind(cmd.Flags())
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := s.check(); err != nil {
			return err
		}
		s.out = cmd.OutOrStdout()
		ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return run(ctx, args)
	}
	return cmd
}

// startTracing sets up tracing from the OTEL_* variables (off until an
// exporter is named) and returns what flushes it at exit.
func startTracing(ctx context.Context, log *slog.Logger, service string) (func(), error) {
	shutdown, err := telemetry.Start(ctx, service)
	if err != nil {
		return nil, err
	}
	if telemetry.Enabled() {
		log.Info("tracing on", "service", service)
	}
	return func() {
		// ctx is done by now: the flush gets a moment of its own.
		fctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := shutdown(fctx); err != nil {
			log.Warn("traces not all exported at exit", "err", err)
		}
	}, nil
}
