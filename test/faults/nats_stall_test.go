package faults

import (
	"context"
	"net/url"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/events"
	"github.com/tandemnews/tandem/pkg/testkit"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
)

// frozenNATS runs the whole stack on a NATS server reached through a
// proxy the test can freeze: connections stay open, nothing answers.
func frozenNATS(t *testing.T) (*stacktest.Env, *testkit.Proxy) {
	t.Helper()
	u, err := url.Parse(testkit.StartNATS(t).URL())
	if err != nil {
		t.Fatal(err)
	}
	p := testkit.StartProxy(t, u.Host)
	return stacktest.Start(t, "nats://"+p.Addr()), p
}

// TestFrozenNATSAnswersUnavailableQuickly pins that a NATS server that
// stops answering costs a caller the event store's RequestTimeout, not
// their whole deadline: reads and writes end in Unavailable, which says
// to retry, and succeed again once NATS answers.
func TestFrozenNATSAnswersUnavailableQuickly(t *testing.T) {
	e, p := frozenNATS(t)
	cl := e.Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	a := stacktest.SampleArticle()
	created, err := cl.Drafting.CreateDraft(ctx, &draftingv1.CreateDraftRequest{Article: a}, e.As(auth.Editor))
	if err != nil {
		t.Fatal(err)
	}
	id := created.Draft.Article.Id

	p.Freeze()
	t.Log("injected: every byte between Tandem and NATS held")
	bound := events.RequestTimeout + 3*time.Second
	for _, c := range []struct {
		what string
		call func(ctx context.Context) error
	}{
		{"GetDraft", func(ctx context.Context) error {
			_, err := cl.Drafting.GetDraft(ctx, &draftingv1.GetDraftRequest{Id: id}, e.As(auth.Editor))
			return err
		}},
		{"CreateDraft", func(ctx context.Context) error {
			b := stacktest.SampleArticle()
			b.Slug = "written-while-nats-is-frozen"
			_, err := cl.Drafting.CreateDraft(ctx, &draftingv1.CreateDraftRequest{Article: b}, e.As(auth.Editor))
			return err
		}},
	} {
		// The caller's own limit is the command line's, 30 s.
		cctx, stop := context.WithTimeout(ctx, 30*time.Second)
		start := time.Now()
		err := c.call(cctx)
		took := time.Since(start)
		stop()
		st := stacktest.WantCode(t, c.what+" while NATS is frozen", err, codes.Unavailable)
		t.Logf("%s while NATS is frozen: %v after %v", c.what, st.Message(), took.Round(time.Millisecond))
		if took > bound {
			t.Errorf("%s took %v while NATS was frozen, want under %v", c.what, took, bound)
		}
	}

	p.Thaw()
	t.Log("injected: NATS answers again")
	if _, err := cl.Drafting.GetDraft(ctx, &draftingv1.GetDraftRequest{Id: id}, e.As(auth.Editor)); err != nil {
		t.Errorf("GetDraft after NATS answers again: %v", err)
	}
}
