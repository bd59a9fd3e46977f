// Command consumer is an example of a system outside Tandem that follows
// the PUBLIC stream: it keeps a durable consumer of its own on
// public.articles.* and mirrors every published article into a folder,
// one HTML file per locale and a JSON file of its public record:
//
//	<out>/<article id>/<locale>.html
//	<out>/<article id>/publication.json
//
// A locale taken down loses its file; an article taken down entirely
// loses its folder. The consumer starts with the current state of every
// article (deliver last per subject) and then follows each change; after
// a restart it goes on where it stopped. Each event carries the
// article's whole public state, so handling one twice changes nothing,
// and an event older than what the folder holds is skipped.
//
//	go run ./docs/examples/consumer --nats-url nats://127.0.0.1:4223 --out ./mirror
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
)

// config is what the consumer needs to know.
type config struct {
	NATSURL string // e.g. nats://user:password@host:4222
	Stream  string // the public stream, PUBLIC by default
	Prefix  string // its subject prefix, public by default
	Durable string // the consumer's name: one per mirror
	Out     string // the folder
}

func main() {
	var c config
	flag.StringVar(&c.NATSURL, "nats-url", "nats://127.0.0.1:4222", "NATS server, with the credentials of a user that may read PUBLIC")
	flag.StringVar(&c.Stream, "stream", "PUBLIC", "name of Tandem's public stream")
	flag.StringVar(&c.Prefix, "prefix", "public", "subject prefix of the public stream")
	flag.StringVar(&c.Durable, "durable", "mirror", "name of this consumer")
	flag.StringVar(&c.Out, "out", "mirror", "folder to mirror the articles into")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, c, slog.Default()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// run mirrors the articles until ctx is done.
func run(ctx context.Context, c config, log *slog.Logger) error {
	nc, err := nats.Connect(c.NATSURL, nats.Name("tandem-mirror"), nats.MaxReconnects(-1))
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	cons, err := js.CreateOrUpdateConsumer(ctx, c.Stream, jetstream.ConsumerConfig{
		Durable:       c.Durable,
		FilterSubject: c.Prefix + ".articles.*",
		DeliverPolicy: jetstream.DeliverLastPerSubjectPolicy,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       30 * time.Second,
		MaxDeliver:    10,
	})
	if err != nil {
		return fmt.Errorf("consumer %s on %s: %w", c.Durable, c.Stream, err)
	}
	cc, err := cons.Consume(func(msg jetstream.Msg) {
		if err := mirror(c.Out, msg); err != nil {
			log.Warn("event not mirrored; it will come again", "subject", msg.Subject(), "err", err)
			_ = msg.NakWithDelay(time.Second)
			return
		}
		_ = msg.Ack()
	})
	if err != nil {
		return err
	}
	<-ctx.Done()
	cc.Drain()
	<-cc.Closed()
	return nil
}

// header reads a CloudEvents attribute: header values are percent-encoded
// (the CloudEvents NATS binding).
func header(msg jetstream.Msg, name string) (string, error) {
	return url.PathUnescape(msg.Headers().Get(name))
}

// mirror writes what one event says about its article.
func mirror(out string, msg jetstream.Msg) error {
	md, err := msg.Metadata()
	if err != nil {
		return err
	}
	typ, err := header(msg, "ce-type")
	if err != nil {
		return err
	}
	switch typ {
	case eventsv1.ArticlePublished, eventsv1.ArticleCorrected, eventsv1.ArticleUnpublished:
	default:
		return nil // a type this mirror does not know: nothing to do
	}
	var ev eventsv1.ArticleEvent
	if err := proto.Unmarshal(msg.Data(), &ev); err != nil {
		return err
	}
	p := ev.GetPublication()
	if p.GetArticleId() == "" || filepath.Base(p.GetArticleId()) != p.GetArticleId() {
		return fmt.Errorf("event %d holds no usable article id", md.Sequence.Stream)
	}
	dir := filepath.Join(out, p.ArticleId)
	if held := heldRevision(dir); held >= md.Sequence.Stream {
		return nil // the folder holds this state or a newer one
	}
	if len(p.Locales) == 0 {
		return os.RemoveAll(dir) // taken down entirely (or purged)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for locale, pl := range p.Locales {
		if filepath.Base(locale) != locale {
			continue
		}
		if err := write(filepath.Join(dir, locale+".html"), pl.Html); err != nil {
			return err
		}
	}
	for locale := range p.TakenDown {
		if _, live := p.Locales[locale]; !live && filepath.Base(locale) == locale {
			if err := os.Remove(filepath.Join(dir, locale+".html")); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		}
	}
	p.Revision = md.Sequence.Stream
	record, err := protojson.MarshalOptions{Multiline: true}.Marshal(p)
	if err != nil {
		return err
	}
	return write(filepath.Join(dir, "publication.json"), record)
}

// heldRevision is the revision of the record in dir, 0 without one.
func heldRevision(dir string) uint64 {
	b, err := os.ReadFile(filepath.Join(dir, "publication.json"))
	if err != nil {
		return 0
	}
	var rec struct{ Revision string }
	if json.Unmarshal(b, &rec) != nil {
		return 0
	}
	n, _ := strconv.ParseUint(rec.Revision, 10, 64)
	return n
}

// write replaces a file at once: a reader sees the old content or the
// new, never half of it.
func write(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
