package main

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tandemnews/tandem/internal/stack"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/spf13/cobra"

	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/broker"
	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/markdown"
	"github.com/tandemnews/tandem/pkg/siteconfig"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
)

//go:embed demo/*.md
var demoFS embed.FS

// devOptions are the inputs of tandem dev: the settings, and where to
// print the addresses and tokens.
type devOptions struct{ settings }

func devCmd() *cobra.Command {
	opts := &devOptions{}
	cmd := settingsCmd(&cobra.Command{
		Use:   "dev",
		Short: "Run every service in one process, with an in-process NATS and the demo articles",
		Long: `dev runs drafting, review, publishing and the public site in one process.
Without NATS_URL it starts a NATS server with JetStream in-process, storing
its data under --data. It uses Redis at REDIS_URL when it answers, and the
in-process cache alone when it does not. On first start it creates a
development token for each role and loads the demo articles.

--grpc-addr (TANDEM_GRPC_ADDR) is where it listens; the client verbs call
TANDEM_ADDR (or --addr), so set that to the gRPC address it prints.`,
		Args: cobra.NoArgs,
	}, &opts.settings, func(ctx context.Context, _ []string) error { return runDev(ctx, opts) })
	cmd.AddCommand(devTokenCmd())
	return cmd
}

// runDev runs everything until ctx is done.
func runDev(ctx context.Context, opts *devOptions) error {
	c := &opts.config
	log := c.logger()
	stopTracing, err := startTracing(ctx, log, "tandem")
	if err != nil {
		return err
	}
	defer stopTracing()
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return err
	}
	natsURL := c.NATSURL
	if natsURL == "" {
		srv, err := broker.Start(broker.Options{Port: c.NATSPort, StoreDir: filepath.Join(c.DataDir, "nats"), Name: "tandem-dev"})
		if err != nil {
			return fmt.Errorf("%w (is port %d taken? set TANDEM_NATS_PORT, or NATS_URL to use a running server)", err, c.NATSPort)
		}
		defer srv.WaitForShutdown()
		defer srv.Shutdown()
		natsURL = srv.ClientURL()
	}
	bus, closeBus, err := c.openBus(ctx, natsURL, "tandem-dev", false)
	if err != nil {
		return err
	}
	defer closeBus()
	pages, err := c.redisPages(ctx, log, true)
	if err != nil {
		return err
	}
	tokens, err := devTokens(c)
	if err != nil {
		return err
	}
	passwords, err := devPasswords(c)
	if err != nil {
		return err
	}
	store, err := auth.Load(c.AuthFile)
	if err != nil {
		return err
	}
	gl, err := net.Listen("tcp", c.GRPCAddr)
	if err != nil {
		return fmt.Errorf("gRPC address: %w (set TANDEM_GRPC_ADDR)", err)
	}
	hl, err := net.Listen("tcp", c.HTTPAddr)
	if err != nil {
		gl.Close()
		return fmt.Errorf("site address: %w (set TANDEM_HTTP_ADDR)", err)
	}
	dl, err := net.Listen("tcp", c.Desk.Addr)
	if err != nil {
		gl.Close()
		hl.Close()
		return fmt.Errorf("desk address: %w (set TANDEM_DESK_ADDR)", err)
	}
	sc, fb, err := c.siteSettings()
	if err != nil {
		return err
	}
	c.serveMetrics(ctx, log)
	st, err := stack.Start(ctx, stack.Config{Services: stack.Services, Bus: bus, Auth: store, Pages: pages, Site: sc, GRPC: gl, HTTP: hl, Rate: c.Rate, Burst: c.Burst, SiteFallback: fb, Logger: log,
		Desk: dl, DeskSecure: c.Desk.Secure, SessionIdle: c.Desk.SessionIdle})
	if err != nil {
		return err
	}
	for _, ready := range []<-chan struct{}{st.Site.Ready(), st.Media.Ready()} {
		select {
		case <-ready:
		case <-ctx.Done():
			return st.Wait()
		}
	}
	paths, err := loadDemo(ctx, bus, gl.Addr().String(), tokens, log)
	if err != nil {
		log.Error("demo articles not loaded", "err", err)
	}
	printDev(opts.out, devBanner{NATSURL: natsURL, GRPCAddr: gl.Addr().String(), DataDir: c.DataDir, Site: sc, Tokens: tokens, Paths: paths, Redis: pages != nil,
		Desk: "http://" + callAddr(dl.Addr().String()) + "/", Passwords: passwords})
	return st.Wait()
}

// devTokens returns the development token of each role, creating them
// (and the hashed token file) on first start.
func devTokens(c *config) (map[auth.Role]string, error) {
	plain := filepath.Join(c.DataDir, devTokensFile)
	if c.AuthFile == "" {
		c.AuthFile = filepath.Join(c.DataDir, "auth.json")
	}
	tokens := map[auth.Role]string{}
	if b, err := os.ReadFile(plain); err == nil {
		if err := json.Unmarshal(b, &tokens); err != nil {
			return nil, fmt.Errorf("%s: %w", plain, err)
		}
		if _, err := os.Stat(c.AuthFile); err == nil {
			return tokens, nil
		}
	}
	var grants []auth.Grant
	for _, r := range auth.Roles {
		if tokens[r] == "" {
			tokens[r] = auth.NewToken()
		}
		grants = append(grants, auth.Grant{User: auth.User{ID: "dev-" + string(r), Name: "Dev " + string(r), Roles: []auth.Role{r}}, Token: tokens[r]})
	}
	if err := auth.Write(c.AuthFile, grants); err != nil {
		return nil, err
	}
	b, _ := json.MarshalIndent(tokens, "", "  ")
	return tokens, os.WriteFile(plain, b, 0o600)
}

// loadDemo takes the demo articles through the whole flow (create,
// submit, approve, publish) through the real API, once: when the editorial
// stream holds no drafts yet.
func loadDemo(ctx context.Context, bus *events.Bus, addr string, tokens map[auth.Role]string, log *slog.Logger) ([]string, error) {
	s, err := bus.JetStream().Stream(ctx, bus.Config().EditorialStream)
	if err != nil {
		return nil, err
	}
	info, err := s.Info(ctx, jetstream.WithSubjectFilter(bus.Editorial.Wildcard(eventsv1.KindDrafts)))
	if err != nil {
		return nil, err
	}
	if len(info.State.Subjects) > 0 {
		return nil, nil
	}
	cl, err := dial(addr)
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	photos, err := uploadDemoPhotos(ctx, cl, tokens)
	if err != nil {
		return nil, err
	}
	names, _ := fs.Glob(demoFS, "demo/*.zh.md")
	sort.Strings(names)
	var paths []string
	for _, zh := range names {
		f := strings.TrimSuffix(zh, ".zh.md")
		files := map[string][]byte{}
		files["zh-CN"], _ = demoFS.ReadFile(zh)
		files["en"], _ = demoFS.ReadFile(f + ".en.md")
		a, err := markdown.Article(files, "zh-CN")
		if err != nil {
			return paths, fmt.Errorf("%s: %w", f, err)
		}
		useDemoPhotos(a, photos)
		pub, err := cl.Walk(ctx, a, tokens)
		if err != nil {
			return paths, fmt.Errorf("%s: %w", f, err)
		}
		for _, l := range siteconfig.Locales {
			if pl := pub.Locales[l]; pl != nil {
				paths = append(paths, pl.Path)
			}
		}
		log.Info("demo article published", "article", pub.ArticleId, "file", f)
	}
	return paths, nil
}

// devBanner is what tandem dev tells once it runs.
type devBanner struct {
	NATSURL  string
	GRPCAddr string // the address the gRPC server listens on
	DataDir  string
	Site     *siteconfig.Config
	Tokens   map[auth.Role]string
	Paths    []string // of the demo articles published
	Redis    bool     // Redis answers
	Desk     string   // the desk's address
	// Passwords of the development users who sign in to the desk.
	Passwords map[auth.Role]string
}

// printDev tells where everything runs and how to sign in: the exact
// lines that point the tandem command at this server.
func printDev(w io.Writer, b devBanner) {
	sc, addr := b.Site, callAddr(b.GRPCAddr)
	fmt.Fprintf(w, "\nTandem is running.\n\n")
	fmt.Fprintf(w, "  site      %s/zh/  and  %s/en/\n", sc.BaseURL, sc.BaseURL)
	if b.Desk != "" {
		fmt.Fprintf(w, "  desk      %s   (sign in as a development user below)\n", b.Desk)
	}
	fmt.Fprintf(w, "  gRPC      %s   (reflection, for a signed-in caller: grpcurl -plaintext -H \"authorization: Bearer $TANDEM_TOKEN\" %s list)\n", addr, addr)
	fmt.Fprintf(w, "  NATS      %s\n", b.NATSURL)
	if b.Redis {
		fmt.Fprintf(w, "  Redis     page cache on\n")
	} else {
		fmt.Fprintf(w, "  Redis     not answering: in-process page cache only\n")
	}
	data := ""
	if b.DataDir != defaultDataDir {
		if abs, err := filepath.Abs(b.DataDir); err == nil {
			data = " --data " + abs
		}
	}
	fmt.Fprintf(w, "\nThe tandem command calls TANDEM_ADDR (or --addr), default 127.0.0.1:7070; TANDEM_GRPC_ADDR\n")
	fmt.Fprintf(w, "(--grpc-addr) is where this server listens. In another terminal:\n")
	fmt.Fprintf(w, "  export TANDEM_ADDR=%s\n", addr)
	fmt.Fprintf(w, "  export TANDEM_TOKEN=$(tandem dev token editor%s)\n", data)
	fmt.Fprintf(w, "\nDevelopment tokens (tandem dev token ROLE%s prints one):\n", data)
	for _, r := range auth.Roles {
		fmt.Fprintf(w, "  %-10s %s\n", r, b.Tokens[r])
	}
	if len(b.Passwords) > 0 {
		fmt.Fprintf(w, "\nDevelopment users of the desk (username and password; tandem users passwd changes one):\n")
		for _, r := range auth.Roles {
			if pw := b.Passwords[r]; pw != "" {
				fmt.Fprintf(w, "  %-10s dev-%-12s %s\n", r, r, pw)
			}
		}
	}
	if len(b.Paths) > 0 {
		fmt.Fprintf(w, "\nDemo articles published:\n")
		for _, p := range b.Paths {
			fmt.Fprintf(w, "  %s%s\n", sc.BaseURL, p)
		}
	}
	fmt.Fprintf(w, "\nStop with Ctrl-C.\n")
}

// callAddr is the address a client on this machine calls to reach a
// server listening on addr: a server listening on every interface is
// called on the loopback one.
func callAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	ip := net.ParseIP(host)
	switch {
	case host == "":
		return net.JoinHostPort("127.0.0.1", port)
	case ip == nil || !ip.IsUnspecified():
		return addr
	case ip.To4() != nil:
		return net.JoinHostPort("127.0.0.1", port)
	}
	return net.JoinHostPort("::1", port)
}
