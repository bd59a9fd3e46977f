package webhooks

import (
	"context"
	"fmt"
	"slices"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/rpc"
	articlev1 "github.com/tandemnews/tandem/proto/tandem/article/v1"
	webhooksv1 "github.com/tandemnews/tandem/proto/tandem/webhooks/v1"
	"github.com/tandemnews/tandem/services/webhooks/hook"
)

// errs maps the rules' errors to statuses.
var errs = rpc.Errors{
	{Err: hook.ErrNotFound, Code: codes.NotFound},
	{Err: hook.ErrTooMany, Code: codes.FailedPrecondition},
}

// started waits for the store, which Run opens.
func (s *Service) started(ctx context.Context) error {
	select {
	case <-s.ready:
		return nil
	case <-ctx.Done():
		return status.Error(codes.Unavailable, "the webhooks service is starting; retry")
	}
}

// AddEndpoint implements WebhooksService.
func (s *Service) AddEndpoint(ctx context.Context, req *webhooksv1.AddEndpointRequest) (*webhooksv1.AddEndpointResponse, error) {
	r := hook.Request{URL: req.GetUrl(), EventTypes: req.GetEventTypes(), AllowPrivate: req.GetAllowPrivateAddress(), Description: req.GetDescription()}
	var v rpc.Violations
	r.Check(&v.Violations)
	if v.Len() == 0 {
		u, _ := hook.ParseURL(r.URL)
		if err := (hook.Guard{Allow: r.AllowPrivate, Resolver: s.o.Resolver}).CheckHost(ctx, u); err != nil {
			v.Add("url", "%s", err)
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := s.started(ctx); err != nil {
		return nil, err
	}
	all, err := s.store.endpoints(ctx)
	if err != nil {
		return nil, errs.Status(err, "webhook endpoints")
	}
	if len(all) >= hook.MaxEndpoints {
		return nil, errs.Status(hook.ErrTooMany, "")
	}
	stream, err := s.bus.JetStream().Stream(ctx, s.bus.Config().PublicStream)
	if err != nil {
		return nil, errs.Status(err, "stream "+s.bus.Config().PublicStream)
	}
	now := s.now()
	who := auth.Actor(ctx)
	ep := &webhooksv1.Endpoint{
		Id: events.NewID(), Url: r.URL, EventTypes: r.EventTypes, AllowPrivateAddress: r.AllowPrivate,
		Description: r.Description,
		Created:     &articlev1.Change{Actor: who, Time: timestamppb.New(now)},
		Secrets:     []*webhooksv1.SigningSecret{{Secret: hook.NewSecret(), Created: timestamppb.New(now)}},
		StartAfter:  stream.CachedInfo().State.LastSeq,
	}
	if err := s.store.create(ctx, ep); err != nil {
		return nil, errs.Status(err, "webhook endpoint")
	}
	s.log.Info("webhook endpoint added", "endpoint", ep.Id, "url", ep.Url, "types", ep.EventTypes, "allow_private_address", ep.AllowPrivateAddress, "actor", who.UserId)
	return &webhooksv1.AddEndpointResponse{Endpoint: ep}, nil
}

// withoutSecrets is ep as answers show it: each secret's dates, never
// the secret.
func withoutSecrets(ep *webhooksv1.Endpoint) *webhooksv1.Endpoint {
	out := proto.Clone(ep).(*webhooksv1.Endpoint)
	for _, sec := range out.Secrets {
		sec.Secret = ""
	}
	return out
}

// ListEndpoints implements WebhooksService.
func (s *Service) ListEndpoints(ctx context.Context, _ *webhooksv1.ListEndpointsRequest) (*webhooksv1.ListEndpointsResponse, error) {
	if err := s.started(ctx); err != nil {
		return nil, err
	}
	all, err := s.store.endpoints(ctx)
	if err != nil {
		return nil, errs.Status(err, "webhook endpoints")
	}
	res := &webhooksv1.ListEndpointsResponse{DeadLetters: map[string]uint32{}}
	for _, ep := range all {
		res.Endpoints = append(res.Endpoints, withoutSecrets(ep))
		dead, err := s.store.deadLetters(ctx, ep.Id)
		if err != nil {
			return nil, errs.Status(err, "dead letters of "+ep.Id)
		}
		if len(dead) > 0 {
			res.DeadLetters[ep.Id] = uint32(len(dead))
		}
	}
	return res, nil
}

// RemoveEndpoint implements WebhooksService.
func (s *Service) RemoveEndpoint(ctx context.Context, req *webhooksv1.RemoveEndpointRequest) (*webhooksv1.RemoveEndpointResponse, error) {
	if req.GetId() == "" {
		return nil, rpc.InvalidField("id", "is required: the endpoint's id (tandem webhooks list shows it)")
	}
	if err := s.started(ctx); err != nil {
		return nil, err
	}
	if err := s.store.remove(ctx, req.GetId()); err != nil {
		return nil, errs.Status(err, "webhook endpoint "+req.GetId())
	}
	s.log.Info("webhook endpoint removed", "endpoint", req.GetId(), "actor", auth.Actor(ctx).UserId)
	return &webhooksv1.RemoveEndpointResponse{}, nil
}

// RotateSecret implements WebhooksService.
func (s *Service) RotateSecret(ctx context.Context, req *webhooksv1.RotateSecretRequest) (*webhooksv1.RotateSecretResponse, error) {
	var v rpc.Violations
	if req.GetId() == "" {
		v.Add("id", "is required: the endpoint's id (tandem webhooks list shows it)")
	}
	overlap := time.Duration(req.GetOverlapSeconds()) * time.Second
	if overlap > hook.MaxOverlap {
		v.Add("overlap_seconds", "is %s; at most %s", overlap, hook.MaxOverlap)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if overlap == 0 {
		overlap = hook.DefaultOverlap
	}
	if err := s.started(ctx); err != nil {
		return nil, err
	}
	var fresh string
	ep, err := s.store.update(ctx, req.GetId(), func(ep *webhooksv1.Endpoint) error {
		now := s.now()
		fresh = hook.NewSecret()
		until := now.Add(overlap)
		kept := []*webhooksv1.SigningSecret{{Secret: fresh, Created: timestamppb.New(now)}}
		for _, sec := range ep.Secrets {
			if sec.Expires != nil && !now.Before(sec.Expires.AsTime()) {
				continue // its overlap is over
			}
			if sec.Expires == nil || sec.Expires.AsTime().After(until) {
				sec.Expires = timestamppb.New(until)
			}
			kept = append(kept, sec)
		}
		ep.Secrets = kept
		return nil
	})
	if err != nil {
		return nil, errs.Status(err, "webhook endpoint "+req.GetId())
	}
	out := withoutSecrets(ep)
	out.Secrets[0].Secret = fresh
	s.log.Info("webhook secret rotated", "endpoint", ep.Id, "overlap", overlap, "actor", auth.Actor(ctx).UserId)
	return &webhooksv1.RotateSecretResponse{Endpoint: out}, nil
}

// ListDeadLetters implements WebhooksService.
func (s *Service) ListDeadLetters(ctx context.Context, req *webhooksv1.ListDeadLettersRequest) (*webhooksv1.ListDeadLettersResponse, error) {
	if req.GetEndpointId() == "" {
		return nil, rpc.InvalidField("endpoint_id", "is required: the endpoint's id (tandem webhooks list shows it)")
	}
	if err := s.started(ctx); err != nil {
		return nil, err
	}
	if _, _, err := s.store.endpoint(ctx, req.GetEndpointId()); err != nil {
		return nil, errs.Status(err, "webhook endpoint "+req.GetEndpointId())
	}
	dead, err := s.store.deadLetters(ctx, req.GetEndpointId())
	if err != nil {
		return nil, errs.Status(err, "dead letters")
	}
	return &webhooksv1.ListDeadLettersResponse{DeadLetters: dead}, nil
}

// Redeliver implements WebhooksService.
func (s *Service) Redeliver(ctx context.Context, req *webhooksv1.RedeliverRequest) (*webhooksv1.RedeliverResponse, error) {
	id := req.GetEndpointId()
	if id == "" {
		return nil, rpc.InvalidField("endpoint_id", "is required: the endpoint's id (tandem webhooks list shows it)")
	}
	if err := s.started(ctx); err != nil {
		return nil, err
	}
	ep, _, err := s.store.endpoint(ctx, id)
	if err != nil {
		return nil, errs.Status(err, "webhook endpoint "+id)
	}
	dead, err := s.store.deadLetters(ctx, id)
	if err != nil {
		return nil, errs.Status(err, "dead letters")
	}
	chosen := dead
	if want := req.GetWebhookIds(); len(want) > 0 {
		var v rpc.Violations
		chosen = nil
		for i, w := range want {
			j := slices.IndexFunc(dead, func(d *webhooksv1.DeadLetter) bool { return d.WebhookId == w })
			if j < 0 {
				v.Add(fmt.Sprintf("webhook_ids[%d]", i), "%q is not a dead letter of endpoint %s", w, id)
				continue
			}
			chosen = append(chosen, dead[j])
		}
		if err := v.Err(); err != nil {
			return nil, err
		}
	}
	if len(chosen) > hook.MaxRedeliver {
		chosen = chosen[:hook.MaxRedeliver]
	}
	hc := client(hook.Guard{Allow: ep.AllowPrivateAddress, Resolver: s.o.Resolver}, s.o.Timeout)
	res := &webhooksv1.RedeliverResponse{}
	for _, d := range chosen {
		if err := s.redeliver(ctx, hc, ep, d); err != nil {
			d.Attempts++
			d.Reason = err.Error()
			d.Failed = timestamppb.New(s.now())
			if perr := s.store.putDeadLetter(ctx, d); perr != nil {
				return nil, errs.Status(perr, "dead letter "+d.WebhookId)
			}
			res.Failed = append(res.Failed, d)
			continue
		}
		if err := s.store.dropDeadLetter(ctx, id, d.WebhookId); err != nil {
			return nil, errs.Status(err, "dead letter "+d.WebhookId)
		}
		res.Delivered = append(res.Delivered, d.WebhookId)
	}
	s.log.Info("dead letters sent again", "endpoint", id, "delivered", len(res.Delivered), "failed", len(res.Failed), "actor", auth.Actor(ctx).UserId)
	return res, nil
}
