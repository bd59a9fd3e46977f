package events

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"
)

func TestConsumerDefaultsAndBackoff(t *testing.T) {
	var c ConsumerConfig
	c.defaults()
	want := []time.Duration{time.Second, 5 * time.Second, 15 * time.Second, 30 * time.Second}
	if c.MaxDeliver != 5 || c.AckWait != 10*time.Second || c.Logger == nil || !slices.Equal(c.Backoff, want) {
		t.Fatalf("defaults = %+v", c)
	}
	for attempt, d := range map[uint64]time.Duration{0: time.Second, 1: time.Second, 2: 5 * time.Second, 3: 15 * time.Second, 4: 30 * time.Second, 9: 30 * time.Second} {
		if got := c.delay(attempt); got != d {
			t.Errorf("delay(%d) = %v, want %v", attempt, got, d)
		}
	}
	given := ConsumerConfig{MaxDeliver: 2, AckWait: time.Second, Backoff: []time.Duration{time.Millisecond}}
	given.defaults()
	if given.MaxDeliver != 2 || given.AckWait != time.Second || !slices.Equal(given.Backoff, []time.Duration{time.Millisecond}) {
		t.Fatalf("defaults overrode given values: %+v", given)
	}
}

// startServer is a JetStream server in the test's process; testkit cannot
// be used here (it imports this package).
func startServer(t *testing.T) string {
	t.Helper()
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats server did not start")
	}
	t.Cleanup(s.Shutdown)
	return s.ClientURL()
}

func TestConnectReconnectsForeverAndBuffersNothing(t *testing.T) {
	nc, err := Connect(startServer(t), "tandem-test")
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	o := nc.Opts
	if o.Name != "tandem-test" || o.MaxReconnect != -1 || o.ReconnectWait != 250*time.Millisecond ||
		o.ReconnectJitter != 100*time.Millisecond || o.ReconnectJitterTLS != time.Second ||
		!o.RetryOnFailedConnect || o.ReconnectBufSize != -1 {
		t.Fatalf("options = name %q, max reconnects %d, wait %v, jitter %v/%v, retry %v, buffer %d",
			o.Name, o.MaxReconnect, o.ReconnectWait, o.ReconnectJitter, o.ReconnectJitterTLS, o.RetryOnFailedConnect, o.ReconnectBufSize)
	}
}

func TestOpenCreatesBothStreamsAsTheRecord(t *testing.T) {
	nc, err := Connect(startServer(t), "tandem-test")
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cfg := Config{EditorialStream: "ED", EditorialPrefix: "ed", PublicStream: "PUB", PublicPrefix: "pub"}
	b, err := Open(ctx, nc, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if b.Config().Replicas != 1 || b.Config().DuplicateWindow != 2*time.Minute {
		t.Fatalf("config = %+v, want one replica and a two-minute window", b.Config())
	}
	for name, s := range map[string]*Stream{"ED": b.Editorial, "PUB": b.Public} {
		info, err := b.JetStream().Stream(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		c := info.CachedInfo().Config
		if s.Name() != name || c.Replicas != 1 || c.Duplicates != 2*time.Minute || !c.AllowDirect ||
			c.MaxAge != 0 || c.Storage != jetstream.FileStorage || c.Retention != jetstream.LimitsPolicy {
			t.Fatalf("%s = %+v", name, c)
		}
		if !strings.HasSuffix(c.Subjects[0], ".>") || s.Wildcard("drafts") != strings.TrimSuffix(c.Subjects[0], ">")+"drafts.*" {
			t.Fatalf("%s subjects %v, wildcard %s", name, c.Subjects, s.Wildcard("drafts"))
		}
	}
	if _, err := Open(ctx, nc, Config{EditorialStream: "X", EditorialPrefix: "a.b", PublicStream: "Y", PublicPrefix: "p"}); err == nil {
		t.Fatal("a prefix that is no subject token must be refused")
	}
	if err := b.Delete(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := b.JetStream().Stream(ctx, "ED"); err == nil {
		t.Fatal("Delete left the editorial stream")
	}
}
