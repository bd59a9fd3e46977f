package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tandemnews/tandem/internal/stack"
	"github.com/tandemnews/tandem/internal/stack/stacktest"
	"github.com/tandemnews/tandem/pkg/auth"
	"github.com/tandemnews/tandem/pkg/cache"
	"github.com/tandemnews/tandem/pkg/testkit"
	draftingv1 "github.com/tandemnews/tandem/proto/tandem/drafting/v1"
)

func TestLimitsAreEnforcedWithClearErrors(t *testing.T) {
	rdb, prefix := testkit.Redis(t)
	e := stacktest.StartWith(t, testkit.StartNATS(t).URL(), cache.New(rdb, prefix), func(c *stack.Config) { c.Rate, c.Burst = 5, 5 })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	drafting := draftingv1.NewDraftingServiceClient(e.Conn)

	// A request over the message size limit never reaches a handler.
	huge := stacktest.SampleArticle()
	huge.Locales["zh-CN"].Summary = strings.Repeat("长", 2<<20) // 6 MiB of UTF-8
	_, err := drafting.CreateDraft(ctx, &draftingv1.CreateDraftRequest{Article: huge}, e.As(auth.Editor), grpc.MaxCallSendMsgSize(16<<20))
	stacktest.WantCode(t, "oversized request", err, codes.ResourceExhausted)
	if n := e.StreamMsgs(t, e.Bus.Config().EditorialStream); n != 0 {
		t.Fatalf("EDITORIAL holds %d messages after an oversized request", n)
	}

	// One caller past its rate is slowed down; another is not.
	var limited int
	for range 20 {
		_, err := drafting.ListDrafts(ctx, &draftingv1.ListDraftsRequest{}, e.As(auth.Editor))
		if status.Code(err) == codes.ResourceExhausted {
			limited++
			st := status.Convert(err)
			retry := false
			for _, d := range st.Details() {
				_, retry = d.(*errdetails.RetryInfo)
			}
			if !retry {
				t.Fatal("ResourceExhausted without RetryInfo")
			}
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if limited == 0 {
		t.Fatal("20 calls at once were all let through a limit of 5 per second")
	}
	if _, err := drafting.ListDrafts(ctx, &draftingv1.ListDraftsRequest{}, e.As(auth.Translator)); err != nil {
		t.Fatalf("another caller was limited too: %v", err)
	}
	t.Logf("verified: oversized request refused before the stream; %d of 20 rapid calls limited; other callers unaffected", limited)
}
