package events

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Config names the two streams and their subject prefixes. The zero value
// is not usable; start from DefaultConfig.
type Config struct {
	// EditorialStream holds drafts and reviews: internal.
	EditorialStream string
	// EditorialPrefix is the first subject token of EditorialStream.
	EditorialPrefix string
	// PublicStream holds what is published: the only stream the site and
	// outside consumers read.
	PublicStream string
	// PublicPrefix is the first subject token of PublicStream.
	PublicPrefix string
	// Replicas is the stream replication factor (3 in a cluster).
	Replicas int
	// DuplicateWindow is how long the server remembers event ids for
	// deduplication.
	DuplicateWindow time.Duration
}

// DefaultConfig is the production naming: EDITORIAL on editorial.>, PUBLIC
// on public.>.
func DefaultConfig() Config {
	return Config{
		EditorialStream: "EDITORIAL",
		EditorialPrefix: "editorial",
		PublicStream:    "PUBLIC",
		PublicPrefix:    "public",
		Replicas:        1,
		DuplicateWindow: 2 * time.Minute,
	}
}

// Bus is a connection to Tandem's two streams.
type Bus struct {
	nc        *nats.Conn
	js        jetstream.JetStream
	cfg       Config
	Editorial *Stream
	Public    *Stream
}

// InboxPrefix is the prefix of the reply subjects of a process that runs
// one service: "_INBOX_<service>". Each service's NATS user may subscribe
// to its own prefix only (deploy/nats/auth.conf), so no service can read
// the replies another receives, drafts among them. A process running
// several services keeps the default "_INBOX".
func InboxPrefix(service string) string { return "_INBOX_" + service }

// Connect dials NATS with the options every Tandem process needs: it
// reconnects without limit and buffers nothing it cannot deliver.
func Connect(url, name string, opts ...nats.Option) (*nats.Conn, error) {
	base := []nats.Option{
		nats.Name(name),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(250 * time.Millisecond),
		nats.ReconnectJitter(100*time.Millisecond, time.Second),
		nats.RetryOnFailedConnect(true),
		// Nothing is held back while reconnecting: a write then fails at
		// once, so its caller knows it was not stored, instead of timing
		// out and having it stored later behind their back.
		nats.ReconnectBufSize(-1),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				slog.Warn("nats disconnected", "err", err)
			}
		}),
		nats.ReconnectHandler(func(c *nats.Conn) {
			slog.Info("nats reconnected", "url", c.ConnectedUrlRedacted())
		}),
		// A failed attempt (refused, TLS, credentials) is logged, so an
		// operator sees why the service waits.
		nats.ReconnectErrHandler(func(_ *nats.Conn, err error) {
			slog.Warn("nats connection attempt failed", "err", err)
		}),
	}
	nc, err := nats.Connect(url, append(base, opts...)...)
	if err != nil {
		return nil, fmt.Errorf("events: connect %s: %w", url, err)
	}
	return nc, nil
}

// Open creates or updates both streams and returns a Bus on them.
func Open(ctx context.Context, nc *nats.Conn, cfg Config) (*Bus, error) {
	if cfg.Replicas == 0 {
		cfg.Replicas = 1
	}
	if cfg.DuplicateWindow == 0 {
		cfg.DuplicateWindow = 2 * time.Minute
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, err
	}
	b := &Bus{nc: nc, js: js, cfg: cfg}
	if b.Editorial, err = b.ensure(ctx, cfg.EditorialStream, cfg.EditorialPrefix, "Tandem drafts and reviews (internal)"); err != nil {
		return nil, err
	}
	if b.Public, err = b.ensure(ctx, cfg.PublicStream, cfg.PublicPrefix, "Tandem published articles (public)"); err != nil {
		return nil, err
	}
	return b, nil
}

func (b *Bus) ensure(ctx context.Context, name, prefix, desc string) (*Stream, error) {
	if _, err := Token(prefix); err != nil {
		return nil, err
	}
	s, err := b.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        name,
		Description: desc,
		Subjects:    []string{prefix + ".>"},
		Storage:     jetstream.FileStorage,
		Retention:   jetstream.LimitsPolicy,
		// The stream is the record: keep every message, and let a purge
		// (legal removal) be the only way one goes.
		MaxAge:     0,
		Discard:    jetstream.DiscardOld,
		Replicas:   b.cfg.Replicas,
		Duplicates: b.cfg.DuplicateWindow,
		// On a replicated stream reads go to the stream leader
		// (STREAM.MSG.GET): a direct get may be answered by any replica,
		// one that has not applied the latest write yet, and that broke
		// read-your-writes (an update right after its create found
		// nothing). With one replica there is no such replica, and a
		// direct get returns the message as it is instead of base64 in
		// JSON, several times cheaper for an article.
		AllowDirect: b.cfg.Replicas == 1,
		DenyDelete:  false,
	})
	if err != nil {
		return nil, fmt.Errorf("events: create or update stream %s: %w", name, err)
	}
	return &Stream{name: name, prefix: prefix, js: b.js, s: s}, nil
}

// OpenPublic attaches to the PUBLIC stream for reading, without creating or
// changing anything, and waits until the stream exists. The Bus it returns
// has no Editorial stream. It needs only the JetStream API of PUBLIC (stream
// info, consumers), so a process that reads published articles, the site,
// runs with credentials that can read PUBLIC and nothing else.
func OpenPublic(ctx context.Context, nc *nats.Conn, cfg Config) (*Bus, error) {
	if _, err := Token(cfg.PublicPrefix); err != nil {
		return nil, err
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, err
	}
	b := &Bus{nc: nc, js: js, cfg: cfg}
	for {
		s, err := js.Stream(ctx, cfg.PublicStream)
		if err == nil {
			b.Public = &Stream{name: cfg.PublicStream, prefix: cfg.PublicPrefix, js: js, s: s}
			return b, nil
		}
		if !errors.Is(err, jetstream.ErrStreamNotFound) {
			return nil, fmt.Errorf("events: attach to stream %s: %w", cfg.PublicStream, err)
		}
		slog.Info("waiting for the stream to be created", "stream", cfg.PublicStream)
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("events: stream %s does not exist: %w", cfg.PublicStream, ctx.Err())
		case <-time.After(time.Second):
		}
	}
}

// Config returns the configuration the bus was opened with.
func (b *Bus) Config() Config { return b.cfg }

// JetStream exposes the JetStream context for administration and tests.
func (b *Bus) JetStream() jetstream.JetStream { return b.js }

// Delete removes both streams and everything in them. Tests use it to clean
// up streams of their own on a shared server.
func (b *Bus) Delete(ctx context.Context) error {
	return errors.Join(
		b.js.DeleteStream(ctx, b.cfg.EditorialStream),
		b.js.DeleteStream(ctx, b.cfg.PublicStream),
	)
}
