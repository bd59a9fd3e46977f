package webhooks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/tandemnews/tandem/pkg/events"
	eventsv1 "github.com/tandemnews/tandem/proto/tandem/events/v1"
	webhooksv1 "github.com/tandemnews/tandem/proto/tandem/webhooks/v1"
	"github.com/tandemnews/tandem/services/webhooks/hook"
)

// body is what a delivery POSTs, as JSON: the Standard Webhooks envelope
// (type, timestamp, data) with the event's id, article and revision
// beside it. data is the event's payload (tandem.events.v1.ArticleEvent)
// in protobuf's JSON mapping; docs/schemas holds its JSON Schema.
type body struct {
	Type      string          `json:"type"`
	Timestamp string          `json:"timestamp"`
	ID        string          `json:"id"`
	Subject   string          `json:"subject"`
	Revision  uint64          `json:"revision"`
	Data      json.RawMessage `json:"data"`
}

// encode renders the body of a delivery of ev. It is the same on every
// try, so a receiver sees the same bytes under the same webhook-id.
func encode(ev *events.Event) ([]byte, error) {
	data, err := protojson.MarshalOptions{UseProtoNames: false}.Marshal(ev.Data)
	if err != nil {
		return nil, err
	}
	return json.Marshal(body{
		Type: ev.Type, Timestamp: ev.Time.UTC().Format(time.RFC3339Nano),
		ID: ev.ID, Subject: ev.Subject, Revision: ev.Sequence, Data: data,
	})
}

// client is an HTTP client for one endpoint: every connection it makes
// goes through the endpoint's address guard, it uses no proxy (a proxy
// would reach what the guard refuses), and it follows no redirect.
func client(g hook.Guard, timeout time.Duration) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second, Control: g.Control}
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy:                 nil,
			DialContext:           d.DialContext,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: timeout,
			MaxIdleConnsPerHost:   4,
			IdleConnTimeout:       90 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// secretsInForce are the secrets that sign at now: the newest, and the
// older ones whose overlap has not ended.
func secretsInForce(ep *webhooksv1.Endpoint, now time.Time) []string {
	var out []string
	for _, s := range ep.GetSecrets() {
		if s.Expires == nil || now.Before(s.Expires.AsTime()) {
			out = append(out, s.Secret)
		}
	}
	return out
}

// post makes one try of a delivery: it signs the body with the secrets in
// force and POSTs it. Any answer but 2xx is an error saying what came
// back.
func post(ctx context.Context, hc *http.Client, ep *webhooksv1.Endpoint, id string, payload []byte, now time.Time) error {
	sig, err := hook.Sign(secretsInForce(ep, now), id, now, payload)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.Url, bytes.NewReader(payload))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Tandem-Webhooks/1")
	req.Header.Set("webhook-id", id)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(now.Unix(), 10))
	req.Header.Set("webhook-signature", sig)
	res, err := hc.Do(req)
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return fmt.Errorf("no answer in time: %w", err)
		}
		return err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("HTTP %s", res.Status)
	}
	return nil
}

// redeliver reads a dead letter's event from PUBLIC and tries it once.
func (s *Service) redeliver(ctx context.Context, hc *http.Client, ep *webhooksv1.Endpoint, d *webhooksv1.DeadLetter) error {
	subj, err := s.bus.Public.Subject(eventsv1.KindArticles, d.ArticleId)
	if err != nil {
		return err
	}
	ev, err := s.bus.Public.At(ctx, subj, d.Revision)
	if err != nil {
		return fmt.Errorf("the event is no longer on %s (the article was purged?): %w", s.bus.Config().PublicStream, err)
	}
	payload, err := encode(ev)
	if err != nil {
		return err
	}
	return post(ctx, hc, ep, ev.ID, payload, s.now())
}
