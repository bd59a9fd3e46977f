// Package testkit starts the real servers Tandem's tests run against: an
// in-process NATS server with JetStream on a free port and a temporary
// store, a Bus on streams named for the test alone, and a Redis client
// whose keys carry a prefix unique to the test. Everything is cleaned up
// when the test ends.
package testkit

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/redis/go-redis/v9"

	"github.com/tandemnews/tandem/pkg/broker"
	"github.com/tandemnews/tandem/pkg/cache"
	"github.com/tandemnews/tandem/pkg/events"
)

// NATS is an in-process server a test can stop and start again on the
// same store.
type NATS struct {
	t    testing.TB
	dir  string
	port int
	srv  *server.Server
}

// StartNATS starts a JetStream server on a free loopback port with a store
// under t.TempDir().
func StartNATS(t testing.TB) *NATS {
	t.Helper()
	n := &NATS{t: t, dir: t.TempDir(), port: -1}
	n.Start()
	t.Cleanup(n.Stop)
	return n
}

// Start starts the server (again), on the same port and store.
func (n *NATS) Start() {
	n.t.Helper()
	s, err := broker.Start(broker.Options{Port: n.port, StoreDir: n.dir})
	if err != nil {
		n.t.Fatalf("start nats: %v", err)
	}
	n.srv = s
	n.port = s.Addr().(*net.TCPAddr).Port
}

// URL is the client URL.
func (n *NATS) URL() string { return n.srv.ClientURL() }

// Stop shuts the server down; Start brings it back.
func (n *NATS) Stop() {
	if n.srv != nil {
		n.srv.Shutdown()
		n.srv.WaitForShutdown()
	}
}

// Server is the running server.
func (n *NATS) Server() *server.Server { return n.srv }

// Connect dials url the way Tandem's processes do and closes the
// connection when the test ends.
func Connect(t testing.TB, url string) *nats.Conn {
	t.Helper()
	nc, err := events.Connect(url, "test:"+t.Name())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// StreamConfig returns stream names and subject prefixes no other test
// uses, so tests can share one server (the external one in CI).
func StreamConfig(t testing.TB) events.Config {
	tag := fmt.Sprintf("t%d%s", time.Now().UnixNano()%1e9, strings.ToLower(events.NewID()[20:]))
	c := events.DefaultConfig()
	c.EditorialStream = "EDITORIAL_" + strings.ToUpper(tag)
	c.EditorialPrefix = tag + "-editorial"
	c.PublicStream = "PUBLIC_" + strings.ToUpper(tag)
	c.PublicPrefix = tag + "-public"
	return c
}

// Bus opens both streams, under names of the test's own, on the server at
// url, and deletes them when the test ends.
func Bus(t testing.TB, url string) *events.Bus { return BusWith(t, url, 1) }

// BusWith is Bus with streams of the given replicas (3 on a cluster). On a
// cluster that is still electing its leader it retries for up to 30s.
func BusWith(t testing.TB, url string, replicas int) *events.Bus {
	t.Helper()
	nc := Connect(t, url)
	cfg := StreamConfig(t)
	cfg.Replicas = replicas
	var b *events.Bus
	var err error
	for deadline := time.Now().Add(30 * time.Second); ; {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		b, err = events.Open(ctx, nc, cfg)
		cancel()
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = b.Delete(ctx)
	})
	return b
}

// RedisURL is REDIS_URL, or the local default.
func RedisURL() string {
	if u := os.Getenv("REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/0"
}

// Redis connects to the real Redis at REDIS_URL and returns the client and
// a key prefix unique to the test. Every key under the prefix is deleted
// when the test ends. The test fails, saying how to fix it, when Redis
// does not answer.
func Redis(t testing.TB) (*redis.Client, string) {
	t.Helper()
	opt, err := cache.ParseURL(RedisURL())
	if err != nil {
		t.Fatalf("REDIS_URL: %v", err)
	}
	rdb := redis.NewClient(opt)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Fatalf("Redis at %s does not answer (%v): start it (make services) or set REDIS_URL", RedisURL(), err)
	}
	prefix := fmt.Sprintf("tandemtest:%s:%s:", sanitize(t.Name()), strings.ToLower(events.NewID()))
	t.Cleanup(func() {
		defer rdb.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		iter := rdb.Scan(ctx, 0, prefix+"*", 500).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if len(keys) > 0 {
			rdb.Del(ctx, keys...)
		}
	})
	return rdb, prefix
}

func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == ' ' || r == '*' || r == '?' || r == '[' || r == ']' {
			return '_'
		}
		return r
	}, s)
}

// Shared returns the path of the shared folder beside the project (test
// data such as the sample corpus). When it is absent the test is skipped,
// saying so, except in CI (CI=true), where a test that cannot run fails:
// a skip there would pass without checking anything.
func Shared(t testing.TB, parts ...string) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared")
	p := filepath.Join(append([]string{root}, parts...)...)
	if _, err := os.Stat(p); err != nil {
		if InCI() {
			t.Fatalf("%s is absent, and CI runs every test: check out the shared test data beside the project root", p)
		}
		t.Skipf("skipping: %s is absent (the shared test data lives beside the project root; in CI, CI=true, this fails)", p)
	}
	return p
}

// InCI reports whether the tests run in CI: the environment variable CI
// is true (or 1), as CI services set it.
func InCI() bool {
	ci, _ := strconv.ParseBool(os.Getenv("CI"))
	return ci
}

// EachServer runs fn against a fresh in-process server and, when NATS_URL
// is set, against that external server too (CI sets it to the machine's
// NATS 2.9), each as a subtest.
func EachServer(t *testing.T, fn func(t *testing.T, url string)) {
	t.Run("embedded", func(t *testing.T) { fn(t, StartNATS(t).URL()) })
	if u := os.Getenv("NATS_URL"); u != "" {
		t.Run("external", func(t *testing.T) { fn(t, u) })
	}
}

// Cluster is three in-process JetStream servers clustered on loopback.
type Cluster struct {
	Servers []*server.Server
	URLs    []string
}

// StartCluster starts a three-node JetStream cluster with stores under
// t.TempDir() and shuts it down when the test ends.
func StartCluster(t testing.TB) *Cluster {
	t.Helper()
	free := func() int {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		return l.Addr().(*net.TCPAddr).Port
	}
	var client, route [3]int
	for i := range 3 {
		client[i], route[i] = free(), free()
	}
	var routes []string
	for i := range 3 {
		routes = append(routes, fmt.Sprintf("nats-route://127.0.0.1:%d", route[i]))
	}
	c := &Cluster{}
	for i := range 3 {
		s, err := broker.Start(broker.Options{
			Port: client[i], StoreDir: t.TempDir(), Name: fmt.Sprintf("n%d", i+1),
			Cluster: &broker.Cluster{Name: "tandem-test", Port: route[i], Routes: routes},
		})
		if err != nil {
			t.Fatal(err)
		}
		c.Servers = append(c.Servers, s)
		c.URLs = append(c.URLs, s.ClientURL())
		t.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
	}
	return c
}

// URL lists every member, for a client that fails over between them.
func (c *Cluster) URL() string { return strings.Join(c.URLs, ",") }

// Kill shuts down the member with the given server name.
func (c *Cluster) Kill(name string) bool {
	for _, s := range c.Servers {
		if s.Name() == name {
			s.Shutdown()
			return true
		}
	}
	return false
}
