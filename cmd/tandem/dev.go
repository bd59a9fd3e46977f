package main

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/tandemnews/tandem/internal/stack"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/spf13/cobra"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/broker"
	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/markdown"
	"github.com/tandemnews/tandem/pkg/siteconfig"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	publishingv1 "github.com/tandemnews/tandem/proto/tandem/publishing/v1"
	reviewv1 "github.com/tandemnews/tandem/proto/tandem/review/v1"
)

//go:embed demo/*.md
var demoFS embed.FS

func devCmd() *cobra.Command {
	var c config
	cmd := &cobra.Command{
		Use:   "dev",
		Short: "Run every service in one process, with an in-process NATS and the demo articles",
		Long: `dev runs drafting, review, publishing and the public site in one process.
Without NATS_URL it starts a NATS server with JetStream in-process, storing
its data under --data. It uses Redis at REDIS_URL when it answers, and the
in-process cache alone when it does not. On first start it creates a
development token for each role and loads the demo articles.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runDev(ctx, &c)
		},
	}
	c.bind(cmd.Flags())
	return cmd
}

func runDev(ctx context.Context, c *config) error {
	log := c.logger()
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
	sc, err := c.site()
	if err != nil {
		return err
	}
	fb, err := c.fallback()
	if err != nil {
		return err
	}
	c.serveMetrics(ctx, log)
	st, err := stack.Start(ctx, stack.Config{Services: stack.Services, Bus: bus, Auth: store, Pages: pages, Site: sc, GRPC: gl, HTTP: hl, Rate: c.Rate, Burst: c.Burst, SiteFallback: fb, Logger: log})
	if err != nil {
		return err
	}
	select {
	case <-st.Site.Ready():
	case <-ctx.Done():
		return st.Wait()
	}
	paths, err := loadDemo(ctx, bus, gl.Addr().String(), tokens, log)
	if err != nil {
		log.Error("demo articles not loaded", "err", err)
	}
	printDev(natsURL, gl.Addr().String(), sc, tokens, paths, pages != nil)
	return st.Wait()
}

// devTokens returns the development token of each role, creating them
// (and the hashed token file) on first start.
func devTokens(c *config) (map[auth.Role]string, error) {
	plain := filepath.Join(c.DataDir, "dev-tokens.json")
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
	defer cl.close()
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
		pub, err := cl.walk(ctx, a, tokens)
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

// walk creates, submits, approves and publishes one article.
func (cl *client) walk(ctx context.Context, a *articlev1.Article, tokens map[auth.Role]string) (*eventsv1.Publication, error) {
	id, err := cl.approve(ctx, a, tokens)
	if err != nil {
		return nil, err
	}
	res, err := cl.publishing.PublishArticle(ctx, &publishingv1.PublishArticleRequest{ArticleId: id, Locales: siteconfig.Locales}, token(tokens[auth.Publisher]))
	if err != nil {
		return nil, err
	}
	return res.Publication, nil
}

// approve creates, submits and approves an article, ready to publish, and
// returns its id.
func (cl *client) approve(ctx context.Context, a *articlev1.Article, tokens map[auth.Role]string) (string, error) {
	ed, tr := token(tokens[auth.Editor]), token(tokens[auth.Translator])
	created, err := cl.drafting.CreateDraft(ctx, &draftingv1.CreateDraftRequest{Article: a}, ed)
	if err != nil {
		return "", err
	}
	d := created.Draft
	if _, err := cl.drafting.SubmitDraft(ctx, &draftingv1.SubmitDraftRequest{Id: d.Article.Id, ExpectedRevision: d.Revision}, ed); err != nil {
		return "", err
	}
	var job *reviewv1.Job
	for deadline := time.Now().Add(15 * time.Second); job == nil; {
		res, err := cl.review.GetJob(ctx, &reviewv1.GetJobRequest{ArticleId: d.Article.Id}, tr)
		switch {
		case err == nil:
			job = res.Job
		case status.Code(err) != codes.NotFound:
			return "", err
		case time.Now().After(deadline):
			return "", errors.New("the translation job did not open within 15s")
		default:
			time.Sleep(20 * time.Millisecond)
		}
	}
	if _, err := cl.review.ApproveJob(ctx, &reviewv1.ApproveJobRequest{ArticleId: d.Article.Id, ExpectedRevision: job.Revision}, tr); err != nil {
		return "", err
	}
	return d.Article.Id, nil
}

func printDev(natsURL, grpcAddr string, sc *siteconfig.Config, tokens map[auth.Role]string, paths []string, redis bool) {
	w := os.Stdout
	fmt.Fprintf(w, "\nTandem is running.\n\n")
	fmt.Fprintf(w, "  site      %s/zh/  and  %s/en/\n", sc.BaseURL, sc.BaseURL)
	fmt.Fprintf(w, "  gRPC      %s   (reflection on: grpcurl -plaintext %s list)\n", grpcAddr, grpcAddr)
	fmt.Fprintf(w, "  NATS      %s\n", natsURL)
	if redis {
		fmt.Fprintf(w, "  Redis     page cache on\n")
	} else {
		fmt.Fprintf(w, "  Redis     not answering: in-process page cache only\n")
	}
	fmt.Fprintf(w, "\nDevelopment tokens (export one as TANDEM_TOKEN for the tandem command):\n")
	for _, r := range auth.Roles {
		fmt.Fprintf(w, "  %-10s %s\n", r, tokens[r])
	}
	if len(paths) > 0 {
		fmt.Fprintf(w, "\nDemo articles published:\n")
		for _, p := range paths {
			fmt.Fprintf(w, "  %s%s\n", sc.BaseURL, p)
		}
	}
	fmt.Fprintf(w, "\nStop with Ctrl-C.\n")
}
