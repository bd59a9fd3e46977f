package webhooks

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/protobuf/proto"

	"github.com/tandemnews/tandem/pkg/events"
	webhooksv1 "github.com/tandemnews/tandem/proto/tandem/webhooks/v1"
	"github.com/tandemnews/tandem/services/webhooks/hook"
)

// Bucket is the name of the key-value bucket that holds the endpoints
// and their dead letters: the public stream's name and "_WEBHOOKS"
// (PUBLIC_WEBHOOKS by default, stored in the stream KV_PUBLIC_WEBHOOKS).
// It holds signing secrets: only the webhooks service's NATS user may
// read it.
func Bucket(c events.Config) string { return c.PublicStream + "_WEBHOOKS" }

// store keeps the endpoints (key endpoint.<id>) and dead letters (key
// dead.<endpoint id>.<webhook id>) in a JetStream key-value bucket. An
// endpoint changes with the revision it was read at, so two admins
// rotating one secret at once cannot lose a secret.
type store struct {
	kv jetstream.KeyValue
}

func openStore(ctx context.Context, bus *events.Bus) (*store, error) {
	cfg := bus.Config()
	kv, err := bus.JetStream().CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      Bucket(cfg),
		Description: "Tandem webhook endpoints, their signing secrets and dead letters",
		History:     1,
		Storage:     jetstream.FileStorage,
		Replicas:    max(cfg.Replicas, 1),
	})
	if err != nil {
		return nil, fmt.Errorf("webhooks: open bucket %s: %w", Bucket(cfg), err)
	}
	return &store{kv: kv}, nil
}

func endpointKey(id string) string       { return "endpoint." + id }
func deadKey(endpoint, id string) string { return "dead." + endpoint + "." + id }

// endpoint reads one endpoint and the revision it is at.
func (s *store) endpoint(ctx context.Context, id string) (*webhooksv1.Endpoint, uint64, error) {
	notFound := fmt.Errorf("%w: %s (tandem webhooks list shows the ids)", hook.ErrNotFound, id)
	if _, err := events.Token(id); err != nil {
		return nil, 0, notFound
	}
	e, err := s.kv.Get(ctx, endpointKey(id))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, 0, notFound
	}
	if err != nil {
		return nil, 0, err
	}
	ep := &webhooksv1.Endpoint{}
	if err := proto.Unmarshal(e.Value(), ep); err != nil {
		return nil, 0, fmt.Errorf("webhooks: endpoint %s: %w", id, err)
	}
	return ep, e.Revision(), nil
}

// create stores a new endpoint.
func (s *store) create(ctx context.Context, ep *webhooksv1.Endpoint) error {
	b, err := proto.Marshal(ep)
	if err != nil {
		return err
	}
	_, err = s.kv.Create(ctx, endpointKey(ep.Id), b)
	return err
}

// update applies fn to the endpoint and stores it at the revision read,
// retrying when somebody else wrote in between.
func (s *store) update(ctx context.Context, id string, fn func(*webhooksv1.Endpoint) error) (*webhooksv1.Endpoint, error) {
	for attempt := 0; ; attempt++ {
		ep, rev, err := s.endpoint(ctx, id)
		if err != nil {
			return nil, err
		}
		if err := fn(ep); err != nil {
			return nil, err
		}
		b, err := proto.Marshal(ep)
		if err != nil {
			return nil, err
		}
		_, err = s.kv.Update(ctx, endpointKey(id), b, rev)
		if err == nil {
			return ep, nil
		}
		if !errors.Is(err, jetstream.ErrKeyRevisionMismatch) || attempt >= 5 {
			return nil, err
		}
	}
}

// remove forgets an endpoint and its dead letters.
func (s *store) remove(ctx context.Context, id string) error {
	if _, _, err := s.endpoint(ctx, id); err != nil {
		return err
	}
	if err := s.purgeDeadLetters(ctx, id); err != nil {
		return err
	}
	return s.kv.Purge(ctx, endpointKey(id))
}

// purgeDeadLetters forgets every dead letter of an endpoint.
func (s *store) purgeDeadLetters(ctx context.Context, endpoint string) error {
	dead, err := s.deadLetters(ctx, endpoint)
	if err != nil {
		return err
	}
	for _, d := range dead {
		if err := s.kv.Purge(ctx, deadKey(endpoint, d.WebhookId)); err != nil {
			return err
		}
	}
	return nil
}

// endpoints lists every endpoint, oldest first (ids are ULIDs).
func (s *store) endpoints(ctx context.Context) ([]*webhooksv1.Endpoint, error) {
	var out []*webhooksv1.Endpoint
	err := s.scan(ctx, "endpoint.*", func(v []byte) error {
		ep := &webhooksv1.Endpoint{}
		if err := proto.Unmarshal(v, ep); err != nil {
			return err
		}
		out = append(out, ep)
		return nil
	})
	return out, err
}

// deadLetters lists an endpoint's dead letters, oldest first.
func (s *store) deadLetters(ctx context.Context, endpoint string) ([]*webhooksv1.DeadLetter, error) {
	var out []*webhooksv1.DeadLetter
	err := s.scan(ctx, "dead."+endpoint+".*", func(v []byte) error {
		d := &webhooksv1.DeadLetter{}
		if err := proto.Unmarshal(v, d); err != nil {
			return err
		}
		out = append(out, d)
		return nil
	})
	return out, err
}

// putDeadLetter stores (or replaces) a dead letter.
func (s *store) putDeadLetter(ctx context.Context, d *webhooksv1.DeadLetter) error {
	b, err := proto.Marshal(d)
	if err != nil {
		return err
	}
	_, err = s.kv.Put(ctx, deadKey(d.EndpointId, d.WebhookId), b)
	return err
}

// dropDeadLetter removes a dead letter once it was delivered.
func (s *store) dropDeadLetter(ctx context.Context, endpoint, id string) error {
	return s.kv.Purge(ctx, deadKey(endpoint, id))
}

// scan calls fn with the value of every live key matching pattern, in
// the order they were written.
func (s *store) scan(ctx context.Context, pattern string, fn func([]byte) error) error {
	ctx, cancel := context.WithTimeout(ctx, events.RequestTimeout)
	defer cancel()
	w, err := s.kv.Watch(ctx, pattern, jetstream.IgnoreDeletes())
	if err != nil {
		return err
	}
	defer func() { _ = w.Stop() }()
	for {
		select {
		case e, ok := <-w.Updates():
			if !ok {
				return ctx.Err()
			}
			if e == nil { // every existing key has been read
				return nil
			}
			if err := fn(e.Value()); err != nil {
				return err
			}
		case <-ctx.Done():
			return fmt.Errorf("webhooks: list %s: %w", pattern, ctx.Err())
		}
	}
}

// watchEndpoints calls put with every endpoint, then with every change,
// and gone with the id of every endpoint removed, until ctx is done. A
// watch that cannot start (NATS stalled or restarting) is tried again.
func (s *store) watchEndpoints(ctx context.Context, log *slog.Logger, put func(*webhooksv1.Endpoint), gone func(id string)) {
	for ctx.Err() == nil {
		w, err := s.kv.Watch(ctx, "endpoint.*")
		if err != nil {
			if ctx.Err() == nil {
				log.Warn("webhook endpoints not watched; retrying", "err", err)
				sleep(ctx, time.Second)
			}
			continue
		}
		for e := range w.Updates() {
			if e == nil {
				continue
			}
			id := e.Key()[len("endpoint."):]
			if e.Operation() != jetstream.KeyValuePut {
				gone(id)
				continue
			}
			ep := &webhooksv1.Endpoint{}
			if err := proto.Unmarshal(e.Value(), ep); err != nil {
				continue
			}
			put(ep)
		}
		_ = w.Stop()
		sleep(ctx, 250*time.Millisecond)
	}
}
