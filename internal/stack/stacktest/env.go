// Package stacktest runs a whole Tandem for the system tests under test/:
// every service on real NATS and Redis, a token per role, gRPC clients,
// HTTP helpers and the article flow, the way the command line drives it.
package stacktest

import (
	"context"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/tandemnews/tandem/internal/stack"
	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/cache"
	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/siteconfig"
	"github.com/tandemnews/tandem/pkg/testkit"
	"github.com/tandemnews/tandem/services/media"
	"github.com/tandemnews/tandem/services/publishing"
	"github.com/tandemnews/tandem/services/webhooks"
)

// Env is a whole Tandem on real NATS and Redis, with a client per role.
type Env struct {
	Bus   *events.Bus
	Pages *cache.Pages
	// Tokens holds the bearer token of each role; its user is
	// "test-<role>".
	Tokens map[auth.Role]string
	// Conn is a plain connection to the gRPC server.
	Conn     *grpc.ClientConn
	SiteURL  string
	GRPCAddr string
	Stack    *stack.Stack
	// DeskURL is the browser desk's base URL.
	DeskURL string
	// Auth is the user store the services check, and AuthFile the file
	// of the store Start made (an option may put another in its place):
	// a test adds users with auth.AddUser(AuthFile, ...) and Auth.Reload.
	Auth     *auth.Store
	AuthFile string
}

// Start runs every service on the NATS server at natsURL, with pages in
// Redis under a prefix of the test's own.
func Start(t *testing.T, natsURL string) *Env {
	t.Helper()
	rdb, prefix := testkit.Redis(t)
	return StartWith(t, natsURL, cache.New(rdb, prefix))
}

// StartWith runs the stack with the given page cache and options.
func StartWith(t *testing.T, natsURL string, pages *cache.Pages, opts ...func(*stack.Config)) *Env {
	t.Helper()
	return StartOn(t, testkit.Bus(t, natsURL), pages, opts...)
}

// StartOn runs the stack on a bus of the test's. Everything stops when the
// test ends, and a stack that stops with an error fails the test.
func StartOn(t *testing.T, bus *events.Bus, pages *cache.Pages, opts ...func(*stack.Config)) *Env {
	t.Helper()

	tokens := map[auth.Role]string{}
	var grants []auth.Grant
	for _, r := range auth.Roles {
		tokens[r] = auth.NewToken()
		grants = append(grants, auth.Grant{User: auth.User{ID: "test-" + string(r), Name: "Test " + string(r), Roles: []auth.Role{r}}, Token: tokens[r]})
	}
	authPath := filepath.Join(t.TempDir(), "auth.json")
	if err := auth.Write(authPath, grants); err != nil {
		t.Fatal(err)
	}
	store, err := auth.Load(authPath)
	if err != nil {
		t.Fatal(err)
	}
	gl := listen(t)
	hl := listen(t)
	dl := listen(t)
	sc := siteconfig.Default()
	sc.BaseURL = "http://" + hl.Addr().String()

	ctx, cancel := context.WithCancel(context.Background())
	cfg := stack.Config{Services: stack.Services, Bus: bus, Auth: store, Pages: pages, Site: sc, GRPC: gl, HTTP: hl, Desk: dl}
	for _, o := range opts {
		o(&cfg)
	}
	st, err := stack.Start(ctx, cfg)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		if err := st.Wait(); err != nil {
			t.Errorf("stack stopped with: %v", err)
		}
		// The webhooks' bucket and the preview link key's are named after
		// the test's streams; they go with the streams.
		c, stop := context.WithTimeout(context.Background(), 5*time.Second)
		defer stop()
		_ = bus.JetStream().DeleteKeyValue(c, webhooks.Bucket(bus.Config()))
		_ = bus.JetStream().DeleteKeyValue(c, publishing.LinkKeyBucket(bus.Config()))
		_ = bus.JetStream().DeleteObjectStore(c, media.Bucket(bus.Config()))
		_ = bus.JetStream().DeleteObjectStore(c, publishing.PublicMediaBucket(bus.Config()))
	})
	conn, err := grpc.NewClient(gl.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithStatsHandler(otelgrpc.NewClientHandler()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	waitReady(t, st, "site did not catch up with PUBLIC")
	return &Env{Bus: bus, Pages: pages, Tokens: tokens, Conn: conn, SiteURL: sc.BaseURL, GRPCAddr: gl.Addr().String(), Stack: st,
		DeskURL: "http://" + dl.Addr().String(), Auth: cfg.Auth, AuthFile: authPath}
}

// StartSite runs one more site replica on e's streams, with its own page
// cache (nil: none) and LRU size, and returns its base URL.
func (e *Env) StartSite(t *testing.T, pages *cache.Pages, lruBytes int64) string {
	t.Helper()
	url, _ := e.StartReplica(t, pages, lruBytes)
	return url
}

// StartReplica is StartSite that also returns a function stopping the
// replica (as a crash or a deploy would), for tests that restart one.
func (e *Env) StartReplica(t *testing.T, pages *cache.Pages, lruBytes int64) (string, func()) {
	t.Helper()
	hl := listen(t)
	sc := siteconfig.Default()
	sc.BaseURL = e.SiteURL // pages name the public origin, whichever replica serves them
	ctx, cancel := context.WithCancel(context.Background())
	st, err := stack.Start(ctx, stack.Config{Services: []string{"site"}, Bus: e.Bus, Pages: pages, Site: sc, HTTP: hl, PublishingAddr: e.GRPCAddr, SiteLRUBytes: lruBytes})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	var once sync.Once
	stop := func() { once.Do(func() { cancel(); _ = st.Wait() }) }
	t.Cleanup(stop)
	waitReady(t, st, "replica did not catch up with PUBLIC")
	return "http://" + hl.Addr().String(), stop
}

// Client dials the environment's gRPC server; the connection closes when
// the test ends.
func (e *Env) Client(t *testing.T) *Client {
	t.Helper()
	cl, err := Dial(e.GRPCAddr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// As returns the call option that authenticates as role; "" sends no
// token.
func (e *Env) As(r auth.Role) grpc.CallOption {
	if r == "" {
		return grpc.EmptyCallOption{}
	}
	return Token(e.Tokens[r])
}

// BadToken is a call option with a token nobody was given.
func BadToken() grpc.CallOption { return Token("tdm_not-a-token") }

// StreamMsgs is the number of messages in the named stream.
func (e *Env) StreamMsgs(t *testing.T, name string) uint64 {
	t.Helper()
	s, err := e.Bus.JetStream().Stream(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return s.CachedInfo().State.Msgs
}

func listen(t *testing.T) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func waitReady(t *testing.T, st *stack.Stack, failure string) {
	t.Helper()
	select {
	case <-st.Site.Ready():
	case <-time.After(10 * time.Second):
		t.Fatal(failure)
	}
	if st.Media != nil {
		select {
		case <-st.Media.Ready():
		case <-time.After(10 * time.Second):
			t.Fatal("the media library did not read its stream")
		}
	}
}
